"""Speed of the virtual device behind the real adb server: shell round trip and push/pull throughput.

Starts its own private adb server (free port) and one virtual device, so it never touches
a user's adb. Prints figures; targets are p50 ≤ 10 ms for ``shell echo`` and ≥ 50 MB/s push.

    .venv/bin/python benchmarks/adb_bench.py [--profile pixel-7-api-34] [--calls 300] [--mib 64]

Two shell figures are printed because adbutils itself sleeps 10 ms in every
``AdbConnection.close()`` (adbutils 2.12, ``_adb.py``) and ``device.shell()`` closes two
connections (``host:version`` and the shell): the first line is what a harness user sees
with the stock call, the second is the same request sequence through the same adbutils
connection objects with the socket closed directly — the time the adb server plus the
virtual device take.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import logging
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import adbutils
from bench_stats import percentiles

from harness.android.adb import AdbServer, adb_binary
from harness.ports import free_loopback_port
from harness.sim.host import DeviceHost

# apkInspector (used by the Android model) calls logging.basicConfig(level=DEBUG) on import.
importlib.import_module("harness.sim.android")
logging.getLogger().setLevel(logging.WARNING)

MIB = 1024 * 1024


def time_calls(fn: Callable[[], object], calls: int, warmup: int = 20) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report_latency(label: str, samples: list[float]) -> float:
    p50, p99 = percentiles(samples)
    print(f"{label:<58} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   (n={len(samples)})")
    return p50


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="pixel-7-api-34")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--mib", type=int, default=64, help="size of the push/pull file")
    args = parser.parse_args()

    server = AdbServer(port=free_loopback_port(), binary=adb_binary())
    os.environ["ANDROID_ADB_SERVER_PORT"] = str(server.port)
    os.environ["ADBUTILS_ADB_PATH"] = server.binary
    server.start()
    host = DeviceHost()
    try:
        hosted = host.add_device(args.profile)
        server.connect(hosted.serial)
        client = adbutils.AdbClient(host="127.0.0.1", port=server.port)
        device = client.device(hosted.serial)
        print(f"adb {server.binary} on port {server.port}; device {hosted.serial} ({args.profile})")
        assert device.shell("echo hi") == "hi"

        stock = report_latency(
            "adbutils device.shell('echo hi')", time_calls(lambda: device.shell("echo hi"), args.calls)
        )

        transport_id = int(
            next(
                field.split(":", 1)[1]
                for line in server.run("devices", "-l").splitlines()
                if line.startswith(hosted.serial)
                for field in line.split()
                if field.startswith("transport_id:")
            )
        )
        by_id = adbutils.AdbDevice(client, transport_id=transport_id)

        report_latency(
            "adbutils device(transport_id=…).shell('echo hi')",
            time_calls(lambda: by_id.shell("echo hi"), args.calls),
        )

        def shell_no_linger() -> str:
            conn = by_id.shell("echo hi", stream=True)
            assert isinstance(conn, adbutils.AdbConnection)
            try:
                return str(conn.read_until_close())
            finally:
                conn.conn.close()

        assert shell_no_linger() == "hi\n"
        lean = report_latency(
            "adbutils shell stream, transport id, no 10 ms close linger",
            time_calls(shell_no_linger, args.calls),
        )
        v2 = report_latency(
            "adb CLI `adb shell echo hi` (incl. process start)",
            time_calls(
                lambda: subprocess.run(
                    [server.binary, "-P", str(server.port), "-s", hosted.serial, "shell", "echo hi"],
                    capture_output=True,
                    check=True,
                ),
                max(50, args.calls // 4),
                warmup=5,
            ),
        )

        payload = os.urandom(args.mib * MIB)
        remote = "/data/local/tmp/bench.bin"
        start = time.perf_counter()
        device.sync.push(payload, remote)
        push_s = time.perf_counter() - start
        start = time.perf_counter()
        back = device.sync.read_bytes(remote)
        pull_s = time.perf_counter() - start
        assert hashlib.sha256(back).digest() == hashlib.sha256(payload).digest()
        push_rate, pull_rate = args.mib / push_s, args.mib / pull_s
        print(f"{'adbutils sync.push':<58} {push_rate:8.1f} MB/s  ({args.mib} MiB in {push_s:.2f} s)")
        label = "adbutils sync.read_bytes (pull)"
        print(f"{label:<58} {pull_rate:8.1f} MB/s  ({args.mib} MiB in {pull_s:.2f} s)")

        with tempfile.TemporaryDirectory() as tmp:
            local = Path(tmp) / "bench.bin"
            local.write_bytes(payload)
            cli = [server.binary, "-P", str(server.port), "-s", hosted.serial]
            start = time.perf_counter()
            subprocess.run([*cli, "push", str(local), remote], capture_output=True, check=True)
            cli_push = args.mib / (time.perf_counter() - start)
            start = time.perf_counter()
            subprocess.run([*cli, "pull", remote, str(local)], capture_output=True, check=True)
            cli_pull = args.mib / (time.perf_counter() - start)
            assert hashlib.sha256(local.read_bytes()).digest() == hashlib.sha256(payload).digest()
        print(f"{'adb CLI push (incl. process start)':<58} {cli_push:8.1f} MB/s")
        print(f"{'adb CLI pull (incl. process start)':<58} {cli_pull:8.1f} MB/s")

        print()
        print(f"target shell p50 <= 10 ms: stock adbutils {stock:.2f} ms (adbutils sleeps 2x10 ms),")
        print(f"  adb server + virtual device {lean:.2f} ms, adb CLI {v2:.2f} ms")
        print(f"target push >= 50 MB/s: adbutils {push_rate:.1f} MB/s, CLI {cli_push:.1f} MB/s")
        server.disconnect(hosted.serial)
    finally:
        host.close()
        server.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
