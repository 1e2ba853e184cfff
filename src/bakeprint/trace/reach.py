"""Where the units of a scope's batches are now: per batch and point of sale,
delivered, received, sold, on the shelf, wasted, returned; still in the
kitchen; and the totals over the scope (the second half of
``trace.scope.find``: the first finds the batches and why)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import PointOfSale, Product
from bakeprint.db import among, slices
from bakeprint.logistics.models import Delivery, TripLoad
from bakeprint.retail.models import ShopStock
from bakeprint.trace.schemas import (
    AffectedBatch,
    Criteria,
    CriteriaEcho,
    Reason,
    ScopeResult,
    ScopeTotals,
    ShopCount,
)

ZERO = {"delivered": 0, "received": 0, "sold": 0, "wasted": 0, "returned": 0}

# batch id -> point of sale id -> delivered, received, sold, wasted, returned
PerShop = dict[uuid.UUID, dict[uuid.UUID, dict[str, int]]]


def _per_shop(
    session: Session, t: uuid.UUID, chunk: Sequence[uuid.UUID], per: PerShop
) -> None:
    """Add the deliveries and shop stock of these batches to ``per``."""
    for b_id, pos_id, qty in session.execute(
        select(
            Delivery.batch_id,
            Delivery.point_of_sale_id,
            func.sum(Delivery.quantity),
        )
        .where(Delivery.tenant_id == t, among(session, Delivery.batch_id, chunk))
        .group_by(Delivery.batch_id, Delivery.point_of_sale_id)
    ):
        per[b_id][pos_id] = {**ZERO, "delivered": int(qty)}
    for b_id, pos_id, received, sold, wasted, returned in session.execute(
        select(
            ShopStock.batch_id,
            ShopStock.point_of_sale_id,
            ShopStock.received,
            ShopStock.sold,
            ShopStock.wasted,
            ShopStock.returned,
        ).where(ShopStock.tenant_id == t, among(session, ShopStock.batch_id, chunk))
    ):
        row = per[b_id].setdefault(pos_id, dict(ZERO))
        row.update(received=received, sold=sold, wasted=wasted, returned=returned)


def _loaded(
    session: Session, t: uuid.UUID, chunk: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[int, int]]:
    """Units loaded on vans and brought back, by batch."""
    return {
        b_id: (int(l_sum or 0), int(r_sum or 0))
        for b_id, l_sum, r_sum in session.execute(
            select(
                TripLoad.batch_id,
                func.sum(TripLoad.loaded),
                func.sum(TripLoad.returned),
            )
            .where(TripLoad.tenant_id == t, among(session, TripLoad.batch_id, chunk))
            .group_by(TripLoad.batch_id)
        )
    }


def _shop_names(
    session: Session, t: uuid.UUID, pos_ids: set[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, str]]:
    if not pos_ids:
        return {}
    return {
        shop.id: (shop.code, shop.name)
        for shop in session.scalars(
            select(PointOfSale).where(
                PointOfSale.tenant_id == t, PointOfSale.id.in_(list(pos_ids))
            )
        )
    }


def _product_names(
    session: Session, t: uuid.UUID, product_ids: set[uuid.UUID]
) -> dict[uuid.UUID, str]:
    if not product_ids:
        return {}
    return {
        p.id: p.name_zh
        for p in session.scalars(
            select(Product).where(
                Product.tenant_id == t, Product.id.in_(list(product_ids))
            )
        )
    }


def _counter(
    names: dict[uuid.UUID, tuple[str, str]],
) -> Callable[[uuid.UUID, dict[str, int]], ShopCount]:
    def count(pos_id: uuid.UUID, row: dict[str, int]) -> ShopCount:
        code, name = names[pos_id]
        # built from our own rows: no validation needed (1,000s per scope)
        return ShopCount.model_construct(
            point_of_sale=code,
            name=name,
            delivered=row["delivered"],
            received=row["received"],
            sold=row["sold"],
            wasted=row["wasted"],
            returned=row["returned"],
            on_shelf=row["received"] - row["sold"] - row["wasted"] - row["returned"],
        )

    return count


def result(
    session: Session,
    t: uuid.UUID,
    c: Criteria,
    found: list[Any],
    reasons: dict[uuid.UUID, list[Reason]],
) -> ScopeResult:
    """``found``: the batches' rows (id, code, product_id, production_date,
    session, status, best_before, packed_quantity)."""
    per: PerShop = defaultdict(dict)
    loaded: dict[uuid.UUID, tuple[int, int]] = {}
    for chunk in slices([b.id for b in found]):
        _per_shop(session, t, chunk, per)
        loaded.update(_loaded(session, t, chunk))
    count = _counter(_shop_names(session, t, {p for r in per.values() for p in r}))
    products = _product_names(session, t, {b.product_id for b in found})
    out = []
    totals_by_pos: dict[uuid.UUID, dict[str, int]] = {}
    for b in found:
        shops = sorted(
            (count(p, r) for p, r in per.get(b.id, {}).items()),
            key=lambda s: s.point_of_sale,
        )
        for pos_id, r in per.get(b.id, {}).items():
            acc = totals_by_pos.setdefault(pos_id, dict.fromkeys(r, 0))
            for k, v in r.items():
                acc[k] += v
        l_sum, r_sum = loaded.get(b.id, (0, 0))
        out.append(
            AffectedBatch.model_construct(
                batch=b.code,
                product=products.get(b.product_id, ""),
                made_on=b.production_date,
                session=b.session,
                status=b.status,
                best_before=b.best_before,
                reasons=reasons.get(b.id, []),
                packed=b.packed_quantity or 0,
                in_kitchen=(b.packed_quantity or 0) - l_sum + r_sum,
                delivered=sum(s.delivered for s in shops),
                sold=sum(s.sold for s in shops),
                on_shelf=sum(s.on_shelf for s in shops),
                shops=shops,
            )
        )
    shops_total = sorted(
        (count(p, r) for p, r in totals_by_pos.items()), key=lambda s: s.point_of_sale
    )
    return ScopeResult(
        criteria=CriteriaEcho.model_validate(c.model_dump()),
        batches=out,
        shops=shops_total,
        totals=ScopeTotals(
            batches=len(out),
            packed=sum(b.packed for b in out),
            in_kitchen=sum(b.in_kitchen for b in out),
            delivered=sum(b.delivered for b in out),
            sold=sum(b.sold for b in out),
            on_shelf=sum(b.on_shelf for b in out),
            points_of_sale=len(shops_total),
        ),
    )
