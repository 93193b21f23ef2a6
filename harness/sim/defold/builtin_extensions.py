"""Engine-level native extensions every virtual Defold game gets.

``screenshot`` follows the API of the community extension *defold-screenshot*
(``screenshot.png()`` → PNG bytes, width, height); the sample game's automation bridge uses it
for Poco's ``Screenshot`` call. The RuStore plugin is *not* here: it is registered by the
RuStore emulation through :func:`register_extension`.
"""

from __future__ import annotations

from typing import Any

from harness.sim.defold.extensions import ExtensionContext, ExtensionModule, register_extension


def screenshot_extension(ctx: ExtensionContext) -> ExtensionModule:
    def png(*_args: Any) -> tuple[bytes, int, int]:
        from harness.sim.defold.render import render_png

        data = render_png(ctx.runtime)
        width, height = ctx.runtime.screen_size
        return data, width, height

    return ExtensionModule({"png": png})


register_extension("screenshot", screenshot_extension)
