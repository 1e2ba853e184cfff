"""Excursions outside the allowed range, and the alerts they raise (R2.5).

Up to 15 % beyond the limit is level 1 (the production lead is told through
the outbox); further is level 2. An alert stands for one excursion: readings
that arrive later — in order or not — extend or deepen the same alert instead
of raising another one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bakeprint import localtime
from bakeprint.db import utcnow
from bakeprint.errors import Conflict, NotFound
from bakeprint.identity.service import Actor
from bakeprint.sensors import blocks
from bakeprint.sensors import service as sensors
from bakeprint.sensors.models import (
    EnvironmentAlert,
    EnvironmentRange,
    OutboxMessage,
    Sensor,
    SensorBlock,
)

LEVEL1_MAX_PCT = 15.0
WINDOW = timedelta(hours=2)
JOIN_GAP = timedelta(minutes=5)  # two stretches this close are one excursion


@dataclass
class Excursion:
    start: datetime
    end: datetime | None  # first reading back in range; None: still outside
    peak: float
    low: float | None
    high: float | None
    beyond_pct: float
    minutes: float

    @property
    def level(self) -> int:
        return 1 if self.beyond_pct <= LEVEL1_MAX_PCT else 2


def beyond(value: float, low: float | None, high: float | None) -> float:
    """How far beyond the band, in % of the limit crossed (0 if inside)."""
    width = (high - low) if low is not None and high is not None else 0.0
    if high is not None and value > high:
        base = abs(high) or width or 1.0
        return (value - high) / base * 100
    if low is not None and value < low:
        base = abs(low) or width or 1.0
        return (low - value) / base * 100
    return 0.0


def detect(
    points: Sequence[tuple[datetime, float]],
    limits: Callable[[datetime], tuple[float | None, float | None]],
) -> list[Excursion]:
    """Runs of readings outside their band, with start, end and peak."""
    out: list[Excursion] = []
    run: list[tuple[datetime, float, float, float | None, float | None]] = []

    def close(end: datetime | None) -> None:
        if not run:
            return
        worst = max(run, key=lambda r: r[2])
        last = end or run[-1][0]
        exc = Excursion(
            start=run[0][0],
            end=end,
            peak=worst[1],
            low=worst[3],
            high=worst[4],
            beyond_pct=round(worst[2], 2),
            minutes=round((last - run[0][0]).total_seconds() / 60, 1),
        )
        if out and out[-1].end is not None and exc.start - out[-1].end <= JOIN_GAP:
            prev = out.pop()
            exc = Excursion(
                start=prev.start,
                end=exc.end,
                peak=exc.peak if exc.beyond_pct >= prev.beyond_pct else prev.peak,
                low=exc.low if exc.beyond_pct >= prev.beyond_pct else prev.low,
                high=exc.high if exc.beyond_pct >= prev.beyond_pct else prev.high,
                beyond_pct=max(exc.beyond_pct, prev.beyond_pct),
                minutes=round((last - prev.start).total_seconds() / 60, 1),
            )
        out.append(exc)
        run.clear()

    for when, value in points:
        low, high = limits(when)
        pct = beyond(value, low, high)
        if pct > 0:
            run.append((when, value, pct, low, high))
        else:
            close(when)
    close(None)
    return out


def scan(
    session: Session, tenant_id: uuid.UUID, touched: dict[uuid.UUID, tuple[int, int]]
) -> list[EnvironmentAlert]:
    """Re-examine the time spans that just received readings."""
    raised: list[EnvironmentAlert] = []
    for sensor_id, (t_min, t_max) in touched.items():
        sensor = session.get(Sensor, (tenant_id, sensor_id))
        if sensor is None:
            continue
        start = sensors.from_ms(t_min) - WINDOW
        end = sensors.from_ms(t_max) + WINDOW
        place_kind, place_id = sensors.place_of(sensor)
        ranges = sensors.ranges_for(
            session,
            tenant_id,
            sensor.kind,
            place_kind=place_kind,
            place_id=place_id,
            start=start,
            end=end,
        )
        if not ranges or _all_inside(session, sensor, ranges, start, end):
            continue
        points = sensors.readings(session, sensor, start, end)
        for exc in detect(points, sensors.Band(ranges)):
            raised.append(_record(session, sensor, exc))
    return raised


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


def _record(session: Session, sensor: Sensor, exc: Excursion) -> EnvironmentAlert:
    t = sensor.tenant_id
    stmt = select(EnvironmentAlert).where(
        EnvironmentAlert.tenant_id == t,
        EnvironmentAlert.sensor_id == sensor.id,
        or_(
            EnvironmentAlert.ended_at.is_(None),
            EnvironmentAlert.ended_at >= exc.start - JOIN_GAP,
        ),
    )
    if exc.end is not None:
        stmt = stmt.where(EnvironmentAlert.started_at <= exc.end + JOIN_GAP)
    existing = session.scalar(
        stmt.order_by(EnvironmentAlert.started_at).with_for_update()
    )
    if existing is None:
        alert = EnvironmentAlert(
            tenant_id=t,
            sensor_id=sensor.id,
            kind=sensor.kind,
            started_at=exc.start,
            ended_at=exc.end,
            peak=exc.peak,
            low=exc.low,
            high=exc.high,
            beyond_pct=exc.beyond_pct,
            level=exc.level,
        )
        session.add(alert)
        session.flush()
        _notify(session, sensor, alert)
        if sensor.location_id is not None:  # the batches made or waiting there
            from bakeprint.quality import attention

            attention.review_place(
                session, t, sensor.location_id, alert.started_at, alert.ended_at
            )
        return alert
    rose = exc.level > existing.level
    existing.started_at = min(existing.started_at, exc.start)
    existing.ended_at = (
        None if exc.end is None else max(existing.ended_at or exc.end, exc.end)
    )
    if exc.beyond_pct > existing.beyond_pct:
        existing.peak, existing.beyond_pct = exc.peak, exc.beyond_pct
        existing.low, existing.high = exc.low, exc.high
        existing.level = max(existing.level, exc.level)
    if rose:
        _notify(session, sensor, existing)
    return existing


def _notify(session: Session, sensor: Sensor, alert: EnvironmentAlert) -> None:
    limit = (
        f"≤ {alert.high:g}"
        if alert.high is not None and alert.peak > alert.high
        else f"≥ {alert.low:g}"
    )
    session.add(
        OutboxMessage(
            tenant_id=sensor.tenant_id,
            topic=f"alert.level{alert.level}",
            recipient="role:production" if alert.level == 1 else "role:owner",
            payload={
                "alert": str(alert.id),
                "sensor": sensor.code,
                "kind": alert.kind,
                "peak": alert.peak,
                "limit": limit,
                "unit": sensor.unit,
                "beyond_pct": alert.beyond_pct,
                "level": alert.level,
                "started_at": localtime.iso(alert.started_at),
            },
            available_at=utcnow(),
        )
    )


def acknowledge(
    session: Session, alert_id: uuid.UUID, *, note: str = "", actor: Actor
) -> EnvironmentAlert:
    return acknowledge_row(
        session,
        EnvironmentAlert,
        alert_id,
        note=note,
        actor=actor,
        missing=("找不到这条告警", "alert not found"),
    )


def acknowledge_row(
    session: Session,
    model: Any,
    row_id: uuid.UUID,
    *,
    note: str,
    actor: Actor,
    missing: tuple[str, str],
) -> Any:
    """A person takes an alert (any kind with status/acknowledged_*/note) in
    hand, once; who and when are kept."""
    row = session.scalar(
        select(model)
        .where(model.tenant_id == actor.tenant_id, model.id == row_id)
        .with_for_update()
    )
    if row is None:
        raise NotFound(*missing)
    if row.status == "acknowledged":
        raise Conflict(
            f"这条告警已由 {row.acknowledged_by} 确认",
            f"this alert was already acknowledged by {row.acknowledged_by}",
        )
    row.status = "acknowledged"
    row.acknowledged_by = actor.username
    row.acknowledged_at = utcnow()
    row.note = note
    session.flush()
    return row


def alerts(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    status: str | None = None,
    sensor_ids: Sequence[uuid.UUID] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 200,
) -> list[EnvironmentAlert]:
    stmt = select(EnvironmentAlert).where(EnvironmentAlert.tenant_id == tenant_id)
    if status:
        stmt = stmt.where(EnvironmentAlert.status == status)
    if sensor_ids is not None:
        stmt = stmt.where(EnvironmentAlert.sensor_id.in_(list(sensor_ids)))
    if end is not None:
        stmt = stmt.where(EnvironmentAlert.started_at <= end)
    if start is not None:
        stmt = stmt.where(
            or_(
                EnvironmentAlert.ended_at.is_(None),
                EnvironmentAlert.ended_at >= start,
            )
        )
    return list(
        session.scalars(stmt.order_by(EnvironmentAlert.started_at.desc()).limit(limit))
    )
