"""build_apk: the installable form of sample_app/ for the virtual device."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from harness.sim.android.apk import parse_apk
from harness.sim.defold.app import DefoldAppRuntime, project_from_apk
from harness.sim.defold.build import build_apk
from harness.sim.defold.project import GameProject

SAMPLE_APP = Path(__file__).resolve().parents[2] / "sample_app"


def test_apk_manifest_and_assets(tmp_path):
    apk = build_apk(SAMPLE_APP, tmp_path / "out" / "sample.apk").read_bytes()
    spec = parse_apk(apk)
    assert spec.package == "ru.rustore.sample.billing"
    assert spec.version_code == 1 and spec.version_name == "1.0"
    assert spec.runtime == "defold"
    game = spec.activity("com.dynamo.android.DefoldActivity")
    assert game is not None and game.launch_mode == "singleTask"
    assert any(
        "android.intent.action.MAIN" in f.actions and "android.intent.category.LAUNCHER" in f.categories
        for f in game.intent_filters
    )
    deeplink = spec.activity("ru.rustore.defold.billing.RuStoreIntentFilterActivity")
    assert deeplink is not None and deeplink.launch_mode == "singleTask" and deeplink.is_exported
    (flt,) = deeplink.intent_filters
    assert flt.actions == ["android.intent.action.VIEW"]
    assert set(flt.categories) == {"android.intent.category.DEFAULT", "android.intent.category.BROWSABLE"}
    assert [d.scheme for d in flt.data] == ["rustoresample"]

    files = project_from_apk(apk)
    project = GameProject.parse(files.text("game.project"))
    assert project.get("rustore.deeplink_scheme") == "rustoresample", "scheme in the manifest = init's scheme"
    assert "main/main.gui" in files and "bridge/poco.lua" in files
    assert not any(name.startswith("server/") for name in files), "the game server is not shipped"
    assert files["main/iap/iap.lua"] == (SAMPLE_APP / "main/iap/iap.lua").read_bytes()


def test_device_properties_override_game_project_config():
    device = SimpleNamespace(
        props={
            "rustore.harness.config.rustore_harness.game_server_url": "http://127.0.0.1:1234",
            "ro.product.model": "Pixel 7",
        }
    )
    runtime = DefoldAppRuntime(device, SimpleNamespace(name="x"), SimpleNamespace(pid=1, uid=10000))
    assert runtime._config() == {"rustore_harness.game_server_url": "http://127.0.0.1:1234"}
