"""Impact scope (R2.3): which batches share a suspected cause, why, and where
their units are now — delivered, sold, still on the shelf, per point of sale.

A scope is asked by one or more criteria (all must hold): a material lot, a
supplier within a period, a production session, a piece of equipment or an
operator (optionally within a period), a vehicle trip, or a time window at a
location. Every affected batch carries the reasons it is in the scope, worded
for the owner ("shares lot LOT25S-45"). A complaint's candidate causes, each
with its scope, are in ``trace/causes.py``.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from bakeprint import localtime
from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import (
    Equipment,
    Location,
    Operator,
    PointOfSale,
    Product,
    Supplier,
)
from bakeprint.db import among, slices
from bakeprint.errors import Invalid, NotFound
from bakeprint.events import declarations
from bakeprint.localtime import LocalDateTime
from bakeprint.logistics import service as logistics
from bakeprint.logistics.models import Delivery, TripLoad
from bakeprint.materials import repository as lots
from bakeprint.materials.models import MaterialLot
from bakeprint.production import genealogy
from bakeprint.production import repository as batches
from bakeprint.production.models import (
    Batch,
    BatchEquipment,
    BatchOperator,
    Consumption,
)
from bakeprint.retail.models import ShopStock


class Criteria(BaseModel):
    batch: str | None = None  # just this batch (a complaint about it)
    lot: str | None = None
    supplier: str | None = None
    start: date | None = None  # production dates, inclusive
    end: date | None = None
    session: str | None = None  # 251203-PM
    equipment: str | None = None
    operator: str | None = None
    trip: str | None = None
    location: str | None = None
    # a time window at the location; echoed in the answer's criteria
    at_from: LocalDateTime | None = None
    at_to: LocalDateTime | None = None


class ShopCount(BaseModel):
    point_of_sale: str
    name: str
    delivered: int
    received: int
    sold: int
    on_shelf: int
    wasted: int
    returned: int


class AffectedBatch(BaseModel):
    batch: str
    product: str
    made_on: date
    session: str
    status: str
    best_before: date | None
    reasons: list[dict[str, str]]
    packed: int
    in_kitchen: int
    delivered: int
    sold: int
    on_shelf: int
    shops: list[ShopCount]


class ScopeResult(BaseModel):
    criteria: dict[str, Any]
    batches: list[AffectedBatch]
    shops: list[ShopCount]  # per point of sale, over every affected batch
    totals: dict[str, int]


@dataclass
class _Hit:
    zh: str
    en: str


def _live(query: Any, tenant_id: uuid.UUID, where: Any) -> Any:
    later = aliased(Consumption)
    return query.where(
        Consumption.tenant_id == tenant_id,
        where,
        Consumption.quantity > 0,
        # select the indexed column, not *: answered from the (tenant,
        # corrects) index alone. With SELECT * and ANALYZE's statistics
        # (nearly every corrects_id is NULL) SQLite scanned the whole table
        # for each row — 0.3 s a batch at 400 k rows.
        ~select(later.tenant_id)
        .where(
            later.tenant_id == Consumption.tenant_id,
            later.corrects_id == Consumption.id,
        )
        .exists(),
        # a consumption whose event was declared erroneous (EPCIS error
        # declaration) did not happen; declarations are few, read by index
        or_(
            Consumption.event_seq.is_(None),
            Consumption.event_seq.not_in(declarations.declared_seqs_query(tenant_id)),
        ),
    )


def live_consumptions(
    session: Session, tenant_id: uuid.UUID, where: Any
) -> list[Consumption]:
    """Consumption rows still in force (a correction supersedes the row it
    corrects; a correction to zero means the lot was not used after all).
    One statement, whatever the number of rows: a row is live when no other
    row corrects it."""
    return list(session.scalars(_live(select(Consumption), tenant_id, where)))


def _live_uses(
    session: Session, tenant_id: uuid.UUID, where: Any
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(batch_id, lot_id) of the live consumptions (as ``live_consumptions``,
    without loading the rows as objects: a wide scope has thousands)."""
    query = select(Consumption.batch_id, Consumption.lot_id)
    return [(b, lot) for b, lot in session.execute(_live(query, tenant_id, where))]


def _uses(
    session: Session,
    t: uuid.UUID,
    lot_ids: list[uuid.UUID],
    window: set[uuid.UUID] | None,
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Live uses (batch_id, lot_id) of these lots — only by the ``window``'s
    batches when a period narrows the scope (a supplier's year of lots is
    millions of rows)."""
    if window is None:
        return [
            r
            for lp in slices(lot_ids)
            for r in _live_uses(session, t, Consumption.lot_id.in_(lp))
        ]
    # by batch, the lots checked here: with both IN lists SQLite walks the
    # lots' index (every use of 500 lots in a year) instead of the window's
    wanted = set(lot_ids)
    return [
        (b, lot)
        for bp in slices(list(window))
        for b, lot in _live_uses(session, t, among(session, Consumption.batch_id, bp))
        if lot in wanted
    ]


def _through_intermediates(
    session: Session, t: uuid.UUID, hits: dict[uuid.UUID, list[_Hit]]
) -> dict[uuid.UUID, list[_Hit]]:
    """Add the batches made from the hit batches (a filling used in five
    cakes): what reaches an intermediate reaches everything made from it."""

    found = genealogy.descendants(session, t, list(hits))
    if not found:
        return hits
    codes = dict(
        session.execute(
            select(Batch.id, Batch.code).where(
                Batch.tenant_id == t, Batch.id.in_(list({r for r, _ in found.values()}))
            )
        ).all()
    )
    out = dict(hits)
    for batch_id, (root, _depth) in found.items():
        via = codes.get(root, "?")
        out[batch_id] = [
            _Hit(f"经中间批次 {via}：{h.zh}", f"via intermediate batch {via}: {h.en}")
            for h in hits[root]
        ]
    return out


def _session_of(text: str) -> tuple[date, str]:
    raw = text.strip().upper()
    try:
        day, half = raw.rsplit("-", 1)
        if half not in ("AM", "PM") or len(day) != 6:
            raise ValueError(raw)
        return datetime.strptime(day, "%y%m%d").date(), half
    except ValueError:
        raise Invalid(
            f"生产时段应写作 日期-AM/PM，例如 251203-PM：{text}",
            f"write a production session as date-AM/PM, e.g. 251203-PM: {text}",
            field="session",
        ) from None


def find(session: Session, tenant_id: uuid.UUID, c: Criteria) -> ScopeResult:
    t = tenant_id
    if c.start and c.end and c.start > c.end:
        raise Invalid(
            f"开始日期 {c.start} 晚于结束日期 {c.end}",
            f"the start date {c.start} is after the end date {c.end}",
            field="start",
        )
    if (c.at_from is None) != (c.at_to is None) or (
        c.at_from and c.at_to and c.at_from >= c.at_to
    ):
        raise Invalid(
            "位置时间窗须同时给出开始和结束，且开始早于结束",
            "a time window at a location needs a start before its end",
            field="at_from",
        )
    if (c.at_from is not None) and not c.location:
        raise Invalid(
            "时间窗需要指定位置", "a time window needs a location", field="location"
        )
    sets: list[dict[uuid.UUID, list[_Hit]]] = []
    # A period narrows lot and supplier scopes before they are read: the
    # batches made in it and everything they were made from (an intermediate
    # made before the period can carry a lot into it) — exact, and the
    # supplier's other months are never read.
    window = None
    if (c.start or c.end) and (c.lot or c.supplier):
        period = select(Batch.id).where(Batch.tenant_id == t)
        if c.start:
            period = period.where(Batch.production_date >= c.start)
        if c.end:
            period = period.where(Batch.production_date <= c.end)
        window = set(session.scalars(period))
        window |= genealogy.ancestors_of(session, t, window)

    if c.batch:
        named = batches.get(session, t, c.batch.strip())
        sets.append(
            _through_intermediates(
                session,
                t,
                {named.id: [_Hit(f"批次 {named.code}", f"batch {named.code}")]},
            )
        )
    if c.lot:
        key = c.lot.strip()
        lot = lots.by_code(session, t, key)
        found_lots = (
            [lot]
            if lot is not None
            else list(  # the supplier's lot number: every intake of it
                session.scalars(
                    select(MaterialLot).where(
                        MaterialLot.tenant_id == t, MaterialLot.supplier_lot == key
                    )
                )
            )
        )
        if not found_lots:
            raise NotFound(
                f"找不到原料批次 {c.lot}", f"material lot not found: {c.lot}"
            )
        by_id = {x.id: x for x in found_lots}
        hits: dict[uuid.UUID, list[_Hit]] = defaultdict(list)
        for batch_id, lot_id in _uses(session, t, list(by_id), window):
            x = by_id[lot_id]
            hit = _Hit(
                f"使用原料批次 {x.code}（{x.supplier_lot}）",
                f"shares lot {x.code} ({x.supplier_lot})",
            )
            if all(h.zh != hit.zh for h in hits[batch_id]):
                hits[batch_id].append(hit)
        sets.append(_through_intermediates(session, t, hits))
    if c.supplier:
        sup = catalog.get(session, Supplier, t, c.supplier.strip())
        their = {
            x.id: x
            for x in session.scalars(
                select(MaterialLot).where(
                    MaterialLot.tenant_id == t, MaterialLot.supplier_id == sup.id
                )
            )
        }
        hits = defaultdict(list)
        if their:
            for batch_id, lot_id in _uses(session, t, list(their), window):
                x = their[lot_id]
                hit = _Hit(
                    f"使用供应商 {sup.name} 的原料 {x.code}",
                    f"uses {sup.name}'s lot {x.code}",
                )
                if all(h.zh != hit.zh for h in hits[batch_id]):
                    hits[batch_id].append(hit)
        sets.append(_through_intermediates(session, t, hits))
    if c.session:
        day, half = _session_of(c.session)
        sets.append(
            {
                b: [
                    _Hit(
                        f"同一生产时段 {c.session.upper()}",
                        f"same session {c.session.upper()}",
                    )
                ]
                for b in session.scalars(
                    select(Batch.id).where(
                        Batch.tenant_id == t,
                        Batch.production_date == day,
                        Batch.session == half,
                    )
                )
            }
        )
    if c.equipment:
        eq = catalog.get(session, Equipment, t, c.equipment.strip())
        sets.append(
            {
                b: [_Hit(f"使用设备 {eq.name}", f"made with {eq.name}")]
                for b in session.scalars(
                    select(BatchEquipment.batch_id).where(
                        BatchEquipment.tenant_id == t,
                        BatchEquipment.equipment_id == eq.id,
                    )
                )
            }
        )
    if c.operator:
        op = catalog.get(session, Operator, t, c.operator.strip())
        sets.append(
            {
                b: [_Hit(f"操作员 {op.code}", f"operator {op.code}")]
                for b in session.scalars(
                    select(BatchOperator.batch_id).where(
                        BatchOperator.tenant_id == t, BatchOperator.operator_id == op.id
                    )
                )
            }
        )
    if c.trip:
        trip = logistics.get_trip(session, t, c.trip)
        sets.append(
            {
                b: [_Hit(f"同一趟配送 {trip.code}", f"same van trip {trip.code}")]
                for b in session.scalars(
                    select(TripLoad.batch_id).where(
                        TripLoad.tenant_id == t,
                        TripLoad.trip_id == trip.id,
                        TripLoad.loaded > 0,
                    )
                )
            }
        )
    if c.location:
        loc = catalog.get(session, Location, t, c.location.strip())
        at_loc = select(Batch.id).where(
            Batch.tenant_id == t, Batch.location_id == loc.id
        )
        if c.at_from is not None and c.at_to is not None:
            at_loc = at_loc.where(
                Batch.started_at < c.at_to,
                or_(Batch.ended_at.is_(None), Batch.ended_at > c.at_from),
            )
            when = localtime.span(c.at_from, c.at_to)
            why = _Hit(
                f"{when} 在 {loc.name} 生产",
                f"made at {loc.name} {when}",
            )
        else:
            why = _Hit(f"在 {loc.name} 生产", f"made at {loc.name}")
        sets.append({b: [why] for b in session.scalars(at_loc)})
    if not sets and not (c.start or c.end):
        raise Invalid(
            "请至少给出一个条件：批次、原料批次、供应商、生产时段、设备、操作员、"
            "配送车次或位置",
            "give at least one criterion: batch, lot, supplier, session, "
            "equipment, operator, trip or location",
        )
    if not sets:  # only a period: every batch made in it
        sets.append({})
        period_only = True
    else:
        period_only = False

    ids = set(sets[0]) if not period_only else None
    for s in sets[1:]:
        assert ids is not None
        ids &= set(s)
    # the columns the result shows, not Batch objects: a wide scope has
    # thousands, and building (then collecting) objects was most of its time
    stmt = select(
        Batch.id,
        Batch.code,
        Batch.product_id,
        Batch.production_date,
        Batch.session,
        Batch.status,
        Batch.best_before,
        Batch.packed_quantity,
    ).where(Batch.tenant_id == t)
    if c.start:
        stmt = stmt.where(Batch.production_date >= c.start)
    if c.end:
        stmt = stmt.where(Batch.production_date <= c.end)
    found: list[Any]
    if ids is None:
        found = list(session.execute(stmt))
    elif not ids:
        return _result(session, t, c, [], {})
    else:  # in slices: a wide scope can hold more batches than a statement
        found = [
            b
            for part in slices(list(ids))
            for b in session.execute(stmt.where(among(session, Batch.id, part)))
        ]
    found.sort(key=lambda b: (b.production_date, b.code))
    reasons = {
        b.id: [h for s in sets for h in s.get(b.id, [])]
        or [_Hit(f"{b.production_date} 生产", f"made on {b.production_date}")]
        for b in found
    }
    return _result(session, t, c, found, reasons)


def _result(
    session: Session,
    t: uuid.UUID,
    c: Criteria,
    found: list[Any],
    reasons: dict[uuid.UUID, list[_Hit]],
) -> ScopeResult:
    """``found``: the batches' rows (id, code, product_id, production_date,
    session, status, best_before, packed_quantity)."""
    ids = [b.id for b in found]
    per: dict[uuid.UUID, dict[uuid.UUID, dict[str, int]]] = defaultdict(dict)
    loaded: dict[uuid.UUID, tuple[int, int]] = {}
    names: dict[uuid.UUID, tuple[str, str]] = {}
    products: dict[uuid.UUID, str] = {}
    for chunk in slices(ids):
        for b_id, pos_id, qty in session.execute(
            select(
                Delivery.batch_id,
                Delivery.point_of_sale_id,
                func.sum(Delivery.quantity),
            )
            .where(Delivery.tenant_id == t, among(session, Delivery.batch_id, chunk))
            .group_by(Delivery.batch_id, Delivery.point_of_sale_id)
        ):
            per[b_id][pos_id] = {
                "delivered": int(qty),
                "received": 0,
                "sold": 0,
                "wasted": 0,
                "returned": 0,
            }
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
            row = per[b_id].setdefault(
                pos_id,
                {"delivered": 0, "received": 0, "sold": 0, "wasted": 0, "returned": 0},
            )
            row.update(received=received, sold=sold, wasted=wasted, returned=returned)
        for b_id, l_sum, r_sum in session.execute(
            select(
                TripLoad.batch_id,
                func.sum(TripLoad.loaded),
                func.sum(TripLoad.returned),
            )
            .where(TripLoad.tenant_id == t, among(session, TripLoad.batch_id, chunk))
            .group_by(TripLoad.batch_id)
        ):
            loaded[b_id] = (int(l_sum or 0), int(r_sum or 0))
    pos_ids = {p for rows in per.values() for p in rows}
    if pos_ids:
        for shop in session.scalars(
            select(PointOfSale).where(
                PointOfSale.tenant_id == t, PointOfSale.id.in_(list(pos_ids))
            )
        ):
            names[shop.id] = (shop.code, shop.name)
    product_ids = {b.product_id for b in found}
    if product_ids:
        for p in session.scalars(
            select(Product).where(
                Product.tenant_id == t, Product.id.in_(list(product_ids))
            )
        ):
            products[p.id] = p.name_zh

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
                reasons=[{"zh": h.zh, "en": h.en} for h in reasons.get(b.id, [])],
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
        criteria=c.model_dump(mode="json", exclude_none=True),
        batches=out,
        shops=shops_total,
        totals={
            "batches": len(out),
            "packed": sum(b.packed for b in out),
            "in_kitchen": sum(b.in_kitchen for b in out),
            "delivered": sum(b.delivered for b in out),
            "sold": sum(b.sold for b in out),
            "on_shelf": sum(b.on_shelf for b in out),
            "points_of_sale": len(shops_total),
        },
    )
