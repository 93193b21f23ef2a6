"""Farm credentials from ${ENV} never reach the terminal, JUnit XML or the HTML report."""

from __future__ import annotations

import pytest
from conftest import write_devices

SECRET_USER = "farm-user-8c1f"
SECRET_KEY = "s3cr3t-K3y-4a9e77"

REMOTE_POOL = """
farm:
  kind: remote
  url: https://${FARM_USER}:${FARM_KEY}@hub.example.com/wd/hub
  credentials:
    username: ${FARM_USER}
    password: ${FARM_KEY}
  capabilities:
    "appium:accessKey": ${FARM_KEY}
  devices:
    - name: pixel-7
      capabilities: {"appium:deviceName": Pixel 7}
"""


def test_secrets_never_printed(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FARM_USER", SECRET_USER)
    monkeypatch.setenv("FARM_KEY", SECRET_KEY)
    write_devices(pytester, REMOTE_POOL, "farm")
    pytester.makepyfile(
        test_farm="""
        from harness.config import reveal

        def test_uses_the_farm(harness_config, device, record_property):
            pool = harness_config.pool()
            print("CONFIG", harness_config)
            print("POOL", pool, pool.url, pool.credentials)
            print("DEVICE", device, device.info())
            print("DUMP", harness_config.report_dump())
            secret_len = len(reveal(pool.credentials.password))
            assert secret_len == 17
            assert device.name == "pixel-7" and device.serial is None
            assert False, f"made to fail on purpose: {pool.capabilities}"

        def test_adb_is_skipped_on_a_farm(adb_device):
            raise AssertionError("must not run")
        """
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-s", "-l", "-rs", "--output", "out", "--junitxml", "junit.xml",
        "--html", "report.html", "--self-contained-html",
    )  # fmt: skip
    result.assert_outcomes(failed=1, skipped=1)
    result.stdout.fnmatch_lines(["*CONFIG*", "*DEVICE*pixel-7*", "*has no adb connection*"])
    texts = {
        "stdout": result.stdout.str(),
        "stderr": result.stderr.str(),
        "junit": (pytester.path / "junit.xml").read_text(),
        "html": (pytester.path / "report.html").read_text(),
    }
    texts.update(
        {str(p): p.read_text(errors="replace") for p in (pytester.path / "out").rglob("*") if p.is_file()}
    )
    for where, text in texts.items():
        assert SECRET_KEY not in text, f"the farm key leaked into {where}"
        assert SECRET_USER not in text, f"the farm user leaked into {where}"
    assert "***" in texts["stdout"]
    assert 'name="device.pool" value="farm"' in texts["junit"]
