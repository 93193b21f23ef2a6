"""The native dialog ``resolveForBilling`` shows for a RuStore exception (``set_error_handling(true)``).

It belongs to the game's process (the SDK's resources are merged into the app, so its ids are
``<game package>:id/…``); its OK button is ``android:id/button1`` like every AlertDialog.
"""

from __future__ import annotations

from typing import Any

from harness.sim.rustore.payloads import SimpleError
from harness.sim.ui.views import View, Window, WindowKind, column

TITLES = {
    "RuStoreNotInstalledException": "RuStore is not installed",
    "RuStoreOutdatedException": "Update RuStore",
    "RuStoreUserUnauthorizedException": "Sign in to RuStore",
    "RuStoreUserBannedException": "Account blocked",
    "RuStoreApplicationBannedException": "Application blocked",
}


def error_dialog(device: Any, package: str, error: SimpleError) -> Window:
    width, height = device.display.size
    area = (width // 10, height * 2 // 5, width * 9 // 10, height * 3 // 5)
    root = View(
        "android.widget.FrameLayout",
        area,
        resource_id=f"{package}:id/rustore_error_dialog",
        content_desc=error.simple_name,
        background=(250, 250, 250),
    )
    window: Window
    title = View(
        "android.widget.TextView",
        resource_id=f"{package}:id/rustore_error_title",
        text=TITLES.get(error.simple_name, "Payment error"),
        text_size=44,
    )
    message = View(
        "android.widget.TextView",
        resource_id=f"{package}:id/rustore_error_message",
        text=error.detail_message or error.simple_name,
        foreground=(60, 60, 60),
    )
    ok = View(
        "android.widget.Button",
        resource_id="android:id/button1",
        text="OK",
        clickable=True,
        focusable=True,
        background=(41, 107, 219),
        foreground=(255, 255, 255),
        on_click=lambda: device.windows.dismiss(window),
    )
    root.add(*column(area, [(title, 110), (message, 160), (ok, 120)], padding=40, spacing=20))
    window = Window(package, "RuStoreErrorDialog", root, kind=WindowKind.DIALOG)
    return window
