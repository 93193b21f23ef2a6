"""``rustore-harness build-app``: the game's APK for the virtual device, with the SDK's merged activities."""

from __future__ import annotations

import zipfile
from pathlib import Path

from click.testing import CliRunner

from harness.cli import cli
from harness.sim.android.apk import parse_apk

SAMPLE_APP = Path(__file__).resolve().parents[2] / "sample_app"


def test_build_app_writes_the_apk_and_prints_its_path(tmp_path: Path) -> None:
    out = tmp_path / "game.apk"
    result = CliRunner().invoke(cli, ["build-app", "--project", str(SAMPLE_APP), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out.resolve())
    with zipfile.ZipFile(out) as zf:
        assert "assets/defold/main/iap/iap.lua" in zf.namelist()
    manifest = parse_apk(out.read_bytes())
    names = {a.name: a for a in manifest.activities}
    assert names["ru.rustore.defold.billing.RuStoreIntentFilterActivity"].launch_mode == "singleTask"
    sheet = names["ru.rustore.sdk.billingclient.presentation.BillingClientActivity"]
    assert sheet.exported is False


def test_build_app_refuses_a_folder_without_game_project(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build-app", "--project", str(tmp_path)])
    assert result.exit_code != 0
    assert "not a Defold project" in result.output
