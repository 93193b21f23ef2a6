"""Supervisor of one Appium server process: keeps its log and signals readiness on a pipe.

`python -m harness.android.appium_runner --log FILE -- node …/appium/index.js server …`.
It copies every line Appium prints into FILE; when Appium announces its REST listener it
writes one JSON line (`{"url": …}`) on its own stdout and closes it, so the launcher can
wait on the pipe and then go away without leaving Appium writing into a dead pipe.
SIGTERM is passed on to Appium; the runner exits with Appium's exit code.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

READY = re.compile(r"listener started on (http://\S+?)/?\s*$")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.android.appium_runner")
    parser.add_argument("--log", required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("the Appium command line is missing after --")

    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )

    def forward(signum: int, _frame: FrameType | None) -> None:
        child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    announced = False
    assert child.stdout is not None
    with Path(args.log).open("ab", buffering=0) as log:
        for raw in child.stdout:
            log.write(raw)
            if announced:
                continue
            match = READY.search(raw.decode("utf-8", errors="replace"))
            if match:
                sys.stdout.write(json.dumps({"url": match.group(1)}) + "\n")
                sys.stdout.flush()
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                os.close(devnull)
                announced = True
    return child.wait()


if __name__ == "__main__":
    raise SystemExit(main())
