"""HTTP API: complaints — filed by a shop or staff, verified or rejected by QC
(a verified one raises level 3, see ``alerts.attention``)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy.orm import Session

from bakeprint.deps import CanFileComplaints, CanRead, CanWriteQuality, SessionDep
from bakeprint.localtime import LocalDateTime
from bakeprint.production import repository as batch_repo
from bakeprint.quality import complaints
from bakeprint.quality import repository as quality_repo
from bakeprint.quality.models import BatchAlert, Complaint
from bakeprint.recall import repository as recall_repo

router = APIRouter(tags=["alerts and complaints"])


class ComplaintRead(BaseModel):
    code: str
    received_at: LocalDateTime
    channel: str
    batch: str
    serial: str | None
    category: str
    description: str
    contact: str
    status: str
    verified_by: str | None
    verified_at: LocalDateTime | None
    verdict: str
    alert: uuid.UUID | None = None
    recall: str | None = None


def complaint_view(
    session: Session, c: Complaint, alert: BatchAlert | None = None
) -> ComplaintRead:
    if alert is None and c.status == "verified":
        alert = quality_repo.alert_of_complaint(session, c.tenant_id, c.code)
    recall = (
        recall_repo.by_id(session, c.tenant_id, alert.recall_id)
        if alert is not None and alert.recall_id
        else None
    )
    batch = batch_repo.by_id(session, c.tenant_id, c.batch_id)
    return ComplaintRead(
        code=c.code,
        received_at=c.received_at,
        channel=c.channel,
        batch=batch.code,
        serial=c.serial,
        category=c.category,
        description=c.description,
        contact=c.contact,
        status=c.status,
        verified_by=c.verified_by,
        verified_at=c.verified_at,
        verdict=c.verdict,
        alert=alert.id if alert else None,
        recall=recall.code if recall else None,
    )


@router.post("/complaints", response_model=ComplaintRead, status_code=201)
def file_complaint(
    data: complaints.ComplaintCreate, session: SessionDep, actor: CanFileComplaints
) -> ComplaintRead:
    """A shop or staff files a complaint about a unit or batch; QC gets the
    task to verify it."""
    row = complaints.file(session, actor.tenant_id, data, channel="api", actor=actor)
    return complaint_view(session, row)


@router.get("/complaints", response_model=list[ComplaintRead])
def list_complaints(
    session: SessionDep, actor: CanRead, status: str | None = None
) -> list[ComplaintRead]:
    rows = complaints.complaints(session, actor.tenant_id, status=status)
    return [complaint_view(session, c) for c in rows]


@router.get("/complaints/{code}", response_model=ComplaintRead)
def show_complaint(code: str, session: SessionDep, actor: CanRead) -> ComplaintRead:
    return complaint_view(session, complaints.get(session, actor.tenant_id, code))


@router.post("/complaints/{code}/decision", response_model=ComplaintRead)
def decide(
    code: str,
    data: complaints.ComplaintDecision,
    session: SessionDep,
    actor: CanWriteQuality,
) -> ComplaintRead:
    """QC's verdict. Verified raises level 3: the impact report of the batch's
    scope and a recall draft (launch it at /recalls/{code}/launch)."""
    row, alert = complaints.decide(session, code, data, actor=actor)
    return complaint_view(session, row, alert)
