"""Speed of real Appium 3 + UiAutomator2 on the virtual device: session creation and find+click.

Starts its own private adb server (free port), virtual devices and the pinned Appium server,
so it never touches a user's adb or Appium. Prints:

- session creation time with the driver's default capabilities (each on a fresh device: the
  driver installs its server APKs and Appium Settings there) and with the harness's fast
  profile (``skipServerInstallation`` + ``skipDeviceInitialization``, server already installed);
- quit time;
- find-by-id + click latency p50/p99 on a native button.

    .venv/bin/python benchmarks/appium_bench.py [--sessions 5] [--clicks 200]
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from appium.webdriver.common.appiumby import AppiumBy
from bench_stats import percentiles

from harness.android.adb import AdbServer, adb_binary
from harness.android.appium import start_server, stop_server
from harness.android.appium_session import DEFAULT, FAST, AppiumSessions
from harness.ports import free_loopback_port
from harness.sim.android.apk import (
    ACTION_MAIN,
    CATEGORY_LAUNCHER,
    RUNTIME_META_KEY,
    ActivitySpec,
    IntentFilterSpec,
    ManifestSpec,
    build_apk,
)
from harness.sim.android.runtime import Activity, AppRuntime, register_runtime
from harness.sim.host import DeviceHost, HostedDevice
from harness.sim.ui.views import View, Window

importlib.import_module("harness.sim.android")
logging.getLogger().setLevel(logging.WARNING)
logging.getLogger("adbutils").setLevel(logging.ERROR)

PACKAGE = "com.example.appiumbench"
BUTTON_ID = f"{PACKAGE}:id/buy"


class BenchActivity(Activity):
    """One native button that counts its clicks."""

    clicks = 0

    def native_window(self) -> Window:
        width, height = self.device.display.size
        root = View("android.widget.FrameLayout", (0, 0, width, height))
        root.add(
            View(
                "android.widget.Button",
                (100, 1000, width - 100, 1200),
                resource_id=BUTTON_ID,
                text="Buy",
                clickable=True,
                on_click=self._clicked,
            )
        )
        return Window(PACKAGE, "Bench", root)

    def _clicked(self) -> None:
        BenchActivity.clicks += 1


class BenchRuntime(AppRuntime):
    activity_class = BenchActivity


register_runtime("appium-bench", BenchRuntime)


def bench_apk() -> bytes:
    activity = ActivitySpec(
        f"{PACKAGE}.Main",
        exported=True,
        intent_filters=[IntentFilterSpec([ACTION_MAIN], [CATEGORY_LAUNCHER])],
    )
    return build_apk(
        ManifestSpec(PACKAGE, activities=[activity], meta_data={RUNTIME_META_KEY: "appium-bench"})
    )


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=5, help="sessions per profile")
    parser.add_argument("--clicks", type=int, default=200, help="find+click samples")
    args = parser.parse_args()

    adb = AdbServer(port=free_loopback_port(), binary=adb_binary())
    os.environ["ANDROID_ADB_SERVER_PORT"] = str(adb.port)
    os.environ["ADBUTILS_ADB_PATH"] = adb.binary
    adb.start()
    host = DeviceHost()
    work = Path(tempfile.mkdtemp(prefix="appium-bench-"))
    appium = start_server(work / "appium.log")
    try:

        def device() -> HostedDevice:
            hosted = host.add_device("pixel-7-api-34")
            adb.connect(hosted.serial)
            return hosted

        results: dict[str, list[float]] = {}
        quits: list[float] = []
        for profile in (DEFAULT, FAST):
            samples = []
            fast_device = device() if profile == FAST else None
            for _ in range(args.sessions):
                hosted = fast_device or device()  # the default profile installs on a fresh device
                with AppiumSessions(appium.url, profile=profile) as factory:
                    if profile == FAST:
                        factory.get(hosted.serial)  # first use installs the server APKs once
                        factory.quit(hosted.serial)
                    samples.append(timed(lambda f=factory, h=hosted: f.get(h.serial)))  # type: ignore[misc]
                    quits.append(timed(lambda f=factory, h=hosted: f.quit(h.serial)))  # type: ignore[misc]
            results[profile] = samples

        hosted = device()
        apk = work / "bench.apk"
        apk.write_bytes(bench_apk())
        dev = adb.client().device(hosted.serial)
        dev.install(str(apk), nolaunch=True, silent=True)
        dev.shell(f"am start -W -n {PACKAGE}/{PACKAGE}.Main")
        with AppiumSessions(appium.url) as factory:
            driver = factory.get(hosted.serial)

            def find_click() -> None:
                driver.find_element(AppiumBy.ID, BUTTON_ID).click()

            for _ in range(20):
                find_click()
            clicks = [timed(find_click) for _ in range(args.clicks)]
        assert BenchActivity.clicks == 20 + args.clicks, BenchActivity.clicks

        print(f"Appium {appium.url} (Appium 3.8.0 + UiAutomator2 8.7.0), virtual Pixel 7 / API 34")
        for profile in (DEFAULT, FAST):
            p50, p99 = percentiles(results[profile])
            print(
                f"session creation, {profile:7} capabilities: median {p50:7.0f} ms   "
                f"max {max(results[profile]):7.0f} ms   (n={len(results[profile])})"
            )
        print(
            "  (the driver polls /status once a second from the moment it spawns `am instrument`;"
            " the server listens ~50 ms later, so a session usually pays one 1 s poll interval)"
        )
        print(f"session quit:                          median {statistics.median(quits):7.0f} ms")
        p50, p99 = percentiles(clicks)
        print(
            f"find by id + click:                    p50 {p50:7.1f} ms   p99 {p99:7.1f} ms  (n={len(clicks)})"
        )
    finally:
        stop_server(appium)
        host.close()
        adb.kill()


if __name__ == "__main__":
    main()
