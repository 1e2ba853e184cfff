"""HTTP API: sensors, allowed ranges, bulk readings, dead letters, alerts, and a
batch's environment."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime

from bakeprint.alerts import environment as alerts
from bakeprint.deps import (
    CanAckAlerts,
    CanIngestSensors,
    CanRead,
    CanWriteCatalog,
    SessionDep,
    read_limited,
)
from bakeprint.localtime import Localised
from bakeprint.production import repository as batches
from bakeprint.sensors import environment, parsing, views
from bakeprint.sensors import repository as sensor_repo
from bakeprint.sensors import service as sensors
from bakeprint.sensors.schemas import (
    AckCreate,
    AlertRead,
    DeadLetterRead,
    IngestRead,
    RangeCreate,
    RangeRead,
    SensorCreate,
    SensorRead,
)

router = APIRouter(tags=["sensors"])
MAX_UPLOAD = 64 * 1024 * 1024


async def _body(request: Request) -> tuple[str, bytes]:
    body = await read_limited(request, MAX_UPLOAD)
    return request.headers.get("content-type", ""), body


Body = Annotated[tuple[str, bytes], Depends(_body)]


@router.post("/sensors", response_model=SensorRead, status_code=201)
def register(
    data: SensorCreate, session: SessionDep, actor: CanWriteCatalog
) -> SensorRead:
    """Register a sensor at a location, a vehicle or a point of sale."""
    s = sensors.register(session, actor=actor, **data.model_dump())
    return views.sensor(session, s)


@router.get("/sensors", response_model=list[SensorRead])
def index(session: SessionDep, actor: CanRead) -> list[SensorRead]:
    rows = sensor_repo.sensors(session, actor.tenant_id)
    return [views.sensor(session, s) for s in rows]


@router.post("/sensors/readings", response_model=IngestRead)
def upload(body: Body, session: SessionDep, actor: CanIngestSensors) -> IngestRead:
    """Bulk readings from a gateway (JSON lines, CSV with a header, or JSON).

    Each reading is stored, recognised as a duplicate, or counted in the dead
    letters (one row per sensor and reason); the counts say which."""
    content_type, raw = body
    readings = parsing.parse_body(content_type, raw)
    result = sensors.ingest(session, actor.tenant_id, readings, source="http")
    return IngestRead(**result.as_dict())


@router.get("/sensors/dead-letters", response_model=list[DeadLetterRead])
def dead(
    session: SessionDep, actor: CanRead, limit: int = Query(100, ge=1, le=1000)
) -> list[DeadLetterRead]:
    """Readings that could not be stored, one row per sensor and reason with
    how many, when first and last, and the first and last of them; the most
    recently added to first."""
    return [
        views.dead_letter(d)
        for d in sensors.dead_letters(session, actor.tenant_id, limit)
    ]


@router.get("/sensors/{code}/readings")
def series(
    code: str,
    session: SessionDep,
    actor: CanRead,
    start: Annotated[AwareDatetime, Query(alias="from")],
    end: Annotated[AwareDatetime, Query(alias="to")],
) -> Localised[dict[str, Any]]:
    """Raw readings of one sensor in a time window (at most 31 days)."""
    from bakeprint.errors import Invalid

    if end <= start or (end - start).days > 31:
        raise Invalid(
            "时间窗须为正且不超过 31 天",
            "the window must be positive and at most 31 days",
        )
    s = sensors.get(session, actor.tenant_id, code)
    return {
        "sensor": s.code,
        "unit": s.unit,
        "readings": [
            {"at": t, "value": v} for t, v in sensors.readings(session, s, start, end)
        ],
    }


@router.post("/environment/ranges", response_model=RangeRead, status_code=201)
def set_range(
    data: RangeCreate, session: SessionDep, actor: CanWriteCatalog
) -> RangeRead:
    """A new allowed range; the previous one for the same place is closed."""
    r = sensors.set_range(session, actor=actor, **data.model_dump())
    return views.range_(session, r)


@router.get("/environment/ranges", response_model=list[RangeRead])
def ranges(session: SessionDep, actor: CanRead) -> list[RangeRead]:
    """Every range ever set, with when it applied."""
    return [
        views.range_(session, r)
        for r in sensors.range_history(session, actor.tenant_id)
    ]


@router.get("/alerts", response_model=list[AlertRead])
def alert_list(
    session: SessionDep,
    actor: CanRead,
    status: str | None = None,
    limit: int = Query(200, ge=1, le=1000),
) -> list[AlertRead]:
    """Environment alerts, newest first (status: open, acknowledged)."""
    rows = alerts.alerts(session, actor.tenant_id, status=status, limit=limit)
    return views.alerts(session, rows)


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertRead)
def acknowledge(
    alert_id: uuid.UUID, data: AckCreate, session: SessionDep, actor: CanAckAlerts
) -> AlertRead:
    """A person has seen the alert (and says what was done)."""
    a = alerts.acknowledge(session, alert_id, note=data.note, actor=actor)
    return views.alert(session, a)


@router.get("/batches/{code}/environment")
def batch_environment(
    code: str, session: SessionDep, actor: CanRead, points: bool = False
) -> Localised[dict[str, Any]]:
    """Where the batch was and what the sensors there read, against the range."""
    batch = batches.get(session, actor.tenant_id, code)
    segs = environment.batch_environment(session, batch, with_points=points)
    return {
        "batch": batch.code,
        "anomalies": environment.anomalies(segs),
        "segments": [s.as_dict(points) for s in segs],
    }
