"""The real adb server, adbutils and adb-shell against the real Android model behind the virtual adbd."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import adbutils
import pytest
from adb_shell.adb_device import AdbDeviceTcp
from adbd_fakes import AttachFn
from android_recording import RecordingAndroidDevice

from harness.android.adb import AdbServer
from harness.sim.android import ActivitySpec, DataSpec, IntentFilterSpec, ManifestSpec, build_apk
from harness.sim.android.apk import (
    ACTION_MAIN,
    ACTION_VIEW,
    CATEGORY_BROWSABLE,
    CATEGORY_DEFAULT,
    CATEGORY_LAUNCHER,
)
from harness.sim.host import HostedDevice

pytestmark = pytest.mark.timeout(120)

PACKAGE = "com.example.deeplinkdemo"
SCHEME = "adbdtestpay"
CMD_ONLY = ("shell_v2", "cmd", "stat_v2")


def recording(profile: str) -> RecordingAndroidDevice:
    return RecordingAndroidDevice(profile)


def model_of(device: HostedDevice) -> RecordingAndroidDevice:
    assert isinstance(device.model, RecordingAndroidDevice)
    return device.model


@pytest.fixture(scope="module")
def apk_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real APK (zip + binary AndroidManifest.xml) with a launcher and a singleTask deeplink activity."""
    spec = ManifestSpec(
        package=PACKAGE,
        activities=[
            ActivitySpec(
                name=".MainActivity",
                intent_filters=[IntentFilterSpec(actions=[ACTION_MAIN], categories=[CATEGORY_LAUNCHER])],
            ),
            ActivitySpec(
                name=".PayReturnActivity",
                exported=True,
                launch_mode="singleTask",
                intent_filters=[
                    IntentFilterSpec(
                        actions=[ACTION_VIEW],
                        categories=[CATEGORY_DEFAULT, CATEGORY_BROWSABLE],
                        data=[DataSpec(scheme=SCHEME)],
                    )
                ],
            ),
        ],
    )
    path = tmp_path_factory.mktemp("apk") / "deeplinkdemo.apk"
    path.write_bytes(build_apk(spec))
    return path


def adb(server: AdbServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [server.binary, "-P", str(server.port), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def installed_packages(server: AdbServer, serial: str) -> set[str]:
    listing = adb(server, "-s", serial, "shell", "pm list packages").stdout
    return {
        line.removeprefix("package:").strip() for line in listing.splitlines() if line.startswith("package:")
    }


def test_devices_long_shows_profile_identity(adb_server: AdbServer, attach: AttachFn) -> None:
    device = attach("pixel-7-api-34", model_factory=recording)
    line = next(
        line for line in adb_server.run("devices", "-l").splitlines() if line.startswith(device.serial)
    )
    assert line.split()[1:5] == ["device", "product:panther", "model:Pixel_7", "device:panther"]
    assert adb(adb_server, "-s", device.serial, "shell", "getprop ro.build.version.sdk").stdout == "34\n"


@pytest.mark.parametrize(
    ("command", "code"), [("exit 3", 3), ("false", 1), ("nosuchcommand", 127), ("true", 0)]
)
def test_shell_exit_codes_from_the_model(
    adb_server: AdbServer, attach: AttachFn, command: str, code: int
) -> None:
    device = attach(model_factory=recording)
    assert adb(adb_server, "-s", device.serial, "shell", command).returncode == code


def test_install_streamed_through_abb_exec(adb_server: AdbServer, attach: AttachFn, apk_path: Path) -> None:
    device = attach(model_factory=recording)
    done = adb(adb_server, "-s", device.serial, "install", str(apk_path))
    assert done.returncode == 0, done.stderr
    assert "Success" in done.stdout
    size = str(apk_path.stat().st_size)
    assert ["package", "install", "-S", size] in model_of(device).binder_calls
    assert PACKAGE in installed_packages(adb_server, device.serial)


def test_install_streamed_through_exec_cmd(adb_server: AdbServer, attach: AttachFn, apk_path: Path) -> None:
    device = attach(model_factory=recording, features=CMD_ONLY)
    done = adb(adb_server, "-s", device.serial, "install", "-r", str(apk_path))
    assert done.returncode == 0, done.stderr
    size = apk_path.stat().st_size
    assert f"cmd package 'install' '-r' -S {size}" in model_of(device).shell_commands
    assert not model_of(device).binder_calls
    assert PACKAGE in installed_packages(adb_server, device.serial)


def test_install_by_push_and_pm_on_a_legacy_device(
    adb_server: AdbServer, attach: AttachFn, apk_path: Path
) -> None:
    device = attach(model_factory=recording, features=())
    done = adb(adb_server, "-s", device.serial, "install", str(apk_path))
    assert "Performing Push Install" in done.stdout
    assert "Success" in done.stdout, done.stdout + done.stderr
    commands = model_of(device).shell_commands
    assert f"pm 'install' '/data/local/tmp/{apk_path.name}'" in commands
    assert any(c and c.startswith(f"rm '/data/local/tmp/{apk_path.name}'") for c in commands)
    assert PACKAGE in installed_packages(adb_server, device.serial)


def test_install_multiple_through_sessions(adb_server: AdbServer, attach: AttachFn, apk_path: Path) -> None:
    device = attach(model_factory=recording, features=CMD_ONLY)
    done = adb(adb_server, "-s", device.serial, "install-multiple", str(apk_path))
    assert done.returncode == 0, done.stderr
    commands = [c or "" for c in model_of(device).shell_commands]
    assert any(c.startswith("cmd package install-create") for c in commands)
    assert any(c.startswith("cmd package install-write") for c in commands)
    assert any(c.startswith("cmd package install-commit") for c in commands)
    assert PACKAGE in installed_packages(adb_server, device.serial)


def test_install_multiple_through_abb_exec(adb_server: AdbServer, attach: AttachFn, apk_path: Path) -> None:
    device = attach(model_factory=recording)
    done = adb(adb_server, "-s", device.serial, "install-multiple", str(apk_path))
    assert done.returncode == 0, done.stderr
    verbs = [argv[1] for argv in model_of(device).binder_calls if argv[:1] == ["package"]]
    assert "install-create" in verbs and "install-commit" in verbs
    assert PACKAGE in installed_packages(adb_server, device.serial)


def test_adbutils_install_and_list(adb_client: adbutils.AdbClient, attach: AttachFn, apk_path: Path) -> None:
    device = attach(model_factory=recording)
    client_device = adb_client.device(device.serial)
    client_device.install(str(apk_path), silent=True)
    assert any(
        c and c.startswith("pm install -r -t /data/local/tmp/") for c in model_of(device).shell_commands
    )
    assert PACKAGE in client_device.list_packages()
    assert client_device.getprop("ro.product.model") == "Pixel 7"


def test_deeplink_resolves_to_declaring_activity_then_reaches_on_new_intent(
    adb_server: AdbServer, attach: AttachFn, apk_path: Path
) -> None:
    device = attach(model_factory=recording)
    assert adb(adb_server, "-s", device.serial, "install", str(apk_path)).returncode == 0
    first = adb(
        adb_server, "-s", device.serial, "shell",
        f"am start -W -a android.intent.action.VIEW -d {SCHEME}://pay/return?invoice=1",
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert re.search(
        rf"Activity: {re.escape(PACKAGE)}/(\.|{re.escape(PACKAGE)}\.)PayReturnActivity", first.stdout
    )
    second = adb(
        adb_server, "-s", device.serial, "shell",
        f"am start -W -a android.intent.action.VIEW -d {SCHEME}://pay/return?invoice=2",
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    log = adb(adb_server, "-s", device.serial, "logcat", "-d", "-s", "VirtualApp").stdout
    created = [line for line in log.splitlines() if "onCreate" in line and "PayReturnActivity" in line]
    renewed = [line for line in log.splitlines() if "onNewIntent" in line and "PayReturnActivity" in line]
    assert len(created) == 1 and "invoice=1" in created[0]
    assert len(renewed) == 1 and "invoice=2" in renewed[0]


def test_logcat_dump_and_follow(adb_server: AdbServer, virtual_device: HostedDevice) -> None:
    device = virtual_device
    dump = adb(adb_server, "-s", device.serial, "logcat", "-d")
    assert dump.returncode == 0 and "System now ready" in dump.stdout
    follow = subprocess.Popen(
        [adb_server.binary, "-P", str(adb_server.port), "-s", device.serial, "logcat", "-v", "threadtime"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert follow.stdout is not None
        first = follow.stdout.readline()  # the stream is live once the first buffered entry arrives
        assert first
        marker = "written-after-follow-started"
        assert adb(adb_server, "-s", device.serial, "shell", f"log -t AdbdFollow {marker}").returncode == 0
        for line in follow.stdout:
            if marker in line:
                assert "AdbdFollow" in line
                break
        else:
            pytest.fail("logcat follow ended before the new entry arrived")
    finally:
        follow.kill()
        follow.wait()


def test_adb_shell_client_against_the_model(attach: AttachFn, tmp_path: Path) -> None:
    device = attach(model_factory=recording)
    client = AdbDeviceTcp("127.0.0.1", device.port, default_transport_timeout_s=10.0)
    assert client.connect(rsa_keys=None, auth_timeout_s=5.0)
    try:
        assert client.shell("getprop ro.product.device") == "panther\n"
        source = tmp_path / "note.txt"
        source.write_bytes(b"from adb-shell\n")
        client.push(str(source), "/sdcard/Download/note.txt")
        assert client.shell("cat /sdcard/Download/note.txt") == "from adb-shell\n"
        target = tmp_path / "back.txt"
        client.pull("/sdcard/Download/note.txt", str(target))
        assert target.read_bytes() == b"from adb-shell\n"
    finally:
        client.close()


def test_api_28_profile(adb_server: AdbServer, attach: AttachFn) -> None:
    device = attach("api-28", model_factory=recording)
    assert adb(adb_server, "-s", device.serial, "shell", "getprop ro.build.version.sdk").stdout == "28\n"
    line = next(
        line for line in adb_server.run("devices", "-l").splitlines() if line.startswith(device.serial)
    )
    assert "model:SM_G960F" in line.split()


def test_two_real_devices_keep_separate_state(
    adb_server: AdbServer, virtual_pair: tuple[HostedDevice, HostedDevice], apk_path: Path
) -> None:
    first, second = virtual_pair
    assert adb(adb_server, "-s", first.serial, "install", str(apk_path)).returncode == 0
    assert PACKAGE in installed_packages(adb_server, first.serial)
    assert PACKAGE not in installed_packages(adb_server, second.serial)
    serials = {adb(adb_server, "-s", d.serial, "shell", "getprop ro.serialno").stdout for d in virtual_pair}
    assert len(serials) == 2


def test_adbutils_deeplink_and_logcat_stream(
    adb_client: adbutils.AdbClient, virtual_device: HostedDevice, apk_path: Path
) -> None:
    device = adb_client.device(virtual_device.serial)
    device.install(str(apk_path), silent=True)
    stream = device.shell("logcat -v threadtime", stream=True)
    assert isinstance(stream, adbutils.AdbConnection)
    try:
        stream.conn.settimeout(30)
        buffered = stream.conn.recv(65536)
        assert buffered, "logcat follow printed nothing"
        output = device.shell(f"am start -W -a android.intent.action.VIEW -d {SCHEME}://pay/return?invoice=7")
        assert "PayReturnActivity" in output
        seen = buffered
        while b"onCreate" not in seen or b"invoice=7" not in seen:
            chunk = stream.conn.recv(65536)
            assert chunk, "logcat stream closed before the new entry arrived"
            seen += chunk
    finally:
        stream.conn.close()
