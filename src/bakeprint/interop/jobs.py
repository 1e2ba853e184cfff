"""EPCIS capture jobs (the EPCIS 2.0 REST binding's ``POST /capture``).

The binding answers a capture with ``202`` and a capture job's URL; the job
tells whether every event was stored (``success``) or why none was
(``errors``, RFC 7807 problems). bakeprint captures within the request, so
the job is finished when the answer goes out. A document that is not valid
EPCIS 2.0 is refused at once (400, no job: the binding's "error while
receiving"); a document that is valid but clashes with what is stored (an
eventID known with other content) becomes a failed job and stores nothing
(``captureErrorBehaviour`` ``rollback``, the only one offered).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.db import utcnow
from bakeprint.errors import Conflict, NotFound
from bakeprint.interop import capture as cap
from bakeprint.interop import validation
from bakeprint.interop.models import CaptureJob

EPCIS_VERSION = "2.0.0"
CBV_VERSION = "2.0.0"


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def run(
    session: Session, tenant_id: uuid.UUID, doc: Any, *, actor: str | None
) -> CaptureJob:
    """Capture ``doc`` as one job: all of it, or nothing and the reasons."""
    started = utcnow()
    validation.check_document(doc)  # not EPCIS 2.0: refused before any job exists
    received = len(cap.event_list(doc))
    try:
        with session.begin_nested():
            result = cap.capture(session, tenant_id, doc, actor=actor)
    except Conflict as exc:
        job = CaptureJob(
            tenant_id=tenant_id,
            created_at=started,
            finished_at=utcnow(),
            success=False,
            received=received,
            stored=0,
            actor=actor,
            result={},
            errors=[
                {
                    "type": "epcisException:ValidationException",
                    "title": exc.en,
                    "title_zh": exc.zh,
                    "status": 409,
                    "instance": exc.field or "eventList",
                }
            ],
        )
    else:
        job = CaptureJob(
            tenant_id=tenant_id,
            created_at=started,
            finished_at=utcnow(),
            success=True,
            received=result.received,
            stored=result.stored,
            actor=actor,
            result=result.as_dict(),
            errors=[],
        )
    session.add(job)
    session.flush()
    return job


def as_json(job: CaptureJob) -> dict[str, Any]:
    """The binding's capture job document, with what bakeprint stored."""
    return {
        "captureID": job.id.hex,
        "createdAt": _iso(job.created_at),
        "finishedAt": _iso(job.finished_at),
        "running": False,
        "success": job.success,
        "captureErrorBehaviour": "rollback",
        "errors": job.errors,
        **job.result,
    }


def get(session: Session, tenant_id: uuid.UUID, capture_id: str) -> CaptureJob:
    try:
        key = uuid.UUID(hex=capture_id)
    except ValueError:
        key = None
    job = session.get(CaptureJob, (tenant_id, key)) if key else None
    if job is None:
        raise NotFound(
            f"找不到捕获任务 {capture_id}", f"capture job {capture_id} not found"
        )
    return job


def latest(
    session: Session, tenant_id: uuid.UUID, limit: int = 100
) -> list[CaptureJob]:
    return list(
        session.scalars(
            select(CaptureJob)
            .where(CaptureJob.tenant_id == tenant_id)
            .order_by(CaptureJob.created_at.desc())
            .limit(limit)
        )
    )


def single_event(event: Any) -> dict[str, Any]:
    """The binding's ``POST /events`` body (one event with its @context) as
    the document capture reads; an event without @context is left so for the
    schema to refuse."""
    if not isinstance(event, dict):
        return {"type": "EPCISDocument"}
    body = {k: v for k, v in event.items() if k != "@context"}
    doc: dict[str, Any] = {
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": _iso(utcnow()),
        "epcisBody": {"eventList": [body]},
    }
    if "@context" in event:
        doc = {"@context": event["@context"], **doc}
    return doc
