"""The exceptions the virtual billing SDK raises and their ``detailMessage`` texts (CONTRACT §5.2, §10.6).

The real texts of the no-argument core exceptions were never found, so §10.6 lets the emulator
define one short English sentence per exception, here and only here (docs/rustore-emulation.md
lists them). A device can override one with the property
``rustore.harness.error_message.<SimpleName>``.
"""

from __future__ import annotations

from collections.abc import Mapping

from harness.sim.rustore.payloads import SimpleError

NOT_INSTALLED = "RuStoreNotInstalledException"
OUTDATED = "RuStoreOutdatedException"
USER_UNAUTHORIZED = "RuStoreUserUnauthorizedException"
USER_BANNED = "RuStoreUserBannedException"
APP_BANNED = "RuStoreApplicationBannedException"
FEATURE_UNAVAILABLE = "RuStoreFeatureUnavailableException"
NETWORK = "RuStorePaymentNetworkException"
COMMON = "RuStorePaymentCommonException"
BASE = "RuStoreException"

#: §10.6: the default ``detailMessage`` of each exception the emulator raises.
DETAIL_MESSAGES: dict[str, str] = {
    NOT_INSTALLED: "RuStore is not installed on this device",
    OUTDATED: "The installed RuStore version does not support payments",
    USER_UNAUTHORIZED: "User is not authorized in RuStore",
    USER_BANNED: "User is banned in RuStore",
    APP_BANNED: "Application is banned in RuStore",
    FEATURE_UNAVAILABLE: "Feature not available",
    COMMON: "Payment error",
    BASE: "RuStore error",
}

MESSAGE_PROP_PREFIX = "rustore.harness.error_message."


def detail_message(simple_name: str, props: Mapping[str, str] | None = None) -> str | None:
    """The ``detailMessage`` of ``simple_name`` on a device (its override property wins)."""
    if props is not None and (MESSAGE_PROP_PREFIX + simple_name) in props:
        return props[MESSAGE_PROP_PREFIX + simple_name]
    return DETAIL_MESSAGES.get(simple_name)


def network_message(code: int | None, message: str) -> str:
    """§10.4: a token/access/network/50xxx failure carries its code in ``detailMessage``."""
    return f"Payment API error {code}: {message}" if code is not None else f"Network error: {message}"


def error(simple_name: str, props: Mapping[str, str] | None = None) -> SimpleError:
    return SimpleError(simple_name, detail_message(simple_name, props))


#: What ``resolveForBilling`` shows a dialog for: the RuStore-app problems a user can act on
#: (install, update, sign in) or must be told about (bans). Payment errors show none.
RESOLVABLE = frozenset({NOT_INSTALLED, OUTDATED, USER_UNAUTHORIZED, USER_BANNED, APP_BANNED})


def is_resolvable(simple_name: str | None) -> bool:
    return simple_name in RESOLVABLE
