"""``am start -W`` answers only once the launched activity has drawn its first frame."""

from __future__ import annotations

import asyncio

from harness.sim.android.apk import RUNTIME_META_KEY, ActivitySpec, ManifestSpec, build_apk
from harness.sim.android.device import AndroidDevice
from harness.sim.android.runtime import Activity, AppRuntime, register_runtime

from .conftest import Runner

PKG = "com.example.slowdraw"


class SlowDrawActivity(Activity):
    entered: asyncio.Event  # someone is waiting for this activity's first frame
    drawn: asyncio.Event  # the test lets the first frame happen

    async def wait_drawn(self) -> None:
        SlowDrawActivity.entered.set()
        await SlowDrawActivity.drawn.wait()


class SlowDrawRuntime(AppRuntime):
    activity_class = SlowDrawActivity


register_runtime("test-slow-draw", SlowDrawRuntime)


def test_wait_flag_holds_the_answer_until_the_first_frame() -> None:
    device = AndroidDevice("pixel-7-api-34")
    device.install_apk(
        build_apk(
            ManifestSpec(
                package=PKG,
                activities=[ActivitySpec(f"{PKG}.Main", exported=True)],
                meta_data={RUNTIME_META_KEY: "test-slow-draw"},
            )
        )
    )

    async def scenario() -> tuple[bool, str, str]:
        SlowDrawActivity.entered = asyncio.Event()
        SlowDrawActivity.drawn = asyncio.Event()
        runner = Runner(device)
        plain = await runner.sh(f"am start -n {PKG}/.Main")  # without -W nobody waits for a frame
        assert not SlowDrawActivity.entered.is_set()
        waiting = asyncio.create_task(runner.sh(f"am start -W -n {PKG}/.Main"))
        await asyncio.wait_for(SlowDrawActivity.entered.wait(), 10)  # -W now waits on the frame…
        answered_early = waiting.done()  # … and has not answered yet
        SlowDrawActivity.drawn.set()
        result = await asyncio.wait_for(waiting, 10)
        return answered_early, result.out, plain.out

    answered_early, out, plain = asyncio.run(scenario())
    assert answered_early is False
    assert "Status: ok" in out and "Complete" in out
    assert "Status: ok" not in plain
