"""Build the sample game's APK for the virtual device (``rustore-harness build-app``).

What the APK is, exactly: a zip with a **binary AndroidManifest.xml** (package, version,
application meta-data ``rustore.harness.runtime=defold``, the activities and intent filters
of the project's Android manifest — ``DefoldActivity`` as launcher, the RuStore deeplink
activity ``singleTask`` with VIEW/DEFAULT/BROWSABLE and the game's scheme), a placeholder
``classes.dex``, and the Defold project **sources** under ``assets/defold/`` (the virtual
engine runs the Lua and reads the ``.collection``/``.go``/``.gui`` text directly; a phone
build made with ``bob.jar`` would carry compiled resources instead). It installs with
``adb install`` on a virtual device; it is not meant for a phone.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from harness.sim.android.apk import (
    RUNTIME_META_KEY,
    ActivitySpec,
    DataSpec,
    IntentFilterSpec,
    ManifestSpec,
)
from harness.sim.android.apk import build_apk as build_zip
from harness.sim.defold.app import ASSET_ROOT, RUNTIME_NAME
from harness.sim.defold.project import GameProject, ProjectFiles

ANDROID = "{http://schemas.android.com/apk/res/android}"
#: Files of the repository's sample_app/ that are not part of the Defold project.
EXCLUDED_TOP = {"server", "build", "products.yaml", "README.md"}


def project_files(project_dir: Path) -> ProjectFiles:
    files = ProjectFiles.from_directory(project_dir)
    return ProjectFiles({k: v for k, v in files.items() if k.split("/", 1)[0] not in EXCLUDED_TOP})


def render_template(text: str, project: GameProject) -> str:
    """Fill Defold's ``{{section.key}}`` manifest placeholders from ``game.project``."""
    defaults = {"android.version_code": "1", "project.version": "1.0"}

    def value(match: re.Match[str]) -> str:
        key = match.group(1).strip()
        found = project.get(key)
        return found if found is not None else defaults.get(key, "")

    return re.sub(r"\{\{\s*([\w.]+)\s*\}\}", value, text)


def _bool(value: str | None) -> bool | None:
    return None if value is None else value.strip().lower() == "true"


def manifest_spec(project: GameProject, manifest_xml: str) -> ManifestSpec:
    root = ET.fromstring(manifest_xml)
    package = root.get("package") or project.get("android.package") or "com.example.todo"
    spec = ManifestSpec(
        package=package,
        version_code=int(root.get(f"{ANDROID}versionCode") or project.get("android.version_code") or 1),
        version_name=root.get(f"{ANDROID}versionName") or project.get("project.version") or "1.0",
        min_sdk=int(project.get("android.minimum_sdk_version") or 21),
        target_sdk=int(project.get("android.target_sdk_version") or 34),
        label=project.title,
        debuggable=True,
    )
    app = root.find("application")
    if app is None:
        raise ValueError("the Android manifest has no <application>")
    for meta in app.findall("meta-data"):
        spec.meta_data[meta.get(f"{ANDROID}name", "")] = meta.get(f"{ANDROID}value", "")
    spec.meta_data[RUNTIME_META_KEY] = RUNTIME_NAME
    for act in app.findall("activity"):
        filters = []
        for flt in act.findall("intent-filter"):
            filters.append(
                IntentFilterSpec(
                    actions=[a.get(f"{ANDROID}name", "") for a in flt.findall("action")],
                    categories=[c.get(f"{ANDROID}name", "") for c in flt.findall("category")],
                    data=[
                        DataSpec(
                            scheme=d.get(f"{ANDROID}scheme"),
                            host=d.get(f"{ANDROID}host"),
                            path=d.get(f"{ANDROID}path"),
                        )
                        for d in flt.findall("data")
                    ],
                )
            )
        spec.activities.append(
            ActivitySpec(
                name=spec.qualify(act.get(f"{ANDROID}name", "")),
                exported=_bool(act.get(f"{ANDROID}exported")),
                launch_mode=act.get(f"{ANDROID}launchMode", "standard"),
                intent_filters=filters,
                label=act.get(f"{ANDROID}label"),
            )
        )
    return spec


def build_apk_bytes(project_dir: str | Path) -> tuple[ManifestSpec, bytes]:
    base = Path(project_dir)
    files = project_files(base)
    project = GameProject.parse(files.text("game.project"))
    manifest_path = (project.get("android.manifest") or "/android/AndroidManifest.xml").lstrip("/")
    spec = manifest_spec(project, render_template(files.text(manifest_path), project))
    assets = {f"{ASSET_ROOT[len('assets/') :]}{name}": data for name, data in files.items()}
    return spec, build_zip(spec, assets=assets)


def build_apk(project_dir: str | Path, out_path: str | Path) -> Path:
    """Package ``project_dir`` (a Defold project such as ``sample_app/``) into ``out_path``."""
    _spec, data = build_apk_bytes(project_dir)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out
