"""Purchase state checker: follows each purchase and flags transitions §3 forbids.

Observations are *samples*: the harness sees a purchase's state only when a callback
reports it (a `get_purchases` list, `get_purchase_info`, an operation's result), and
any number of real transitions may happen between two samples (INVOICE_CREATED is
followed by CONSUMED when the game paid and confirmed in between). So the rule is
**reachability**, not adjacency: a new observation is legal when the table of the
product type has a path (of length ≥ 0) from the last observed state to it. Seeing the
same state again is always legal; a final state followed by anything else is not.

Tables: §3.1 consumable, §3.2 non-consumable, §3.3 subscription as fixed by §10.15,
plus the refunds of §10.17. When the product type is unknown, the union is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any


class ProductType(StrEnum):
    CONSUMABLE = "CONSUMABLE"
    NON_CONSUMABLE = "NON_CONSUMABLE"
    SUBSCRIPTION = "SUBSCRIPTION"


class State(StrEnum):
    CREATED = "CREATED"
    INVOICE_CREATED = "INVOICE_CREATED"
    CONFIRMED = "CONFIRMED"
    PAID = "PAID"
    CANCELLED = "CANCELLED"
    CONSUMED = "CONSUMED"
    CLOSED = "CLOSED"
    PAUSED = "PAUSED"
    TERMINATED = "TERMINATED"


S = State
_COMMON_START: dict[State, set[State]] = {S.CREATED: {S.INVOICE_CREATED, S.CANCELLED}}

TRANSITIONS: dict[ProductType, dict[State, frozenset[State]]] = {
    ProductType.CONSUMABLE: {
        **{k: frozenset(v) for k, v in _COMMON_START.items()},
        S.INVOICE_CREATED: frozenset({S.PAID, S.CANCELLED}),  # §3.1: paid; cancelled/timeout/error
        S.PAID: frozenset({S.CONSUMED, S.CANCELLED}),  # confirm; delete/reversal/refund
    },
    ProductType.NON_CONSUMABLE: {
        **{k: frozenset(v) for k, v in _COMMON_START.items()},
        S.INVOICE_CREATED: frozenset({S.CONFIRMED, S.CANCELLED}),  # §3.2
        S.CONFIRMED: frozenset({S.CANCELLED}),  # refund, §10.17
    },
    ProductType.SUBSCRIPTION: {
        **{k: frozenset(v) for k, v in _COMMON_START.items()},
        S.INVOICE_CREATED: frozenset({S.CONFIRMED, S.CANCELLED}),  # §3.3
        S.CONFIRMED: frozenset({S.PAUSED, S.CLOSED}),  # §10.15: renewal fails; cancelled + period over
        S.PAUSED: frozenset({S.CONFIRMED, S.TERMINATED}),  # §10.15: retry succeeds; attempts exhausted
    },
}

# §3.4 / §10.12: the states `get_purchases` may list per type.
LISTED_STATES: dict[ProductType, frozenset[State]] = {
    ProductType.CONSUMABLE: frozenset({S.INVOICE_CREATED, S.PAID}),
    ProductType.NON_CONSUMABLE: frozenset({S.INVOICE_CREATED, S.CONFIRMED}),
    ProductType.SUBSCRIPTION: frozenset({S.INVOICE_CREATED, S.CONFIRMED, S.PAUSED}),
}


def _edges(product_type: ProductType | None) -> dict[State, frozenset[State]]:
    if product_type is not None:
        return TRANSITIONS[product_type]
    union: dict[State, set[State]] = {}
    for table in TRANSITIONS.values():
        for src, dsts in table.items():
            union.setdefault(src, set()).update(dsts)
    return {k: frozenset(v) for k, v in union.items()}


@cache
def reachable(product_type: ProductType | None, start: State) -> frozenset[State]:
    """Every state reachable from `start` in zero or more steps."""
    edges, seen, todo = _edges(product_type), {start}, [start]
    while todo:
        for nxt in edges.get(todo.pop(), frozenset()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return frozenset(seen)


def is_final(product_type: ProductType | None, state: State) -> bool:
    return reachable(product_type, state) == {state}


@dataclass(frozen=True)
class Observation:
    state: State
    where: str


@dataclass(frozen=True)
class StateViolation:
    """A purchase seen in a state it cannot reach from its previous one (or listed wrongly)."""

    purchase_id: str
    product_type: ProductType | None
    from_state: State | None
    from_where: str | None
    to_state: State
    to_where: str
    reason: str = ""

    def __str__(self) -> str:
        kind = self.product_type.value if self.product_type else "unknown type"
        if self.from_state is None:
            return f"purchase {self.purchase_id} ({kind}): {self.to_state} at {self.to_where}: {self.reason}"
        return (
            f"purchase {self.purchase_id} ({kind}): {self.from_state} (seen at {self.from_where}) "
            f"cannot become {self.to_state} (seen at {self.to_where})"
            + (f": {self.reason}" if self.reason else "")
        )


class StateViolationError(AssertionError):
    pass


@dataclass
class _Track:
    product_type: ProductType | None
    product_id: str | None
    history: list[Observation] = field(default_factory=list)


class PurchaseStateChecker:
    """Records observations per purchase id and the violations they reveal."""

    def __init__(
        self, product_types: Mapping[str, ProductType | str] | None = None, raise_on_violation: bool = False
    ) -> None:
        self._product_types = {k: ProductType(v) for k, v in (product_types or {}).items()}
        self._tracks: dict[str, _Track] = {}
        self.violations: list[StateViolation] = []
        self.raise_on_violation = raise_on_violation

    def learn_product(self, product_id: str, product_type: ProductType | str) -> None:
        self._product_types[product_id] = ProductType(product_type)

    def product_type_of(self, product_id: str | None) -> ProductType | None:
        return self._product_types.get(product_id) if product_id else None

    def history(self, purchase_id: str) -> list[Observation]:
        track = self._tracks.get(purchase_id)
        return list(track.history) if track else []

    def _record(self, violation: StateViolation) -> StateViolation:
        self.violations.append(violation)
        if self.raise_on_violation:
            raise StateViolationError(str(violation))
        return violation

    def observe(
        self,
        purchase_id: str,
        product_type: ProductType | str | None,
        state: State | str,
        where: str,
        product_id: str | None = None,
    ) -> StateViolation | None:
        """Record one sample; returns (and records) the violation it reveals, if any."""
        new = State(state)
        ptype = ProductType(product_type) if product_type else self.product_type_of(product_id)
        track = self._tracks.setdefault(purchase_id, _Track(ptype, product_id))
        if ptype and track.product_type is None:
            track.product_type = ptype
        ptype = track.product_type
        violation = None
        if ptype is not None and new not in reachable(ptype, S.CREATED):
            violation = self._record(
                StateViolation(
                    purchase_id, ptype, None, None, new, where, f"{ptype} purchases never reach {new}"
                )
            )
        elif track.history:
            last = track.history[-1]
            if new not in reachable(ptype, last.state):
                violation = self._record(
                    StateViolation(purchase_id, ptype, last.state, last.where, new, where)
                )
        track.history.append(Observation(new, where))
        return violation

    def observe_listing(self, purchase: Mapping[str, Any], where: str) -> StateViolation | None:
        """A purchase returned by `get_purchases`: its state must be one §3.4 lists."""
        pid, state = purchase.get("purchaseId"), purchase.get("purchaseState")
        if not isinstance(pid, str) or not isinstance(state, str) or state not in State.__members__:
            return None
        ptype = self._type_from(purchase)
        violation = self.observe(pid, ptype, state, where, purchase.get("productId"))
        ptype = ptype or self.product_type_of(purchase.get("productId"))
        if ptype is not None and State(state) not in LISTED_STATES[ptype]:
            listed = ", ".join(sorted(LISTED_STATES[ptype]))
            violation = self._record(
                StateViolation(pid, ptype, None, None, State(state), where,
                               f"get_purchases must not list it (lists {listed} for {ptype})")
            )  # fmt: skip
        return violation

    def _type_from(self, obj: Mapping[str, Any]) -> ProductType | None:
        value = obj.get("productType")
        if isinstance(value, str) and value in ProductType.__members__:
            ptype = ProductType(value)
            if isinstance(obj.get("productId"), str):
                self._product_types.setdefault(obj["productId"], ptype)
            return ptype
        return None

    def observe_callback(self, channel: str, parsed: Any, where: str) -> None:
        """Derive observations from one parsed callback payload (see the module doc for the rules)."""
        if channel == "rustore_on_get_products_success" and isinstance(parsed, list):
            for product in parsed:
                if isinstance(product, Mapping):
                    self._type_from(product)
        elif channel == "rustore_on_get_purchases_success" and isinstance(parsed, list):
            for purchase in parsed:
                if isinstance(purchase, Mapping):
                    self.observe_listing(purchase, where)
        elif channel == "rustore_on_get_purchase_info_success" and isinstance(parsed, Mapping):
            pid, state = parsed.get("purchaseId"), parsed.get("purchaseState")
            if isinstance(pid, str) and isinstance(state, str) and state in State.__members__:
                self.observe(pid, self._type_from(parsed), state, where, parsed.get("productId"))
        elif channel == "rustore_on_purchase_product_success" and isinstance(parsed, Mapping):
            data = parsed.get("data")
            if (
                parsed.get("type") == "Success"
                and isinstance(data, Mapping)
                and isinstance(data.get("purchaseId"), str)
            ):
                # The invoice exists and was paid; with a bank-app delay (§10.8) the state may still be
                # INVOICE_CREATED, so this is the lower bound the purchase has at least reached.
                self.observe(data["purchaseId"], None, S.INVOICE_CREATED, where, data.get("productId"))
        elif channel == "rustore_on_confirm_purchase_success" and isinstance(parsed, Mapping):
            pid = parsed.get("purchaseId")
            track = self._tracks.get(pid) if isinstance(pid, str) else None
            if isinstance(pid, str) and track and track.product_type is ProductType.CONSUMABLE:
                self.observe(pid, None, S.CONSUMED, where)
        elif channel == "rustore_on_delete_purchase_success" and isinstance(parsed, Mapping):
            pid = parsed.get("purchaseId")
            if isinstance(pid, str):
                self.observe(pid, None, S.CANCELLED, where)

    def check(self) -> None:
        if self.violations:
            raise StateViolationError(
                "purchase state violations:\n  " + "\n  ".join(map(str, self.violations))
            )
