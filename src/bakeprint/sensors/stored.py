"""The stored summary of a batch's environment (``environment_summaries``):
what was computed for a segment that has ended is kept with the batch and
reused while nothing it was computed from has changed — the segment itself
(place, start, end), the sensors there, the product category, the bakery's
range history, and the readings (a block of its windows written after the
summary was computed makes it be computed again)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Engine,
    select,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bakeprint.db import upsert_insert
from bakeprint.production.models import Batch
from bakeprint.sensors import blocks
from bakeprint.sensors import service as sensors
from bakeprint.sensors.excursions import Excursion
from bakeprint.sensors.models import (
    EnvironmentRange,
    EnvironmentSummary,
    Sensor,
    SensorBlock,
)
from bakeprint.sensors.segments import Segment
from bakeprint.sensors.summaries import SensorSummary, figures

# A segment is stored once it ended this long ago and its readings were last
# written this long ago, and a stored summary counts as computed this long
# before it was: a reading written by a transaction that had not committed
# yet when the summary was computed is still seen as late. So it must exceed
# the longest ingest transaction and the clock difference between servers.
SETTLE = timedelta(minutes=2)

log = logging.getLogger(__name__)


def save(
    session: Session, batch: Batch, computed_at: int, body: dict[str, Any]
) -> None:
    """Store a batch's closed segments. A writing session stores them in its
    own transaction; a reading one in a short transaction of its own, which
    waits at most a moment for the write lock and gives up quietly (the
    summary is derived data: the next reader computes it again)."""
    values = {
        "tenant_id": batch.tenant_id,
        "batch_id": batch.id,
        "computed_at": computed_at,
        "body": json.dumps(body, ensure_ascii=False, separators=(",", ":")),
    }
    conn = session.connection()
    if conn.get_execution_options().get("bp_write", False):
        session.execute(_upsert(session, values))
        return
    engine = session.get_bind()
    if not isinstance(engine, Engine):
        return
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as c:
            if sqlite:
                c.exec_driver_sql("PRAGMA busy_timeout=200")
            else:
                c.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
            try:
                c.execute(_upsert(session, values))
                c.commit()
            finally:
                if sqlite:
                    c.rollback()
                    c.exec_driver_sql("PRAGMA busy_timeout=30000")
                    c.commit()
    except SQLAlchemyError as exc:  # busy, or the batch is gone: not stored
        log.info("environment of %s not stored: %s", batch.code, exc)


def _upsert(session: Session, values: dict[str, Any]) -> Any:
    stmt = upsert_insert(session)(EnvironmentSummary).values(**values)
    return stmt.on_conflict_do_update(
        index_elements=["tenant_id", "batch_id"],
        set_={"computed_at": values["computed_at"], "body": values["body"]},
    )


def _late(
    session: Session,
    tenant_id: Any,
    windows: list[tuple[int, list[Sensor], datetime, datetime]],
    since: int,
) -> set[int]:
    """The windows (by index) holding a block written after ``since``."""
    ids = {x.id for _, xs, _, _ in windows for x in xs}
    if not ids:
        return set()
    spans = [
        (i, {x.id for x in xs}, blocks.hour_of(sensors.ms(a)), sensors.ms(b))
        for i, xs, a, b in windows
    ]
    last = max(b for *_, b in spans)
    late: set[int] = set()
    # the index (tenant, sensor, written_at, hour) answers it; "+ 0" keeps
    # the planner off the hour index, whose range would be every hour before
    for sensor_id, hour in session.execute(
        select(SensorBlock.sensor_id, SensorBlock.hour).where(
            SensorBlock.tenant_id == tenant_id,
            SensorBlock.sensor_id.in_(ids),
            SensorBlock.written_at > since,
            SensorBlock.hour + 0 <= last,
        )
    ):
        for i, sids, h0, b in spans:
            if sensor_id in sids and h0 <= hour <= b:
                late.add(i)
    return late


def _ranges_fingerprint(ranges: Sequence[EnvironmentRange]) -> str:
    raw = [
        (
            r.kind,
            r.place_kind,
            str(r.place_id),
            r.category,
            r.low,
            r.high,
            sensors.ms(r.valid_from),
            sensors.ms(r.valid_to) if r.valid_to else None,
        )
        for r in ranges
    ]
    return hashlib.sha256(repr(raw).encode()).hexdigest()[:16]


def _key(seg: Segment, found: Sequence[Sensor], category: str | None, fp: str) -> str:
    """What a segment's summary was computed from, as a short digest."""
    raw = [
        seg.stage,
        seg.place_kind,
        str(seg.place_id),
        seg.ref,
        sensors.ms(seg.start),
        sensors.ms(seg.end),
        category,
        fp,
        [(str(x.id), x.code, x.kind, x.unit) for x in found],
    ]
    return hashlib.sha256(repr(raw).encode()).hexdigest()[:24]


def _pack(x: SensorSummary) -> dict[str, Any]:
    return {
        **figures(x),
        "excursions": [
            [
                sensors.ms(e.start),
                sensors.ms(e.end) if e.end is not None else None,
                e.peak,
                e.low,
                e.high,
                e.beyond_pct,
                e.minutes,
            ]
            for e in x.excursions
        ],
    }


def _unpack(d: dict[str, Any]) -> SensorSummary:
    return SensorSummary(
        **{k: v for k, v in d.items() if k != "excursions"},
        excursions=[
            Excursion(
                start=sensors.from_ms(a),
                end=sensors.from_ms(b) if b is not None else None,
                peak=peak,
                low=low,
                high=high,
                beyond_pct=pct,
                minutes=minutes,
            )
            for a, b, peak, low, high, pct, minutes in d["excursions"]
        ],
    )


@dataclass
class Reuse:
    """What the stored summary gave: each segment's digest (``keys``; none
    when it was not read), the digests it held, and each segment's summaries
    where they are current (None: compute them)."""

    keys: list[str]
    stored_keys: set[str]
    results: list[list[SensorSummary] | None]

    @classmethod
    def empty(cls, n: int) -> Reuse:
        return cls([], set(), [None] * n)


def reuse(
    session: Session,
    batch: Batch,
    segments: list[Segment],
    found: list[list[Sensor]],
    category: str | None,
    all_ranges: Sequence[EnvironmentRange],
    closed: list[bool],
) -> Reuse:
    """The closed segments whose stored summary is current: computed from
    the same segment, sensors, category and ranges, and no block of their
    windows written since."""
    out = Reuse.empty(len(segments))
    fp = _ranges_fingerprint(all_ranges)
    out.keys = [
        _key(seg, xs, category, fp) for seg, xs in zip(segments, found, strict=True)
    ]
    row = session.get(EnvironmentSummary, (batch.tenant_id, batch.id))
    if row is None:
        return out
    body = json.loads(row.body)
    out.stored_keys = set(body)
    usable = [i for i, key in enumerate(out.keys) if closed[i] and key in body]
    late = _late(
        session,
        batch.tenant_id,
        [(i, found[i], segments[i].start, segments[i].end) for i in usable],
        row.computed_at,
    )
    for i in usable:
        if i not in late:
            out.results[i] = [_unpack(d) for d in body[out.keys[i]]]
    return out


def fresh(
    session: Session,
    batch: Batch,
    segments: list[Segment],
    found: list[list[Sensor]],
    closed: list[bool],
    cache: Reuse,
    computed_at: int,
) -> tuple[int, dict[str, Any]] | None:
    """(computed_at, body) to store when a closed segment had to be computed
    or the stored digests changed; None when the stored summary is current
    (or was not read)."""
    keys, results = cache.keys, cache.results
    if not keys:
        return None
    computed_now = [i for i in range(len(keys)) if closed[i] and results[i] is None]
    # readings written since computed_at may still be settling: a summary
    # stored now would be out of date at once (and written on every read)
    settling = _late(
        session,
        batch.tenant_id,
        [(i, found[i], segments[i].start, segments[i].end) for i in computed_now],
        computed_at,
    )
    body_now = {
        keys[i]: [_pack(x) for x in seg.sensors]
        for i, seg in enumerate(segments)
        if closed[i] and i not in settling
    }
    if body_now and (
        set(computed_now) - settling or set(body_now) != cache.stored_keys
    ):
        return computed_at, body_now
    return None
