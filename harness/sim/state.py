"""Where a running virtual pool is recorded, so `sim status`/`sim down` and the harness find it.

The record is one JSON file written atomically by the farm launcher after every device is
attached to adb. It is also what makes crash recovery possible: if the daemon died, the
serials listed here are the stale ones to detach from adb.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

STATE_DIR_ENV = "RUSTORE_HARNESS_STATE_DIR"


def default_state_dir() -> Path:
    """``$RUSTORE_HARNESS_STATE_DIR``, else ``$XDG_STATE_HOME/rustore-harness`` (``~/.local/state/…``)."""
    explicit = os.environ.get(STATE_DIR_ENV)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(xdg) / "rustore-harness"


@dataclass
class SimDevice:
    serial: str
    device_port: int
    profile: str
    pid: int = 0  # the process hosting it (0 in records written before devices had their own)


@dataclass
class SimState:
    pid: int
    adb_port: int
    devices: list[SimDevice]
    services: dict[str, str] = field(default_factory=dict)
    log_file: str = ""
    started_at: str = ""

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        return data

    @classmethod
    def from_json(cls, data: dict[str, object]) -> SimState:
        raw_devices = data.get("devices") or []
        assert isinstance(raw_devices, list)
        devices = [SimDevice(**d) for d in raw_devices]
        services = data.get("services") or {}
        assert isinstance(services, dict)
        return cls(
            pid=int(str(data["pid"])),
            adb_port=int(str(data["adb_port"])),
            devices=devices,
            services={str(k): str(v) for k, v in services.items()},
            log_file=str(data.get("log_file", "")),
            started_at=str(data.get("started_at", "")),
        )


def state_file(state_dir: Path) -> Path:
    return state_dir / "sim.json"


def load_state(state_dir: Path) -> SimState | None:
    path = state_file(state_dir)
    try:
        return SimState.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError, AssertionError) as exc:
        raise RuntimeError(
            f"{path}: the virtual pool record is damaged ({exc}); delete it and retry"
        ) from exc


def save_state(state_dir: Path, state: SimState) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_file(state_dir)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state.to_json(), indent=2), encoding="utf-8")
    os.replace(tmp, path)


def clear_state(state_dir: Path) -> None:
    state_file(state_dir).unlink(missing_ok=True)
