"""The virtual file system through the shell and through the VirtualFileSystem API adbd uses."""

from __future__ import annotations

import hashlib
import stat

from harness.sim.device_api import VirtualFileSystem


def test_protocol_surface_for_sync(device):
    fs: VirtualFileSystem = device.fs
    fs.write("/sdcard/Download/a/b.txt", b"hello", mode=0o100644, mtime=1_700_000_000)
    st = fs.stat("/storage/emulated/0/Download/a/b.txt")
    assert st is not None and stat.S_ISREG(st.mode) and st.size == 5 and st.mtime == 1_700_000_000
    assert fs.read("/sdcard/Download/a/b.txt") == b"hello"
    names = [n for n, _ in fs.listdir("/sdcard/Download/a") or []]
    assert names == ["b.txt"]
    assert stat.S_ISDIR(fs.stat("/data/local/tmp").mode)
    assert fs.stat("/nope") is None and fs.listdir("/nope") is None and fs.read("/nope") is None


def test_ls_variants(run, device):
    device.fs.write("/data/local/tmp/f.txt", b"abc")
    device.fs.write("/data/local/tmp/.hidden", b"")
    assert run(lambda r: r.sh("ls /data/local/tmp")).out == "f.txt\n"
    assert run(lambda r: r.sh("ls -a /data/local/tmp")).out == ".\n..\n.hidden\nf.txt\n"
    long = run(lambda r: r.sh("ls -l /data/local/tmp/f.txt")).out
    assert long.startswith("-rw-r--r--") and long.rstrip().endswith(
        " 3 " + long.split()[5] + " " + long.split()[6] + " /data/local/tmp/f.txt"
    )
    assert run(lambda r: r.sh("ls -d /sdcard/")).out == "/sdcard/\n"
    assert "/sdcard -> /storage/emulated/0" in run(lambda r: r.sh("ls -l /sdcard")).out
    r = run(lambda r: r.sh("ls /missing"))
    assert r.code == 1 and r.err == "ls: /missing: No such file or directory\n"


def test_file_commands(run, device):
    script = (
        "mkdir -p /sdcard/x/y && touch /sdcard/x/y/t && echo data > /sdcard/x/f && "
        "cp /sdcard/x/f /sdcard/x/g && mv /sdcard/x/g /sdcard/x/y/ && cat /sdcard/x/y/g"
    )
    assert run(lambda r: r.sh(script)).out == "data\n"
    assert run(lambda r: r.sh("rm /sdcard/x")).code == 1
    assert run(lambda r: r.sh("rm -r /sdcard/x && ls /sdcard/x")).code == 1
    assert run(lambda r: r.sh("rm -f /sdcard/never; echo $?")).out == "0\n"
    assert run(lambda r: r.sh("mkdir /sdcard/a/b/c")).code == 1


def test_stat_and_hashes(run, device):
    device.fs.write("/data/local/tmp/h", b"hash me")
    assert "Size: 7" in run(lambda r: r.sh("stat /data/local/tmp/h")).out
    md5 = hashlib.md5(b"hash me").hexdigest()
    assert run(lambda r: r.sh("md5sum /data/local/tmp/h")).out == f"{md5}  /data/local/tmp/h\n"
    sha = hashlib.sha256(b"hash me").hexdigest()
    assert run(lambda r: r.sh("cat /data/local/tmp/h | sha256sum")).out == f"{sha}  -\n"


def test_redirections(run, device):
    run(
        lambda r: r.sh(
            "echo one > /data/local/tmp/r; echo two >> /data/local/tmp/r; ls /nope 2>> /data/local/tmp/r"
        )
    )
    assert device.fs.read("/data/local/tmp/r") == b"one\ntwo\nls: /nope: No such file or directory\n"
    assert run(lambda r: r.sh("wc -l < /data/local/tmp/r")).out == "3\n"
    assert run(lambda r: r.sh("echo x > /dev/null; cat /dev/null")).out == ""
    r = run(lambda r: r.sh("echo x > /no/such/dir/f"))
    assert r.code == 1 and "can't create" in r.err


def test_cd_pwd_and_relative_paths(run):
    assert run(lambda r: r.sh("cd /sdcard && pwd && echo hi > rel.txt && cat /sdcard/rel.txt")).out == (
        "/sdcard\nhi\n"
    )


def test_glob_expansion_is_against_device_files(run, device):
    device.fs.write("/data/local/tmp/a.apk", b"1")
    device.fs.write("/data/local/tmp/b.apk", b"2")
    assert (
        run(lambda r: r.sh("echo /data/local/tmp/*.apk")).out
        == "/data/local/tmp/a.apk /data/local/tmp/b.apk\n"
    )
    run(lambda r: r.sh("rm /data/local/tmp/*.apk"))
    assert run(lambda r: r.sh("ls /data/local/tmp")).out == ""
