"""Native extensions implemented in Python: the seam the RuStore plugin emulation plugs into.

A factory receives an :class:`ExtensionContext` and returns the module's functions; the runtime
publishes them as a Lua global table under the extension's name (``rustorebilling``,
``rustorecore``, ``screenshot`` …). Lua strings arrive as ``bytes`` (exact bytes, no decoding).

Example::

    def make_core(ctx: ExtensionContext) -> ExtensionModule:
        callbacks = []
        def connect(channel, fn):
            callbacks.append((channel, ctx.current_instance(), fn))
        ctx.on_update(lambda: ...)          # drain a queue each frame
        return ExtensionModule({"connect": connect})

    register_extension("rustorecore", make_core)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.sim.defold.runtime import DefoldRuntime, ScriptInstance


@dataclass
class ExtensionModule:
    """What a factory returns: Lua-callable functions plus optional constants."""

    functions: Mapping[str, Callable[..., Any]]
    constants: Mapping[str, Any] = field(default_factory=dict)


class ExtensionContext:
    """What an extension may do with the engine; one per extension per runtime."""

    def __init__(self, runtime: DefoldRuntime, name: str) -> None:
        self.runtime = runtime
        self.name = name

    @property
    def lua(self) -> Any:
        return self.runtime.lua

    def current_instance(self) -> ScriptInstance | None:
        """The script whose code is calling right now (its ``self`` is what callbacks get)."""
        return self.runtime.current

    def call(self, instance: ScriptInstance | None, fn: Any, *args: Any) -> bool:
        """Run a Lua callback as ``fn(self, *args)`` in a protected call; errors are logged."""
        return self.runtime.call_lua(instance, fn, *args, pass_self=True)

    def call_plain(self, instance: ScriptInstance | None, fn: Any, *args: Any) -> bool:
        """Run a Lua function with exactly ``args`` (no ``self``)."""
        return self.runtime.call_lua(instance, fn, *args, pass_self=False)

    def log(self, priority: int, tag: str | bytes, message: str | bytes) -> None:
        self.runtime.log_raw(priority, tag, message)

    def on_update(self, callback: Callable[[], None]) -> None:
        """Called once per frame, before scripts update (Defold's extension update)."""
        self.runtime.add_update_hook(callback)

    def on_final(self, callback: Callable[[], None]) -> None:
        self.runtime.add_final_hook(callback)

    def to_lua(self, value: Any) -> Any:
        from harness.sim.defold.luavalues import to_lua

        return to_lua(self.runtime.lua, value)

    @property
    def device(self) -> Any:
        """The virtual device the game runs on (``None`` in engine-only runs)."""
        return self.runtime.device

    @property
    def app(self) -> Any:
        """The app process (:class:`harness.sim.defold.app.DefoldAppRuntime`), ``None`` off-device."""
        return self.runtime.app

    def on_new_intent(self, hook: Callable[[Any], None]) -> None:
        """Receive the intents ``RuStoreIntentFilterActivity`` gets (the bank app's return deeplink)."""
        if self.runtime.app is not None:
            self.runtime.app.intent_hooks.append(hook)

    def run_on_device(self, fn: Callable[[], None]) -> None:
        """Call the Android model from Lua-called code: hops to the device loop (or runs inline)."""
        if self.runtime.app is not None:
            self.runtime.app.on_device_loop(fn)
        else:
            fn()


ExtensionFactory = Callable[[ExtensionContext], ExtensionModule]

_REGISTRY: dict[str, ExtensionFactory] = {}


def register_extension(name: str, factory: ExtensionFactory) -> None:
    """Make ``name`` available as a Lua global in every runtime started afterwards."""
    _REGISTRY[name] = factory


def unregister_extension(name: str) -> None:
    _REGISTRY.pop(name, None)


def registered_extensions() -> dict[str, ExtensionFactory]:
    return dict(_REGISTRY)
