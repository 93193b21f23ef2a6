"""The purchase state checker on legal and illegal observation sequences (§3, §10.15)."""

from __future__ import annotations

import pytest

from harness.rustore.states import (
    ProductType,
    PurchaseStateChecker,
    State,
    StateViolationError,
    is_final,
    reachable,
)

P = ProductType
LEGAL = [
    (P.CONSUMABLE, ["CREATED", "INVOICE_CREATED", "PAID", "CONSUMED"]),
    (P.CONSUMABLE, ["INVOICE_CREATED", "CONSUMED"]),  # skipped PAID between samples: reachable
    (P.CONSUMABLE, ["INVOICE_CREATED", "INVOICE_CREATED", "PAID", "PAID", "CANCELLED"]),
    (P.NON_CONSUMABLE, ["INVOICE_CREATED", "CONFIRMED", "CANCELLED"]),
    (P.SUBSCRIPTION, ["INVOICE_CREATED", "CONFIRMED", "PAUSED", "CONFIRMED", "PAUSED", "TERMINATED"]),
    (P.SUBSCRIPTION, ["CREATED", "CONFIRMED", "CLOSED"]),
]
ILLEGAL = [
    (P.CONSUMABLE, ["PAID", "INVOICE_CREATED"], ("PAID", "INVOICE_CREATED")),
    (P.CONSUMABLE, ["CONSUMED", "PAID"], ("CONSUMED", "PAID")),
    (P.CONSUMABLE, ["CANCELLED", "PAID"], ("CANCELLED", "PAID")),
    (P.NON_CONSUMABLE, ["CONFIRMED", "INVOICE_CREATED"], ("CONFIRMED", "INVOICE_CREATED")),
    (P.SUBSCRIPTION, ["CLOSED", "CONFIRMED"], ("CLOSED", "CONFIRMED")),
    (P.SUBSCRIPTION, ["TERMINATED", "PAUSED"], ("TERMINATED", "PAUSED")),
]


@pytest.mark.parametrize(("ptype", "states"), LEGAL)
def test_legal_sequences_record_no_violation(ptype: ProductType, states: list[str]) -> None:
    checker = PurchaseStateChecker()
    for n, state in enumerate(states):
        assert checker.observe("pur-1", ptype, state, f"obs{n}") is None
    assert checker.violations == []
    assert [o.state for o in checker.history("pur-1")] == states
    checker.check()


@pytest.mark.parametrize(("ptype", "states", "pair"), ILLEGAL)
def test_illegal_sequences_name_purchase_states_and_where(
    ptype: ProductType, states: list[str], pair: tuple[str, str]
) -> None:
    checker = PurchaseStateChecker()
    checker.observe("pur-9", ptype, states[0], "get_purchases seq=3")
    violation = checker.observe("pur-9", ptype, states[1], "get_purchase_info seq=7")
    assert violation is not None
    assert (violation.from_state, violation.to_state) == pair
    assert str(violation) == (
        f"purchase pur-9 ({ptype}): {pair[0]} (seen at get_purchases seq=3) "
        f"cannot become {pair[1]} (seen at get_purchase_info seq=7)"
    )
    with pytest.raises(StateViolationError, match="pur-9"):
        checker.check()


def test_state_foreign_to_the_product_type() -> None:
    checker = PurchaseStateChecker()
    violation = checker.observe("pur-2", P.NON_CONSUMABLE, "PAID", "get_purchases seq=1")
    assert violation is not None and "NON_CONSUMABLE purchases never reach PAID" in str(violation)
    sub = PurchaseStateChecker().observe("pur-3", P.CONSUMABLE, "PAUSED", "x")
    assert sub is not None


def test_raise_on_violation_and_reachability_helpers() -> None:
    checker = PurchaseStateChecker(raise_on_violation=True)
    checker.observe("p", P.CONSUMABLE, "CONSUMED", "a")
    with pytest.raises(StateViolationError):
        checker.observe("p", P.CONSUMABLE, "PAID", "b")
    assert State.CONSUMED in reachable(P.CONSUMABLE, State.INVOICE_CREATED)
    assert is_final(P.CONSUMABLE, State.CONSUMED) and not is_final(P.SUBSCRIPTION, State.PAUSED)
    assert State.TERMINATED in reachable(None, State.CREATED)  # unknown type: union of the tables


def test_callbacks_drive_observations_and_get_purchases_membership() -> None:
    checker = PurchaseStateChecker()
    checker.observe_callback(
        "rustore_on_get_products_success",
        [{"productId": "con1", "productType": "CONSUMABLE", "productStatus": "ACTIVE"}],
        "products",
    )
    checker.observe_callback(
        "rustore_on_purchase_product_success",
        {
            "type": "Success",
            "data": {"purchaseId": "p1", "productId": "con1", "invoiceId": "1", "sandbox": True},
        },
        "buy seq=2",
    )
    checker.observe_callback(
        "rustore_on_get_purchases_success",
        [{"purchaseId": "p1", "productId": "con1", "purchaseState": "PAID"}],
        "list seq=3",
    )
    checker.observe_callback("rustore_on_confirm_purchase_success", {"purchaseId": "p1"}, "confirm seq=4")
    assert [o.state for o in checker.history("p1")] == ["INVOICE_CREATED", "PAID", "CONSUMED"]
    assert checker.violations == []
    checker.observe_callback(
        "rustore_on_get_purchases_success",
        [{"purchaseId": "p1", "productId": "con1", "productType": "CONSUMABLE", "purchaseState": "CONSUMED"}],
        "list seq=5",
    )
    assert [str(v) for v in checker.violations] == [
        "purchase p1 (CONSUMABLE): CONSUMED at list seq=5: get_purchases must not list it "
        "(lists INVOICE_CREATED, PAID for CONSUMABLE)"
    ]
    checker.observe_callback("rustore_on_delete_purchase_success", {"purchaseId": "p1"}, "delete seq=6")
    assert "CONSUMED (seen at list seq=5) cannot become CANCELLED (seen at delete seq=6)" in str(
        checker.violations[-1]
    )
