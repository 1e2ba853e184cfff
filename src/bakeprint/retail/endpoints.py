"""HTTP API for points of sale (POS / e-commerce). Every write takes an
``Idempotency-Key``: a retried request gets the first answer, never a second sale."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import PointOfSale
from bakeprint.deps import CanLookup, CanWriteRetail, SessionDep
from bakeprint.errors import Invalid
from bakeprint.identity.service import Actor
from bakeprint.production import repository as batches
from bakeprint.retail import repository as shops_repo
from bakeprint.retail import service as retail
from bakeprint.retail.models import IdempotentRequest, ShopStock
from bakeprint.retail.schemas import (
    ReceiptCreate,
    RemovalCreate,
    SaleCreate,
    ShelfCreate,
    StockRead,
)

router = APIRouter(prefix="/pos", tags=["retail"])
KeyHeader = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def _at_shop(code: str, session: SessionDep, actor: CanWriteRetail) -> Actor:
    """The caller, if they may act at this shop — checked before anything,
    so a replayed answer is not handed to staff of another shop either."""
    retail.shop(session, actor, code)
    return actor


AtShop = Annotated[Actor, Depends(_at_shop)]


def idempotent(
    session: Session,
    actor: Actor,
    key: str | None,
    scope: str,
    body: BaseModel,
    run: Callable[[], dict[str, Any]],
    status: int = 201,
) -> Response:
    """Run once per key; a retry with the same body replays the first answer."""
    if not key:
        return JSONResponse(run(), status_code=status)
    digest = hashlib.sha256(
        (scope + json.dumps(body.model_dump(mode="json"), sort_keys=True)).encode()
    ).hexdigest()
    full_key = f"{scope}:{key}"

    def replay() -> Response | None:
        seen = shops_repo.idempotent_request(session, actor.tenant_id, full_key)
        if seen is None:
            return None
        if seen.request_hash != digest:
            raise Invalid(
                "同一个 Idempotency-Key 用在了不同的请求上",
                "this Idempotency-Key was already used for a different request",
            )
        return JSONResponse(
            seen.response,
            status_code=seen.status_code,
            headers={"Idempotent-Replayed": "true"},
        )

    earlier = replay()
    if earlier is not None:
        return earlier
    try:
        with session.begin_nested():
            session.add(
                IdempotentRequest(
                    tenant_id=actor.tenant_id,
                    key=full_key,
                    request_hash=digest,
                    status_code=status,
                    response={},
                )
            )
            session.flush()
    except IntegrityError:
        earlier = replay()  # a concurrent twin committed first
        assert earlier is not None
        return earlier
    out = run()
    row = shops_repo.idempotent_request(session, actor.tenant_id, full_key)
    assert row is not None
    row.response = out
    return JSONResponse(out, status_code=status)


def _stock(
    session: Session, actor: Actor, pos_code: str, row: ShopStock
) -> dict[str, Any]:
    pos = catalog.get(session, PointOfSale, actor.tenant_id, pos_code)
    batch = batches.by_id(session, actor.tenant_id, row.batch_id)
    rows = retail.stock_rows(session, actor.tenant_id, pos=pos, batch=batch)
    return rows[0].model_dump(mode="json") if rows else {}


@router.post("/{code}/receipts", status_code=201)
def receive(
    code: str,
    data: ReceiptCreate,
    session: SessionDep,
    actor: AtShop,
    key: KeyHeader = None,
) -> Response:
    """Receive (part of) a delivery addressed to this shop."""
    return idempotent(
        session,
        actor,
        key,
        f"{code}:receipt",
        data,
        lambda: _stock(
            session, actor, code, retail.receive(session, code, data, actor=actor)
        ),
    )


@router.post("/{code}/shelf", status_code=201)
def shelve(
    code: str,
    data: ShelfCreate,
    session: SessionDep,
    actor: AtShop,
    key: KeyHeader = None,
) -> Response:
    """Put a received batch on the shelf (its shelf-life clock starts here)."""
    return idempotent(
        session,
        actor,
        key,
        f"{code}:shelf",
        data,
        lambda: _stock(
            session, actor, code, retail.shelve(session, code, data, actor=actor)
        ),
    )


@router.post("/{code}/sales", status_code=201)
def sell(
    code: str,
    data: SaleCreate,
    session: SessionDep,
    actor: AtShop,
    key: KeyHeader = None,
) -> Response:
    """A sale: one scanned package, or a quantity of a batch from the till."""
    return idempotent(
        session,
        actor,
        key,
        f"{code}:sale",
        data,
        lambda: _stock(
            session, actor, code, retail.sell(session, code, data, actor=actor)
        ),
    )


@router.post("/{code}/waste", status_code=201)
def waste(
    code: str,
    data: RemovalCreate,
    session: SessionDep,
    actor: AtShop,
    key: KeyHeader = None,
) -> Response:
    """Write off units (expired, damaged) with the reason."""
    return idempotent(
        session,
        actor,
        key,
        f"{code}:waste",
        data,
        lambda: _stock(
            session,
            actor,
            code,
            retail.remove(session, code, data, actor=actor, returned=False),
        ),
    )


@router.post("/{code}/returns", status_code=201)
def return_(
    code: str,
    data: RemovalCreate,
    session: SessionDep,
    actor: AtShop,
    key: KeyHeader = None,
) -> Response:
    """Send units back to the bakery with the reason."""
    return idempotent(
        session,
        actor,
        key,
        f"{code}:return",
        data,
        lambda: _stock(
            session,
            actor,
            code,
            retail.remove(session, code, data, actor=actor, returned=True),
        ),
    )


@router.get("/{code}/stock", response_model=list[StockRead])
def stock(code: str, session: SessionDep, actor: CanLookup) -> list[StockRead]:
    """What this shop has of each batch: delivered, on shelf, sold, wasted…"""
    pos = retail.shop(session, actor, code, write=False)
    return retail.stock_rows(session, actor.tenant_id, pos=pos)
