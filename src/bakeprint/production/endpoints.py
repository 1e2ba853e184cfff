"""HTTP API: production batches."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from bakeprint.catalog import repository as catalog
from bakeprint.deps import CanRead, CanWriteProduction, SessionDep
from bakeprint.localtime import Localised
from bakeprint.materials import repository as lots_repo
from bakeprint.materials.models import MaterialLot
from bakeprint.production import codes, consumption, genealogy, views
from bakeprint.production import repository as batches
from bakeprint.production import service as production
from bakeprint.production.schemas import (
    BakeCreate,
    BakeRead,
    BatchComplete,
    BatchCreate,
    BatchInputCreate,
    BatchRead,
    BatchSummary,
    ConsumptionCorrect,
    ConsumptionCreate,
    ConsumptionResult,
    MoveCreate,
    PackCreate,
)

router = APIRouter(tags=["production"])


@router.post("/batches", response_model=BatchRead, status_code=201)
def start_batch(
    data: BatchCreate, session: SessionDep, actor: CanWriteProduction
) -> BatchRead:
    """Start a batch; its code is allocated for the day, line and session."""
    batch = production.start_batch(session, data, actor=actor)
    return views.detail(session, batch)


@router.get("/batches", response_model=list[BatchSummary])
def list_batches(
    session: SessionDep,
    actor: CanRead,
    day: date | None = None,
    line: str | None = None,
    session_code: Annotated[Literal["AM", "PM"] | None, Query(alias="session")] = None,
    status: str | None = None,
    gtin: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[BatchSummary]:
    """Batches, newest first, filtered by day, line, session, status or product."""
    rows = production.list_batches(
        session,
        actor=actor,
        limit=limit,
        day=day,
        line=line,
        session_=session_code,
        status=status,
        gtin=gtin,
    )
    return [views.summary(session, b) for b in rows]


@router.get("/batches/{code}", response_model=BatchRead)
def get_batch(code: str, session: SessionDep, actor: CanRead) -> BatchRead:
    """A batch's full production record."""
    return views.detail(session, batches.get(session, actor.tenant_id, code))


@router.post("/batches/{code}/bake", response_model=BakeRead, status_code=201)
def record_bake(
    code: str, data: BakeCreate, session: SessionDep, actor: CanWriteProduction
) -> BakeRead:
    """Record oven temperature and time (typed in or reported by the oven)."""
    production.record_bake(session, code, data, actor=actor)
    batch = batches.get(session, actor.tenant_id, code)
    return views.detail(session, batch).bakes[-1]


@router.post(
    "/batches/{code}/consumptions", response_model=ConsumptionResult, status_code=201
)
def consume(
    code: str, data: ConsumptionCreate, session: SessionDep, actor: CanWriteProduction
) -> ConsumptionResult:
    """Bind a material lot to the batch with the quantity used."""
    row, lot = consumption.consume(session, code, data, actor=actor)
    return _consumption_result(code, row.id, row.quantity, row.unit, row.warning, lot)


@router.post(
    "/batches/{code}/consumptions/{consumption_id}/correct",
    response_model=ConsumptionResult,
    status_code=201,
)
def correct_consumption(
    code: str,
    consumption_id: uuid.UUID,
    data: ConsumptionCorrect,
    session: SessionDep,
    actor: CanWriteProduction,
) -> ConsumptionResult:
    """Correct a material quantity (a new record replaces the old one)."""
    row = consumption.correct(session, code, consumption_id, data, actor=actor)
    lot = lots_repo.get(session, actor.tenant_id, row.lot_id)
    return _consumption_result(code, row.id, row.quantity, row.unit, row.warning, lot)


def _consumption_result(
    code: str,
    row_id: uuid.UUID,
    quantity: float,
    unit: str,
    warning: str,
    lot: MaterialLot,
) -> ConsumptionResult:
    return ConsumptionResult(
        id=row_id,
        batch=code,
        lot=lot.code,
        quantity=quantity,
        unit=unit,
        lot_remaining=round(lot.quantity - lot.consumed, 6),
        warning=warning,
    )


@router.post("/batches/{code}/complete", response_model=BatchRead)
def complete(
    code: str, data: BatchComplete, session: SessionDep, actor: CanWriteProduction
) -> BatchRead:
    """Close production with the quantity produced."""
    return views.detail(
        session, production.complete_batch(session, code, data, actor=actor)
    )


@router.post("/batches/{code}/pack", response_model=BatchRead)
def pack(
    code: str, data: PackCreate, session: SessionDep, actor: CanWriteProduction
) -> BatchRead:
    """Pack the batch (only after its post-cooling check has passed)."""
    return views.detail(
        session, production.pack_batch(session, code, data, actor=actor)
    )


@router.get("/batch-codes/{code}")
def parse_code(
    code: str, session: SessionDep, actor: CanRead
) -> Localised[dict[str, object]]:
    """Parse a batch code into its parts, or say exactly what is wrong with it."""
    parsed = codes.parse(code, known_lines=catalog.line_codes(session, actor.tenant_id))
    return {
        "code": parsed.format(),
        "date": parsed.day.isoformat(),
        "line": parsed.line,
        "session": parsed.session,
        "sequence": parsed.seq,
        "variant": parsed.variant,
        "exists": batches.by_code(session, actor.tenant_id, code) is not None,
    }


@router.post("/batches/{code}/inputs", status_code=201)
def use_batch(
    code: str, data: BatchInputCreate, session: SessionDep, actor: CanWriteProduction
) -> Localised[dict[str, object]]:
    """Record that the batch was made with part of an intermediate batch
    (a filling, a dough): a link of the genealogy. Cycles are refused."""
    row = genealogy.use_batch(session, code, data, actor=actor)
    return {
        "batch": code,
        "input": data.batch,
        "quantity": row.quantity,
        "recorded_at": row.recorded_at,
    }


@router.get("/batches/{code}/genealogy")
def get_genealogy(
    code: str, session: SessionDep, actor: CanRead
) -> Localised[dict[str, object]]:
    """What the batch was made of (lots, intermediate batches, level by level)
    and what was made of it; cycles and missing links listed under problems."""
    return genealogy.tree(session, batches.get(session, actor.tenant_id, code))


@router.post("/batches/{code}/moves", status_code=201)
def move(
    code: str, data: MoveCreate, session: SessionDep, actor: CanWriteProduction
) -> Localised[dict[str, object]]:
    """The finished batch now waits somewhere else (a cold room) until it
    leaves: its environment is read from that place's sensors from then on."""
    row = genealogy.move(session, code, data, actor=actor)
    return {"batch": code, "location": data.location, "moved_at": row.moved_at}
