"""A test double of the RuStore Defold plugin (``rustorecore`` + ``rustorebilling``), tests only.

It follows CONTRACT §1: ``connect`` appends (channel, callback) pairs; emitted events are queued
and drained FIFO once per frame, each delivered as ``callback(self, channel, value)``; an event
for a channel nobody connected is dropped; billing calls before ``init`` do nothing. What each
billing call emits is scripted by the test (``script``); ``calls`` records every call.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from harness.sim.defold.extensions import ExtensionContext, ExtensionModule
from harness.sim.defold.luavalues import from_lua, to_text

Emission = tuple[str, str]


class RuStoreDouble:
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.script: dict[str, list[Emission] | Callable[..., list[Emission]]] = {}
        self.logs: list[tuple[str, str, str]] = []
        self.initialized = False
        self._subscribers: list[tuple[str, Any, Any]] = []
        self._queue: deque[Emission] = deque()
        self._ctx: ExtensionContext | None = None
        self.intents: list[str | None] = []  # data URIs RuStoreIntentFilterActivity handed over

    def emit(self, channel: str, value: str) -> None:
        self._queue.append((channel, value))

    # ---- rustorecore ---------------------------------------------------------------------------
    def core(self, ctx: ExtensionContext) -> ExtensionModule:
        self._ctx = ctx

        def connect(channel: bytes, fn: Any) -> None:
            self._subscribers.append((to_text(channel), ctx.current_instance(), fn))

        def logger(level: str) -> Callable[[bytes, bytes], None]:
            prio = {"verbose": 2, "debug": 3, "info": 4, "warning": 5, "error": 6}[level]

            def log(tag: bytes, msg: bytes) -> None:
                self.logs.append((level, to_text(tag), to_text(msg)))
                ctx.log(prio, tag, msg)

            return log

        def drain() -> None:
            batch, self._queue = self._queue, deque()
            for channel, value in batch:
                for ch, inst, fn in list(self._subscribers):
                    if ch == channel:
                        ctx.call(inst, fn, channel.encode(), value.encode("utf-8", "surrogatepass"))

        ctx.on_update(drain)
        ctx.on_new_intent(lambda intent: self.intents.append(intent.data))
        funcs: dict[str, Callable[..., Any]] = {"connect": connect}
        for level in ("verbose", "debug", "info", "warning", "error"):
            funcs[f"log_{level}"] = logger(level)
        return ExtensionModule(funcs)

    # ---- rustorebilling ------------------------------------------------------------------------
    def billing(self, ctx: ExtensionContext) -> ExtensionModule:
        def method(name: str) -> Callable[..., None]:
            def call(*args: Any) -> None:
                plain = tuple(from_lua(a) for a in args)
                self.calls.append((name, plain))
                if name == "init":
                    self.initialized = True
                    return
                if name in ("set_theme", "set_error_handling") or not self.initialized:
                    return
                scripted = self.script.get(name, [])
                emissions = scripted(*plain) if callable(scripted) else scripted
                for channel, value in emissions:
                    self.emit(channel, value)

            return call

        names = [
            "init",
            "check_purchases_availability",
            "get_products",
            "purchase_product",
            "get_purchases",
            "confirm_purchase",
            "delete_purchase",
            "get_purchase_info",
            "set_theme",
            "set_error_handling",
        ]
        return ExtensionModule({n: method(n) for n in names})

    def extensions(self) -> dict[str, Any]:
        return {"rustorecore": self.core, "rustorebilling": self.billing}
