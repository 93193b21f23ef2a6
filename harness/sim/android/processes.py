"""The process table: system daemons at boot, app processes started by the activity manager."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

FIRST_APP_UID = 10000


def uid_name(uid: int) -> str:
    """``10123`` → ``u0_a123`` (the name ``ps`` and ``dumpsys`` print)."""
    if uid >= FIRST_APP_UID:
        return f"u0_a{uid - FIRST_APP_UID}"
    return {0: "root", 1000: "system", 1001: "radio", 1036: "logd", 2000: "shell", 1041: "audioserver"}.get(
        uid, str(uid)
    )


@dataclass
class Process:
    pid: int
    ppid: int
    uid: int
    name: str
    vsz: int = 12_000_000
    rss: int = 90_000
    wchan: str = "0"
    state: str = "S"
    package: str | None = None
    start_time: float = 0.0
    threads: list[int] = field(default_factory=list)

    @property
    def user(self) -> str:
        return uid_name(self.uid)


_SYSTEM = (
    # (name, uid, parent name)
    ("init", 0, None),
    ("[kthreadd]", 0, None),
    ("ueventd", 0, "init"),
    ("logd", 1036, "init"),
    ("servicemanager", 1000, "init"),
    ("hwservicemanager", 1000, "init"),
    ("vold", 0, "init"),
    ("netd", 0, "init"),
    ("zygote64", 0, "init"),
    ("zygote", 0, "init"),
    ("surfaceflinger", 1000, "init"),
    ("adbd", 2000, "init"),
    ("audioserver", 1041, "init"),
    ("system_server", 1000, "zygote64"),
    ("com.android.systemui", 10090, "zygote64"),
    ("com.android.phone", 1001, "zygote64"),
    ("com.google.android.apps.nexuslauncher", 10091, "zygote64"),
)


class ProcessTable:
    def __init__(self) -> None:
        self._pids = itertools.count(1)
        self.procs: dict[int, Process] = {}
        by_name: dict[str, int] = {}
        for name, uid, parent in _SYSTEM:
            pid = next(self._pids) if name in ("init", "[kthreadd]") else self._alloc(name)
            ppid = (
                by_name.get(parent, 0)
                if parent
                else (2 if name.startswith("[") and name != "[kthreadd]" else 0)
            )
            self.procs[pid] = Process(pid, ppid, uid, name, vsz=10_904_348 if name == "init" else 14_000_000)
            by_name[name] = pid
        self._pids = itertools.count(max(self.procs) + 1200)

    def _alloc(self, name: str) -> int:
        base = {
            "ueventd": 160,
            "logd": 290,
            "servicemanager": 292,
            "hwservicemanager": 293,
            "vold": 295,
            "netd": 400,
            "zygote64": 412,
            "zygote": 413,
            "surfaceflinger": 430,
            "adbd": 470,
            "audioserver": 480,
            "system_server": 612,
            "com.android.systemui": 840,
            "com.android.phone": 901,
            "com.google.android.apps.nexuslauncher": 1160,
        }
        return base.get(name, 0) or next(self._pids)

    def by_pid(self, pid: int) -> Process | None:
        return self.procs.get(pid)

    def by_name(self, name: str) -> list[Process]:
        return [p for p in self.procs.values() if p.name == name]

    def pid_of(self, name: str) -> int | None:
        found = self.by_name(name)
        return found[0].pid if found else None

    @property
    def zygote_pid(self) -> int:
        return self.pid_of("zygote64") or 1

    def spawn(
        self,
        name: str,
        uid: int,
        *,
        ppid: int | None = None,
        package: str | None = None,
        start_time: float = 0.0,
    ) -> Process:
        pid = next(self._pids)
        proc = Process(
            pid,
            self.zygote_pid if ppid is None else ppid,
            uid,
            name,
            vsz=15_000_000,
            rss=120_000,
            wchan="do_epoll_wait",
            package=package,
            start_time=start_time,
        )
        self.procs[pid] = proc
        return proc

    def kill(self, pid: int) -> Process | None:
        return self.procs.pop(pid, None)

    def all(self) -> list[Process]:
        return sorted(self.procs.values(), key=lambda p: p.pid)
