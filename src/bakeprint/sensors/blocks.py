"""Compact storage of raw sensor readings: one row per sensor per hour.

A year of 30 sensors every 10 s is ~95 M readings. One row per reading costs
~60–80 bytes with its keys and index on SQLite; here a reading costs 8 bytes
inside an hour block (a sensor reporting every 10 s fills 360 slots), so the
year is ~260 k rows and well under 1 GB, and the block row carries its own
rollup (count, min, max, sum) for charts over long periods.

Encoding (little-endian, sorted by time, unique times):
    int32  milliseconds since the start of the hour   (0 … 3 599 999)
    int32  value in thousandths of the unit            (exact to 0.001)
Values are decimal-exact at the declared resolution: 75.3 % is stored as 75300,
never as a binary float approximation. The raw readings stay for audit; nothing
is averaged away.
"""

from __future__ import annotations

import bisect
import struct
import sys
from collections.abc import Iterable
from dataclasses import dataclass

HOUR_MS = 3_600_000
SCALE = 1000
_PAIR = struct.Struct("<ii")
LIMIT = 2**31 - 1


def hour_of(ts_ms: int) -> int:
    """Start of the hour (epoch ms) that holds ``ts_ms``."""
    return ts_ms - ts_ms % HOUR_MS


def to_milli(value: float) -> int:
    m = round(value * SCALE)
    if not -LIMIT <= m <= LIMIT:
        raise ValueError(f"value {value} is outside what a reading can hold")
    return m


def decode(hour: int, blob: bytes) -> list[tuple[int, int]]:
    """``[(ts_ms, milli_value), …]`` in time order."""
    return [(hour + off, v) for off, v in _PAIR.iter_unpack(blob)]


def encode(hour: int, points: Iterable[tuple[int, int]]) -> bytes:
    return b"".join(_PAIR.pack(ts - hour, v) for ts, v in points)


@dataclass
class Merged:
    blob: bytes
    count: int
    t_min: int
    t_max: int
    v_min: int
    v_max: int
    v_sum: int
    added: int  # new readings stored
    duplicates: int  # same time, same value: already stored, kept once
    conflicts: list[tuple[int, int, int]]  # (ts, stored, offered): first one kept


def merge(hour: int, blob: bytes | None, new: Iterable[tuple[int, int]]) -> Merged:
    """Merge readings into an hour block. A time already stored keeps its first
    value (a different value offered later is reported as a conflict)."""
    points = dict(decode(hour, blob)) if blob else {}
    added = duplicates = 0
    conflicts: list[tuple[int, int, int]] = []
    for ts, v in new:
        if not hour <= ts < hour + HOUR_MS:
            raise ValueError(f"reading at {ts} is outside the block {hour}")
        stored = points.get(ts)
        if stored is None:
            points[ts] = v
            added += 1
        elif stored == v:
            duplicates += 1
        else:
            conflicts.append((ts, stored, v))
    ordered = sorted(points.items())
    values = [v for _, v in ordered]
    return Merged(
        blob=encode(hour, ordered),
        count=len(ordered),
        t_min=ordered[0][0] if ordered else hour,
        t_max=ordered[-1][0] if ordered else hour,
        v_min=min(values) if values else 0,
        v_max=max(values) if values else 0,
        v_sum=sum(values),
        added=added,
        duplicates=duplicates,
        conflicts=conflicts,
    )


def stats_in(
    hour: int, blob: bytes, a: int, b: int
) -> tuple[int, int, int, int, int] | None:
    """(count, sum, min, max, first time) of the readings in [a, b], without
    building a tuple per reading: the block is viewed as int32 pairs and the
    window found by bisection on the (sorted) offsets."""
    if sys.byteorder != "little":  # the view below assumes the stored order
        pts = [p for p in decode(hour, blob) if a <= p[0] <= b]
        if not pts:
            return None
        vals = [v for _, v in pts]
        return len(vals), sum(vals), min(vals), max(vals), pts[0][0]
    pairs = memoryview(blob).cast("i")
    offsets, values = pairs[0::2], pairs[1::2]
    lo = bisect.bisect_left(offsets, a - hour)
    hi = bisect.bisect_right(offsets, b - hour)
    if lo >= hi:
        return None
    window = values[lo:hi]
    return len(window), sum(window), min(window), max(window), hour + offsets[lo]
