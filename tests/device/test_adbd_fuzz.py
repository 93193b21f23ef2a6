"""Throw thousands of random and malformed packets at one device, then use it and its neighbour normally."""

from __future__ import annotations

import asyncio
import logging
import random
import struct
import subprocess
import time

import pytest
from adbd_fakes import AttachFn, fake_factory
from adbd_wire import WireClient

from harness.android.adb import AdbServer
from harness.sim.adbd.protocol import (
    A_AUTH,
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_SYNC,
    A_VERSION,
    A_VERSION_MIN,
    A_WRTE,
    HEADER,
    KNOWN_COMMANDS,
    MAX_PAYLOAD,
    Packet,
    checksum,
    encode,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

SEED = 20261122
MIN_PACKETS = 5000
TIME_BUDGET = 25.0

SERVICES = [
    b"shell,v2,raw:cat",
    b"shell:cat",
    b"exec:wc -c",
    b"sync:",
    b"abb_exec:package\0install\0-S\x0010",
    b"tcp:1",
    b"shell,v2,raw:wait-closed",
    b"reverse:forward:tcp:1;tcp:2",
]
SYNC_IDS = [b"STAT", b"STA2", b"LST2", b"LIST", b"LIS2", b"SEND", b"RECV", b"DATA", b"DONE", b"QUIT", b"XXXX"]


def random_payload(rng: random.Random) -> bytes:
    kind = rng.random()
    if kind < 0.3:
        return rng.randbytes(rng.randint(0, 64))
    if kind < 0.6:  # sync-shaped request, often with a lying length
        body = rng.choice([b"/data/local/tmp/f", b"/sdcard", b"/", b"/x,33188", rng.randbytes(12)])
        length = len(body) if rng.random() < 0.6 else rng.randint(0, 70000)
        return rng.choice(SYNC_IDS) + struct.pack("<I", length) + body
    if kind < 0.85:  # shell-v2-shaped packets
        packet_id = rng.randint(0, 7)
        body = rng.randbytes(rng.randint(0, 40))
        length = len(body) if rng.random() < 0.7 else rng.randint(0, 2**32 - 1)
        return struct.pack("<BI", packet_id, length) + body
    return rng.randbytes(rng.randint(100, 5000))


def random_packet(rng: random.Random, ids: list[int], version: int) -> bytes:
    """Mostly stream traffic on ids that exist, sometimes a connection killer or a mutated header."""
    roll = rng.random()
    if roll < 0.02:
        return rng.randbytes(rng.randint(1, 48))  # plain garbage
    if roll < 0.04:
        command = rng.choice([A_CNXN, A_AUTH, A_SYNC, *KNOWN_COMMANDS, rng.getrandbits(32)])
    else:
        command = rng.choice([A_OPEN, A_WRTE, A_WRTE, A_WRTE, A_OKAY, A_CLSE])
    arg0 = rng.choice(ids) if rng.random() < 0.9 else rng.getrandbits(32)
    arg1 = rng.choice(ids) if rng.random() < 0.9 else rng.choice([0, rng.getrandbits(32)])
    if command == A_OPEN:
        payload = rng.choice(SERVICES) + (b"\0" if rng.random() < 0.9 else b"")
        arg1 = 0
    else:
        payload = random_payload(rng)
    raw = bytearray(encode(Packet(command, arg0, arg1, payload), with_checksum=version < 0x01000001))
    mutation = rng.random()
    if mutation < 0.01:
        raw[20:24] = struct.pack("<I", rng.getrandbits(32))  # bad magic
    elif mutation < 0.02:
        raw[12:16] = struct.pack("<I", rng.choice([len(payload) + 1, MAX_PAYLOAD + 1, 2**32 - 1]))
    elif mutation < 0.03:
        raw[16:20] = struct.pack("<I", checksum(payload) ^ 1)
    return bytes(raw)


async def episode(port: int, rng: random.Random) -> int:
    """One connection: maybe a handshake, then a burst of fuzzed packets, then an abrupt or half close."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent = 0
    version = rng.choice([A_VERSION, A_VERSION, A_VERSION_MIN])
    try:
        if rng.random() < 0.9:
            max_payload = rng.choice([MAX_PAYLOAD, 4096, 256])
            writer.write(encode(Packet(A_CNXN, version, max_payload, b"host::\0"), with_checksum=True))
            sent += 1
        ids = list(range(1, 8))
        for _ in range(rng.randint(1, 60)):
            writer.write(random_packet(rng, ids, version))
            sent += 1
        if rng.random() < 0.3:
            writer.write(HEADER.pack(A_WRTE, 1, 1, 5000, 0, A_WRTE ^ 0xFFFFFFFF) + b"partial")
            sent += 1
        await writer.drain()
        if rng.random() < 0.5:
            writer.write_eof()
        if rng.random() < 0.5:
            try:
                async with asyncio.timeout(0.05):
                    while await reader.read(65536):
                        pass
            except TimeoutError:
                pass
    except OSError:
        pass  # the device hung up on us mid-burst: expected
    finally:
        writer.close()
    return sent


async def fuzz(port: int) -> int:
    rng = random.Random(SEED)
    deadline = time.monotonic() + TIME_BUDGET
    total = 0
    while time.monotonic() < deadline and total < MIN_PACKETS * 2:
        batch = [episode(port, random.Random(rng.getrandbits(64))) for _ in range(8)]
        for result in await asyncio.gather(*batch, return_exceptions=True):
            if isinstance(result, int):
                total += result
            elif not isinstance(result, OSError):
                raise result
    return total


@pytest.mark.parametrize("model", ["fake", "android"])
def test_fuzzed_device_keeps_serving(
    adb_server: AdbServer, attach: AttachFn, model: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Fuzz the protocol layer over a trivial model, and the whole device over the real Android model."""
    caplog.set_level(logging.INFO, logger="harness.sim.adbd")
    factory = fake_factory() if model == "fake" else None
    target = attach("pixel-7-api-34", model_factory=factory)
    neighbour = attach("pixel-7-api-34", model_factory=factory)
    sent = asyncio.run(fuzz(target.port))
    assert sent >= MIN_PACKETS, f"only {sent} packets in the time budget"

    for device in (target, neighbour):
        done = subprocess.run(
            [
                adb_server.binary,
                "-P",
                str(adb_server.port),
                "-s",
                device.serial,
                "shell",
                "echo alive; exit 4",
            ],
            capture_output=True,
            timeout=30,
            check=False,
        )
        assert (done.returncode, done.stdout) == (4, b"alive\n"), done.stderr
    assert adb_server.device_states()[target.serial] == "device"

    async def direct() -> bytes:
        client = await WireClient.connect(target.port)
        try:
            return await client.run("exec:echo direct")
        finally:
            await client.close()

    assert asyncio.run(direct()) == b"direct\n"
    crashes = [r.getMessage() for r in caplog.records if r.name.startswith("harness.sim.adbd") and r.exc_info]
    assert not crashes, crashes
    assert any("dropping adb peer" in r.getMessage() for r in caplog.records), "the fuzz never hit a check"
