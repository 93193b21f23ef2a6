"""Options, ini keys, markers and skips of the plugin, in inner pytest runs (no device needed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import write_devices

ADB_POOL = """
usb:
  kind: adb
  devices:
    - serial: R58M123ABCD
      label: galaxy
"""


def test_help_lists_every_option(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    out = result.stdout.str()
    for option in (
        "--devices-file",
        "--pool",
        "--device=SERIAL",
        "--device-mode",
        "--appium-url",
        "--output",
        "--screenshot",
        "--logcat",
        "--ui-tree",
        "--timeline",
        "--contract",
    ):
        assert option in out, option
    assert "{on,off,only-on-failure}" in out and "{strict,report}" in out


def test_markers_are_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.needs_store_controls*", "@pytest.mark.min_sdk(level)*"])


def test_bad_choice_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--screenshot", "sometimes")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--screenshot: invalid choice: 'sometimes'*"])


def test_bad_ini_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nharness_contract = lenient\n")
    pytester.makepyfile("def test_x():\n    assert True\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*harness_contract = 'lenient': expected one of strict, report*"])


def test_ini_and_command_line_resolve_in_order(pytester: pytest.Pytester) -> None:
    write_devices(pytester, "usb:\n  kind: adb\n  devices: [{serial: a}, {serial: b}]\n", "usb")
    pytester.makeini("[pytest]\nharness_pool = usb\nharness_output = out-ini\nharness_contract = strict\n")
    pytester.makepyfile(
        """
        from harness.plugin.session import harness_session

        def test_opts(request):
            o = harness_session(request.config).options
            print("OPTS", o.pool, o.output.name, o.contract, o.screenshot, o.device_filter, o.device_mode)
            assert o.pool == "usb"
        """
    )
    result = pytester.runpytest("-s", "--output", "out-cli", "--device", "a", "--device", "b")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "rustore-harness: devices.yaml, pool usb, mode shard, output */out-cli, contract strict",
            "*OPTS usb out-cli strict only-on-failure ('a', 'b') shard",
        ]
    )


def test_bad_devices_file_gives_its_one_message(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", devices="version: 1\ndefault_pool: nope\npools: {}\n")
    pytester.makepyfile("def test_uses(device):\n    pass\n")
    result = pytester.runpytest()
    assert result.ret != 0
    out = result.stdout.str() + result.stderr.str()
    assert "devices.yaml:" in out and "Traceback" not in out


def test_unknown_pool_is_named(pytester: pytest.Pytester) -> None:
    write_devices(pytester, ADB_POOL, "usb")
    pytester.makepyfile("def test_uses(harness_config, device):\n    pass\n")
    result = pytester.runpytest("--pool", "usbb")
    out = result.stdout.str() + result.stderr.str()
    assert "unknown pool 'usbb'" in out and "did you mean 'usb'" in out


def test_store_tests_skip_with_reason_on_a_phone_pool(pytester: pytest.Pytester) -> None:
    write_devices(pytester, ADB_POOL, "usb")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.needs_store_controls
        def test_marked():
            raise AssertionError("must not run")

        def test_uses_store(store):
            raise AssertionError("must not run")

        def test_plain():
            assert 1 + 1 == 2
        """
    )
    result = pytester.runpytest("-rs")
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines(
        ["*needs store controls: pool 'usb' is adb, whose store is the real RuStore*"]
    )


def test_each_mode_parametrizes_device_tests_only(pytester: pytest.Pytester) -> None:
    write_devices(
        pytester,
        ADB_POOL.replace("      label: galaxy\n", "      label: galaxy\n    - serial: EMU2\n"),
        "usb",
    )
    pytester.makepyfile(
        """
        def test_on_device(device):
            pass

        def test_pure():
            pass
        """
    )
    result = pytester.runpytest("--device-mode", "each", "--collect-only", "-q")
    result.stdout.fnmatch_lines(["*test_on_device[[]galaxy[]]", "*test_on_device[[]EMU2[]]", "*test_pure"])
    filtered = pytester.runpytest("--device-mode", "each", "--device", "EMU2", "--collect-only", "-q")
    assert "galaxy" not in filtered.stdout.str()
    filtered.stdout.fnmatch_lines(["*test_on_device[[]EMU2[]]"])


def test_device_filter_with_no_match_is_a_usage_error(pytester: pytest.Pytester) -> None:
    write_devices(pytester, ADB_POOL, "usb")
    pytester.makepyfile("def test_on_device(device):\n    pass\n")
    result = pytester.runpytest("--device-mode", "each", "--device", "PIXEL9")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    result.stderr.fnmatch_lines(["ERROR: --device PIXEL9: no such device in pool 'usb' (galaxy)*"])


def _appium_runners_logging_to(log: Path) -> list[int]:
    """PIDs of live Appium supervisors (harness.android.appium_runner) writing ``log``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = [os.fsdecode(a) for a in f.read().split(b"\0")]
            cwd = Path(os.readlink(f"/proc/{entry}/cwd"))
        except OSError:
            continue
        if "harness.android.appium_runner" in argv and "--log" in argv:
            given = Path(argv[argv.index("--log") + 1])
            if (cwd / given).resolve() == log.resolve():
                found.append(int(entry))
    return found


@pytest.mark.timeout(300)
def test_appium_starts_after_collection_and_is_stopped_even_if_no_test_reached_it(
    pytester: pytest.Pytester,
) -> None:
    """A collected test needs `appium_driver`, so the run's Appium boots in the background right
    after collection; the test fails on another fixture first, and the run still stops it."""
    write_devices(pytester, ADB_POOL, "usb")
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        def broken():
            raise RuntimeError("fails before any device or Appium fixture")

        def test_needs_appium(broken, appium_driver):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--output", "out")
    result.assert_outcomes(errors=1)
    log = pytester.path / "out" / "appium.log"
    assert "Welcome to Appium" in log.read_text()  # it was started, though no test asked for it
    assert _appium_runners_logging_to(log) == []  # and the run's end stopped it


def test_collect_only_starts_no_appium(pytester: pytest.Pytester) -> None:
    """Listing the tests is not running them: no Appium boots for a test that only gets collected."""
    write_devices(pytester, ADB_POOL, "usb")
    pytester.makepyfile("def test_needs_appium(appium_driver):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--output", "out", "--collect-only")
    result.stdout.fnmatch_lines(["*1 test collected*"])
    assert not (pytester.path / "out" / "appium.log").exists()
