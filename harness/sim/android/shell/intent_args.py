"""``Intent.parseCommandArgs``: the intent syntax shared by ``am`` and ``cmd package``."""

from __future__ import annotations

from typing import Any

from harness.sim.android.apk import ACTION_MAIN, CATEGORY_LAUNCHER
from harness.sim.android.intents import ComponentName, Intent
from harness.sim.android.shell.context import UsageError

FLAG_OPTIONS = {
    "--grant-read-uri-permission": 0x1,
    "--grant-write-uri-permission": 0x2,
    "--grant-persistable-uri-permission": 0x40,
    "--grant-prefix-uri-permission": 0x80,
    "--debug-log-resolution": 0x8,
    "--exclude-stopped-packages": 0x10,
    "--include-stopped-packages": 0x20,
    "--activity-brought-to-front": 0x00400000,
    "--activity-clear-top": 0x04000000,
    "--activity-clear-when-task-reset": 0x00080000,
    "--activity-exclude-from-recents": 0x00800000,
    "--activity-launched-from-history": 0x00100000,
    "--activity-multiple-task": 0x08000000,
    "--activity-no-animation": 0x00010000,
    "--activity-no-history": 0x40000000,
    "--activity-no-user-action": 0x00040000,
    "--activity-previous-is-top": 0x01000000,
    "--activity-reorder-to-front": 0x00020000,
    "--activity-reset-task-if-needed": 0x00200000,
    "--activity-single-top": 0x20000000,
    "--activity-clear-task": 0x00008000,
    "--activity-task-on-home": 0x00004000,
    "--activity-match-external": 0x00000800,
    "--receiver-registered-only": 0x40000000,
    "--receiver-replace-pending": 0x20000000,
    "--receiver-foreground": 0x10000000,
    "--receiver-no-abort": 0x08000000,
    "--receiver-include-background": 0x01000000,
}


def _extra(kind: str, raw: str) -> Any:
    try:
        if kind in ("--ei", "--el"):
            return int(raw)
        if kind in ("--ef", "--ed"):
            return float(raw)
        if kind == "--ez":
            low = raw.lower()
            if low in ("true", "t"):
                return True
            if low in ("false", "f"):
                return False
            return int(raw) != 0
        if kind in ("--eia", "--ela"):
            return [int(x) for x in raw.split(",")]
        if kind in ("--efa",):
            return [float(x) for x in raw.split(",")]
        if kind in ("--esa",):
            return raw.split(",")
    except ValueError:
        raise UsageError(f"Error: Invalid value for {kind}: {raw}", 255) from None
    return raw


def parse_intent(args: list[str], options: dict[str, Any], known_flags: set[str], valued: set[str]) -> Intent:
    """Consume intent arguments; command options (``-W``, ``-S``, ``--user N``) go into ``options``."""
    intent = Intent()
    has_info = False
    i = 0
    positional: str | None = None

    def nxt() -> str:
        nonlocal i
        i += 1
        if i >= len(args):
            raise UsageError(f"Error: No argument for option {args[i - 1]}", 255)
        return args[i]

    while i < len(args):
        a = args[i]
        if a in known_flags:
            options[a] = True
        elif a in valued:
            options[a] = nxt()
        elif a == "-a":
            intent.action = nxt()
            has_info = True
        elif a == "-d":
            intent.data = nxt()
            has_info = True
        elif a == "-t":
            intent.mime_type = nxt()
            has_info = True
        elif a == "-c":
            intent.categories.append(nxt())
            has_info = True
        elif a == "-n":
            text = nxt()
            comp = ComponentName.parse(text)
            if comp is None:
                raise UsageError(f"Error: Bad component name: {text}", 255)
            intent.component = comp
            has_info = True
        elif a == "-p":
            intent.package = nxt()
            has_info = True
        elif a == "-f":
            text = nxt()
            try:
                intent.flags |= int(text, 0)
            except ValueError:
                raise UsageError(f"Error: Invalid flags: {text}", 255) from None
            has_info = True
        elif a in (
            "-e",
            "--es",
            "--ei",
            "--el",
            "--ef",
            "--ed",
            "--ez",
            "--eu",
            "--ecn",
            "--eia",
            "--ela",
            "--efa",
            "--esa",
        ):
            key = nxt()
            intent.extras[key] = _extra(a, nxt())
            has_info = True
        elif a == "--esn":
            intent.extras[nxt()] = None
            has_info = True
        elif a in FLAG_OPTIONS:
            intent.flags |= FLAG_OPTIONS[a]
            has_info = True
        elif a in ("--selector", "-i"):
            if a == "-i":
                nxt()
        elif a.startswith("-"):
            raise UsageError(f"Error: Unknown option: {a}", 255)
        else:
            if positional is not None:
                raise UsageError(f"Error: Unexpected argument: {a}", 255)
            positional = a
        i += 1
    if positional is not None:
        base = Intent(ACTION_MAIN, [CATEGORY_LAUNCHER])
        if ":" in positional:
            base = Intent(action="android.intent.action.VIEW", data=positional)
            if positional.startswith("intent:") or positional.startswith("android-app:"):
                base.data = None
        elif "/" in positional:
            base.component = ComponentName.parse(positional)
            if base.component is None:
                raise UsageError(f"Error: Bad component name: {positional}", 255)
        else:
            base.package = positional
        if intent.action is not None:
            base.categories = []
        intent.action = intent.action or base.action
        for c in base.categories:
            if c not in intent.categories:
                intent.categories.append(c)
        intent.data = intent.data or base.data
        intent.package = intent.package or base.package
        intent.component = intent.component or base.component
        has_info = True
    if not has_info:
        raise UsageError("Error: No intent supplied", 255)
    return intent
