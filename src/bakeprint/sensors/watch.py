"""Watching the readings as they arrive (R2.5): which excursions, against
which range, for which batches.

Every place a batch can be — the production hall, a cold room, a van, a
shop — is watched against the place's own range and against the product
category's range of the batches there (combined with the place's; the
stricter wins). The place's own excursions name the batches there with no
stricter category range; a category's excursions are looked for only while
batches of that category were there — so a van's excursion on trip 1 never
reaches trip 2's batches, nor one still waiting in the kitchen — and name
those batches. A batch's stays come from the same segments as its
environment (``presence``), so an alert and ``batch env`` always agree.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint.alerts import environment as alerts
from bakeprint.production.models import Batch
from bakeprint.sensors import blocks, presence
from bakeprint.sensors import service as sensors
from bakeprint.sensors.excursions import Excursion, beyond, detect
from bakeprint.sensors.models import (
    EnvironmentAlert,
    EnvironmentRange,
    Sensor,
    SensorBlock,
)
from bakeprint.sensors.presence import Stay

WINDOW = timedelta(hours=2)


def scan(
    session: Session, tenant_id: uuid.UUID, touched: dict[uuid.UUID, tuple[int, int]]
) -> list[EnvironmentAlert]:
    """Re-examine the time spans that just received readings."""
    raised: list[EnvironmentAlert] = []
    if not touched:
        return raised
    history = sensors.range_history(session, tenant_id)
    for sensor_id, (t_min, t_max) in touched.items():
        sensor = session.get(Sensor, (tenant_id, sensor_id))
        if sensor is None:
            continue
        start = sensors.from_ms(t_min) - WINDOW
        end = sensors.from_ms(t_max) + WINDOW
        place_kind, place_id = sensors.place_of(sensor)
        own = sensors.pick_ranges(
            history,
            sensor.kind,
            place_kind=place_kind,
            place_id=place_id,
            start=start,
            end=end,
        )
        categories = [
            r
            for r in history
            if r.place_kind == "category"
            and r.kind == sensor.kind
            and r.valid_from <= end
            and (r.valid_to is None or r.valid_to > start)
        ]
        if not (own or categories) or _all_inside(
            session, sensor, own + categories, start, end
        ):
            continue
        points = sensors.readings(session, sensor, start, end)
        own_excursions = detect(points, sensors.Band(own)) if own else []
        strictest = sensors.Band(own + categories)
        if own_excursions or any(beyond(v, *strictest(t)) > 0 for t, v in points):
            raised += _watch(
                session, sensor, points, own, own_excursions, history, start, end
            )
    return raised


def _watch(
    session: Session,
    sensor: Sensor,
    points: list[tuple[datetime, float]],
    own: list[EnvironmentRange],
    own_excursions: list[Excursion],
    history: Sequence[EnvironmentRange],
    start: datetime,
    end: datetime,
) -> list[EnvironmentAlert]:
    """The alerts of each category's range while batches of that category
    were there, then of the place's own range (``own_excursions``)."""
    place_kind, place_id = sensors.place_of(sensor)
    here = presence.stays(session, sensor.tenant_id, place_kind, place_id, start, end)
    groups: dict[str | None, list[Stay]] = defaultdict(list)
    for stay in here:
        a, b = max(stay.start, start), min(stay.end, end)
        groups[presence.group_of(history, sensor.kind, stay.category, a, b)].append(
            stay
        )
    out: list[EnvironmentAlert] = []
    for category, group in groups.items():
        if category is None:
            continue
        mine = sensors.pick_ranges(
            history, sensor.kind, category=category, start=start, end=end
        )
        band = sensors.Band(own + mine)
        later = points[-1][0] if points else start
        for a, b, ongoing in _spans(group, start, end):
            inside = [p for p in points if a <= p[0] <= b]
            for exc in detect(inside, band):
                if exc.end is None and not ongoing and later >= b:
                    exc = _left(exc, b)  # still outside when they left
                out.append(
                    alerts.record(session, sensor, category, exc, _there(group, exc))
                )
    for exc in own_excursions:
        out.append(alerts.record(session, sensor, None, exc, _there(groups[None], exc)))
    return out


def _spans(
    stays: list[Stay], start: datetime, end: datetime
) -> list[tuple[datetime, datetime, bool]]:
    """When any of the stays was there, inside [start, end], as disjoint spans
    (ongoing: the span runs on past what is known)."""
    cut = sorted(
        (max(s.start, start), min(s.end, end), s.ongoing or s.end > end) for s in stays
    )
    out: list[tuple[datetime, datetime, bool]] = []
    for a, b, ongoing in cut:
        if out and a <= out[-1][1]:
            pa, pb, po = out[-1]
            out[-1] = (pa, max(pb, b), po or ongoing) if b >= pb else (pa, pb, po)
        else:
            out.append((a, b, ongoing))
    return out


def _left(exc: Excursion, when: datetime) -> Excursion:
    return Excursion(
        start=exc.start,
        end=when,
        peak=exc.peak,
        low=exc.low,
        high=exc.high,
        beyond_pct=exc.beyond_pct,
        minutes=round((when - exc.start).total_seconds() / 60, 1),
    )


def _there(stays: list[Stay], exc: Excursion) -> list[Batch]:
    """The batches there at some time during the excursion, once each."""
    found: dict[uuid.UUID, Batch] = {}
    for s in stays:
        # one that came when the readings were back in range saw none of it
        came_in_time = s.start < exc.end if exc.end else s.start <= exc.until
        if came_in_time and s.end > exc.start:
            found.setdefault(s.batch.id, s.batch)
    return list(found.values())


def _all_inside(
    session: Session,
    sensor: Sensor,
    ranges: Sequence[EnvironmentRange],
    start: datetime,
    end: datetime,
) -> bool:
    """True when the hour blocks' min and max already lie inside the strictest
    band in force anywhere in the window: then no reading can be outside its
    band, and the readings need not be decoded (the usual case)."""
    v_min, v_max = session.execute(
        select(func.min(SensorBlock.v_min), func.max(SensorBlock.v_max)).where(
            SensorBlock.tenant_id == sensor.tenant_id,
            SensorBlock.sensor_id == sensor.id,
            SensorBlock.hour >= blocks.hour_of(sensors.ms(start)),
            SensorBlock.hour <= sensors.ms(end),
        )
    ).one()
    return v_min is None or sensors.Band(ranges).holds(v_min, v_max)
