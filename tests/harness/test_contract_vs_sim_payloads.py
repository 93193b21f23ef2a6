"""The contract checker agrees with the virtual device's payload writer, both profiles and modes.

Two people derived them independently from CONTRACT.md; a disagreement here is a bug in one.
"""

from __future__ import annotations

import pytest

from harness.rustore.channels import Channel as C
from harness.rustore.contract import KnownDefect, check_payload
from harness.sim.rustore.payloads import PayloadWriter, SimpleError

ERR = SimpleError("RuStorePaymentNetworkException", "HTTP 500 <gateway> & retry=1")
NICE_ID = "9a8f0c2e-0001"
NASTY_ID = 'con"1\\x'
PURCHASE = {
    "purchaseId": NICE_ID,
    "productId": "con1",
    "productType": "CONSUMABLE",
    "purchaseState": "PAID",
    "amount": 4900,
    "amountLabel": "49 ₽",
    "description": "100 монет",
    "purchaseTime": "Aug 1, 2024 8:57:51\u202fPM",
}
PRODUCT = {"productId": "con1", "productStatus": "ACTIVE", "imageUrl": "https://cdn/x.png?a=1&b=2"}


def payloads(w: PayloadWriter, the_id: str) -> list[tuple[C, str]]:
    return [
        (C.CHECK_PURCHASES_AVAILABLE_SUCCESS, w.availability_available()),
        (C.CHECK_PURCHASES_AVAILABLE_SUCCESS, w.availability_unavailable(ERR)),
        (C.GET_PRODUCTS_SUCCESS, w.products([PRODUCT])),
        (C.GET_PRODUCTS_FAILURE, w.bare_error(ERR)),
        (
            C.PURCHASE_PRODUCT_SUCCESS,
            w.purchase_success(
                purchase_id=NICE_ID,
                product_id="con1",
                invoice_id="1",
                order_id=None,
                subscription_token="1.2",
                sandbox=True,
            ),
        ),
        (C.PURCHASE_PRODUCT_SUCCESS, w.purchase_cancelled(purchase_id=NICE_ID, sandbox=True)),
        (C.PURCHASE_PRODUCT_SUCCESS, w.purchase_failure_result(sandbox=True, error_code=40010)),
        (C.PURCHASE_PRODUCT_SUCCESS, w.purchase_invalid_state()),
        (C.PURCHASE_PRODUCT_FAILURE, w.purchase_failure(the_id, ERR)),
        (C.GET_PURCHASES_SUCCESS, w.purchases([PURCHASE], sandbox=True)),
        (C.GET_PURCHASE_INFO_SUCCESS, w.purchase_info(PURCHASE, sandbox=True)),
        (C.CONFIRM_PURCHASE_SUCCESS, w.purchase_id_success(the_id)),
        (C.DELETE_PURCHASE_FAILURE, w.purchase_id_failure(the_id, ERR)),
        (C.PAYMENT_LOGGER_INFO, w.logger("Purchase sheet opened")),
    ]


@pytest.mark.parametrize("profile", ["6.0.0", "5.0.1"])
@pytest.mark.parametrize("mode", ["faithful", "fixed"])
def test_clean_payloads_have_no_violation_and_no_deviation(profile: str, mode: str) -> None:
    writer = PayloadWriter(profile, mode)  # type: ignore[arg-type]
    for channel, raw in payloads(writer, NICE_ID):
        result = check_payload(channel, raw, profile, mode)  # type: ignore[arg-type]
        assert result.violations == (), (channel, raw, [str(v) for v in result.violations])
        assert result.deviations == (), (channel, raw)


@pytest.mark.parametrize("profile", ["6.0.0", "5.0.1"])
def test_faithful_defects_are_deviations_and_fixed_mode_has_none(profile: str) -> None:
    faithful = PayloadWriter(profile, "faithful")  # type: ignore[arg-type]
    fixed = PayloadWriter(profile, "fixed")  # type: ignore[arg-type]
    defects = [
        (C.PURCHASE_PRODUCT_FAILURE, "purchase_failure", (NASTY_ID, ERR), KnownDefect.RAW_UNESCAPED_ID),
        (C.CONFIRM_PURCHASE_SUCCESS, "purchase_id_success", (NASTY_ID,), KnownDefect.RAW_UNESCAPED_ID),
        (C.GET_PURCHASE_INFO_FAILURE, "purchase_id_failure", (NASTY_ID, ERR), KnownDefect.RAW_UNESCAPED_ID),
        (C.PAYMENT_LOGGER_ERROR, "logger", ("charge failed", ERR), KnownDefect.LOGGER_NOT_JSON),
        (C.PAYMENT_LOGGER_DEBUG, "logger", ('body={"a":1}\n',), KnownDefect.LOGGER_NOT_JSON),
        (C.CHECK_PURCHASES_AVAILABLE_FAILURE, "availability_failure", (ERR,), None),
    ]
    for channel, method, args, defect in defects:
        seen = check_payload(channel, getattr(faithful, method)(*args), profile, "faithful")  # type: ignore[arg-type]
        assert seen.violations == (), (method, [str(v) for v in seen.violations])
        expected = defect or KnownDefect.AVAILABILITY_FAILURE_WITHOUT_CAUSE
        assert [d.defect_id for d in seen.deviations] == [expected], method
        clean = check_payload(channel, getattr(fixed, method)(*args), profile, "fixed")  # type: ignore[arg-type]
        assert clean.violations == () and clean.deviations == (), (method, [str(v) for v in clean.violations])
        assert clean.is_json
