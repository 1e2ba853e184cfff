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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bakeprint import localtime
from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import Equipment, Location, Operator, Supplier
from bakeprint.db import among, slices
from bakeprint.errors import Invalid, NotFound
from bakeprint.logistics import service as logistics
from bakeprint.logistics.models import TripLoad
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
from bakeprint.trace import reach
from bakeprint.trace.schemas import (
    AffectedBatch,
    Criteria,
    Reason,
    ScopeResult,
    ShopCount,
)

__all__ = ["AffectedBatch", "Criteria", "ScopeResult", "ShopCount", "find"]


@dataclass
class _Hit:
    zh: str
    en: str


# batch id -> why it is in the scope
Hits = dict[uuid.UUID, list[_Hit]]


# alerts/attention.py reads it here too (one rule: production's repository)
live_consumptions = batches.live_consumptions


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
            for r in batches.live_uses(session, t, Consumption.lot_id.in_(lp))
        ]
    # by batch, the lots checked here: with both IN lists SQLite walks the
    # lots' index (every use of 500 lots in a year) instead of the window's
    wanted = set(lot_ids)
    return [
        (b, lot)
        for bp in slices(list(window))
        for b, lot in batches.live_uses(
            session, t, among(session, Consumption.batch_id, bp)
        )
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


def _check(c: Criteria) -> None:
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


def _window(session: Session, t: uuid.UUID, c: Criteria) -> set[uuid.UUID] | None:
    """A period narrows lot and supplier scopes before they are read: the
    batches made in it and everything they were made from (an intermediate
    made before the period can carry a lot into it) — exact, and the
    supplier's other months are never read."""
    if not ((c.start or c.end) and (c.lot or c.supplier)):
        return None
    period = select(Batch.id).where(Batch.tenant_id == t)
    if c.start:
        period = period.where(Batch.production_date >= c.start)
    if c.end:
        period = period.where(Batch.production_date <= c.end)
    window = set(session.scalars(period))
    return window | genealogy.ancestors_of(session, t, window)


def by_batch(session: Session, t: uuid.UUID, c: Criteria, _w: Any) -> Hits:
    """Just this batch (a complaint about it), and what was made from it."""
    assert c.batch is not None
    named = batches.get(session, t, c.batch.strip())
    return _through_intermediates(
        session, t, {named.id: [_Hit(f"批次 {named.code}", f"batch {named.code}")]}
    )


def by_lot(
    session: Session, t: uuid.UUID, c: Criteria, window: set[uuid.UUID] | None
) -> Hits:
    """The batches that used a lot, by our code or the supplier's lot number
    (every intake of it)."""
    assert c.lot is not None
    found_lots = lots.by_either_code(session, t, c.lot)
    if not found_lots:
        raise NotFound(f"找不到原料批次 {c.lot}", f"material lot not found: {c.lot}")
    by_id = {x.id: x for x in found_lots}
    hits: Hits = defaultdict(list)
    for batch_id, lot_id in _uses(session, t, list(by_id), window):
        x = by_id[lot_id]
        hit = _Hit(
            f"使用原料批次 {x.code}（{x.supplier_lot}）",
            f"shares lot {x.code} ({x.supplier_lot})",
        )
        if all(h.zh != hit.zh for h in hits[batch_id]):
            hits[batch_id].append(hit)
    return _through_intermediates(session, t, hits)


def by_supplier(
    session: Session, t: uuid.UUID, c: Criteria, window: set[uuid.UUID] | None
) -> Hits:
    """The batches that used any lot of a supplier."""
    assert c.supplier is not None
    sup = catalog.get(session, Supplier, t, c.supplier.strip())
    their = {
        x.id: x
        for x in session.scalars(
            select(MaterialLot).where(
                MaterialLot.tenant_id == t, MaterialLot.supplier_id == sup.id
            )
        )
    }
    hits: Hits = defaultdict(list)
    if their:
        for batch_id, lot_id in _uses(session, t, list(their), window):
            x = their[lot_id]
            hit = _Hit(
                f"使用供应商 {sup.name} 的原料 {x.code}",
                f"uses {sup.name}'s lot {x.code}",
            )
            if all(h.zh != hit.zh for h in hits[batch_id]):
                hits[batch_id].append(hit)
    return _through_intermediates(session, t, hits)


def by_session(session: Session, t: uuid.UUID, c: Criteria, _w: Any) -> Hits:
    """The batches of one production session (251203-PM)."""
    assert c.session is not None
    day, half = _session_of(c.session)
    why = _Hit(f"同一生产时段 {c.session.upper()}", f"same session {c.session.upper()}")
    return {
        b: [why]
        for b in session.scalars(
            select(Batch.id).where(
                Batch.tenant_id == t,
                Batch.production_date == day,
                Batch.session == half,
            )
        )
    }


def by_equipment(session: Session, t: uuid.UUID, c: Criteria, _w: Any) -> Hits:
    """The batches made with a piece of equipment."""
    assert c.equipment is not None
    eq = catalog.get(session, Equipment, t, c.equipment.strip())
    return {
        b: [_Hit(f"使用设备 {eq.name}", f"made with {eq.name}")]
        for b in session.scalars(
            select(BatchEquipment.batch_id).where(
                BatchEquipment.tenant_id == t,
                BatchEquipment.equipment_id == eq.id,
            )
        )
    }


def by_operator(session: Session, t: uuid.UUID, c: Criteria, _w: Any) -> Hits:
    """The batches an operator worked on."""
    assert c.operator is not None
    op = catalog.get(session, Operator, t, c.operator.strip())
    return {
        b: [_Hit(f"操作员 {op.code}", f"operator {op.code}")]
        for b in session.scalars(
            select(BatchOperator.batch_id).where(
                BatchOperator.tenant_id == t, BatchOperator.operator_id == op.id
            )
        )
    }


def by_trip(session: Session, t: uuid.UUID, c: Criteria, _w: Any) -> Hits:
    """The batches loaded on one van trip."""
    assert c.trip is not None
    trip = logistics.get_trip(session, t, c.trip)
    return {
        b: [_Hit(f"同一趟配送 {trip.code}", f"same van trip {trip.code}")]
        for b in session.scalars(
            select(TripLoad.batch_id).where(
                TripLoad.tenant_id == t,
                TripLoad.trip_id == trip.id,
                TripLoad.loaded > 0,
            )
        )
    }


def by_location(session: Session, t: uuid.UUID, c: Criteria, _w: Any) -> Hits:
    """The batches made at a location (within a time window, if given)."""
    assert c.location is not None
    loc = catalog.get(session, Location, t, c.location.strip())
    at_loc = select(Batch.id).where(Batch.tenant_id == t, Batch.location_id == loc.id)
    if c.at_from is not None and c.at_to is not None:
        at_loc = at_loc.where(
            Batch.started_at < c.at_to,
            or_(Batch.ended_at.is_(None), Batch.ended_at > c.at_from),
        )
        when = localtime.span(c.at_from, c.at_to)
        why = _Hit(f"{when} 在 {loc.name} 生产", f"made at {loc.name} {when}")
    else:
        why = _Hit(f"在 {loc.name} 生产", f"made at {loc.name}")
    return {b: [why] for b in session.scalars(at_loc)}


# each criterion given narrows the scope, in this order
CRITERIA: list[tuple[str, Callable[[Session, uuid.UUID, Criteria, Any], Hits]]] = [
    ("batch", by_batch),
    ("lot", by_lot),
    ("supplier", by_supplier),
    ("session", by_session),
    ("equipment", by_equipment),
    ("operator", by_operator),
    ("trip", by_trip),
    ("location", by_location),
]


def find(session: Session, tenant_id: uuid.UUID, c: Criteria) -> ScopeResult:
    t = tenant_id
    _check(c)
    window = _window(session, t, c)
    sets = [by(session, t, c, window) for name, by in CRITERIA if getattr(c, name)]
    if not sets and not (c.start or c.end):
        raise Invalid(
            "请至少给出一个条件：批次、原料批次、供应商、生产时段、设备、操作员、"
            "配送车次或位置",
            "give at least one criterion: batch, lot, supplier, session, "
            "equipment, operator, trip or location",
        )
    # only a period: every batch made in it
    ids = set.intersection(*(set(s) for s in sets)) if sets else None
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
        return reach.result(session, t, c, [], {})
    else:  # in slices: a wide scope can hold more batches than a statement
        found = [
            b
            for part in slices(list(ids))
            for b in session.execute(stmt.where(among(session, Batch.id, part)))
        ]
    found.sort(key=lambda b: (b.production_date, b.code))
    reasons = {
        b.id: [
            Reason.model_construct(zh=h.zh, en=h.en)
            for s in sets
            for h in s.get(b.id, [])
        ]
        or [
            Reason.model_construct(
                zh=f"{b.production_date} 生产", en=f"made on {b.production_date}"
            )
        ]
        for b in found
    }
    return reach.result(session, t, c, found, reasons)
