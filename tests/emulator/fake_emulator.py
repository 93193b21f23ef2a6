"""A stand-in for the SDK's ``emulator`` binary, doing what the real one does towards adb.

``emulator -avd NAME -port P …``: serves a virtual device's adbd on P+1, registers it with the
adb server (``host:emulator:P+1``, so adb lists ``emulator-P``), and answers the console on P,
where ``adb emu kill`` powers it off. Nothing Android-specific of the real emulator is needed
to exercise the harness's boot/attach/kill path.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile

from harness.process import spawn_daemon


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-avd", required=True)
    parser.add_argument("-port", type=int, required=True)
    args, _ignored = parser.parse_known_args()
    state = tempfile.mkdtemp(prefix="fake-emulator-")
    console = socket.create_server(("127.0.0.1", args.port))
    cmd = [
        sys.executable, "-m", "harness.sim.daemon", "--devices", "1", "--no-services",
        "--device-port", str(args.port + 1), "--state-dir", state,
        "--prop", f"ro.boot.qemu.avd_name={args.avd}", "--prop", "ro.kernel.qemu=1",
    ]  # fmt: skip
    daemon, ready = spawn_daemon(cmd, stderr=sys.stderr.buffer, timeout=60)
    if not ready:
        return 1
    adb_port = int(os.environ.get("ANDROID_ADB_SERVER_PORT", "5037"))
    with socket.create_connection(("127.0.0.1", adb_port)) as adb:
        message = f"host:emulator:{args.port + 1}".encode()
        adb.sendall(b"%04x" % len(message) + message)
    try:
        while True:
            conn, _ = console.accept()
            with conn:
                conn.sendall(b"Android Console: type 'help' for a list of commands\r\nOK\r\n")
                line = conn.makefile("rb").readline().strip()
                if line == b"kill":
                    conn.sendall(b"OK: killing emulator, bye bye\r\n")
                    return 0
                conn.sendall(b"OK\r\n")
    finally:
        daemon.terminate()
        daemon.wait()


if __name__ == "__main__":
    raise SystemExit(main())
