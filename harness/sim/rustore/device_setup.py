"""What every virtual device gets so RuStore payments can run: the RuStore app and the bank apps."""

from __future__ import annotations

from typing import Any

from harness.sim.rustore.banks import BANKS, bank_apk
from harness.sim.rustore.store_app import STORE_PACKAGE, install_store_app


def prepare_device(device: Any) -> None:
    """Preinstall RuStore (``ru.vk.store``) and the SBP/SberPay bank apps; run on the device loop."""
    if device.packages.get(STORE_PACKAGE) is None:
        install_store_app(device)
    for bank in BANKS.values():
        if device.packages.get(bank.package) is None:
            device.install_apk(bank_apk(bank))
