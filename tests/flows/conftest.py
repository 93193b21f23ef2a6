"""Helpers for the payment-flow suite: per-test device settings, game config, an app of one's own.

Written the way a studio's QA engineer would: on top of the harness's fixtures (``billing``,
``callbacks``, ``store``, ``adb_device``, ``app``), adding only what this suite needs.

* ``device_props`` sets RuStore-emulation properties of the virtual device for one test
  (RuStore app state, plugin mode, settlement delay…) and puts the old values back after it.
* ``game_config`` overrides ``game.project`` values the virtual device injects into the game
  (product ids, app id, game-server URL…) and restarts the game so it reads them.
* A test that changes an app's or a product's flags, or jumps the virtual clock, does it on an
  app of its own (``own_app``: a copy of the sample app in the console with a clock of its own,
  the game pointed at it), so the devices running other tests meanwhile never see the change.
  Nothing in the suite changes what every device shares (the sandbox's own clock or settings),
  so no test has to run alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import harness
from harness.android.device import AndroidDevice
from harness.plugin.fixtures_app import App
from harness.plugin.fixtures_store import sandbox_user_id
from harness.rustore.recorder import CallbackRecorder

from .steps import CONFIG_PROP

PRODUCTS_YAML = Path(harness.__file__).resolve().parents[1] / "sample_app" / "products.yaml"


#: Fixtures that steer the store or the virtual device: a test using one needs store controls.
STORE_FIXTURES = frozenset(
    {"store", "user", "device_props", "game_config", "plugin_mode", "own_game_server", "own_app"}
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: takes seconds (several purchases, a settlement wait); started first in a run"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that steers the store ``needs_store_controls`` (by the fixtures it uses), so
    on phones and farms the rest of the suite runs and these are skipped with the reason. Tests
    marked ``slow`` go first: handed out early, they do not leave one device busy while the others
    have run out of tests at the end of a parallel run."""
    for item in items:
        if STORE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.needs_store_controls)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: order kept otherwise


@pytest.fixture(autouse=True)
def _fresh_store_user(request: pytest.FixtureRequest) -> None:
    """Each store-controlled test starts with a device user who owns nothing (non-consumables and
    subscriptions stay CONFIRMED for good, so one test's purchase would refuse the next one's)."""
    if request.node.get_closest_marker("needs_store_controls") is None:
        return
    store = request.getfixturevalue("store")
    store.reset(sandbox_user_id(request.getfixturevalue("adb_device")))


@pytest.fixture
def device_props(store: Any, adb_device: AndroidDevice) -> Iterator[Callable[..., None]]:
    """``device_props({"rustore.harness.store.state": "outdated"})``: set now, restored after the test."""
    saved: dict[str, str] = {}

    def put(values: dict[str, str]) -> None:
        for key, value in values.items():
            saved.setdefault(key, adb_device.getprop(key))
            adb_device.shell(["setprop", key, value])
            assert adb_device.getprop(key) == value, f"setprop {key} {value!r} did not take"

    yield put
    for key, value in saved.items():
        adb_device.shell(["setprop", key, value])


@pytest.fixture
def game_config(device_props: Callable[..., None], app: App) -> Callable[..., None]:
    """``game_config({"rustore.product_ids": "con1,sub1"})``: game.project overrides; restarts the game."""

    def put(values: dict[str, str]) -> None:
        device_props({CONFIG_PROP + key: value for key, value in values.items()})
        app.stop()
        app.start()

    return put


@pytest.fixture
def own_app(store: Any, billing: Any, game_config: Callable[..., None]) -> str:
    """A copy of the sample app in the console (same catalog) under a fresh app id, and the game
    pointed at it: this test may deactivate, ban or strip it, or jump its clock
    (``store.advance(…, app_id=own_app)``), without touching other devices."""
    sample = next(a for a in store.apps() if a.appId == store.app_id)
    app_id = str(3_000_000_000 + uuid.uuid4().int % 1_000_000_000)  # the game wants a numeric id
    store.put_app(sample.model_copy(update={"appId": app_id, "name": f"{sample.name} (test copy)"}))
    game_config({"rustore.app_id": app_id})
    billing.store_app_id = app_id  # billing's store reads and its sweep look at this app
    return app_id


@pytest.fixture
def plugin_mode(
    device_props: Callable[..., None], callbacks: CallbackRecorder
) -> Iterator[Callable[[str], None]]:
    """Switch the device's plugin between ``faithful`` and ``fixed`` (§10.2); the recorder follows."""
    before = callbacks.mode

    def put(mode: str) -> None:
        device_props({"rustore.harness.plugin.mode": mode})
        callbacks.mode = mode  # type: ignore[assignment]

    yield put
    callbacks.mode = before


@pytest.fixture(scope="session")
def catalog() -> dict[str, dict[str, Any]]:
    """The sandbox's products (sample_app/products.yaml), by id."""
    data = yaml.safe_load(PRODUCTS_YAML.read_text(encoding="utf-8"))
    return {p["productId"]: p for p in data["products"]}


@pytest.fixture
def user(billing: Any) -> str:
    """The device's RuStore user in the sandbox."""
    assert billing.user_id, "virtual pools give every device a sandbox user"
    return str(billing.user_id)
