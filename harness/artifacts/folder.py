"""One test's artifact folder, and what happens to it across reruns.

Every attempt of a test writes into the same `<output>/<slug>/` folder. When attempt N>1
starts, the files of the attempt before it are removed and listed in ``attempts.json``
(attempt, outcome, files; written whenever the folder has files), so the folder always
holds the final attempt's evidence and the report can still say that earlier attempts
existed and how they ended.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

MAX_SLUG = 200
ATTEMPTS_FILE = "attempts.json"


def slugify(nodeid: str) -> str:
    """A folder name for a test id: readable, filesystem-safe, bounded (long ids get a digest)."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", nodeid).strip("-.") or "test"
    if len(slug) > MAX_SLUG:
        digest = hashlib.sha256(nodeid.encode()).hexdigest()[:12]
        slug = f"{slug[: MAX_SLUG - 13]}-{digest}"
    return slug


@dataclass
class Attempt:
    number: int
    outcome: str = "running"
    files: list[str] = field(default_factory=list)
    removed: bool = False


class ArtifactFolder:
    """`<output>/<slug(nodeid)>/`, created only when something is written into it."""

    def __init__(self, output: Path, nodeid: str, attempt: int = 1) -> None:
        self.path = output / slugify(nodeid)
        self.nodeid = nodeid
        self.attempt = Attempt(attempt)
        self.earlier: list[Attempt] = self._read_attempts() if attempt > 1 else []
        if attempt > 1:
            self._retire_previous()
        else:  # a first attempt never mixes its evidence with an earlier run's
            shutil.rmtree(self.path, ignore_errors=True)

    # ------------------------------------------------------------ reruns

    def _read_attempts(self) -> list[Attempt]:
        try:
            raw = json.loads((self.path / ATTEMPTS_FILE).read_text())
        except (FileNotFoundError, ValueError):
            return []
        return [Attempt(**a) for a in raw.get("attempts", []) if a.get("number", 0) < self.attempt.number]

    def _retire_previous(self) -> None:
        """Remove the previous attempt's files; remember them in attempts.json."""
        if not self.path.is_dir():
            return
        leftovers = sorted(p.name for p in self.path.iterdir() if p.name != ATTEMPTS_FILE)
        if self.earlier and self.earlier[-1].number == self.attempt.number - 1:
            previous = self.earlier[-1]
        else:
            previous = Attempt(self.attempt.number - 1, outcome="unknown")
            self.earlier.append(previous)
        previous.files = previous.files or leftovers
        previous.removed = True
        for name in leftovers:
            target = self.path / name
            if target.is_dir():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)

    # ------------------------------------------------------------ writing

    def write_bytes(self, name: str, data: bytes) -> Path:
        self.path.mkdir(parents=True, exist_ok=True)
        target = self.path / name
        target.write_bytes(data)
        self.attempt.files.append(name)
        return target

    def write_text(self, name: str, text: str) -> Path:
        return self.write_bytes(name, text.encode("utf-8", "surrogateescape"))

    def finish(self, outcome: str) -> list[Attempt]:
        """Record this attempt's outcome; drop the folder when it stayed empty. Returns all attempts."""
        self.attempt.outcome = outcome
        attempts = [*self.earlier, self.attempt]
        if self.attempt.files or len(attempts) > 1:
            self.path.mkdir(parents=True, exist_ok=True)
            doc = {"nodeid": self.nodeid, "attempts": [asdict(a) for a in attempts]}
            (self.path / ATTEMPTS_FILE).write_text(json.dumps(doc, indent=2))
        elif self.path.is_dir() and not any(self.path.iterdir()):
            self.path.rmdir()
        return attempts
