"""The adb transport packet: a 24-byte little-endian header plus an optional payload.

Only the codec lives here (no sockets) so hostile-input checks are testable byte by byte.
Header fields: command, arg0, arg1, payload length, payload checksum, magic = command ^ 0xffffffff.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

A_SYNC = 0x434E5953
A_CNXN = 0x4E584E43
A_AUTH = 0x48545541
A_OPEN = 0x4E45504F
A_OKAY = 0x59414B4F
A_CLSE = 0x45534C43
A_WRTE = 0x45545257
A_STLS = 0x534C5453

KNOWN_COMMANDS = frozenset({A_SYNC, A_CNXN, A_AUTH, A_OPEN, A_OKAY, A_CLSE, A_WRTE, A_STLS})

A_VERSION_MIN = 0x01000000
#: From this version on, senders may leave the checksum at 0 and receivers must not verify it.
A_VERSION_SKIP_CHECKSUM = 0x01000001
A_VERSION = A_VERSION_SKIP_CHECKSUM

#: Largest payload we accept and advertise (what modern adbd uses).
MAX_PAYLOAD = 1024 * 1024
#: A peer advertising less than this is broken or hostile; the oldest adb used 4096.
MIN_PEER_PAYLOAD = 256

HEADER = struct.Struct("<6I")
HEADER_SIZE = HEADER.size


class ProtocolError(Exception):
    """The peer broke the transport protocol; the connection must be dropped."""


@dataclass(frozen=True, slots=True)
class Packet:
    command: int
    arg0: int
    arg1: int
    payload: bytes = b""

    @property
    def name(self) -> str:
        return command_name(self.command)


def command_name(command: int) -> str:
    raw = struct.pack("<I", command)
    return raw.decode("ascii") if raw.isalpha() else f"0x{command:08x}"


def checksum(payload: bytes) -> int:
    """Sum of the payload bytes, as adb versions before 0x01000001 require."""
    return sum(payload) & 0xFFFFFFFF


def encode(packet: Packet, *, with_checksum: bool) -> bytes:
    payload = packet.payload
    check = checksum(payload) if with_checksum else 0
    header = HEADER.pack(
        packet.command,
        packet.arg0,
        packet.arg1,
        len(payload),
        check,
        packet.command ^ 0xFFFFFFFF,
    )
    return header + payload if payload else header


@dataclass(frozen=True, slots=True)
class Header:
    command: int
    arg0: int
    arg1: int
    length: int
    check: int


def decode_header(raw: bytes, *, max_payload: int) -> Header:
    """Validate and unpack a header; raises :class:`ProtocolError` on anything a real adb never sends."""
    if len(raw) != HEADER_SIZE:
        raise ProtocolError(f"short header ({len(raw)} bytes)")
    command, arg0, arg1, length, check, magic = HEADER.unpack(raw)
    if magic != command ^ 0xFFFFFFFF:
        raise ProtocolError(f"bad magic 0x{magic:08x} for command 0x{command:08x}")
    if command not in KNOWN_COMMANDS:
        raise ProtocolError(f"unknown command {command_name(command)}")
    if length > max_payload:
        raise ProtocolError(f"payload of {length} bytes exceeds the limit of {max_payload}")
    return Header(command, arg0, arg1, length, check)
