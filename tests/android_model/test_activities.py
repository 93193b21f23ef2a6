"""Activity manager: am start output, intent resolution, singleTask/onNewIntent, tasks, force-stop."""

from __future__ import annotations

import re

import pytest

from .apps import BANK, GAME, GAME_ACTIVITY, RETURN_ACTIVITY, bank_apk, game_apk

APPIUM_START = (
    "am start-activity -W -n com.example.game/com.dynamo.android.DefoldActivity -S "
    "-a android.intent.action.MAIN -c android.intent.category.LAUNCHER -f 0x10200000"
)
DEEPLINK = "example://rustore.billing.sdk/return?invoiceId=inv-42"


@pytest.fixture
def game(device):
    device.install_apk(game_apk())
    device.install_apk(bank_apk())
    return device


def _lines(device, tag):
    return [e.message for e in device.logcat.entries() if e.tag == tag]


def test_cold_start_wait_output(run, game):
    r = run(lambda r: r.sh(APPIUM_START))
    lines = r.out.splitlines()
    assert lines[0] == (
        "Starting: Intent { act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] "
        "flg=0x10200000 cmp=com.example.game/com.dynamo.android.DefoldActivity }"
    )
    assert lines[1:4] == [
        "Status: ok",
        "LaunchState: COLD",
        "Activity: com.example.game/com.dynamo.android.DefoldActivity",
    ]
    assert re.fullmatch(r"TotalTime: \d+", lines[4]) and re.fullmatch(r"WaitTime: \d+", lines[5])
    assert lines[6] == "Complete" and r.code == 0


def test_start_logs_like_activity_task_manager(run, game):
    run(lambda r: r.sh(APPIUM_START))
    starts = _lines(game, "ActivityTaskManager")
    assert (
        "START u0 {act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] flg=0x10200000 "
        "cmp=com.example.game/com.dynamo.android.DefoldActivity} from uid 2000"
    ) in starts
    assert any(
        re.fullmatch(r"Displayed com\.example\.game/com\.dynamo\.android\.DefoldActivity: \+\d+ms", m)
        for m in starts
    )
    assert any(
        m.startswith("Start proc ") and ":com.example.game/u0a" in m for m in _lines(game, "ActivityManager")
    )


def test_api28_uses_activity_manager_tag():
    import asyncio

    from harness.sim.android import AndroidDevice

    from .conftest import Runner

    dev = AndroidDevice("api-28")
    dev.install_apk(game_apk())
    asyncio.run(Runner(dev).sh("am start -n com.example.game/com.dynamo.android.DefoldActivity"))
    assert any(
        e.tag == "ActivityManager" and e.message.startswith("START u0 {") for e in dev.logcat.entries()
    )


def test_warm_and_hot_states(run, game):
    run(lambda r: r.sh(APPIUM_START))
    run(lambda r: r.sh("input keyevent KEYCODE_HOME"))
    r = run(lambda r: r.sh("am start -W -n com.example.game/com.dynamo.android.DefoldActivity"))
    assert "LaunchState: HOT" in r.out
    assert (
        "Warning: Activity not started, intent has been delivered to currently running top-most instance."
        in r.out
    )
    r = run(lambda r: r.sh("am start -W -n com.example.game/com.dynamo.android.DefoldActivity"))
    assert "LaunchState: UNKNOWN (0)" in r.out and "TotalTime" not in r.out


def test_missing_activity_error(run, game):
    r = run(lambda r: r.sh("am start -n com.example.game/.Missing"))
    assert "Error: Activity class {com.example.game/com.example.game.Missing} does not exist." in r.err
    r = run(lambda r: r.sh("am start -W -n com.example.game/.Missing"))
    assert (
        "Error type 3\nError: Activity class {com.example.game/com.example.game.Missing} does not exist.\n"
        in r.out
    )


def test_unresolvable_intent_errors(run, game):
    r = run(lambda r: r.sh("am start -W -a android.intent.action.VIEW -d nosuch://x"))
    assert (
        "Error: Activity not started, unable to resolve Intent { act=android.intent.action.VIEW dat=nosuch://x"
        in r.out
    )
    r = run(lambda r: r.sh("am start -S -a android.intent.action.VIEW -d nosuch://x"))
    assert r.err.startswith(
        "Error: Intent does not match any activities: Intent { act=android.intent.action.VIEW"
    )


def test_not_exported_is_a_security_exception(run, game):
    r = run(lambda r: r.sh("am start -n com.example.game/.SettingsActivity"))
    assert "java.lang.SecurityException: Permission Denial: starting Intent" in r.err
    assert r.code != 0


def test_resolution_by_scheme_and_host(run, game):
    r = run(lambda r: r.sh("am start -W -a android.intent.action.VIEW -d bankpay://pay.example.ru/order/1"))
    assert f"Activity: {BANK}/.PayActivity" in r.out
    r = run(lambda r: r.sh("am start -W -a android.intent.action.VIEW -d bankpay://other.host/order/1"))
    assert "unable to resolve Intent" in r.out
    r = run(lambda r: r.sh(f"am start -W -a android.intent.action.VIEW -d '{DEEPLINK}'"))
    assert f"Activity: {GAME}/{RETURN_ACTIVITY}" in r.out


def test_appium_deeplink_form_with_package(run, game):
    r = run(lambda r: r.sh(f"am start -W -a android.intent.action.VIEW -d {DEEPLINK} com.example.game"))
    assert "pkg=com.example.game" in r.out.splitlines()[0]
    assert "Status: ok" in r.out


def test_single_task_routes_to_on_new_intent(run, game):
    run(lambda r: r.sh(APPIUM_START))
    run(
        lambda r: r.sh(f"am start -a android.intent.action.VIEW -d '{DEEPLINK}'")
    )  # creates the return activity
    run(
        lambda r: r.sh("am start -a android.intent.action.VIEW -d bankpay://pay.example.ru/x")
    )  # leave for the bank
    second = DEEPLINK.replace("inv-42", "inv-43")
    r = run(lambda r: r.sh(f"am start -W -a android.intent.action.VIEW -d '{second}'"))
    assert (
        "Warning: Activity not started, intent has been delivered to currently running top-most instance."
        in r.out
    )
    app_log = _lines(game, "VirtualApp")
    assert f"onNewIntent {GAME}/{RETURN_ACTIVITY} action=android.intent.action.VIEW data={second}" in app_log
    creates = [m for m in app_log if m.startswith(f"onCreate {GAME}/{RETURN_ACTIVITY}")]
    assert len(creates) == 1  # the instance was reused, not recreated
    focus = run(lambda r: r.sh("dumpsys window displays")).out
    assert "mCurrentFocus=Window{" in focus and f"u0 {GAME}/{RETURN_ACTIVITY}}}" in focus


def test_single_task_clears_activities_above(run, game):
    run(lambda r: r.sh("am start -n com.example.game/com.dynamo.android.DefoldActivity"))
    run(lambda r: r.sh(f"am start -a android.intent.action.VIEW -d '{DEEPLINK}'"))
    run(lambda r: r.sh("am start -n com.example.game/com.dynamo.android.DefoldActivity"))
    task = game.activities.focused.task
    assert [rec.info.name for rec in task.records] == [GAME_ACTIVITY]
    assert f"onDestroy {GAME}/{RETURN_ACTIVITY}" in _lines(game, "VirtualApp")


def test_lifecycle_order_on_leave_and_return(run, game):
    run(lambda r: r.sh("am start -n com.example.game/com.dynamo.android.DefoldActivity"))
    run(lambda r: r.sh("am start -a android.intent.action.VIEW -d bankpay://pay.example.ru/1"))
    run(lambda r: r.sh("input keyevent 4"))  # a non-launcher activity finishes on BACK; the game comes back
    lifecycle = [m for m in _lines(game, "VirtualApp") if not m.startswith(("onKey", "onTouch"))]
    log = [m.split(" ")[0] + " " + m.split(" ")[1] for m in lifecycle]
    game_short = f"{GAME}/com.dynamo.android.DefoldActivity"
    bank_short = f"{BANK}/.PayActivity"
    assert log == [
        f"onCreate {game_short}",
        f"onStart {game_short}",
        f"onResume {game_short}",
        f"onPause {game_short}",
        f"onCreate {bank_short}",
        f"onStart {bank_short}",
        f"onResume {bank_short}",
        f"onStop {game_short}",
        f"onPause {bank_short}",
        f"onStart {game_short}",
        f"onResume {game_short}",
        f"onStop {bank_short}",
        f"onDestroy {bank_short}",
    ]


def test_back_on_root_launcher_activity_moves_task_back(run, game):
    run(lambda r: r.sh("monkey -p com.example.game -c android.intent.category.LAUNCHER 1"))
    run(lambda r: r.sh("input keyevent KEYCODE_BACK"))
    assert game.activities.focused.task.home
    assert GAME in game.activities.processes  # Android 12+: the root is not destroyed
    r = run(lambda r: r.sh("monkey -p com.example.game -c android.intent.category.LAUNCHER 1"))
    assert "Events injected: 1" in r.out
    assert game.activities.focused.package.name == GAME


def test_force_stop_kills_process_and_clears_task(run, game):
    run(lambda r: r.sh(APPIUM_START))
    pid = game.activities.processes[GAME].process.pid
    assert re.search(
        rf"ProcessRecord\{{[0-9a-f]+ {pid}:com\.example\.game/u0a\d+\}}",
        run(lambda r: r.sh("dumpsys activity processes")).out,
    )
    run(lambda r: r.sh("am force-stop com.example.game"))
    assert GAME not in game.activities.processes
    assert run(lambda r: r.sh("pidof com.example.game")).code == 1
    assert "com.example.game" not in run(lambda r: r.sh("dumpsys activity processes")).out
    assert "com.example.game" not in run(lambda r: r.sh("dumpsys activity activities")).out
    assert "mCurrentFocus=Window{" in run(lambda r: r.sh("dumpsys window windows")).out
    assert any(
        m.startswith("Force stopping com.example.game appid=") for m in _lines(game, "ActivityManager")
    )


def test_am_kill_only_background(run, game):
    run(lambda r: r.sh("am start -n com.example.game/com.dynamo.android.DefoldActivity"))
    run(lambda r: r.sh("am kill com.example.game"))
    assert GAME in game.activities.processes
    run(lambda r: r.sh("input keyevent KEYCODE_HOME; am kill com.example.game"))
    assert GAME not in game.activities.processes


def test_monkey_output_and_launch(run, game):
    r = run(lambda r: r.sh("monkey -p com.example.game -c android.intent.category.LAUNCHER 1"))
    assert "Events injected: 1" in r.out
    assert (
        "START u0 {act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] flg=0x10200000 "
        "cmp=com.example.game/com.dynamo.android.DefoldActivity} from uid 2000"
        in _lines(game, "ActivityTaskManager")
    )
    r = run(lambda r: r.sh("monkey -p com.nope -c android.intent.category.LAUNCHER 1"))
    assert "No activities found to run, monkey aborted." in r.err


def test_dumpsys_activity_top_and_activities(run, game):
    run(lambda r: r.sh("am start -n com.example.game/com.dynamo.android.DefoldActivity"))
    top = run(lambda r: r.sh("dumpsys activity top")).out
    assert "ACTIVITY com.example.game/com.dynamo.android.DefoldActivity" in top
    acts = run(lambda r: r.sh("dumpsys activity activities")).out
    assert re.search(
        r"mFocusedApp=ActivityRecord\{[0-9a-f]+ u0 "
        r"com\.example\.game/com\.dynamo\.android\.DefoldActivity t\d+\}",
        acts,
    )
    assert "state=RESUMED" in acts


def test_extras_and_flags_parsing(run, game):
    r = run(
        lambda r: r.sh(
            "am start -n com.example.game/com.dynamo.android.DefoldActivity"
            " --es user alice --ei level 3 --ez vip true"
        )
    )
    assert "(has extras)" in r.out
    assert game.activities.focused.intent.extras == {"user": "alice", "level": 3, "vip": True}


def test_broadcast_minimal(run):
    r = run(lambda r: r.sh("am broadcast -a com.example.PING"))
    assert (
        r.out == "Broadcasting: Intent { act=com.example.PING flg=0x400000 }\nBroadcast completed: result=0\n"
    )


def test_runtime_crash_becomes_fatal_exception(run, device):
    from harness.sim.android import AppRuntime, register_runtime
    from harness.sim.android.apk import RUNTIME_META_KEY, build_apk
    from harness.sim.android.runtime import Activity

    from .apps import game_manifest

    class Exploding(Activity):
        def on_create(self, intent):
            raise RuntimeError("boom in onCreate")

    class ExplodingRuntime(AppRuntime):
        activity_class = Exploding

    register_runtime("test-exploding", ExplodingRuntime)
    spec = game_manifest()
    spec.meta_data[RUNTIME_META_KEY] = "test-exploding"
    device.install_apk(build_apk(spec))
    run(lambda r: r.sh("am start -n com.example.game/com.dynamo.android.DefoldActivity"))
    crash = [e for e in device.logcat.entries(["crash"]) if e.tag == "AndroidRuntime"]
    assert crash and crash[0].message.startswith("FATAL EXCEPTION: main\nProcess: com.example.game, PID: ")
    assert "boom in onCreate" in crash[0].message
    assert GAME not in device.activities.processes


def test_trampoline_activity_finishing_in_on_create(run, device):
    """CONTRACT §7: the return activity forwards the intent, restarts the game and finishes itself."""
    from harness.sim.android import AppRuntime, ComponentName, Intent, register_runtime
    from harness.sim.android.apk import RUNTIME_META_KEY, build_apk
    from harness.sim.android.runtime import GenericActivity

    from .apps import game_manifest

    class Trampoline(GenericActivity):
        def _bounce(self, intent):
            self.start_activity(
                Intent(component=ComponentName(GAME, GAME_ACTIVITY), extras=dict(intent.extras))
            )
            self.finish()

        def on_create(self, intent):
            super().on_create(intent)
            self._bounce(intent)

        def on_new_intent(self, intent):
            super().on_new_intent(intent)
            self._bounce(intent)

    class TrampolineRuntime(AppRuntime):
        def create_activity(self, info, token):
            cls = Trampoline if info.name == RETURN_ACTIVITY else GenericActivity
            return cls(self, info, token)

    register_runtime("test-trampoline", TrampolineRuntime)
    spec = game_manifest()
    spec.meta_data[RUNTIME_META_KEY] = "test-trampoline"
    device.install_apk(build_apk(spec))
    device.install_apk(bank_apk())
    run(lambda r: r.sh("am start -n com.example.game/com.dynamo.android.DefoldActivity"))
    run(lambda r: r.sh("am start -a android.intent.action.VIEW -d bankpay://pay.example.ru/1"))
    device.logcat.clear()
    r = run(lambda r: r.sh(f"am start -W -a android.intent.action.VIEW -d '{DEEPLINK}' --es invoice 42"))
    assert "Status: ok" in r.out
    log = [m for m in _lines(device, "VirtualApp") if not m.startswith(("onKey", "onTouch"))]
    names = [" ".join(m.split(" ")[:2]) for m in log]
    ret, game_short, bank = (
        f"{GAME}/{RETURN_ACTIVITY}",
        f"{GAME}/com.dynamo.android.DefoldActivity",
        f"{BANK}/.PayActivity",
    )
    assert names == [
        f"onPause {bank}",
        f"onCreate {ret}",  # finish() in onCreate: no onStart/onResume for the trampoline
        f"onNewIntent {game_short}",
        f"onStart {game_short}",
        f"onResume {game_short}",
        f"onStop {bank}",
        f"onDestroy {ret}",
    ]
    assert any("extras=invoice=42" in m for m in log if m.startswith("onNewIntent"))
    focused = device.activities.focused
    assert focused.info.name == GAME_ACTIVITY and focused.state == "RESUMED"
    assert [rec.info.name for rec in focused.task.records] == [GAME_ACTIVITY]
    starts = _lines(device, "ActivityTaskManager")
    assert any(m.endswith(f"from uid {device.packages.get(GAME).uid}") for m in starts)


def test_open_uri_from_a_bank_app(run, game):
    result = game.open_uri(DEEPLINK, from_package=BANK)
    assert result.outcome == "SUCCESS" and result.component.cls == RETURN_ACTIVITY
    bank_uid = game.packages.get(BANK).uid
    assert any(
        m.startswith(
            "START u0 {act=android.intent.action.VIEW cat=[android.intent.category.BROWSABLE] dat=example:"
        )
        and m.endswith(f"from uid {bank_uid}")
        for m in _lines(game, "ActivityTaskManager")
    )
    assert game.open_uri("nothing://here").outcome == "NOT_RESOLVED"


def test_screen_state_for_appium_unlock_checks(run):
    assert "mShowingLockscreen=false" in run(lambda r: r.sh("dumpsys window policy")).out
    assert "mWakefulness=Awake" in run(lambda r: r.sh("dumpsys power")).out
    assert "mInputShown=false" in run(lambda r: r.sh("dumpsys input_method")).out
