"""Options, ini keys, markers and skips of the plugin, in inner pytest runs (no device needed)."""

from __future__ import annotations

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
