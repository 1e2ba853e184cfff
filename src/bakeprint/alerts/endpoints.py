"""HTTP API: level-2/3 alerts on batches, QC tasks, hazards, and the alert
thresholds."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from bakeprint.alerts import attention
from bakeprint.deps import (
    CanAckAlerts,
    CanRead,
    CanWriteQuality,
    SessionDep,
)
from bakeprint.localtime import LocalDateTime
from bakeprint.production import repository as batch_repo
from bakeprint.quality import repository as quality_repo
from bakeprint.quality.models import BatchAlert, Complaint, QcTask
from bakeprint.recall import repository as recall_repo
from bakeprint.trace import scope

router = APIRouter(tags=["alerts and complaints"])


class BatchAlertRead(BaseModel):
    id: uuid.UUID
    level: int
    cause: str
    detail_zh: str
    detail_en: str
    batches: list[str]
    anomalies: list[dict[str, str]]
    raised_at: LocalDateTime
    raised_by: str
    status: str
    acknowledged_by: str | None
    acknowledged_at: LocalDateTime | None
    note: str
    recall: str | None = None
    recall_status: str | None = None
    criteria: dict[str, Any] | None = None
    impact: dict[str, Any] | None = None


class QcTaskRead(BaseModel):
    id: uuid.UUID
    kind: str
    batch: str | None
    complaint: str | None
    detail_zh: str
    detail_en: str
    status: str
    created_at: LocalDateTime
    done_by: str | None
    done_at: LocalDateTime | None
    result: str


class Ack(BaseModel):
    note: str = Field(default="", max_length=1000)


class TaskDone(BaseModel):
    result: str = Field(min_length=1, max_length=2000)


class HazardCreate(BaseModel):
    description: str = Field(min_length=1, max_length=2000)
    criteria: scope.Criteria


class ThresholdsUpdate(BaseModel):
    minor_anomalies: int | None = Field(default=None, ge=1, le=20)
    raised_sampling_rate: float | None = Field(default=None, gt=0, le=1)


def _codes(session: Session, tenant_id: uuid.UUID, ids: set[Any]) -> dict[Any, str]:
    ids.discard(None)
    return batch_repo.codes_by_id(session, tenant_id, ids) if ids else {}


def alert_view(
    session: Session, a: BatchAlert, *, full: bool = False
) -> BatchAlertRead:
    recall = (
        recall_repo.by_id(session, a.tenant_id, a.recall_id) if a.recall_id else None
    )
    return BatchAlertRead(
        id=a.id,
        level=a.level,
        cause=a.cause,
        detail_zh=a.detail_zh,
        detail_en=a.detail_en,
        batches=attention.batch_codes(session, a),
        anomalies=a.anomalies or [],
        raised_at=a.raised_at,
        raised_by=a.raised_by,
        status=a.status,
        acknowledged_by=a.acknowledged_by,
        acknowledged_at=a.acknowledged_at,
        note=a.note,
        recall=recall.code if recall else None,
        recall_status=recall.status if recall else None,
        criteria=a.criteria if full else None,
        impact=a.impact if full else None,
    )


def task_views(session: Session, rows: list[QcTask]) -> list[QcTaskRead]:
    if not rows:
        return []
    t = rows[0].tenant_id
    codes = _codes(session, t, {r.batch_id for r in rows})
    cps: dict[Any, Complaint] = quality_repo.complaints_by_id(
        session, t, {r.complaint_id for r in rows if r.complaint_id}
    )
    return [
        QcTaskRead(
            id=r.id,
            kind=r.kind,
            batch=codes.get(r.batch_id),
            complaint=c.code if (c := cps.get(r.complaint_id)) else None,
            detail_zh=r.detail_zh,
            detail_en=r.detail_en,
            status=r.status,
            created_at=r.created_at,
            done_by=r.done_by,
            done_at=r.done_at,
            result=r.result,
        )
        for r in rows
    ]


@router.get("/batch-alerts", response_model=list[BatchAlertRead])
def list_alerts(
    session: SessionDep,
    actor: CanRead,
    status: str | None = None,
    level: Annotated[int | None, Query(ge=2, le=3)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[BatchAlertRead]:
    """Level-2 and level-3 alerts, newest first (status: open, acknowledged)."""
    rows = attention.alerts(
        session, actor.tenant_id, status=status, level=level, limit=limit
    )
    return [alert_view(session, a) for a in rows]


@router.get("/batch-alerts/{alert_id}", response_model=BatchAlertRead)
def show_alert(
    alert_id: uuid.UUID, session: SessionDep, actor: CanRead
) -> BatchAlertRead:
    """One alert; for level 3 with its impact report and the recall draft."""
    return alert_view(
        session, attention.get(session, actor.tenant_id, alert_id), full=True
    )


@router.post("/batch-alerts/{alert_id}/acknowledge", response_model=BatchAlertRead)
def acknowledge(
    alert_id: uuid.UUID, data: Ack, session: SessionDep, actor: CanAckAlerts
) -> BatchAlertRead:
    """A person takes the alert in hand (who and when are kept)."""
    a = attention.acknowledge(session, alert_id, note=data.note, actor=actor)
    return alert_view(session, a)


@router.get("/qc-tasks", response_model=list[QcTaskRead])
def list_tasks(
    session: SessionDep, actor: CanRead, status: str | None = "open"
) -> list[QcTaskRead]:
    """QC's work: batches to sample more, complaints to verify."""
    return task_views(session, attention.tasks(session, actor.tenant_id, status=status))


@router.post("/qc-tasks/{task_id}/done", response_model=QcTaskRead)
def task_done(
    task_id: uuid.UUID, data: TaskDone, session: SessionDep, actor: CanWriteQuality
) -> QcTaskRead:
    task = attention.complete_task(session, task_id, result=data.result, actor=actor)
    return task_views(session, [task])[0]


@router.post("/hazards", response_model=BatchAlertRead, status_code=201)
def confirm_hazard(
    data: HazardCreate, session: SessionDep, actor: CanWriteQuality
) -> BatchAlertRead:
    """A confirmed hazard (e.g. an undeclared allergen in a supplier's lot):
    level 3 with the impact report of its scope and a recall draft."""
    a = attention.confirm_hazard(
        session, data.criteria, description=data.description, actor=actor
    )
    return alert_view(session, a, full=True)


@router.get("/alert-settings", response_model=ThresholdsUpdate)
def get_settings(session: SessionDep, actor: CanRead) -> ThresholdsUpdate:
    th = attention.thresholds(session, actor.tenant_id)
    return ThresholdsUpdate(**vars(th))


@router.put("/alert-settings", response_model=ThresholdsUpdate)
def put_settings(
    data: ThresholdsUpdate, session: SessionDep, actor: CanWriteQuality
) -> ThresholdsUpdate:
    """How many minor anomalies make a batch "needs attention", and the
    sampling rate it then gets."""
    th = attention.set_thresholds(
        session,
        minor_anomalies=data.minor_anomalies,
        raised_sampling_rate=data.raised_sampling_rate,
        actor=actor,
    )
    return ThresholdsUpdate(**vars(th))
