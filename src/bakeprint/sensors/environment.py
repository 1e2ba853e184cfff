"""A batch's environment (R1.7): the readings of every place it was, while it
was there — the production location during production, the kitchen until it
left, the van during each trip, each shop that reports — against the allowed
range that applied then (place and product category, the stricter wins).

Computed from the raw readings (an hour block read per sensor per hour). What
was computed for a segment that has ended is stored with the batch
(``environment_summaries``) and reused while nothing it was computed from has
changed: the segment itself (place, start, end), the sensors there, the product
category, the bakery's range history, and the readings — a block of its
windows written after the summary was computed (a late reading) makes it be
computed again. So a late reading is reflected at once, and a closed batch's
environment is one row read instead of every hour of every sensor.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import (
    select,
)
from sqlalchemy.orm import Session

from bakeprint.db import utcnow
from bakeprint.production.models import Batch
from bakeprint.sensors import segments, stored
from bakeprint.sensors import service as sensors
from bakeprint.sensors.excursions import beyond
from bakeprint.sensors.models import (
    Sensor,
)

# what other modules read from here (their home is the module named)
from bakeprint.sensors.segments import (  # noqa: F401
    KITCHEN_MAX,
    SHOP_MAX,
    Segment,
    contexts,
    places_of,
    shop_stocks,
)
from bakeprint.sensors.stored import SETTLE, save
from bakeprint.sensors.summaries import (  # noqa: F401
    SensorSummary,
    summarise,
    summarise_many,
    summarise_windows,
)


def batch_environment(
    session: Session,
    batch: Batch,
    *,
    with_points: bool = False,
    legs: list[Any] | None = None,
    stocks: list[Any] | None = None,
) -> list[Segment]:
    """Each place the batch was, with its sensors' summaries. Closed segments
    come from the stored summary while it is current; what had to be
    computed is stored for next time (in this transaction when it writes,
    else in a short one of its own that gives way to any other writer)."""
    kept, fresh = _environment(
        session, batch, with_points=with_points, legs=legs, stocks=stocks
    )
    if fresh is not None:
        save(session, batch, *fresh)
    return kept


def from_readings(session: Session, batch: Batch) -> list[Segment]:
    """The batch's environment computed from the readings, whatever is stored
    (and storing nothing)."""
    return _environment(session, batch, with_points=False, use_stored=False)[0]


def _environment(
    session: Session,
    batch: Batch,
    *,
    with_points: bool,
    legs: list[Any] | None = None,
    stocks: list[Any] | None = None,
    use_stored: bool = True,
) -> tuple[list[Segment], tuple[int, dict[str, Any]] | None]:
    """The segments, and (computed_at, body) to store when anything closed
    had to be computed (None when the stored one is current). ``legs``,
    ``stocks``: the batch's trips and ``shop_stocks`` when the caller has read
    them already."""
    ctx = segments.context(session, batch)
    category = ctx.category
    segs = segments.of_batch(session, batch, ctx, legs, stocks)
    all_ranges = sensors.range_history(session, batch.tenant_id)
    at: dict[tuple[str, Any], list[Sensor]] = defaultdict(list)
    for x in session.scalars(  # the bakery's sensors: a few dozen rows
        select(Sensor).where(Sensor.tenant_id == batch.tenant_id).order_by(Sensor.code)
    ):
        at[sensors.place_of(x)].append(x)
    found = [
        at.get((seg.place_kind, segments.place_id(session, batch.tenant_id, seg)), [])
        for seg in segs
    ]
    now = utcnow()
    computed_at = sensors.ms(now - SETTLE)
    closed = [seg.end <= now - SETTLE for seg in segs]
    cache = stored.Reuse.empty(len(segs))
    if use_stored and not with_points:  # charts need the readings themselves
        cache = stored.reuse(session, batch, segs, found, category, all_ranges, closed)
    results = cache.results
    jobs = [
        (xs if results[i] is None else [], seg.start, seg.end)
        for i, (seg, xs) in enumerate(zip(segs, found, strict=True))
    ]
    computed = summarise_windows(
        session, jobs, category, with_points=with_points, all_ranges=all_ranges
    )
    kept = []
    for i, seg in enumerate(segs):
        got = results[i]
        seg.sensors = computed[i] if got is None else got
        seg.sensor_ids = [x.id for x in found[i]]
        if seg.sensors or seg.stage in ("production", "trip"):
            kept.append(seg)
    fresh = stored.fresh(session, batch, segs, found, closed, cache, computed_at)
    return kept, fresh


def anomalies(segments: list[Segment]) -> list[dict[str, Any]]:
    """Every excursion, most severe first, worded for the top of a trace. An
    excursion that runs on from one stage into the next (same sensor) is one."""
    out: list[dict[str, Any]] = []
    last: dict[str, dict[str, Any]] = {}
    for seg in segments:
        for s in seg.sensors:
            for e in s.excursions:
                prev = last.get(s.sensor)
                if prev is not None and (prev["end"] is None or e.start <= prev["end"]):
                    prev["level"] = max(prev["level"], e.level)
                    if beyond(e.peak, e.low, e.high) > beyond(
                        prev["peak"], e.low, e.high
                    ):
                        prev["peak"] = e.peak
                    prev["end"] = e.end
                    if e.end is not None:  # its length is the whole run's
                        span = (e.end - prev["start"]).total_seconds() / 60
                        prev["minutes"] = round(span, 1)
                    continue
                limit = (
                    f"≤ {e.high:g}"
                    if e.high is not None and e.peak > e.high
                    else f"≥ {e.low:g}"
                )
                item = {
                    "stage": seg.stage,
                    "place": seg.place_name,
                    "place_kind": seg.place_kind,
                    "place_code": seg.place,
                    "ref": seg.ref,  # the trip, for a van
                    "sensor": s.sensor,
                    "kind": s.kind,
                    "unit": s.unit,
                    "peak": e.peak,
                    "limit": limit,
                    "level": e.level,
                    "start": e.start,
                    "end": e.end,
                    "minutes": e.minutes,
                }
                last[s.sensor] = item
                out.append(item)
    for a in out:
        unit = "%" if a["kind"] == "humidity" else " °C"
        label_zh = "湿度" if a["kind"] == "humidity" else "温度"
        a["zh"] = f"{label_zh} {a['peak']:g}{unit}，标准 {a['limit']}{unit}"
        a["en"] = f"{a['kind']} {a['peak']:g}{unit}, standard {a['limit']}{unit}"
    return sorted(out, key=lambda a: (-a["level"], a["start"]))


def store_all(
    db: Any,
    tenant_id: Any,
    *,
    progress: Any = None,
    chunk: int = 200,
) -> dict[str, int]:
    """Compute and store the settled environment of every batch whose stored
    one is missing or out of date, oldest first, ``chunk`` batches a
    transaction (after a bulk load or an upgrade; readers would otherwise
    store each on first read)."""
    with db.session(write=False) as s:
        ids = list(
            s.scalars(
                select(Batch.id)
                .where(Batch.tenant_id == tenant_id)
                .order_by(Batch.started_at, Batch.id)
            )
        )
    stored = 0
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        with db.session() as s:
            for batch in s.scalars(
                select(Batch)
                .where(Batch.tenant_id == tenant_id, Batch.id.in_(part))
                .order_by(Batch.started_at, Batch.id)
            ):
                _, fresh = _environment(s, batch, with_points=False)
                if fresh is not None:
                    save(s, batch, *fresh)
                    stored += 1
        if progress is not None:
            progress("环境汇总 / batch environments", start + len(part), len(ids))
    return {"batches": len(ids), "stored": stored}
