"""Virtual apps as real APK files: build them from a Python manifest description, parse them back.

Building uses :mod:`harness.sim.android.axml` for the manifest and the standard ``zipfile``
module for the container. Parsing goes through apkInspector (the zip directory and the AXML
chunks) so an APK produced by ``aapt2`` and one produced here take the same path.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from harness.sim.android import axml
from harness.sim.android._quiet_import import apkinspector_modules
from harness.sim.android.axml import ANDROID_ATTR_IDS, ANDROID_NS, ENUMS, Element

ManifestStruct, XmlEndElement, XmlStartElement, ZipEntry = apkinspector_modules()

RUNTIME_META_KEY = "rustore.harness.runtime"
ACTION_MAIN = "android.intent.action.MAIN"
ACTION_VIEW = "android.intent.action.VIEW"
CATEGORY_LAUNCHER = "android.intent.category.LAUNCHER"
CATEGORY_DEFAULT = "android.intent.category.DEFAULT"
CATEGORY_BROWSABLE = "android.intent.category.BROWSABLE"
CATEGORY_HOME = "android.intent.category.HOME"

#: Placeholder ``classes.dex``: a valid DEX magic and nothing runnable (the runtime is Python).
DEX_PLACEHOLDER = b"dex\n035\x00" + b"\x00" * 104


class ApkError(Exception):
    """A parse failure, carrying the PackageManager error constant to print in ``Failure [...]``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


# --- the description (what builders write, what the parser returns) --------------------------------
@dataclass
class DataSpec:
    scheme: str | None = None
    host: str | None = None
    port: str | None = None
    path: str | None = None
    path_prefix: str | None = None
    path_pattern: str | None = None
    mime_type: str | None = None


@dataclass
class IntentFilterSpec:
    actions: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    data: list[DataSpec] = field(default_factory=list)
    priority: int = 0


@dataclass
class ActivitySpec:
    name: str
    exported: bool | None = None
    launch_mode: str = "standard"
    intent_filters: list[IntentFilterSpec] = field(default_factory=list)
    meta_data: dict[str, str] = field(default_factory=dict)
    task_affinity: str | None = None
    label: str | None = None
    target_activity: str | None = None  # set for <activity-alias>

    @property
    def is_exported(self) -> bool:
        """Android's rule: unspecified ``exported`` means exported iff it has an intent filter."""
        return self.exported if self.exported is not None else bool(self.intent_filters)


@dataclass
class InstrumentationSpec:
    name: str
    target_package: str
    label: str | None = None


@dataclass
class ManifestSpec:
    package: str
    version_code: int = 1
    version_name: str = "1.0"
    min_sdk: int = 21
    target_sdk: int = 34
    label: str | None = None
    activities: list[ActivitySpec] = field(default_factory=list)
    meta_data: dict[str, str] = field(default_factory=dict)  # <application><meta-data>
    instrumentations: list[InstrumentationSpec] = field(default_factory=list)
    uses_permissions: list[str] = field(default_factory=list)
    test_only: bool = False
    debuggable: bool = False

    @property
    def runtime(self) -> str:
        return self.meta_data.get(RUNTIME_META_KEY, "generic")

    def qualify(self, class_name: str) -> str:
        """``.Main`` → ``com.pkg.Main``; a dotless name also gets the package prefix."""
        if class_name.startswith("."):
            return self.package + class_name
        return class_name if "." in class_name else f"{self.package}.{class_name}"

    def activity(self, class_name: str) -> ActivitySpec | None:
        full = self.qualify(class_name)
        return next((a for a in self.activities if a.name == full), None)


# --- building --------------------------------------------------------------------------------------
def manifest_element(spec: ManifestSpec) -> Element:
    """The ``<manifest>`` tree for a description (names are written fully qualified)."""
    root = Element(
        "manifest",
        {
            "android:versionCode": spec.version_code,
            "android:versionName": spec.version_name,
            "android:compileSdkVersion": spec.target_sdk,
            "package": spec.package,
        },
    )
    root.add("uses-sdk", {"android:minSdkVersion": spec.min_sdk, "android:targetSdkVersion": spec.target_sdk})
    for perm in spec.uses_permissions:
        root.add("uses-permission", {"android:name": perm})
    for inst in spec.instrumentations:
        attrs: dict[str, axml.AttrValue] = {
            "android:name": spec.qualify(inst.name),
            "android:targetPackage": inst.target_package,
        }
        if inst.label:
            attrs["android:label"] = inst.label
        root.add("instrumentation", attrs)
    app_attrs: dict[str, axml.AttrValue] = {}
    if spec.label:
        app_attrs["android:label"] = spec.label
    if spec.test_only:
        app_attrs["android:testOnly"] = True
    if spec.debuggable:
        app_attrs["android:debuggable"] = True
    app = root.add("application", app_attrs)
    for key, value in spec.meta_data.items():
        app.add("meta-data", {"android:name": key, "android:value": value})
    for act in spec.activities:
        tag = "activity-alias" if act.target_activity else "activity"
        a_attrs: dict[str, axml.AttrValue] = {"android:name": spec.qualify(act.name)}
        if act.exported is not None:
            a_attrs["android:exported"] = act.exported
        if act.launch_mode != "standard":
            a_attrs["android:launchMode"] = act.launch_mode
        if act.task_affinity is not None:
            a_attrs["android:taskAffinity"] = act.task_affinity
        if act.label:
            a_attrs["android:label"] = act.label
        if act.target_activity:
            a_attrs["android:targetActivity"] = spec.qualify(act.target_activity)
        el = app.add(tag, a_attrs)
        for flt in act.intent_filters:
            f_el = el.add("intent-filter", {"android:priority": flt.priority} if flt.priority else {})
            for action in flt.actions:
                f_el.add("action", {"android:name": action})
            for category in flt.categories:
                f_el.add("category", {"android:name": category})
            for d in flt.data:
                d_attrs: dict[str, axml.AttrValue] = {}
                for attr, dvalue in (
                    ("scheme", d.scheme),
                    ("host", d.host),
                    ("port", d.port),
                    ("path", d.path),
                    ("pathPrefix", d.path_prefix),
                    ("pathPattern", d.path_pattern),
                    ("mimeType", d.mime_type),
                ):
                    if dvalue is not None:
                        d_attrs[f"android:{attr}"] = dvalue
                f_el.add("data", d_attrs)
        for key, value in act.meta_data.items():
            el.add("meta-data", {"android:name": key, "android:value": value})
    return root


def build_apk(
    spec: ManifestSpec | Element,
    assets: dict[str, bytes] | None = None,
    files: dict[str, bytes] | None = None,
) -> bytes:
    """A minimal APK: binary manifest, placeholder ``classes.dex``, ``assets/…`` and extra files."""
    root = spec if isinstance(spec, Element) else manifest_element(spec)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("AndroidManifest.xml", axml.encode(root))
        zf.writestr("classes.dex", DEX_PLACEHOLDER)
        for name, data in sorted((assets or {}).items()):
            zf.writestr(f"assets/{name}", data)
        for name, data in sorted((files or {}).items()):
            zf.writestr(name, data)
    return out.getvalue()


# --- parsing ---------------------------------------------------------------------------------------
@dataclass
class _Node:
    tag: str
    attrs: dict[str, str | int | bool]
    children: list[_Node] = field(default_factory=list)

    def all(self, tag: str) -> list[_Node]:
        return [c for c in self.children if c.tag == tag]


_ID_TO_ATTR = {v: k for k, v in ANDROID_ATTR_IDS.items()}


def read_manifest_bytes(apk: bytes) -> bytes:
    """The raw AXML of ``AndroidManifest.xml`` inside an APK (apkInspector reads the zip)."""
    if len(apk) < 22 or not apk.startswith(b"PK"):
        raise ApkError("INSTALL_PARSE_FAILED_NOT_APK", "Failed to load asset path")
    try:
        entry = ZipEntry.parse(io.BytesIO(apk))
    except Exception as exc:
        raise ApkError(
            "INSTALL_PARSE_FAILED_NOT_APK", f"Failed to load asset path ({exc.__class__.__name__})"
        ) from exc
    if "AndroidManifest.xml" not in entry.infolist():
        raise ApkError("INSTALL_PARSE_FAILED_BAD_MANIFEST", "Failed to read manifest from base.apk")
    try:
        return bytes(entry.read("AndroidManifest.xml"))
    except Exception as exc:
        raise ApkError("INSTALL_PARSE_FAILED_BAD_MANIFEST", "Failed to read manifest from base.apk") from exc


def _tree(axml_bytes: bytes) -> _Node:
    try:
        manifest = ManifestStruct.parse(io.BytesIO(axml_bytes))
    except Exception as exc:
        raise ApkError(
            "INSTALL_PARSE_FAILED_MANIFEST_MALFORMED", f"Failed to parse AndroidManifest.xml ({exc})"
        ) from exc
    strings: list[str] = manifest.string_pool.string_list
    resids: list[int] = manifest.resource_map.resids
    root: _Node | None = None
    stack: list[_Node] = []

    def string(i: int) -> str:
        return strings[i] if 0 <= i < len(strings) else ""

    for el in manifest.elements:
        if isinstance(el, XmlStartElement):
            attrs: dict[str, str | int | bool] = {}
            for a in el.attributes:
                name = string(a.name_index)
                if not name and a.name_index < len(resids):
                    name = _ID_TO_ATTR.get(resids[a.name_index], "")
                ns = string(a.full_namespace_index) if a.full_namespace_index != axml.NO_INDEX else ""
                key = f"android:{name}" if ns == ANDROID_NS else name
                if a.typed_value_datatype == axml.TYPE_STRING:
                    value: str | int | bool = string(a.typed_value_data)
                elif a.typed_value_datatype == axml.TYPE_INT_BOOLEAN:
                    value = bool(a.typed_value_data)
                elif a.typed_value_datatype in (axml.TYPE_INT_DEC, axml.TYPE_INT_HEX):
                    raw = int(a.typed_value_data)
                    value = raw - (1 << 32) if raw >= 1 << 31 else raw
                elif a.typed_value_datatype == axml.TYPE_REFERENCE:
                    value = f"@{a.typed_value_data:08x}"
                else:
                    value = (
                        string(a.raw_value_index)
                        if a.raw_value_index != axml.NO_INDEX
                        else str(a.typed_value_data)
                    )
                attrs[key] = value
            node = _Node(string(el.attrext[1]), attrs)
            if stack:
                stack[-1].children.append(node)
            elif root is None:
                root = node
            stack.append(node)
        elif isinstance(el, XmlEndElement) and stack:
            stack.pop()
    if root is None or root.tag != "manifest":
        raise ApkError("INSTALL_PARSE_FAILED_MANIFEST_MALFORMED", "<manifest> has no root element")
    return root


def _str(node: _Node, key: str, default: str | None = None) -> str | None:
    v = node.attrs.get(key)
    return default if v is None else str(v)


def _meta(node: _Node) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in node.all("meta-data"):
        name = _str(m, "android:name")
        if name:
            out[name] = _str(m, "android:value", _str(m, "android:resource", "")) or ""
    return out


def parse_manifest(axml_bytes: bytes) -> ManifestSpec:
    """Turn AXML into a :class:`ManifestSpec` (names fully qualified, launch modes as words)."""
    root = _tree(axml_bytes)
    package = _str(root, "package")
    if not package or "." not in package:
        raise ApkError("INSTALL_PARSE_FAILED_BAD_PACKAGE_NAME", f"Invalid manifest package: {package!r}")
    version_code = root.attrs.get("android:versionCode", 1)
    spec = ManifestSpec(
        package=package,
        version_code=int(version_code) if not isinstance(version_code, bool) else 1,
        version_name=_str(root, "android:versionName", "") or "",
    )
    for sdk in root.all("uses-sdk"):
        spec.min_sdk = int(sdk.attrs.get("android:minSdkVersion", 1))
        spec.target_sdk = int(sdk.attrs.get("android:targetSdkVersion", spec.min_sdk))
    spec.uses_permissions = [p for u in root.all("uses-permission") if (p := _str(u, "android:name"))]
    for inst in root.all("instrumentation"):
        name = _str(inst, "android:name")
        if name:
            spec.instrumentations.append(
                InstrumentationSpec(
                    spec.qualify(name),
                    _str(inst, "android:targetPackage", package) or package,
                    _str(inst, "android:label"),
                )
            )
    modes = {v: k for k, v in ENUMS["launchMode"].items()}
    for app in root.all("application"):
        spec.label = _str(app, "android:label")
        spec.test_only = bool(app.attrs.get("android:testOnly", False))
        spec.debuggable = bool(app.attrs.get("android:debuggable", False))
        spec.meta_data.update(_meta(app))
        for act in [c for c in app.children if c.tag in ("activity", "activity-alias")]:
            name = _str(act, "android:name")
            if not name:
                raise ApkError(
                    "INSTALL_PARSE_FAILED_MANIFEST_MALFORMED", "<activity> does not have valid android:name"
                )
            mode = act.attrs.get("android:launchMode", 0)
            exported = act.attrs.get("android:exported")
            filters = []
            for f in act.all("intent-filter"):
                filters.append(
                    IntentFilterSpec(
                        actions=[a for x in f.all("action") if (a := _str(x, "android:name"))],
                        categories=[c for x in f.all("category") if (c := _str(x, "android:name"))],
                        data=[
                            DataSpec(
                                scheme=_str(d, "android:scheme"),
                                host=_str(d, "android:host"),
                                port=_str(d, "android:port"),
                                path=_str(d, "android:path"),
                                path_prefix=_str(d, "android:pathPrefix"),
                                path_pattern=_str(d, "android:pathPattern"),
                                mime_type=_str(d, "android:mimeType"),
                            )
                            for d in f.all("data")
                        ],
                        priority=int(f.attrs.get("android:priority", 0)),
                    )
                )
            target = _str(act, "android:targetActivity")
            spec.activities.append(
                ActivitySpec(
                    name=spec.qualify(name),
                    exported=bool(exported) if exported is not None else None,
                    launch_mode=modes.get(int(mode), "standard") if not isinstance(mode, str) else mode,
                    intent_filters=filters,
                    meta_data=_meta(act),
                    task_affinity=_str(act, "android:taskAffinity"),
                    label=_str(act, "android:label"),
                    target_activity=spec.qualify(target) if target else None,
                )
            )
    return spec


def parse_apk(apk: bytes) -> ManifestSpec:
    """Parse an APK's manifest; raises :class:`ApkError` with a PackageManager failure code."""
    return parse_manifest(read_manifest_bytes(apk))


def read_asset(apk: bytes, name: str) -> bytes | None:
    """A file from the APK (``assets/…`` or any entry), or None — what runtimes load their code from."""
    try:
        with zipfile.ZipFile(io.BytesIO(apk)) as zf:
            return zf.read(name)
    except (KeyError, zipfile.BadZipFile):
        return None
