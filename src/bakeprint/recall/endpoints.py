"""HTTP API: recalls — open from a scope, follow, confirm, close."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, Field

from bakeprint.deps import CanRead, CanWriteRecall, CanWriteRetail, SessionDep
from bakeprint.localtime import Localised
from bakeprint.recall import progress
from bakeprint.recall import service as recalls
from bakeprint.recall.schemas import RecallReport, RecallStatus
from bakeprint.trace import scope
from bakeprint.trace.pdf import response as pdf_response

router = APIRouter(tags=["recall"])


class RecallCreate(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)
    level: int = Field(default=3, ge=1, le=3)
    lot: str | None = None
    supplier: str | None = None
    start: date | None = Field(default=None, alias="from")
    end: date | None = Field(default=None, alias="to")
    session: str | None = None
    equipment: str | None = None
    operator: str | None = None
    trip: str | None = None
    location: str | None = None
    at_from: AwareDatetime | None = None
    at_to: AwareDatetime | None = None
    batch: str | None = Field(default=None, description="Recall just this batch.")

    model_config = {"populate_by_name": True}


class Confirmation(BaseModel):
    point_of_sale: str
    batch: str
    pulled: int = Field(ge=0, le=100000)
    at: AwareDatetime | None = None


class Closing(BaseModel):
    note: str = Field(default="", max_length=4000)


@router.post("/recalls", status_code=201, response_model=RecallStatus)
def open_recall(
    data: RecallCreate, session: SessionDep, actor: CanWriteRecall
) -> RecallStatus:
    """Open a recall (level 3) from a scope: freeze its batches and notify
    exactly the shops that have them (webhook + their page)."""
    crit = scope.Criteria(**data.model_dump(exclude={"reason", "level"}))
    rec = recalls.open_recall(
        session, crit, reason=data.reason, actor=actor, level=data.level
    )
    return progress.status(session, rec)


@router.get("/recalls")
def index(session: SessionDep, actor: CanRead) -> Localised[list[dict[str, Any]]]:
    return [
        {
            "code": r.code,
            "level": r.level,
            "reason": r.reason,
            "status": r.status,
            "opened_at": r.opened_at,
            "closed_at": r.closed_at,
        }
        for r in recalls.list_recalls(session, actor.tenant_id)
    ]


@router.get("/recalls/{code}", response_model=RecallStatus)
def show(code: str, session: SessionDep, actor: CanRead) -> RecallStatus:
    """Per shop and batch: on shelf at notice, pulled, confirmed; notices and
    their delivery; sales after the notice; effectiveness."""
    return progress.status(session, recalls.get(session, actor.tenant_id, code))


@router.post("/recalls/{code}/confirmations", status_code=201)
def confirm(
    code: str, data: Confirmation, session: SessionDep, actor: CanWriteRetail
) -> Localised[dict[str, Any]]:
    """A shop confirms how many units of a batch it pulled off the shelf."""
    row = recalls.confirm_pulled(
        session,
        code,
        data.point_of_sale,
        batch_code=data.batch,
        pulled=data.pulled,
        actor=actor,
        at=data.at,
    )
    return {
        "recall": code,
        "point_of_sale": data.point_of_sale,
        "batch": data.batch,
        "pulled": row.pulled,
        "confirmed_at": row.confirmed_at,
    }


@router.post("/recalls/{code}/close", response_model=RecallStatus)
def close(
    code: str, data: Closing, session: SessionDep, actor: CanWriteRecall
) -> RecallStatus:
    """Close the recall; its report (GET …/report) stays as it was then."""
    rec = recalls.close(session, code, note=data.note, actor=actor)
    return progress.status(session, rec)


@router.post("/recalls/{code}/launch", response_model=RecallStatus)
def launch(code: str, session: SessionDep, actor: CanWriteRecall) -> RecallStatus:
    """Launch a recall draft (from a level-3 alert): its scope is worked out
    again now, its batches frozen and its shops notified."""
    rec = recalls.launch(session, code, actor=actor)
    return progress.status(session, rec)


@router.post("/recalls/{code}/discard", response_model=RecallStatus)
def discard(
    code: str, data: Closing, session: SessionDep, actor: CanWriteRecall
) -> RecallStatus:
    """Drop a recall draft that is not needed (the note says why)."""
    rec = recalls.discard(session, code, note=data.note, actor=actor)
    return progress.status(session, rec)


@router.get("/recalls/{code}/report", response_model=RecallReport)
def report(code: str, session: SessionDep, actor: CanRead) -> RecallReport:
    """The recall report as JSON, stamped with the event-log head."""
    rec = recalls.get(session, actor.tenant_id, code)
    return progress.report(session, rec, generated_by=actor.username)


@router.get(
    "/recalls/{code}/report.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def report_pdf(code: str, session: SessionDep, actor: CanRead) -> Response:
    """The recall report as a PDF."""
    rec = recalls.get(session, actor.tenant_id, code)
    return pdf_response(
        progress.report_pdf(session, rec, generated_by=actor.username),
        f"recall-{rec.code}.pdf",
    )
