"""Where the units of a scope's batches are now: per batch and point of sale,
delivered, received, sold, on the shelf, wasted, returned; still in the
kitchen; and the totals over the scope (the second half of
``trace.scope.find``: the first finds the batches and why)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import PointOfSale, Product
from bakeprint.logistics import repository as trips_repo
from bakeprint.retail import repository as shops_repo
from bakeprint.retail.models import on_shelf
from bakeprint.trace.schemas import (
    AffectedBatch,
    Criteria,
    CriteriaEcho,
    Reason,
    ScopeResult,
    ScopeTotals,
    ShopCount,
)

# batch id -> point of sale id -> delivered, received, sold, wasted, returned
PerShop = dict[uuid.UUID, dict[uuid.UUID, dict[str, int]]]


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
            on_shelf=on_shelf(
                row["received"], row["sold"], row["wasted"], row["returned"]
            ),
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
    ids = [b.id for b in found]
    per: PerShop = defaultdict(dict)
    for line in shops_repo.stock_by_shop(session, t, ids):
        per[line.batch_id][line.point_of_sale_id] = {
            "delivered": line.delivered,
            "received": line.received,
            "sold": line.sold,
            "wasted": line.wasted,
            "returned": line.returned,
        }
    loaded = trips_repo.loaded(session, t, ids)
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
                in_kitchen=trips_repo.kitchen_stock(b.packed_quantity, l_sum, r_sum),
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
