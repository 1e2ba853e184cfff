"""HTTP API: raw-material lots (intake, QC, report)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel

from bakeprint.config import settings
from bakeprint.deps import ActorDep, CanRead, CanWriteMaterials, SessionDep
from bakeprint.errors import Forbidden, TooLarge
from bakeprint.materials import repository as lots
from bakeprint.materials import service as materials
from bakeprint.materials import views
from bakeprint.materials.schemas import LotCreate, LotRead, LotRegrade, QcResult
from bakeprint.storage import service as storage

router = APIRouter(prefix="/lots", tags=["materials"])


class Created(LotRead):
    message: str = ""


@router.post("", response_model=Created, status_code=201)
def receive(data: LotCreate, session: SessionDep, actor: ActorDep) -> Created:
    """Register a delivered lot: supplier, supplier lot, quantity, expiry, QC."""
    if not (actor.can("materials:write") or actor.can("supplier:submit")):
        raise Forbidden(
            "您的角色不能登记原料入库", "your role may not register material intake"
        )
    lot = materials.receive(session, data, actor=actor)
    out = Created(**views.lot(session, lot).model_dump())
    if lot.qc_result == "fail":
        out.message = (
            "已登记并隔离：质检不合格的原料不能用于生产 / recorded and "
            "quarantined: a lot that failed QC cannot be used"
        )
    return out


@router.get("", response_model=list[LotRead])
def list_lots(
    session: SessionDep,
    actor: CanRead,
    material: str | None = None,
    supplier: str | None = None,
    qc_result: QcResult | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    expiring_before: date | None = None,
    available: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[LotRead]:
    """Material lots, newest first, with what is left of each."""
    rows = lots.search(
        session,
        actor.tenant_id,
        material=material,
        supplier=supplier,
        qc_result=qc_result,
        received_from=received_from,
        received_to=received_to,
        expiring_before=expiring_before,
        available=available,
        limit=limit,
    )
    return [views.lot(session, r) for r in rows]


@router.get("/{code}", response_model=LotRead)
def get_lot(code: str, session: SessionDep, actor: CanRead) -> LotRead:
    """One lot with the batches it went into."""
    return views.lot(
        session, lots.get_by_code(session, actor.tenant_id, code), with_batches=True
    )


@router.post("/{code}/qc", response_model=LotRead)
def regrade(
    code: str, data: LotRegrade, session: SessionDep, actor: CanWriteMaterials
) -> LotRead:
    """Correct a lot's QC result (the earlier grading stays in the history)."""
    return views.lot(
        session, materials.regrade(session, code, data, actor=actor), with_batches=True
    )


class ReportAttach(BaseModel):
    file_id: uuid.UUID


@router.post("/{code}/qc-report", response_model=LotRead)
def attach_report(
    code: str,
    file: Annotated[UploadFile, File()],
    session: SessionDep,
    actor: CanWriteMaterials,
) -> LotRead:
    """Upload the lot's QC report (PDF or photo); its SHA-256 is recorded."""
    data = file.file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        mb = settings.max_upload_bytes / 1024 / 1024
        raise TooLarge(
            f"文件太大：最多 {mb:g} MB", f"file too large: at most {mb:g} MB"
        )
    stored = storage.save(session, actor.tenant_id, data, file.filename or "report")
    lot = materials.attach_report(session, code, stored.id, actor=actor)
    return views.lot(session, lot, with_batches=True)
