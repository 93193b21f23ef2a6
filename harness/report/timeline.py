"""The callback timeline as a small self-contained HTML page (no scripts, no external files).

Input is the recorder's ``timeline_json()`` document, so the page and the JSON next to it
never disagree. Everything from the device is escaped: payloads are untrusted text.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html import escape
from typing import Any

STYLE = """
body{font:13px/1.4 system-ui,sans-serif;margin:1em;color:#222}
h1{font-size:16px}table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f3f3f3}pre{margin:0;white-space:pre-wrap;word-break:break-all;font:12px monospace}
tr.bad td{background:#fde8e8}tr.dev td{background:#fff6dd}.none{color:#777}
"""


def _time(value: Any) -> str:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).strftime("%H:%M:%S.%f")[:-3]
    return escape(str(value or ""))


def _row(event: dict[str, Any]) -> str:
    violations = event.get("violations") or []
    problems = list(violations) + list(event.get("frame_problems") or [])
    deviations = event.get("deviations") or []
    css = "bad" if problems else ("dev" if deviations else "")
    iap = ", ".join(f"{i['code']} {i['name']}" for i in event.get("iap") or [])
    notes = "".join(f"<div>✗ {escape(p)}</div>" for p in problems)
    notes += "".join(f"<div>△ {escape(d)}</div>" for d in deviations)
    return (
        f'<tr class="{css}"><td>{event.get("index", "")}</td><td>{_time(event.get("host_time"))}'
        f"<br><span class=none>{escape(str(event.get('device_time') or ''))}</span></td>"
        f"<td>{escape(str(event.get('seq', '')))}</td><td>{escape(str(event.get('channel', '')))}</td>"
        f"<td><pre>{escape(str(event.get('payload', '')))}</pre></td><td>{escape(iap)}</td>"
        f"<td>{notes}</td></tr>"
    )


def timeline_html(timeline: str | dict[str, Any], title: str = "Callback timeline") -> str:
    doc: dict[str, Any] = json.loads(timeline) if isinstance(timeline, str) else timeline
    events = doc.get("events") or []
    rows = "".join(_row(e) for e in events) or "<tr><td colspan=7 class=none>no callbacks</td></tr>"
    iap = "".join(
        "<li>" + escape(f"{c.get('code')} {c.get('name')} (seq={c.get('seq')})") + "</li>"
        for c in doc.get("iap_codes") or []
    )
    states = "".join(f"<li>{escape(str(v))}</li>" for v in doc.get("state_violations") or [])
    meta = (
        f"plugin profile {escape(str(doc.get('profile', '?')))}, mode {escape(str(doc.get('mode', '?')))}, "
        f"contract {'strict' if doc.get('strict') else 'report'}, {len(events)} event(s)"
    )
    return (
        f"<!doctype html><html><head><meta charset=utf-8><title>{escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1><p>{meta}</p>"
        "<table><tr><th>#</th><th>time (host / device)</th><th>seq</th><th>channel</th>"
        f"<th>payload</th><th>IAP code</th><th>contract</th></tr>{rows}</table>"
        + (f"<h2>IAP codes</h2><ul>{iap}</ul>" if iap else "")
        + (f"<h2>State violations</h2><ul>{states}</ul>" if states else "")
        + "</body></html>"
    )
