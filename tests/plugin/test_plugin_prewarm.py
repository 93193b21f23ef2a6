"""``--prewarm`` on the shared virtual pool, through a real Appium the inner run starts itself.

The controller opens the session of each device a worker will lease while the workers start;
the worker takes it over (one session per device per run), a session no worker took is closed
at the end, and a session the controller could not open is reported while the worker opens
its own.
"""

from __future__ import annotations

import re
import socket

import pytest

pytestmark = [pytest.mark.usefixtures("virtual_env"), pytest.mark.timeout(300)]

TAKES_OVER = """
def test_the_session_is_the_one_the_controller_opened(appium_driver, appium_sessions):
    assert appium_driver.current_package  # it answers
    assert (appium_sessions.adopted, appium_sessions.created) == (1, 0)
"""


def test_each_worker_takes_over_the_session_opened_for_its_device(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TAKES_OVER)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-n", "2", "--dist", "each", "--prewarm", "--output", "out"
    )
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "*rustore-harness: prewarm*",
            "virtual-1: session open after *s, taken over by its worker, closed after it",
            "virtual-2: session open after *s, taken over by its worker, closed after it",
        ]
    )
    log = (pytester.path / "out" / "appium.log").read_text()
    assert log.count("--> POST /session {") == 2  # one session per device, no second one
    assert len(re.findall(r"<-- DELETE /session/\S+ 200", log)) == 2  # each closed once, cleanly


def test_a_session_no_worker_takes_over_is_closed_at_the_end(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_without_appium(adb_device):\n    assert adb_device.serial\n")
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-n", "1", "--prewarm", "--output", "out"
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["virtual-1: session open after *s, no worker took it over: closed"])
    log = (pytester.path / "out" / "appium.log").read_text()
    opened = re.findall(r"\[HTTP\] <-- POST /session 200", log)
    closed = re.findall(r"--> DELETE /session/([0-9a-f-]{36})", log)
    assert len(opened) == 1 and len(closed) == 1, (opened, closed)


def test_a_session_that_could_not_be_opened_is_reported_and_the_worker_tries_itself(
    pytester: pytest.Pytester,
) -> None:
    with socket.socket() as s:  # a port nothing listens on once this block ends
        s.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{s.getsockname()[1]}"
    pytester.makepyfile("def test_needs_appium(appium_driver):\n    pass\n")
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-n", "1", "--prewarm", "--appium-url", nowhere
    )
    result.assert_outcomes(errors=1)  # the worker's own attempt fails the test with the real error
    result.stdout.fnmatch_lines(["virtual-1: not opened (*); left to its worker"])


def test_without_xdist_prewarm_does_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_without_appium(adb_device):\n    assert adb_device.serial\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--prewarm", "--output", "out")
    result.assert_outcomes(passed=1)
    assert "rustore-harness: prewarm" not in result.stdout.str()
    assert not (pytester.path / "out" / "appium.log").exists()  # nothing was started for it
