"""The bridge driven by Poco's own client (pocoui's ``StdPoco``) through ``adb forward``.

The game runs on a virtual device attached to the real adb server; pocoui runs in its own
small environment (see pocoui_env.py) as a separate process, exactly as a QA engineer's
Poco script or AirtestIDE would reach a phone.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from harness.sim.defold.build import build_apk

from .device_fixtures import GAME, PACKAGE, SAMPLE_APP, LogWatcher
from .pocoui_env import pocoui_python

POCO_SCRIPT = """
import json, sys
from poco.drivers.std import StdPoco
poco = StdPoco(port=int(sys.argv[1]), ip="127.0.0.1", use_airtest_input=False)
button = poco("btn_products")
report = {
    "sdk": poco.agent.get_sdk_version(),
    "screen": list(poco.agent.screen.getPortSize()),
    "exists": button.exists(),
    "position": button.get_position(),
    "label": poco("lbl_products").get_text(),
}
button.click()
print(json.dumps(report))
"""


def test_std_poco_reads_the_tree_and_clicks_through_adb_forward(
    game_device, plugin, tmp_path: Path, private_adb
):
    python = pocoui_python()
    hosted, dev = game_device
    apk = build_apk(SAMPLE_APP, tmp_path / "sample.apk")
    assert "Success" in private_adb.run("-s", hosted.serial, "install", str(apk))
    logs = LogWatcher(dev)
    try:
        dev.shell(f"am start -W -n {GAME}")
        logs.wait_for(r"poco: listening on port 15004")
        local = dev.forward_port(15004)
        done = subprocess.run(
            [str(python), "-c", POCO_SCRIPT, str(local)], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout.strip().splitlines()[-1])
        width, height = map(int, dev.shell("wm size").split(":")[-1].strip().split("x"))
        assert report["sdk"] == "defold-poco-std-1.0"
        assert report["screen"] == [width, height]
        assert report["exists"] is True
        assert report["label"] == "Products"
        x, y = report["position"]
        assert 0 < x < 1 and 0 < y < 1
        logs.wait_for(r"ui: click btn_products")
        assert dev.shell(f"pidof {PACKAGE}").strip().isdigit()
    finally:
        logs.close()
