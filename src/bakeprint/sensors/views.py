"""Rows → API shapes, shared by the endpoints, the CLI and the pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from bakeprint.alerts import environment as alerting
from bakeprint.sensors import service as sensors
from bakeprint.sensors.models import (
    DeadLetterGroup,
    EnvironmentAlert,
    EnvironmentRange,
    Sensor,
)
from bakeprint.sensors.schemas import (
    AlertRead,
    DeadLetterExample,
    DeadLetterRead,
    RangeRead,
    SensorRead,
)


def _code(session: Session, tenant_id: Any, kind: str, pid: Any) -> str:
    row = session.get(sensors.PLACES[kind], (tenant_id, pid))
    return str(row.code) if row is not None else "?"


def sensor(session: Session, s: Sensor) -> SensorRead:
    kind, pid = sensors.place_of(s)
    return SensorRead(
        code=s.code,
        name=s.name,
        kind=s.kind,
        unit=s.unit,
        place_kind=kind,
        place=_code(session, s.tenant_id, kind, pid),
        active=s.active,
    )


def range_(session: Session, r: EnvironmentRange) -> RangeRead:
    place = (
        r.category or ""
        if r.place_kind == "category"
        else _code(session, r.tenant_id, r.place_kind, r.place_id)
    )
    return RangeRead(
        id=r.id,
        kind=r.kind,
        place_kind=r.place_kind,
        place=place,
        low=r.low,
        high=r.high,
        valid_from=r.valid_from,
        valid_to=r.valid_to,
        set_by=r.set_by,
        reason=r.reason,
    )


def dead_letter(d: DeadLetterGroup) -> DeadLetterRead:
    return DeadLetterRead(
        id=d.id,
        sensor=d.sensor_code,
        reason=d.reason,
        count=d.count,
        first_seen=d.first_seen,
        last_seen=d.last_seen,
        first=DeadLetterExample(**d.first_example),
        last=DeadLetterExample(**d.last_example),
    )


def alert(session: Session, a: EnvironmentAlert) -> AlertRead:
    return alerts(session, [a])[0]


def alerts(session: Session, rows: Sequence[EnvironmentAlert]) -> list[AlertRead]:
    """Alerts with their place and the batches each names (one statement for
    the batches of them all)."""
    if not rows:
        return []
    named = alerting.linked(session, rows[0].tenant_id, [a.id for a in rows])
    out = []
    for a in rows:
        s = session.get(Sensor, (a.tenant_id, a.sensor_id))
        place_kind, place, _ = alerting.place(session, s) if s else ("", "?", "")
        out.append(
            AlertRead(
                id=a.id,
                sensor=s.code if s else "?",
                place_kind=place_kind,
                place=place,
                category=a.category,
                kind=a.kind,
                level=a.level,
                started_at=a.started_at,
                ended_at=a.ended_at,
                minutes=a.minutes,
                peak=a.peak,
                low=a.low,
                high=a.high,
                beyond_pct=a.beyond_pct,
                batches=[b.code for b in named.get(a.id, [])],
                status=a.status,
                acknowledged_by=a.acknowledged_by,
                acknowledged_at=a.acknowledged_at,
                note=a.note,
            )
        )
    return out
