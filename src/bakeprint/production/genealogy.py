"""Multi-level genealogy: material lot → intermediate batch (a filling, a
dough made in-house and used by several batches) → product batch, and back.

Walks are breadth-first with a visited set: a cycle (which recording refuses,
but old data or a bad import could hold) is reported, never looped on.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint import chronology
from bakeprint.catalog.models import Product
from bakeprint.chronology import Moment
from bakeprint.db import among, slices, utcnow
from bakeprint.errors import Conflict
from bakeprint.events import service as events
from bakeprint.identity import repository as tenants
from bakeprint.identity.service import Actor
from bakeprint.interop import ids
from bakeprint.production import repository as batches
from bakeprint.production import service as production
from bakeprint.production.models import FROZEN, Batch, BatchInput, BatchMove
from bakeprint.production.schemas import BatchInputCreate, MoveCreate

MAX_DEPTH = 20


def _links(
    session: Session, tenant_id: uuid.UUID, ids_: Iterable[uuid.UUID], column: Any
) -> list[BatchInput]:
    wanted = list(ids_)
    if not wanted:
        return []
    return list(
        session.scalars(
            select(BatchInput).where(
                BatchInput.tenant_id == tenant_id, among(session, column, wanted)
            )
        )
    )


def inputs_of(
    session: Session, tenant_id: uuid.UUID, ids_: Iterable[uuid.UUID]
) -> list[BatchInput]:
    """The links to what these batches were made from."""
    return _links(session, tenant_id, ids_, BatchInput.batch_id)


def users_of(
    session: Session, tenant_id: uuid.UUID, ids_: Iterable[uuid.UUID]
) -> list[BatchInput]:
    """The links to what was made from these batches."""
    return _links(session, tenant_id, ids_, BatchInput.input_batch_id)


def _ancestor_depths(
    session: Session, tenant_id: uuid.UUID, start: Iterable[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Every batch the given ones were made from, directly or not, with the
    depth it was first reached at (the given ones themselves excluded)."""
    origin = set(start)
    seen: dict[uuid.UUID, int] = {}
    frontier = list(origin)
    depth = 0
    while frontier and depth < MAX_DEPTH:
        depth += 1
        nxt = []
        for part in slices(frontier):
            for link in inputs_of(session, tenant_id, part):
                b = link.input_batch_id
                if b not in origin and b not in seen:
                    seen[b] = depth
                    nxt.append(b)
        frontier = nxt
    return seen


def ancestors(
    session: Session, tenant_id: uuid.UUID, batch_id: uuid.UUID
) -> dict[uuid.UUID, int]:
    """Every batch this one was made from, directly or not, with its depth."""
    return _ancestor_depths(session, tenant_id, [batch_id])


def ancestors_of(
    session: Session, tenant_id: uuid.UUID, start: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Every batch any of the given ones was made from, directly or not."""
    return set(_ancestor_depths(session, tenant_id, start))


def descendants(
    session: Session, tenant_id: uuid.UUID, start: Iterable[uuid.UUID]
) -> dict[uuid.UUID, tuple[uuid.UUID, int]]:
    """Every batch made (directly or through others) from the given batches:
    ``{batch_id: (the start batch it comes from, depth)}``."""
    origin = {b: b for b in start}
    seen: dict[uuid.UUID, tuple[uuid.UUID, int]] = {}
    frontier = list(origin)
    depth = 0
    while frontier and depth < MAX_DEPTH:
        depth += 1
        nxt = []
        links = [  # in slices: a wide scope starts from many batches
            link
            for part in slices(frontier)
            for link in users_of(session, tenant_id, part)
        ]
        for link in links:
            if link.batch_id in origin or link.batch_id in seen:
                continue
            root = origin.get(link.input_batch_id) or seen[link.input_batch_id][0]
            seen[link.batch_id] = (root, depth)
            nxt.append(link.batch_id)
        frontier = nxt
    return seen


def use_batch(
    session: Session, code: str, data: BatchInputCreate, *, actor: Actor
) -> BatchInput:
    """Record that ``code`` was made with part of an intermediate batch."""
    t = actor.tenant_id
    batch = batches.for_update(session, t, code)
    if batch.status not in ("in_progress", "completed"):
        raise Conflict(
            f"批次 {batch.code} 已包装，不能再登记原料",
            f"batch {batch.code} is already {batch.status}; nothing more can be "
            "bound to it",
        )
    used = batches.get(session, t, data.batch.strip())
    if used.id == batch.id:
        raise Conflict(
            "批次不能用自己做原料", "a batch cannot be made from itself", field="batch"
        )
    if used.status in FROZEN:
        raise Conflict(
            f"批次 {used.code} 已被召回/冻结，不能使用",
            f"batch {used.code} is recalled or on hold: it cannot be used",
            field="batch",
        )
    if used.status == "in_progress":
        raise Conflict(
            f"批次 {used.code} 还在生产中，完成后才能使用",
            f"batch {used.code} is still in progress; finish it first",
            field="batch",
        )
    if batch.id in ancestors(session, t, used.id):
        raise Conflict(
            f"{used.code} 本身就是用 {batch.code} 做的：这样会形成循环",
            f"{used.code} is itself made from {batch.code}: that would be a cycle",
            field="batch",
        )
    tenant = tenants.get(session, t)
    when = chronology.check(
        Moment(data.recorded_at or utcnow(), "使用时间", "the time it was used"),
        tz=tenant.timezone,
        field="recorded_at",
        not_before=[
            batches.batch_time(batch, "started_at"),
            batches.batch_time(used, "ended_at"),
        ],
    )
    row = BatchInput(
        tenant_id=t,
        batch_id=batch.id,
        input_batch_id=used.id,
        quantity=data.quantity,
        recorded_at=when,
    )
    session.add(row)
    session.flush()
    product = session.get(Product, (t, used.product_id))
    assert product is not None
    ev = events.append(
        session,
        tenant_id=t,
        kind="batch_input",
        subject=f"batch:{batch.code}",
        event_type="TransformationEvent",
        action=None,
        biz_step="creating_class_instance",
        disposition="in_progress",
        event_time=when,
        actor=actor.ref,
        fields={
            "transformationID": production.transformation_id(tenant, batch.code),
            "inputQuantityList": [
                {
                    "epcClass": ids.batch_class(product.gtin, used.code),
                    "quantity": data.quantity,
                }
            ],
        },
        extension={"batch": batch.code, "input_batch": used.code},
    )
    row.event_seq = ev.seq
    return row


def _batch_node(session: Session, b: Batch) -> dict[str, Any]:
    product = session.get(Product, (b.tenant_id, b.product_id))
    return {
        "batch": b.code,
        "product": product.name_zh if product else "",
        "status": b.status,
        "made_on": b.production_date.isoformat(),
    }


def tree(session: Session, batch: Batch) -> dict[str, Any]:
    """Both directions from a batch: what it was made of (lots and batches,
    level by level) and what was made of it, with cycles and gaps reported."""
    from bakeprint.production import views

    t = batch.tenant_id
    problems: list[str] = []

    def up(b: Batch, path: tuple[uuid.UUID, ...], depth: int) -> dict[str, Any]:
        node = _batch_node(session, b)
        node["lots"] = [
            {
                "lot": c.lot,
                "material": c.material,
                "supplier": c.supplier,
                "supplier_lot": c.supplier_lot,
                "quantity": c.quantity,
                "unit": c.unit,
            }
            for c in views.detail(session, b).consumptions
            if not c.superseded and c.quantity > 0
        ]
        node["inputs"] = []
        for link in inputs_of(session, t, [b.id]):
            child = session.get(Batch, (t, link.input_batch_id))
            if child is None:
                problems.append(f"{b.code}: input batch missing")
                continue
            if child.id in path:
                problems.append(f"cycle: {b.code} ← {child.code}")
                node["inputs"].append({"batch": child.code, "cycle": True})
                continue
            if depth >= MAX_DEPTH:
                problems.append(f"deeper than {MAX_DEPTH} levels at {b.code}")
                continue
            sub = up(child, (*path, child.id), depth + 1)
            sub["quantity"] = link.quantity
            node["inputs"].append(sub)
        return node

    def down(b: Batch, path: tuple[uuid.UUID, ...], depth: int) -> list[dict[str, Any]]:
        out = []
        for link in users_of(session, t, [b.id]):
            user = session.get(Batch, (t, link.batch_id))
            if user is None:
                problems.append(f"{b.code}: using batch missing")
                continue
            if user.id in path:
                problems.append(f"cycle: {b.code} → {user.code}")
                out.append({"batch": user.code, "cycle": True})
                continue
            node = _batch_node(session, user)
            node["quantity"] = link.quantity
            node["used_by"] = (
                down(user, (*path, user.id), depth + 1) if depth < MAX_DEPTH else []
            )
            out.append(node)
        return out

    return {
        "batch": batch.code,
        "made_from": up(batch, (batch.id,), 0),
        "used_by": down(batch, (batch.id,), 0),
        "problems": problems,
    }


def move(session: Session, code: str, data: MoveCreate, *, actor: Actor) -> BatchMove:
    """Record where a finished batch waits before it leaves (a cold room)."""
    from bakeprint.catalog import repository as catalog
    from bakeprint.catalog.models import Location

    t = actor.tenant_id
    batch = batches.for_update(session, t, code)
    if batch.ended_at is None:
        raise Conflict(
            f"批次 {batch.code} 还在生产中，完成后才能入库",
            f"batch {batch.code} is still in production; finish it first",
        )
    loc = catalog.get(session, Location, t, data.location.strip())
    tenant = tenants.get(session, t)
    when = chronology.check(
        Moment(data.at or utcnow(), "入库时间", "the time it was put away"),
        tz=tenant.timezone,
        field="at",
        not_before=[batches.batch_time(batch, "ended_at")],
    )
    row = BatchMove(tenant_id=t, batch_id=batch.id, location_id=loc.id, moved_at=when)
    session.add(row)
    session.flush()
    product = session.get(Product, (t, batch.product_id))
    assert product is not None
    ev = events.append(
        session,
        tenant_id=t,
        kind="stored",
        subject=f"batch:{batch.code}",
        event_type="ObjectEvent",
        action="OBSERVE",
        biz_step="storing",
        disposition="in_progress",
        event_time=when,
        actor=actor.ref,
        fields={
            "quantityList": [
                {
                    "epcClass": ids.batch_class(product.gtin, batch.code),
                    "quantity": batch.packed_quantity or batch.produced_quantity or 0,
                }
            ],
            "readPoint": {"id": ids.location_urn(tenant.slug, "location", loc.code)},
            "bizLocation": {"id": ids.location_urn(tenant.slug, "location", loc.code)},
        },
        extension={"batch": batch.code, "location": loc.code},
    )
    row.event_seq = ev.seq
    return row


def moves_of(session: Session, batch: Batch) -> list[tuple[BatchMove, Any]]:
    from bakeprint.catalog.models import Location

    return [
        (m, loc)
        for m, loc in session.execute(
            select(BatchMove, Location)
            .join(
                Location,
                (Location.tenant_id == BatchMove.tenant_id)
                & (Location.id == BatchMove.location_id),
            )
            .where(
                BatchMove.tenant_id == batch.tenant_id, BatchMove.batch_id == batch.id
            )
            .order_by(BatchMove.moved_at)
        )
    ]
