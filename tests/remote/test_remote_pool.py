"""The plugin on a remote pool: logcat from Appium's logcat broadcast, the app through Appium, no adb.

Inner pytest runs (subprocesses, as users run the plugin) whose devices.yaml has only a remote
pool pointing at a real Appium server. Their environment has no working adb at all (a dead
server port, an adb binary that fails), so everything they see of the device — callbacks,
logcat excerpts, app resets — came through Appium. The game's bridge, which needs a port on
the device, is given as an address the way a farm user would (``PocoBridge.at``); here that
address is a forward this outer test made.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import adbutils
import pytest

from harness.game.bridge import BRIDGE_PORT

from .auth_gate import AuthGate
from .conftest import RemoteFarm


def remote_devices_yaml(
    pytester: pytest.Pytester,
    farm: RemoteFarm | None,
    apk: Path | None,
    url: str | None = None,
    credentials: str = "",
    server: str = "appium",
    node_url: str | None = None,
) -> None:
    url = url or (farm.appium.url if farm else "http://127.0.0.1:9")
    udid = farm.serial if farm else "emulator-5554"
    adb_port = farm.adb.port if farm else 5037
    pytester.makefile(
        ".yaml",
        devices=textwrap.dedent(
            f"""\
            version: 1
            default_pool: farm
            app:
              package: ru.rustore.sample.billing
              deeplink_scheme: rustoresample
              apk: {{farm: {apk or "missing.apk"}}}
            pools:
              farm:
                kind: remote
                server: {server}
                url: {url}{credentials}
                capabilities:
                  platformName: Android
                  "appium:automationName": UiAutomator2
                  "appium:adbPort": {adb_port}          # the farm's Appium and its adb server
                  "appium:skipServerInstallation": false  # the driver installs its own server
                devices:
                  - name: phone-1
                    capabilities: {{"appium:udid": "{udid}"}}
            """
        )
        + (f"        node_url: {node_url}\n" if node_url else ""),
    )


BRIDGE_CONFTEST = """
import pytest
from harness.game.bridge import PocoBridge


@pytest.fixture(scope="session")
def game_bridge():
    bridge = PocoBridge.at("127.0.0.1", {port})
    yield bridge
    bridge.close()
"""

PURCHASE_TEST = r"""
from harness.android.logcat_broadcast import WebSocketLineSource


def test_buy_con1_by_card(device, logcat, billing, callbacks):
    assert device.kind == "remote" and device.android is None and device.serial is None
    assert isinstance(logcat.source, WebSocketLineSource)  # Appium's broadcast, not adb
    mark = logcat.mark()
    bought = billing.buy("con1", method="card")
    assert bought.ok, bought.result.raw
    assert bought.result.channel == "rustore_on_purchase_product_success"
    assert bought.result.parsed["data"]["productId"] == "con1"
    assert bought.info is not None and bought.info.parsed["purchaseState"] == "PAID"
    assert bought.confirm is not None  # validated by the game's server, then confirmed
    assert billing.game.wait_text("status", lambda t: t.startswith("Delivered"))
    channels = [e.channel for e in callbacks.events()]
    assert "rustore_on_get_products_success" in channels and "rustore_on_confirm_purchase_success" in channels
    chunks = [line for line in logcat.excerpt(mark).lines if "RuStoreHarness: cb seq=" in line]
    print("BROADCAST", len(chunks), "callback chunks; reopened", logcat.source.reopened)
    assert chunks and logcat.source.reopened == 0


def test_the_broadcast_follows_a_recreated_session(
    device, appium_sessions, harness_config, appium_driver, logcat
):
    from harness.plugin.fixtures_appium import device_session

    mark = logcat.mark()
    old_id = appium_driver.session_id
    appium_driver.quit()  # the session ends: Appium drops its broadcast's clients
    logcat.wait_for(r"broadcast reopened \(session ", mark, timeout=60)
    fresh = device_session(device, appium_sessions, harness_config)()
    assert fresh.session_id != old_id and logcat.source.reopened == 1
    after = logcat.mark()
    fresh.execute_script("mobile: shell", {"command": "log", "args": ["-t", "AfterReopen", "still-here"]})
    assert "AfterReopen: still-here" in logcat.wait_for("AfterReopen", after, timeout=30)
    print("REOPENED on", fresh.session_id)
"""


@pytest.mark.timeout(600)
def test_callbacks_and_app_resets_through_appium_without_adb(
    remote_farm: RemoteFarm, pytester: pytest.Pytester, no_adb_env: None
) -> None:
    device = adbutils.AdbClient(port=remote_farm.adb.port).device(remote_farm.serial)
    local = device.forward_port(BRIDGE_PORT)  # the "farm's tunnel" to the game's bridge
    try:
        remote_devices_yaml(pytester, remote_farm, remote_farm.apk)
        pytester.makeconftest(BRIDGE_CONFTEST.format(port=local))
        pytester.makepyfile(test_remote=PURCHASE_TEST)
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "-s", "--output", "out", "--logcat", "on", "--timeline", "on"
        )
    finally:
        device.forward_remove(f"tcp:{local}")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*BROADCAST * callback chunks; reopened 0*", "*REOPENED on *"])

    # The excerpt of the test came through the broadcast: it starts at the harness's mark line
    # (written with `mobile: shell`) and holds the purchase's callback frames.
    (folder,) = [p for p in (pytester.path / "out").iterdir() if p.name.endswith("test_buy_con1_by_card")]
    excerpt = (folder / "logcat.txt").read_text().splitlines()
    mark_line = r"RuStoreHarnessMark: test start: test_remote.py::test_buy_con1_by_card #1-\w+$"
    assert re.search(mark_line, excerpt[0]), excerpt[0]
    assert any("ch=rustore_on_purchase_product_success" in line for line in excerpt)
    assert '"rustore_on_purchase_product_success"' in (folder / "timeline.json").read_text()

    log = Path(remote_farm.appium.log_file).read_text()
    assert "Starting logcat broadcasting on web socket server" in log
    assert "Established a new logcat listener web socket connection" in log
    for script in ("installApp", "terminateApp", "clearApp", "startActivity"):  # the app's reset
        assert f'"script":"mobile: {script}"' in log, script


def test_without_a_bridge_address_a_remote_pool_says_why(pytester: pytest.Pytester, no_adb_env: None) -> None:
    """No Appium needed: the bridge fixture fails before any session, with the way out."""
    remote_devices_yaml(pytester, None, None)
    pytester.makepyfile(test_bridge="def test_needs_bridge(game_bridge):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*device phone-1 of remote pool 'farm': the game's bridge (device TCP port 15004) is reached "
            "through `adb forward`, and a remote pool has no adb*",
        ]
    )
    assert "PocoBridge.at(host, port)" in result.stdout.str()


SESSION_TEST = r"""
def test_session_and_logcat_through_the_gate(appium_driver, logcat):
    mark = logcat.mark()
    appium_driver.execute_script("mobile: shell", {"command": "log", "args": ["-t", "GateCheck", "passed"]})
    assert "GateCheck: passed" in logcat.wait_for("GateCheck: passed", mark, timeout=30)
"""


@pytest.mark.timeout(300)
def test_a_farm_behind_basic_auth_gets_the_pools_credentials(
    remote_farm: RemoteFarm, pytester: pytest.Pytester, no_adb_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`credentials:` reach the farm on every HTTP call and on the logcat websocket, and nowhere
    in the output; wrong ones end the run with the farm's refusal."""
    with AuthGate(remote_farm.appium.url, "qa-team", "s3cret/key").running() as gate:
        block = '\n                credentials: {username: "${FARM_USER}", password: "${FARM_KEY}"}'
        remote_devices_yaml(pytester, remote_farm, remote_farm.apk, url=gate.url, credentials=block)
        pytester.makepyfile(test_gate=SESSION_TEST)
        monkeypatch.setenv("FARM_USER", "qa-team")
        monkeypatch.setenv("FARM_KEY", "s3cret/key")
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--output", "out")
        result.assert_outcomes(passed=1)
        assert gate.counts["http passed"] >= 3 and gate.counts["ws passed"] == 1, gate.counts
        assert gate.counts["http refused"] == 0 and gate.counts["ws refused"] == 0, gate.counts
        assert "s3cret" not in result.stdout.str() + result.stderr.str()

        monkeypatch.setenv("FARM_KEY", "wrong-key")
        refused = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--output", "out2")
        refused.assert_outcomes(errors=1)
        assert gate.counts["http refused"] >= 1, gate.counts
        assert "wrong-key" not in refused.stdout.str() + refused.stderr.str()
