"""Package manager through every door adb and Appium use: abb_exec, exec:cmd, pm with a path, sessions."""

from __future__ import annotations

from .apps import BANK, GAME, bank_apk, game_apk, uia2_server_apk, uia2_test_apk


def test_abb_exec_streamed_install(run, device):
    apk = game_apk()
    r = run(lambda r: r.abb(["package", "install", "-r", "-g", "-S", str(len(apk))], stdin=apk))
    assert (r.code, r.out) == (0, "Success\n")
    assert device.packages.get(GAME) is not None


def test_exec_cmd_install_with_quoted_args(run, device):
    apk = bank_apk()
    r = run(lambda r: r.sh(f"cmd package 'install' '-r' -S {len(apk)}", stdin=apk))
    assert r.out == "Success\n"
    assert device.packages.get(BANK).manifest.version_code == 1


def test_legacy_push_then_pm_install_from_path(run, device):
    device.fs.write("/data/local/tmp/unknown.apk", game_apk())
    r = run(lambda r: r.sh("pm install -r -t /data/local/tmp/unknown.apk"))
    assert "Success" in r.out
    r = run(lambda r: r.sh("rm /data/local/tmp/unknown.apk </dev/null; ls /data/local/tmp"))
    assert r.out == ""


def test_install_multiple_sessions(run, device):
    apk = game_apk()

    async def flow(r):
        created = await r.sh(f"cmd package install-create -S {len(apk)}")
        sid = created.out.split("[")[1].split("]")[0]
        wrote = await r.sh(f"cmd package install-write -S {len(apk)} {sid} base.apk -", stdin=apk)
        committed = await r.sh(f"cmd package install-commit {sid}")
        return created, wrote, committed

    created, wrote, committed = run(flow)
    assert created.out.startswith("Success: created install session [")
    assert wrote.out == f"Success: streamed {len(apk)} bytes\n"
    assert committed.out == "Success\n"
    assert device.packages.get(GAME) is not None


def test_invalid_apk_failure_text(run):
    blob = b"this is not an apk"
    r = run(lambda r: r.abb(["package", "install", "-S", str(len(blob))], stdin=blob))
    assert r.out.startswith("Failure [INSTALL_FAILED_INVALID_APK: ")
    assert r.out.endswith("]\n") and r.code == 1


def test_downgrade_needs_d(run, device):
    device.install_apk(game_apk(version_code=5))
    old = game_apk(version_code=4)
    r = run(lambda r: r.abb(["package", "install", "-S", str(len(old))], stdin=old))
    assert r.out.startswith("Failure [INSTALL_FAILED_VERSION_DOWNGRADE: Downgrade detected")
    r = run(lambda r: r.abb(["package", "install", "-d", "-S", str(len(old))], stdin=old))
    assert r.out == "Success\n"
    assert device.packages.get(GAME).manifest.version_code == 4


def test_list_packages_formats(run, device):
    device.install_apk(game_apk())
    r = run(lambda r: r.sh("cmd package list packages --show-versioncode"))
    assert "package:com.example.game versionCode:3\n" in r.out
    assert "package:android versionCode:34\n" in r.out
    r = run(lambda r: r.sh("pm list packages -3"))
    assert r.out == "package:com.example.game\n"
    r = run(lambda r: r.sh("pm list packages -f -3 game"))
    path = device.packages.get(GAME).apk_path
    assert r.out == f"package:{path}=com.example.game\n"
    assert (
        run(lambda r: r.sh("pm list packages -3 -U")).out
        == f"package:com.example.game uid:{device.packages.get(GAME).uid}\n"
    )


def test_pm_path_and_pull_bytes(run, device):
    apk = game_apk()
    device.install_apk(apk)
    r = run(lambda r: r.sh("pm path com.example.game"))
    assert r.out.startswith("package:/data/app/~~") and r.out.endswith("/base.apk\n")
    assert device.fs.read(r.out.strip().removeprefix("package:")) == apk
    assert run(lambda r: r.sh("pm path com.nope")).code == 1


def test_uninstall_and_failures(run, device):
    device.install_apk(game_apk())
    assert run(lambda r: r.sh("pm uninstall com.example.game")).out == "Success\n"
    r = run(lambda r: r.sh("pm uninstall com.example.game"))
    assert (r.out, r.code) == ("Failure [DELETE_FAILED_INTERNAL_ERROR]\n", 1)
    assert device.packages.get(GAME) is None


def test_clear(run, device):
    device.install_apk(game_apk())
    device.fs.write("/data/user/0/com.example.game/files/save.dat", b"progress")
    assert run(lambda r: r.sh("pm clear com.example.game")).out == "Success\n"
    assert device.fs.read("/data/user/0/com.example.game/files/save.dat") is None
    assert run(lambda r: r.sh("pm clear com.nope")).out == "Failed\n"


def test_grant_on_unknown_package(run):
    r = run(lambda r: r.sh("pm grant com.nope android.permission.CAMERA"))
    assert "Unknown package: com.nope" in r.err and r.code == 255


def test_dumpsys_package_versions_and_activities(run, device):
    device.install_apk(game_apk(version_code=7, version_name="7.1"))
    r = run(lambda r: r.sh("dumpsys package com.example.game"))
    assert "    versionCode=7 minSdk=21 targetSdk=34\n" in r.out
    assert "    versionName=7.1\n" in r.out
    assert "com.dynamo.android.DefoldActivity launchMode=singleTask" in r.out
    assert 'Scheme: "example"' in r.out
    assert run(lambda r: r.sh("pm dump com.example.game")).out == r.out


def test_resolve_activity_brief_last_line(run, device):
    device.install_apk(game_apk())
    r = run(lambda r: r.sh("cmd package resolve-activity --brief com.example.game"))
    assert r.out.splitlines()[-1] == "com.example.game/com.dynamo.android.DefoldActivity"
    r = run(lambda r: r.sh("cmd package resolve-activity --brief com.nope"))
    assert r.out.splitlines()[-1] == "No activity found"


def test_list_instrumentation(run, device):
    device.install_apk(uia2_server_apk())
    device.install_apk(uia2_test_apk())
    r = run(lambda r: r.sh("pm list instrumentation"))
    assert r.out == (
        "instrumentation:io.appium.uiautomator2.server.test/androidx.test.runner.AndroidJUnitRunner "
        "(target=io.appium.uiautomator2.server)\n"
    )


def test_unknown_pm_verb(run):
    r = run(lambda r: r.sh("pm frobnicate"))
    assert r.code == 255 and "Unknown command: frobnicate" in r.err


def test_update_kills_the_running_app(run, device):
    device.install_apk(game_apk(version_code=3))
    run(lambda r: r.sh("am start -n com.example.game/com.dynamo.android.DefoldActivity"))
    assert GAME in device.activities.processes
    newer = game_apk(version_code=4)
    assert run(lambda r: r.abb(["package", "install", "-S", str(len(newer))], stdin=newer)).out == "Success\n"
    assert GAME not in device.activities.processes
    assert device.packages.get(GAME).manifest.version_code == 4


def test_run_as_debuggable_app(run, device):
    from harness.sim.android.apk import build_apk

    from .apps import game_manifest

    spec = game_manifest()
    spec.debuggable = True
    device.install_apk(build_apk(spec))
    device.install_apk(bank_apk())
    r = run(
        lambda r: r.sh(
            "run-as com.example.game sh -c 'mkdir -p files && echo saved > files/s.txt; pwd; id -un'"
        )
    )
    uid_name = f"u0_a{device.packages.get(GAME).uid - 10000}"
    assert r.out == f"/data/user/0/com.example.game\n{uid_name}\n"
    assert device.fs.read("/data/user/0/com.example.game/files/s.txt") == b"saved\n"
    assert "package not debuggable" in run(lambda r: r.sh(f"run-as {BANK} ls")).err
    assert "unknown package" in run(lambda r: r.sh("run-as com.nope ls")).err
