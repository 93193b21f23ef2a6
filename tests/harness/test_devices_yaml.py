"""devices.yaml v1: the loader's one clear message per bad input, secrets masked everywhere."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

from harness.config import ConfigError, DevicesConfig, Secret, load_config, parse_config, reveal

ROOT = Path(__file__).resolve().parents[2]
ENV = {"FARM_USER": "alice-user", "FARM_KEY": "s3cr3t-KEY-value"}

BASE = """\
default_pool: virtual
app:
  package: ru.rustore.sample.billing
  deeplink_scheme: rustoresample
pools:
  virtual:
    kind: virtual
    count: 2
"""

FARM = """\
  farm:
    kind: remote
    url: https://hub.example.com/wd/hub
    capabilities:
      platformName: Android
      "bstack:options": {accessKey: "${FARM_KEY}", userName: bob}
    credentials:
      username: ${FARM_USER}
      password: ${FARM_KEY}
    devices:
      - name: pixel-7
        capabilities: {deviceName: "Pixel 7", token: "${FARM_KEY}"}
"""

USB = """\
  usb:
    kind: adb
    devices:
      - serial: R58M123ABC
      - serial: emulator-5554
"""

MALFORMED = [
    ("empty file", "", "devices.yaml:1: (top level): the file is empty; expected a mapping with "
     "default_pool, app and pools (see docs/devices-yaml.md)"),
    ("comments only", "# nothing here\n", "devices.yaml:1: (top level): the file is empty; expected a mapping with "  # noqa: E501
     "default_pool, app and pools (see docs/devices-yaml.md)"),
    ("yaml syntax", BASE.replace("count: 2", "count: [2"),
     "devices.yaml:9:1: YAML syntax error: expected ',' or ']', but got '<stream end>' "
     "(while parsing a flow sequence)"),
    ("bad indentation", BASE.replace("    kind: virtual", "   kind: virtual"),
     "devices.yaml:8:10: YAML syntax error: mapping values are not allowed here"),
    ("top level list", "- virtual\n- usb\n", "devices.yaml:1: (top level): expected a mapping, found a list"),
    ("unknown key", BASE.replace("count: 2", "cuont: 2"),
     "devices.yaml:8: pools.virtual.cuont: unknown key 'cuont' (did you mean 'count'?); "
     "expected one of: kind, count, profile, plugin, mode, latency"),
    ("unknown top-level key", BASE + "defualt_pool: usb\n",
     "devices.yaml:9: defualt_pool: unknown key 'defualt_pool' (did you mean 'default_pool'?); "
     "expected one of: version, default_pool, app, appium, locators, pools"),
    ("count zero", BASE.replace("count: 2", "count: 0"),
     "devices.yaml:8: pools.virtual.count: expected an integer >= 1, found 0"),
    ("count text", BASE.replace("count: 2", "count: two"),
     "devices.yaml:8: pools.virtual.count: expected an integer, found 'two'"),
    ("unknown kind", BASE.replace("kind: virtual", "kind: virtal"),
     "devices.yaml:7: pools.virtual.kind: unknown kind 'virtal' (did you mean 'virtual'?); "
     "expected one of: adb, emulator, remote, virtual"),
    ("missing kind", BASE.replace("    kind: virtual\n", ""),
     "devices.yaml:6: pools.virtual.kind: missing required key; expected one of: adb, emulator, remote, virtual"),  # noqa: E501
    ("unknown default pool", BASE.replace("default_pool: virtual", "default_pool: virt"),
     "devices.yaml:1: default_pool: unknown pool 'virt' (did you mean 'virtual'?); pools in this file: virtual"),  # noqa: E501
    ("missing default pool", BASE.replace("default_pool: virtual\n", ""),
     "devices.yaml:1: default_pool: missing required key"),
    ("missing env var", BASE + FARM,
     "devices.yaml:14: pools.farm.capabilities.bstack:options.accessKey: environment variable FARM_KEY is not "  # noqa: E501
     "set (referenced as ${FARM_KEY})"),
    ("literal password", BASE + FARM.replace("password: ${FARM_KEY}", "password: hunter2"),
     "devices.yaml:17: pools.farm.credentials.password: credentials must come from the environment: write "
     "${NAME} and export NAME (a secret written in the file would end up in version control)"),
    ("env outside allowed fields", BASE.replace("count: 2", "count: 2\n    profile: ${PROFILE}"),
     "devices.yaml:9: pools.virtual.profile: ${...} environment references are allowed only in a remote pool's "  # noqa: E501
     "url, node_url, credentials and capabilities"),
    ("duplicate serials", BASE + USB.replace("emulator-5554", "R58M123ABC"),
     "devices.yaml:13: pools.usb.devices[1].serial: duplicate serial 'R58M123ABC' in pool 'usb' "
     "(already at line 12)"),
    ("bad url", BASE + FARM.replace("https://hub.example.com/wd/hub", "hub.example.com:4444"),
     "devices.yaml:11: pools.farm.url: expected an http(s) URL such as https://hub.example.com/wd/hub, "
     "found 'hub.example.com:4444'"),
    ("node_url without a grid",
     BASE + FARM.replace("    devices:", "    node_url: http://node-1:4723\n    devices:"),
     "devices.yaml:10: pools.farm: node_url names the Appium server behind a Selenium Grid node; it needs "
     "server: selenium-grid (with server: appium, url is that server)"),
    ("bad node_url", BASE + FARM.replace("kind: remote", "kind: remote\n    server: selenium-grid").replace(
        "capabilities: {deviceName", "node_url: node-1:4723\n        capabilities: {deviceName"),
     "devices.yaml:21: pools.farm.devices[0].node_url: expected an http(s) URL such as "
     "https://hub.example.com/wd/hub, found 'node-1:4723'"),
    ("password in url", BASE + FARM.replace("https://hub", "https://bob:pw@hub"),
     "devices.yaml:11: pools.farm.url: the URL holds a password; write that part as ${NAME} and export NAME"),
    ("bad mode", BASE.replace("count: 2", "count: 2\n    mode: fast"),
     "devices.yaml:9: pools.virtual.mode: expected one of faithful, fixed, found 'fast'"),
    ("plugin as number", BASE.replace("count: 2", "count: 2\n    plugin: 5.0"),
     "devices.yaml:9: pools.virtual.plugin: expected one of 6.0.0, 5.0.1, found 5.0 "
     "(YAML read a number: quote the value)"),
    ("port as string", BASE + "appium:\n  port: '4723'\n",
     "devices.yaml:10: appium.port: expected an integer, found '4723'"),
    ("port out of range", BASE + "appium:\n  port: 70000\n",
     "devices.yaml:10: appium.port: expected an integer <= 65535, found 70000"),
    ("empty device list", BASE + "  usb:\n    kind: adb\n    devices: []\n",
     "devices.yaml:11: pools.usb.devices: expected at least 1 item, found none"),
    ("no pools", BASE.split("pools:")[0] + "pools: {}\n",
     "devices.yaml:5: pools: expected at least 1 pool, found none"),
    ("device not a mapping", BASE + "  usb:\n    kind: adb\n    devices:\n      - R58M123ABC\n",
     "devices.yaml:12: pools.usb.devices[0]: expected a mapping, found 'R58M123ABC'"),
    ("duplicate key", BASE.replace("count: 2", "count: 2\n    count: 3"),
     "devices.yaml:9: pools.virtual.count: duplicate key 'count' (first at line 8)"),
    ("apk for unknown pool", BASE.replace("app:\n", "app:\n  apk:\n    usbb: build/game.apk\n") + USB,
     "devices.yaml:4: app.apk.usbb: unknown pool 'usbb' (did you mean 'usb'?); pools in this file: usb, virtual"),  # noqa: E501
    ("auto apk on a phone pool", BASE.replace("app:\n", "app:\n  apk:\n    usb: auto\n") + USB,
     "devices.yaml:4: app.apk.usb: 'auto' builds the APK for virtual pools only; give the path of an .apk "
     "for pool 'usb' (kind adb)"),
    ("bad package", BASE.replace("ru.rustore.sample.billing", "sample"),
     "devices.yaml:3: app.package: expected an Android package name like 'ru.rustore.sample.billing', "
     "found 'sample'"),
    ("unsupported version", "version: 2\n" + BASE,
     "devices.yaml:1: version: unsupported version 2; this harness reads version 1"),
    ("bad profile", BASE.replace("count: 2", "count: 2\n    profile: pixel7"),
     "devices.yaml:9: pools.virtual.profile: expected a device profile like 'pixel-7-api-34', found 'pixel7'"),  # noqa: E501
]  # fmt: skip


@pytest.mark.parametrize(("case", "text", "message"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_file_gives_one_exact_message(case: str, text: str, message: str) -> None:
    env = {"FARM_USER": "alice-user"}  # FARM_KEY deliberately unset
    if case in ("literal password", "bad url", "password in url", "node_url without a grid", "bad node_url"):
        env = ENV
    with pytest.raises(ConfigError) as info:
        parse_config(text, "devices.yaml", env)
    assert str(info.value) == message
    assert "s3cr3t" not in str(info.value) and "alice-user" not in str(info.value)


def test_at_least_fifteen_malformed_cases() -> None:
    assert len(MALFORMED) >= 15


def test_messages_name_the_real_file(tmp_path: Path) -> None:
    path = tmp_path / "farm.yaml"
    path.write_text(BASE.replace("count: 2", "count: -1"))
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert str(info.value) == f"{path}:8: pools.virtual.count: expected an integer >= 1, found -1"
    with pytest.raises(ConfigError, match=r"no such file \(pass --devices-file, or create devices.yaml\)"):
        load_config(tmp_path / "missing.yaml", env={})


def test_secrets_never_appear_in_messages_reprs_or_dumps() -> None:
    config = parse_config(BASE + FARM, "devices.yaml", ENV)
    farm = config.pools["farm"]
    shown = [
        repr(config),
        str(config),
        str(config.model_dump()),
        config.model_dump_json(),
        str(config.report_dump()),
        f"{farm.credentials}",
        repr(pickle.loads(pickle.dumps(config))),
    ]
    for text in shown:
        assert "s3cr3t" not in text and "alice-user" not in text
    assert config.report_dump()["pools"]["farm"]["credentials"] == {"username": "***", "password": "***"}
    assert config.report_dump()["pools"]["farm"]["devices"][0]["capabilities"]["token"] == "***"
    # the code that talks to the farm still gets the values
    assert farm.credentials is not None and farm.credentials.password.reveal() == ENV["FARM_KEY"]
    assert reveal(farm.capabilities)["bstack:options"]["accessKey"] == ENV["FARM_KEY"]
    bad_url = BASE + FARM.replace("https://hub.example.com/wd/hub", "ftp://${FARM_USER}:${FARM_KEY}@hub")
    with pytest.raises(ConfigError) as info:
        parse_config(bad_url, "devices.yaml", ENV)
    assert "found 'ftp://${FARM_USER}:${FARM_KEY}@hub'" in str(info.value)
    assert "s3cr3t" not in str(info.value)
    assert str(Secret("x")) == "***" and repr(Secret("x")) == "Secret('***')" and f"{Secret('x')}" == "***"


def test_url_from_the_environment_is_masked_but_usable() -> None:
    text = BASE + FARM.replace(
        "https://hub.example.com/wd/hub", "https://${FARM_USER}:${FARM_KEY}@hub/wd/hub"
    )
    config = parse_config(text, "devices.yaml", ENV)
    assert config.report_dump()["pools"]["farm"]["url"] == "***"
    assert reveal(config.pools["farm"].url) == "https://alice-user:s3cr3t-KEY-value@hub/wd/hub"


def test_credentials_ride_in_the_server_url_for_the_code_that_connects() -> None:
    farm = parse_config(BASE + FARM, "devices.yaml", ENV).pools["farm"]
    assert farm.server_url() == "https://alice-user:s3cr3t-KEY-value@hub.example.com/wd/hub"  # type: ignore[union-attr]
    # --appium-url (a grid's node) gets them too, unless it names its own
    node = farm.server_url("http://node-1:4723")  # type: ignore[union-attr]
    assert node == "http://alice-user:s3cr3t-KEY-value@node-1:4723"
    assert farm.server_url("http://me:mine@node-1:4723") == "http://me:mine@node-1:4723"  # type: ignore[union-attr]


def test_a_valid_file_with_every_kind_and_yaml_merge_keys(tmp_path: Path) -> None:
    text = (
        BASE.replace("app:\n", "app:\n  apk:\n    usb: build/game.apk\n")
        + USB
        + FARM
        + (
            "  emulators:\n"
            "    kind: emulator\n"
            "    devices:\n"
            "      - &pixel {avd: Pixel_7_API_34, boot: {headless: true, args: [-no-snapshot], timeout: 240}}\n"  # noqa: E501
            "      - {<<: *pixel, avd: Pixel_5_API_31}\n"
        )
    )
    path = tmp_path / "devices.yaml"
    path.write_text(text)
    config = load_config(path, env=ENV)
    assert [d.id for d in config.devices()] == ["virtual-1", "virtual-2"]
    assert [d.id for d in config.devices("usb")] == ["R58M123ABC", "emulator-5554"]
    assert [d.id for d in config.devices("emulators")] == ["Pixel_7_API_34", "Pixel_5_API_31"]
    assert config.pools["emulators"].devices[1].boot.timeout == 240  # type: ignore[union-attr]
    assert config.apk_for("usb") == tmp_path / "build" / "game.apk"
    assert config.apk_for("virtual") == "auto" and config.apk_for("farm") is None
    with pytest.raises(ConfigError, match=r"--pool: unknown pool 'farn' \(did you mean 'farm'\?\)"):
        config.pool("farn")


def test_the_repository_default_devices_yaml_loads() -> None:
    config = load_config(ROOT / "devices.yaml", env={})
    assert isinstance(config, DevicesConfig)
    assert config.default_pool == "virtual"
    pool = config.pool()
    assert pool.kind == "virtual" and pool.count == 2 and pool.profile == "pixel-7-api-34"  # type: ignore[union-attr]


def test_the_commented_example_pools_of_the_default_file_are_valid() -> None:
    head, pools = (ROOT / "devices.yaml").read_text().split("\npools:\n")
    head = head.replace("    # usb: build", "    usb: build").replace(
        "    # emulators: build", "    emulators: build"
    )
    head = head.replace("    # farm: build", "    farm: build")
    uncommented = "\n".join(re.sub(r"^  # ", "  ", line) for line in pools.splitlines())
    config = parse_config(head + "\npools:\n" + uncommented + "\n", "devices.yaml", ENV)
    assert sorted(config.pools) == ["emulators", "farm", "usb", "virtual"]
    assert [d.id for d in config.devices("usb")] == ["R58M123ABCD", "192.168.1.20:5555"]
    assert config.report_dump()["pools"]["farm"]["credentials"]["password"] == "***"


def test_the_example_in_the_reference_doc_loads() -> None:
    doc = (ROOT / "docs" / "devices-yaml.md").read_text()
    example = doc.split("## Example\n\n```yaml\n")[1].split("```")[0]
    config = parse_config(example, "example.yaml", ENV)
    farm = config.pools["farm"]
    assert farm.kind == "remote"
    assert farm.capabilities_for("pixel-7") == {  # type: ignore[union-attr]
        "platformName": "Android",
        "appium:automationName": "UiAutomator2",
        "appium:deviceName": "Pixel 7",
    }
    # The logcat websocket opens at the device's Grid node, with the pool's credentials.
    assert farm.node_url_for("pixel-7") == "http://alice-user:s3cr3t-KEY-value@node-1.example.com:4723"  # type: ignore[union-attr]


def test_a_node_url_with_a_secret_is_masked_in_reports_and_revealed_only_to_connect() -> None:
    node = "node_url: http://qa:${FARM_KEY}@node-1:4723\n        capabilities: {deviceName"
    grid = BASE + FARM.replace("kind: remote", "kind: remote\n    server: selenium-grid").replace(
        "capabilities: {deviceName", node
    )
    config = parse_config(grid, "devices.yaml", ENV)
    dumped = config.report_dump()["pools"]["farm"]["devices"][0]
    assert dumped["node_url"] == "***" and "s3cr3t" not in repr(config.report_dump())
    farm = config.pools["farm"]
    assert farm.node_url_for("pixel-7") == "http://qa:s3cr3t-KEY-value@node-1:4723"  # type: ignore[union-attr]
