"""The AXML writer and APK builder, checked by parsing their output with apkInspector."""

from __future__ import annotations

import io
import zipfile

import pytest
from apkInspector.axml import parse_apk_for_manifest

from harness.sim.android import axml
from harness.sim.android.apk import (
    ActivitySpec,
    ApkError,
    InstrumentationSpec,
    ManifestSpec,
    build_apk,
    parse_apk,
    read_asset,
)

from .apps import GAME, GAME_ACTIVITY, RETURN_ACTIVITY, game_apk, game_manifest


def test_round_trip_through_apkinspector_model():
    spec = game_manifest()
    spec.instrumentations.append(InstrumentationSpec("androidx.test.runner.AndroidJUnitRunner", GAME))
    parsed = parse_apk(build_apk(spec))
    assert parsed == spec


def test_apkinspector_text_rendering_sees_real_typed_values():
    text = parse_apk_for_manifest(io.BytesIO(game_apk()), raw=True)
    assert 'package="com.example.game"' in text
    assert 'android:versionCode="3"' in text
    assert 'android:launchMode="2"' in text  # singleTask compiled to its enum value, as aapt does
    assert 'android:exported="true"' in text
    assert 'android:scheme="example"' in text


def test_parsed_fields():
    parsed = parse_apk(game_apk(version_code=42, version_name="4.2"))
    assert (parsed.package, parsed.version_code, parsed.version_name) == (GAME, 42, "4.2")
    game = parsed.activity(GAME_ACTIVITY)
    ret = parsed.activity(RETURN_ACTIVITY)
    assert game is not None and ret is not None
    assert game.launch_mode == "singleTask" and ret.launch_mode == "singleTask"
    assert ret.intent_filters[0].data[0].scheme == "example"
    assert parsed.runtime == "generic"
    hidden = parsed.activity(".SettingsActivity")
    assert hidden is not None and hidden.is_exported is False


def test_long_and_non_ascii_strings_survive():
    label = "Игра " + "x" * 300
    spec = ManifestSpec("org.test.unicode", label=label, activities=[ActivitySpec(".Main", label="Ünïcødé")])
    parsed = parse_apk(build_apk(spec))
    assert parsed.label == label
    assert parsed.activities[0].label == "Ünïcødé"


def test_chunk_layout_starts_with_xml_and_string_pool():
    data = axml.encode(axml.Element("manifest", {"package": "a.b"}))
    assert data[:2] == b"\x03\x00" and int.from_bytes(data[4:8], "little") == len(data)
    assert data[8:10] == b"\x01\x00"  # string pool follows the file header


def test_assets_and_dex_placeholder_are_in_the_zip():
    apk = game_apk()
    with zipfile.ZipFile(io.BytesIO(apk)) as zf:
        names = set(zf.namelist())
    assert {"AndroidManifest.xml", "classes.dex", "assets/game.projectc"} <= names
    assert read_asset(apk, "assets/game.projectc") == b"[project]\ntitle = Example\n"


@pytest.mark.parametrize(
    ("blob", "code"),
    [
        (b"not a zip at all, just text", "INSTALL_PARSE_FAILED_NOT_APK"),
        (b"", "INSTALL_PARSE_FAILED_NOT_APK"),
    ],
)
def test_garbage_is_rejected(blob, code):
    with pytest.raises(ApkError) as err:
        parse_apk(blob)
    assert err.value.code == code


def test_zip_without_manifest_is_rejected():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("classes.dex", b"dex\n035\x00")
    with pytest.raises(ApkError) as err:
        parse_apk(out.getvalue())
    assert err.value.code == "INSTALL_PARSE_FAILED_BAD_MANIFEST"


def test_bad_enum_value_is_refused_by_the_writer():
    with pytest.raises(ValueError):
        axml.encode(axml.Element("activity", {"android:launchMode": "sometimes"}))
