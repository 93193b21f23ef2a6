"""Defold's 64-bit string hash (``dmHashString64``): MurmurHash2A, 64-bit, endian neutral, seed 0.

Re-derived from the published MurmurHash2A description that Defold's dlib says it follows:
8-byte little-endian blocks and the zero-padded tail each mixed into ``h``, then the length,
then the final avalanche. ``hash_to_hex`` prints it as 16 lowercase hex digits.
"""

from __future__ import annotations

M = 0xC6A4A7935BD1E995
R = 47
MASK = (1 << 64) - 1


def _mix(h: int, k: int) -> int:
    k = (k * M) & MASK
    k ^= k >> R
    k = (k * M) & MASK
    h = (h * M) & MASK
    return h ^ k


def hash64(data: bytes) -> int:
    h = 0
    full = len(data) - len(data) % 8
    for i in range(0, full, 8):
        h = _mix(h, int.from_bytes(data[i : i + 8], "little"))
    h = _mix(h, int.from_bytes(data[full:], "little"))
    h = _mix(h, len(data))
    h ^= h >> R
    h = (h * M) & MASK
    h ^= h >> R
    return h


def hash_hex(data: bytes) -> str:
    return f"{hash64(data):016x}"
