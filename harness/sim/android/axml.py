"""A writer for Android's binary XML (AXML), the format of a compiled ``AndroidManifest.xml``.

Virtual apps ship as real APKs so the package manager parses them with the same library
(apkInspector) it would use on an APK built by ``aapt2``; this module is the compiling half.
The layout follows ``ResourceTypes.h``: a ``RES_XML_TYPE`` chunk holding a UTF-16 string pool,
a resource map that gives ``android:`` attribute names their framework resource ids (the string
pool lists those names first, as aapt does), then namespace and element chunks.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

ANDROID_NS = "http://schemas.android.com/apk/res/android"

RES_STRING_POOL_TYPE = 0x0001
RES_XML_TYPE = 0x0003
RES_XML_START_NAMESPACE_TYPE = 0x0100
RES_XML_END_NAMESPACE_TYPE = 0x0101
RES_XML_START_ELEMENT_TYPE = 0x0102
RES_XML_END_ELEMENT_TYPE = 0x0103
RES_XML_RESOURCE_MAP_TYPE = 0x0180

TYPE_REFERENCE = 0x01
TYPE_STRING = 0x03
TYPE_INT_DEC = 0x10
TYPE_INT_HEX = 0x11
TYPE_INT_BOOLEAN = 0x12
NO_INDEX = 0xFFFFFFFF

#: Framework resource ids of the ``android:`` attributes manifests use (``android.R.attr``).
ANDROID_ATTR_IDS: dict[str, int] = {
    "theme": 0x01010000,
    "label": 0x01010001,
    "icon": 0x01010002,
    "name": 0x01010003,
    "permission": 0x01010006,
    "hasCode": 0x0101000C,
    "enabled": 0x0101000E,
    "debuggable": 0x0101000F,
    "exported": 0x01010010,
    "process": 0x01010011,
    "taskAffinity": 0x01010012,
    "excludeFromRecents": 0x01010017,
    "authorities": 0x01010018,
    "grantUriPermissions": 0x0101001B,
    "priority": 0x0101001C,
    "launchMode": 0x0101001D,
    "screenOrientation": 0x0101001E,
    "configChanges": 0x0101001F,
    "targetPackage": 0x01010021,
    "handleProfiling": 0x01010022,
    "functionalTest": 0x01010023,
    "value": 0x01010024,
    "resource": 0x01010025,
    "mimeType": 0x01010026,
    "scheme": 0x01010027,
    "host": 0x01010028,
    "port": 0x01010029,
    "path": 0x0101002A,
    "pathPrefix": 0x0101002B,
    "pathPattern": 0x0101002C,
    "targetActivity": 0x01010202,
    "minSdkVersion": 0x0101020C,
    "versionCode": 0x0101021B,
    "versionName": 0x0101021C,
    "noHistory": 0x0101022D,
    "targetSdkVersion": 0x01010270,
    "allowBackup": 0x01010280,
    "testOnly": 0x01010272,
    "extractNativeLibs": 0x010104EA,
    "usesCleartextTraffic": 0x010104EC,
    "compileSdkVersion": 0x01010572,
    "compileSdkVersionCodename": 0x01010573,
}

#: Enum attributes aapt compiles to integers.
ENUMS: dict[str, dict[str, int]] = {
    "launchMode": {
        "standard": 0,
        "singleTop": 1,
        "singleTask": 2,
        "singleInstance": 3,
        "singleInstancePerTask": 4,
    },
    "screenOrientation": {
        "unspecified": -1,
        "landscape": 0,
        "portrait": 1,
        "user": 2,
        "behind": 3,
        "sensor": 4,
    },
}
BOOLEAN_ATTRS = {
    "exported",
    "enabled",
    "debuggable",
    "hasCode",
    "excludeFromRecents",
    "grantUriPermissions",
    "handleProfiling",
    "functionalTest",
    "noHistory",
    "allowBackup",
    "testOnly",
    "extractNativeLibs",
    "usesCleartextTraffic",
}
INT_ATTRS = {"versionCode", "minSdkVersion", "targetSdkVersion", "priority", "compileSdkVersion"}

AttrValue = str | int | bool


@dataclass
class Element:
    """One XML element; attribute keys are ``android:name`` style or plain (``package``)."""

    tag: str
    attrs: dict[str, AttrValue] = field(default_factory=dict)
    children: list[Element] = field(default_factory=list)

    def add(self, tag: str, attrs: dict[str, AttrValue] | None = None) -> Element:
        """Append and return a child, so builders read like the XML they produce."""
        child = Element(tag, dict(attrs or {}))
        self.children.append(child)
        return child


def _typed(name: str, value: AttrValue) -> tuple[int, int, str | None]:
    """(data type, data, raw string) for one android: attribute, compiled as aapt would."""
    if isinstance(value, bool):
        return TYPE_INT_BOOLEAN, 0xFFFFFFFF if value else 0, None
    if name in BOOLEAN_ATTRS and isinstance(value, str) and value in ("true", "false"):
        return TYPE_INT_BOOLEAN, 0xFFFFFFFF if value == "true" else 0, None
    if name in ENUMS and isinstance(value, str):
        if value not in ENUMS[name]:
            raise ValueError(f"android:{name}={value!r} is not one of {sorted(ENUMS[name])}")
        return TYPE_INT_DEC, ENUMS[name][value] & 0xFFFFFFFF, None
    if isinstance(value, int):
        return TYPE_INT_DEC, value & 0xFFFFFFFF, None
    if name in INT_ATTRS and value.lstrip("-").isdigit():
        return TYPE_INT_DEC, int(value) & 0xFFFFFFFF, None
    return TYPE_STRING, 0, value


class _Pool:
    def __init__(self) -> None:
        self.strings: list[str] = []
        self.index: dict[str, int] = {}

    def add(self, s: str) -> int:
        if s not in self.index:
            self.index[s] = len(self.strings)
            self.strings.append(s)
        return self.index[s]

    def encode(self) -> bytes:
        offsets, data = [], bytearray()
        for s in self.strings:
            offsets.append(len(data))
            units = s.encode("utf-16-le")
            n = len(units) // 2
            if n > 0x7FFF:
                data += struct.pack("<HH", 0x8000 | (n >> 16), n & 0xFFFF)
            else:
                data += struct.pack("<H", n)
            data += units + b"\x00\x00"
        while len(data) % 4:
            data += b"\x00"
        header_size = 28
        strings_start = header_size + 4 * len(offsets)
        body = b"".join(struct.pack("<I", o) for o in offsets) + bytes(data)
        size = header_size + len(body)
        header = struct.pack(
            "<HHIIIIII", RES_STRING_POOL_TYPE, header_size, size, len(self.strings), 0, 0, strings_start, 0
        )
        return header + body


def encode(root: Element) -> bytes:
    """Compile an element tree to AXML bytes."""
    pool = _Pool()
    # aapt puts attribute names that have resource ids first, in resource-map order
    attr_names: list[str] = []

    def collect(el: Element) -> None:
        for key in el.attrs:
            prefix, _, local = key.rpartition(":")
            if prefix == "android" and local in ANDROID_ATTR_IDS and local not in attr_names:
                attr_names.append(local)
        for child in el.children:
            collect(child)

    collect(root)
    for name in attr_names:
        pool.add(name)
    pool.add("android")
    pool.add(ANDROID_NS)

    body = bytearray()
    line = 1

    def node_header(kind: int, size: int) -> bytes:
        return struct.pack("<HHIII", kind, 16, size, line, NO_INDEX)

    body += node_header(RES_XML_START_NAMESPACE_TYPE, 24) + struct.pack(
        "<II", pool.add("android"), pool.add(ANDROID_NS)
    )

    def emit(el: Element) -> None:
        nonlocal line
        attrs = []
        for key, value in el.attrs.items():
            prefix, _, local = key.rpartition(":")
            if prefix not in ("", "android"):
                raise ValueError(f"unsupported namespace prefix in {key!r}")
            ns = pool.add(ANDROID_NS) if prefix == "android" else NO_INDEX
            name_idx = pool.add(local)
            dtype, data, raw = _typed(local, value) if prefix == "android" else (TYPE_STRING, 0, str(value))
            raw_idx = NO_INDEX
            if dtype == TYPE_STRING:
                assert raw is not None
                raw_idx = data = pool.add(raw)
            # aapt2 order: framework attributes by resource id, then the rest (``package``) by name
            sort_key = (
                (0, ANDROID_ATTR_IDS.get(local, 0x7FFFFFFF), "") if prefix == "android" else (1, 0, local)
            )
            attrs.append((sort_key, struct.pack("<IIIHBBI", ns, name_idx, raw_idx, 8, 0, dtype, data)))
        attrs.sort(key=lambda a: a[0])
        tag_idx = pool.add(el.tag)
        size = 16 + 20 + 20 * len(attrs)
        chunk = node_header(RES_XML_START_ELEMENT_TYPE, size)
        chunk += struct.pack("<IIHHHHHH", NO_INDEX, tag_idx, 20, 20, len(attrs), 0, 0, 0)
        chunk += b"".join(a[1] for a in attrs)
        body.extend(chunk)
        line += 1
        for child in el.children:
            emit(child)
        body.extend(node_header(RES_XML_END_ELEMENT_TYPE, 24) + struct.pack("<II", NO_INDEX, tag_idx))
        line += 1

    emit(root)
    body += node_header(RES_XML_END_NAMESPACE_TYPE, 24) + struct.pack(
        "<II", pool.add("android"), pool.add(ANDROID_NS)
    )

    res_map = b"".join(struct.pack("<I", ANDROID_ATTR_IDS[n]) for n in attr_names)
    res_chunk = struct.pack("<HHI", RES_XML_RESOURCE_MAP_TYPE, 8, 8 + len(res_map)) + res_map
    payload = pool.encode() + res_chunk + bytes(body)
    return struct.pack("<HHI", RES_XML_TYPE, 8, 8 + len(payload)) + payload
