"""A Selenium Grid pool for real: the npm Selenium 4 server relaying to the real Appium.

The inner runs' devices.yaml has one `server: selenium-grid` pool whose `url` is the Grid, as a
farm user writes it. Sessions are made and driven through the Grid (its log shows the
Distributor creating them); the Grid routes no websocket of Appium's, so the logcat broadcast
opens at the device's `node_url`, the Appium server behind the Grid's node, on the same session.
No adb anywhere in the inner runs (``no_adb_env``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import adbutils
import pytest

from harness.cli_doctor import check_grid_nodes, check_remote_server
from harness.config import RemotePool, load_config
from harness.game.bridge import BRIDGE_PORT

from .conftest import RemoteFarm
from .selenium_grid import SeleniumGrid, start_grid
from .test_remote_pool import BRIDGE_CONFTEST, remote_devices_yaml

GRID_PURCHASE_TEST = r"""
from harness.android.logcat_broadcast import WebSocketLineSource


def test_buy_con1_by_card_through_the_grid(device, appium_driver, logcat, billing, callbacks):
    assert device.kind == "remote" and device.android is None
    executor = appium_driver.command_executor._client_config.remote_server_addr
    print("EXECUTOR", executor)
    assert isinstance(logcat.source, WebSocketLineSource)
    print("BROADCAST AT", logcat.source._endpoint.url)
    bought = billing.buy("con1", method="card")
    assert bought.ok, bought.result.raw
    assert bought.result.channel == "rustore_on_purchase_product_success"
    assert bought.info is not None and bought.info.parsed["purchaseState"] == "PAID"
    assert bought.confirm is not None
    channels = [e.channel for e in callbacks.events()]
    assert "rustore_on_confirm_purchase_success" in channels
"""


@pytest.fixture(scope="module")
def selenium_grid(
    remote_farm: RemoteFarm, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SeleniumGrid]:
    grid = start_grid(remote_farm.appium.url, tmp_path_factory.mktemp("selenium-grid"))
    try:
        yield grid
    finally:
        grid.stop()


@pytest.fixture
def bridge_conftest(remote_farm: RemoteFarm, pytester: pytest.Pytester) -> Iterator[None]:
    device = adbutils.AdbClient(port=remote_farm.adb.port).device(remote_farm.serial)
    local = device.forward_port(BRIDGE_PORT)  # the "farm's tunnel" to the game's bridge
    pytester.makeconftest(BRIDGE_CONFTEST.format(port=local))
    try:
        yield
    finally:
        device.forward_remove(f"tcp:{local}")


@dataclass
class GridCase:
    """An inner run's folder with a devices.yaml whose pool is the Grid (no adb, a bridge address)."""

    farm: RemoteFarm
    grid: SeleniumGrid
    pytester: pytest.Pytester

    def pool(self, node_url: str | None) -> RemotePool:
        """Write the devices file (``node_url`` for the device, or none) and load its pool."""
        remote_devices_yaml(
            self.pytester,
            self.farm,
            self.farm.apk,
            url=self.grid.url,
            server="selenium-grid",
            node_url=node_url,
        )
        pool = load_config(self.pytester.path / "devices.yaml").pool("farm")
        assert isinstance(pool, RemotePool)
        return pool


@pytest.fixture
def grid_case(
    remote_farm: RemoteFarm,
    selenium_grid: SeleniumGrid,
    pytester: pytest.Pytester,
    bridge_conftest: None,
    no_adb_env: None,
) -> GridCase:
    return GridCase(remote_farm, selenium_grid, pytester)


@pytest.mark.timeout(600)
def test_a_purchase_on_a_grid_pool_with_callbacks_from_the_node(grid_case: GridCase) -> None:
    farm, grid, pytester = grid_case.farm, grid_case.grid, grid_case.pytester
    pool = grid_case.pool(node_url=farm.appium.url)
    doctor = [check_remote_server(pool), *check_grid_nodes(pool)]  # what `doctor --pool farm` shows
    assert [(line.ok, line.what) for line in doctor] == [(True, "remote server"), (True, "node of phone-1")]

    pytester.makepyfile(test_grid=GRID_PURCHASE_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-s", "--output", "out")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            f"*EXECUTOR {grid.url}*",
            f"*BROADCAST AT ws://127.0.0.1:{farm.appium.url.rsplit(':', 1)[1]}/ws/session/*",
        ]
    )
    grid_log = grid.log()
    assert "Session created by the Distributor" in grid_log  # the session was the Grid's
    assert "Deleted session from local Session Map" in grid_log  # and the run gave it back
    appium_log = Path(farm.appium.log_file).read_text()
    assert "Established a new logcat listener web socket connection" in appium_log


@pytest.mark.timeout(300)
def test_a_grid_pool_without_node_url_says_where_callbacks_must_come_from(grid_case: GridCase) -> None:
    grid, pytester = grid_case.grid, grid_case.pytester
    (node,) = check_grid_nodes(grid_case.pool(node_url=None))
    assert not node.ok and "set node_url:" in node.fix
    pytester.makepyfile(test_grid=GRID_PURCHASE_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--output", "out")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*device phone-1 of pool 'farm': no logcat: could not open the logcat broadcast at "
            f"ws://127.0.0.1:{grid.url.rsplit(':', 1)[1]}/ws/session/*",
            "*a Selenium Grid routes Appium's HTTP commands but not its /ws/ paths: give the device "
            "(or the pool) node_url: the Appium server behind its Grid node*",
        ]
    )
