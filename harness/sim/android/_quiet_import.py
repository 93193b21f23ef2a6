"""Import apkInspector without letting it reconfigure the whole process's logging.

apkInspector's ``axml`` module calls ``logging.basicConfig(level=DEBUG)`` at import time,
which turns on DEBUG output for every library in the sim daemon, the harness and pytest.
We snapshot the root logger, import, and put it back.
"""

from __future__ import annotations

import logging
from typing import Any


def apkinspector_modules() -> tuple[Any, Any, Any, Any]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from apkInspector.axml import ManifestStruct, XmlEndElement, XmlStartElement
        from apkInspector.headers import ZipEntry
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    return ManifestStruct, XmlEndElement, XmlStartElement, ZipEntry
