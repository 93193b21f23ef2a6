"""Poco's own Python client, pocoui, in an environment of its own.

pocoui cannot share the project's environment: airtest pins websocket-client 0.48 while
selenium (Appium's client) needs ≥ 1.8. The std driver with ``ip=`` set only needs a few
modules, so a small venv with ``--no-deps`` installs of pinned versions runs the real
``StdPoco`` against our bridge. It is built once under the tools folder and reused.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from filelock import FileLock

from harness.android.appium import tools_dir

PINNED = (
    "pocoui==1.0.94",
    "airtest==1.4.3",
    "six>=1.16",
    "numpy>=1.26",
    "opencv-python-headless>=4.8",
    "packaging>=23",
    "pillow>=10",
)


def pocoui_python() -> Path:
    """The python of a venv where ``from poco.drivers.std import StdPoco`` works (built on first use)."""
    home = tools_dir() / "pocoui-venv"
    python = home / "bin" / "python"
    stamp = home / ".installed"
    home.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(home) + ".lock", timeout=900):
        if stamp.is_file() and stamp.read_text() == "\n".join(PINNED):
            return python
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(home)], check=True, timeout=300)
        env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--no-deps", *PINNED],
            check=True,
            timeout=900,
            env=env,
            capture_output=True,
        )
        subprocess.run([str(python), "-c", "from poco.drivers.std import StdPoco"], check=True, timeout=120)
        stamp.write_text("\n".join(PINNED))
    return python
