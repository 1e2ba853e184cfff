"""HTTP API: QC checkpoints."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from bakeprint.deps import CanRead, CanWriteQuality, SessionDep
from bakeprint.production import repository as batches
from bakeprint.production import views
from bakeprint.production.schemas import CheckpointRead
from bakeprint.quality import service as quality
from bakeprint.quality.schemas import CheckpointCorrect, CheckpointCreate

router = APIRouter(tags=["quality"])


def _read(
    session: SessionDep, tenant_id: uuid.UUID, code: str, checkpoint_id: uuid.UUID
) -> CheckpointRead:
    batch = batches.get(session, tenant_id, code)
    return next(
        c for c in views.detail(session, batch).checkpoints if c.id == checkpoint_id
    )


@router.post(
    "/batches/{code}/checkpoints", response_model=CheckpointRead, status_code=201
)
def record(
    code: str, data: CheckpointCreate, session: SessionDep, actor: CanWriteQuality
) -> CheckpointRead:
    """Record a QC checkpoint (stage, pass/fail, notes, inspector, time)."""
    cp = quality.record(session, code, data, actor=actor)
    return _read(session, actor.tenant_id, code, cp.id)


@router.get("/batches/{code}/checkpoints", response_model=list[CheckpointRead])
def list_checkpoints(
    code: str, session: SessionDep, actor: CanRead
) -> list[CheckpointRead]:
    """All checkpoints of a batch, corrections included."""
    return views.detail(
        session, batches.get(session, actor.tenant_id, code)
    ).checkpoints


@router.post(
    "/checkpoints/{checkpoint_id}/correct",
    response_model=CheckpointRead,
    status_code=201,
)
def correct(
    checkpoint_id: uuid.UUID,
    data: CheckpointCorrect,
    session: SessionDep,
    actor: CanWriteQuality,
) -> CheckpointRead:
    """Correct a wrongly entered checkpoint (the original stays in history)."""
    cp = quality.correct(session, checkpoint_id, data, actor=actor)
    batch = batches.by_id(session, actor.tenant_id, cp.batch_id)
    return _read(session, actor.tenant_id, batch.code, cp.id)
