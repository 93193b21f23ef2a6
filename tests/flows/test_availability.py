"""Availability (CONTRACT §1.4, §10.5): available, every cause of "unavailable", and the failure channel."""

from __future__ import annotations

from pathlib import Path

import pytest

SUCCESS = "rustore_check_purchases_available_success"
FAILURE = "rustore_check_purchases_available_failure"


#: The game's IAP client code per cause (CONTRACT §10: by exception, else 108 INAPP_INITIALIZED_ERROR).
IAP_CODE = {
    "RuStoreOutdatedException": 102,
    "RuStoreUserUnauthorizedException": 101,
    "RuStoreUserBannedException": 101,
    "RuStoreApplicationBannedException": 101,
    "RuStoreNotInstalledException": 103,
    "RuStoreFeatureUnavailableException": 108,
    "RuStorePaymentNetworkException": 100,
}


def cause_of(event):
    assert event.channel == SUCCESS, event.describe()
    assert event.parsed["isAvailable"] is False, event.raw
    return event.parsed["cause"]["simpleName"]


def test_available(billing, callbacks):
    event = billing.availability()
    assert event.channel == SUCCESS and event.parsed == {"isAvailable": True}, event.raw
    assert billing.game.status == "RuStore purchases are available"
    assert callbacks.iap_codes() == []


@pytest.mark.parametrize(
    ("state", "simple_name"),
    [
        ("outdated", "RuStoreOutdatedException"),
        ("unauthorized", "RuStoreUserUnauthorizedException"),
        ("user_banned", "RuStoreUserBannedException"),
        ("app_banned", "RuStoreApplicationBannedException"),
    ],
)
def test_unavailable_by_rustore_app_state(billing, callbacks, device_props, state, simple_name):
    device_props({"rustore.harness.store.state": state})
    billing.set_error_handling(False)
    event = billing.availability()
    assert cause_of(event) == simple_name
    assert callbacks.expect_iap(IAP_CODE[simple_name], timeout=10).seq == event.seq


@pytest.mark.needs_store_controls
def test_unavailable_when_rustore_is_not_installed(billing, callbacks, adb_device, tmp_path: Path):
    apk = adb_device.shell(["pm", "path", "ru.vk.store"]).strip().removeprefix("package:")
    assert apk.endswith(".apk"), f"pm path ru.vk.store: {apk!r}"
    saved = tmp_path / "rustore.apk"
    adb_device.ad.sync.pull(apk, saved)
    billing.set_error_handling(False)
    adb_device.shell(["pm", "uninstall", "ru.vk.store"])
    try:
        assert not adb_device.is_installed("ru.vk.store")
        event = billing.availability()
        assert cause_of(event) == "RuStoreNotInstalledException"
        assert callbacks.expect_iap(103, timeout=10).seq == event.seq
    finally:
        adb_device.install(saved)
    assert adb_device.is_installed("ru.vk.store")
    assert billing.availability().parsed == {"isAvailable": True}


@pytest.mark.parametrize(
    ("flags", "simple_name"),
    [
        ({"authorized": False}, "RuStoreUserUnauthorizedException"),
        ({"banned": True}, "RuStoreUserBannedException"),
        ({"tester": False}, "RuStoreFeatureUnavailableException"),
    ],
    ids=["user-unauthorized", "user-banned", "not-a-tester"],
)
def test_unavailable_by_sandbox_user(billing, callbacks, store, user, flags, simple_name):
    billing.set_error_handling(False)
    store.set_user(user, **flags)
    try:
        event = billing.availability()
        assert cause_of(event) == simple_name
        assert callbacks.expect_iap(IAP_CODE[simple_name], timeout=10).seq == event.seq
    finally:
        store.set_user(user, authorized=True, banned=False, tester=True)


@pytest.mark.parametrize(
    ("flags", "simple_name"),
    [
        ({"purchases_enabled": False}, "RuStoreFeatureUnavailableException"),
        ({"banned": True}, "RuStoreApplicationBannedException"),
    ],
    ids=["purchases-disabled", "app-banned"],
)
def test_unavailable_by_console_app(billing, store, own_app, flags, simple_name):
    billing.set_error_handling(False)
    store.set_app(own_app, **flags)
    assert cause_of(billing.availability()) == simple_name


def test_failure_channel_when_the_check_itself_fails(billing, callbacks, store, user):
    store.force_error("availability", error_code=50001, message="availability backend down", user_id=user)
    event = billing.availability()
    assert event.channel == FAILURE, event.describe()
    assert "50001" in event.raw
    assert callbacks.expect_iap(108, timeout=10).seq == event.seq  # the check failed: 108 whatever the cause
