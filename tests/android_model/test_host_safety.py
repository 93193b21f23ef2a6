"""The shell is an emulation: no input may reach the host, whatever its quoting or operators."""

from __future__ import annotations

import pytest


@pytest.fixture
def target(tmp_path):
    return tmp_path / "PWNED"


@pytest.mark.parametrize(
    "template",
    [
        "echo hi; touch {f}",
        "echo $(touch {f})",
        "echo `touch {f}`",
        "true && touch {f}",
        "false || touch {f}",
        "echo touch {f} | sh",
        "sh -c 'touch {f}'",
        "echo owned > {f}",
        "echo owned >> {f}",
        "cat < {f}",
        "exec touch {f}",
        "logcat -d -f {f}",
        "screencap -p {f}",
        "/bin/touch {f}",
        "/usr/bin/touch {f}",
        'python3 -c \'open("{f}","w")\'',
        "cp /system/etc/hosts {f}",
        "mkdir -p {f}",
        'echo "$(echo touch {f})" | sh',
        "F={f}; touch $F",
        "pm install {f}",
        "am start -d file://{f}",
        "export X=$(touch {f}); echo $X",
        "eval touch {f}",
        "bash -c 'touch {f}'",
        "nc -l 1234 > {f}",
    ],
)
def test_nothing_reaches_the_host_filesystem(run, target, template):
    line = template.format(f=target)
    run(lambda r: r.sh(line))
    assert not target.exists(), line
    assert not target.parent.joinpath("x").exists()


def test_device_side_effect_stays_in_the_model(run, device, target):
    run(lambda r: r.sh(f"mkdir -p {target.parent} && touch {target}"))
    assert not target.exists()
    assert device.fs.exists(str(target))  # it happened, but only inside the virtual device


def test_no_subprocess_or_eval_in_the_android_model():
    import pathlib
    import re

    import harness.sim.android as pkg

    root = pathlib.Path(pkg.__file__).parent
    forbidden = re.compile(
        r"import subprocess|from subprocess|os\.system|os\.popen|os\.exec|os\.spawn|pty\.spawn"
        r"|create_subprocess|(?<![\w.])eval\(|(?<![\w.])exec\("
    )
    for path in root.rglob("*.py"):
        match = forbidden.search(path.read_text())
        assert match is None, f"{match.group(0) if match else ''} in {path}"


@pytest.mark.parametrize(
    "line",
    [
        "(" * 3000 + "echo a" + ")" * 3000,
        "$(" * 600 + "echo" + ")" * 600,
        "echo ${",
        "echo `",
        "\x00\x01",
        "if",
    ],
)
def test_hostile_syntax_is_an_error_not_a_crash(run, line):
    r = run(lambda r: r.sh(line))
    assert isinstance(r.code, int)
