"""HTTP API: dynamic shelf life (R3.3) — a batch's prediction, the category
parameters, the packaging a batch went into, and each shop's FEFO list."""

from __future__ import annotations

from fastapi import APIRouter

from bakeprint.deps import (
    CanLookup,
    CanRead,
    CanWriteProduction,
    CanWriteQuality,
    SessionDep,
)
from bakeprint.production import repository as batches
from bakeprint.retail import service as retail
from bakeprint.shelflife import service as shelflife
from bakeprint.shelflife import views
from bakeprint.shelflife.schemas import (
    FefoRead,
    PackagingUpdate,
    ParamsRead,
    ParamsUpdate,
    ShelfLifeRead,
)

router = APIRouter(prefix="/shelflife", tags=["shelf life"])


@router.get("/batches/{code}", response_model=ShelfLifeRead)
def batch_prediction(code: str, session: SessionDep, actor: CanRead) -> ShelfLifeRead:
    """The batch's predicted best-before from its history so far, with why."""
    return views.live(session, batches.get(session, actor.tenant_id, code))


@router.post(
    "/batches/{code}/predictions", response_model=ShelfLifeRead, status_code=201
)
def record_prediction(
    code: str, session: SessionDep, actor: CanWriteQuality
) -> ShelfLifeRead:
    """Predict now and keep the prediction (level-2 alert when it is shorter)."""
    row = shelflife.predict(session, actor.tenant_id, code, actor=actor)
    return views.stored(batches.get(session, actor.tenant_id, code), row)


@router.get("/batches/{code}/predictions", response_model=list[ShelfLifeRead])
def list_predictions(
    code: str, session: SessionDep, actor: CanRead
) -> list[ShelfLifeRead]:
    """Every prediction kept for the batch, oldest first."""
    batch = batches.get(session, actor.tenant_id, code)
    return [views.stored(batch, r) for r in shelflife.predictions(session, batch)]


@router.put("/batches/{code}/packaging", response_model=ShelfLifeRead)
def set_packaging(
    code: str, body: PackagingUpdate, session: SessionDep, actor: CanWriteProduction
) -> ShelfLifeRead:
    """Record the packaging the batch went into; answers the new prediction."""
    shelflife.set_packaging(session, actor.tenant_id, code, body.packaging, actor=actor)
    return views.live(session, batches.get(session, actor.tenant_id, code))


@router.get("/params", response_model=list[ParamsRead])
def list_params(session: SessionDep, actor: CanRead) -> list[ParamsRead]:
    """Each product category's current model parameters."""
    return views.current_params(session, actor.tenant_id)


@router.get("/params/{category}/versions", response_model=list[ParamsRead])
def params_versions(
    category: str, session: SessionDep, actor: CanRead
) -> list[ParamsRead]:
    """Every stored version of a category's parameters, oldest first."""
    return [
        views.params_row(r)
        for r in shelflife.params_history(session, actor.tenant_id, category)
    ]


@router.put("/params/{category}", response_model=ParamsRead)
def update_params(
    category: str, body: ParamsUpdate, session: SessionDep, actor: CanWriteQuality
) -> ParamsRead:
    """Set a category's parameters: a new version (old predictions keep theirs)."""
    row = shelflife.set_params(
        session, actor.tenant_id, category, body.params, note=body.note, actor=actor
    )
    return views.params_row(row)


@router.get("/shops/{code}/fefo", response_model=list[FefoRead])
def shop_fefo(code: str, session: SessionDep, actor: CanLookup) -> list[FefoRead]:
    """The shop's on-shelf stock, shortest predicted remaining life first."""
    pos = retail.shop(session, actor, code, write=False)
    return [
        views.fefo_read(r) for r in shelflife.fefo(session, actor.tenant_id, pos.id)
    ]
