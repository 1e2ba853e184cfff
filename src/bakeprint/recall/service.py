"""Opening a recall from a scope, freezing its batches, notifying exactly the
affected shops, taking their confirmations, closing it with its report."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint import localtime, sequences
from bakeprint.catalog.models import PointOfSale, Product
from bakeprint.db import utcnow
from bakeprint.errors import Conflict, Invalid, NotFound
from bakeprint.events import service as events
from bakeprint.identity import repository as tenants
from bakeprint.identity.models import Tenant
from bakeprint.identity.service import Actor
from bakeprint.interop import ids
from bakeprint.outbox.models import OutboxMessage
from bakeprint.production import repository as batches
from bakeprint.production.models import Batch
from bakeprint.recall import progress
from bakeprint.recall.models import Recall, RecallBatch, RecallShop
from bakeprint.retail import service as retail
from bakeprint.retail.models import ShopStock
from bakeprint.retail.schemas import RemovalCreate
from bakeprint.trace import scope

FREEZABLE = ("in_progress", "completed", "packed", "on_hold")


def get(
    session: Session, tenant_id: uuid.UUID, code: str, *, lock: bool = False
) -> Recall:
    stmt = select(Recall).where(
        Recall.tenant_id == tenant_id, Recall.code == code.strip()
    )
    row = session.scalar(stmt.with_for_update() if lock else stmt)
    if row is None:
        raise NotFound(f"找不到召回 {code}", f"recall {code} not found")
    return row


def _code(session: Session, tenant_id: uuid.UUID, when: datetime, tz: str) -> str:
    from zoneinfo import ZoneInfo

    day = when.astimezone(ZoneInfo(tz)).strftime("%y%m%d")
    n = session.scalar(
        select(func.count())
        .select_from(Recall)
        .where(Recall.tenant_id == tenant_id, Recall.code.like(f"RC-{day}-%"))
    )
    seq = sequences.next_value(session, tenant_id, f"RC-{day}", start_after=int(n or 0))
    return f"RC-{day}-{seq:02d}"


def _reason(reason: str) -> str:
    if not reason.strip():
        raise Invalid(
            "请写明召回原因", "give the reason for the recall", field="reason"
        )
    return reason.strip()


def _found(session: Session, tenant_id: uuid.UUID, criteria: scope.Criteria) -> Any:
    found = scope.find(session, tenant_id, criteria)
    if not found.batches:
        raise Conflict(
            "这个范围内没有批次，无需召回",
            "the scope holds no batch: nothing to recall",
        )
    return found


def _new(
    session: Session,
    criteria: scope.Criteria,
    *,
    reason: str,
    actor: Actor,
    level: int,
    status: str,
) -> tuple[Recall, Tenant]:
    t = actor.tenant_id
    tenant = tenants.get(session, t)
    now = utcnow()
    recall = Recall(
        tenant_id=t,
        code=_code(session, t, now, tenant.timezone),
        level=level,
        reason=reason,
        criteria=criteria.model_dump(mode="json", exclude_none=True),
        status=status,
        opened_at=now,
        opened_by=actor.username,
    )
    session.add(recall)
    session.flush()
    return recall, tenant


def open_recall(
    session: Session,
    criteria: scope.Criteria,
    *,
    reason: str,
    actor: Actor,
    level: int = 3,
) -> Recall:
    """Freeze every batch in the scope and notify every shop that has them."""
    reason = _reason(reason)
    found = _found(session, actor.tenant_id, criteria)
    recall, tenant = _new(
        session, criteria, reason=reason, actor=actor, level=level, status="open"
    )
    _activate(session, recall, tenant, found, actor)
    return recall


def draft(
    session: Session,
    criteria: scope.Criteria,
    *,
    reason: str,
    actor: Actor,
    level: int = 3,
) -> Recall:
    """A recall prepared from a scope (a level-3 alert): nothing is frozen or
    sent until a person launches it."""
    reason = _reason(reason)
    _found(session, actor.tenant_id, criteria)
    recall, _ = _new(
        session, criteria, reason=reason, actor=actor, level=level, status="draft"
    )
    return recall


def launch(session: Session, code: str, *, actor: Actor) -> Recall:
    """Open a drafted recall: its scope is worked out again now (stock moved
    since the draft), then frozen and notified as any recall."""
    recall = get(session, actor.tenant_id, code, lock=True)
    if recall.status != "draft":
        raise Conflict(
            f"召回 {recall.code} 不是草稿（{recall.status}），不能再发起",
            f"recall {recall.code} is not a draft ({recall.status}); it cannot "
            "be launched",
        )
    found = _found(session, actor.tenant_id, scope.Criteria(**recall.criteria))
    tenant = tenants.get(session, actor.tenant_id)
    recall.status = "open"
    recall.opened_at, recall.opened_by = utcnow(), actor.username
    _activate(session, recall, tenant, found, actor)
    return recall


def discard(session: Session, code: str, *, note: str, actor: Actor) -> Recall:
    """Drop a draft that turned out unnecessary (the note says why)."""
    recall = get(session, actor.tenant_id, code, lock=True)
    if recall.status != "draft":
        raise Conflict(
            f"只有草稿可以放弃；召回 {recall.code} 的状态是 {recall.status}",
            f"only a draft can be discarded; recall {recall.code} is {recall.status}",
        )
    if not note.strip():
        raise Invalid("请写明为什么不召回", "say why no recall is needed", field="note")
    recall.status = "discarded"
    recall.closed_at, recall.closed_by = utcnow(), actor.username
    recall.closing_note = note.strip()
    session.flush()
    return recall


def _activate(
    session: Session, recall: Recall, tenant: Tenant, found: Any, actor: Actor
) -> None:
    t, now, level = actor.tenant_id, recall.opened_at, recall.level
    notices: dict[uuid.UUID, list[dict[str, Any]]] = {}
    pos_by_code = {
        p.code: p
        for p in session.scalars(select(PointOfSale).where(PointOfSale.tenant_id == t))
    }
    for affected in found.batches:
        batch = batches.for_update(session, t, affected.batch)
        session.add(
            RecallBatch(
                tenant_id=t,
                recall_id=recall.id,
                batch_id=batch.id,
                reasons=[r.model_dump() for r in affected.reasons],
                status_before=batch.status,
                in_kitchen_at_notice=affected.in_kitchen,
                on_shelf_at_notice=affected.on_shelf,
                sold_before_notice=affected.sold,
            )
        )
        if batch.status in FREEZABLE:
            batch.status = "recalled"
        _event(session, tenant, batch, recall, affected.on_shelf, actor, now)
        for shop in affected.shops:
            pos = pos_by_code[shop.point_of_sale]
            awaiting = shop.delivered - shop.received
            session.add(
                RecallShop(
                    tenant_id=t,
                    recall_id=recall.id,
                    point_of_sale_id=pos.id,
                    batch_id=batch.id,
                    on_shelf_at_notice=shop.on_shelf,
                    awaiting_at_notice=awaiting,
                )
            )
            if shop.on_shelf > 0 or awaiting > 0:
                notices.setdefault(pos.id, []).append(
                    {
                        "batch": batch.code,
                        "product": affected.product,
                        "on_shelf": shop.on_shelf,
                        "awaiting_receipt": awaiting,
                    }
                )
    for pos_id, items in notices.items():
        shop_row = session.get(PointOfSale, (t, pos_id))
        assert shop_row is not None
        session.add(
            OutboxMessage(
                tenant_id=t,
                topic="recall.notice",
                ref=recall.code,
                recipient=f"pos:{shop_row.code}",
                payload={
                    "type": "recall.notice",
                    "bakery": tenant.slug,
                    "recall": recall.code,
                    "level": level,
                    "reason": recall.reason,
                    "point_of_sale": shop_row.code,
                    "issued_at": localtime.iso(now, tenant.timezone),
                    "batches": items,
                    "instructions_zh": "请立即下架以下批次，并在系统中确认下架数量",
                    "instructions_en": "Take these batches off the shelf now and "
                    "confirm how many units you pulled",
                },
                available_at=now,
            )
        )
    session.flush()


def _event(
    session: Session,
    tenant: Tenant,
    batch: Batch,
    recall: Recall,
    on_shelf: int,
    actor: Actor,
    when: datetime,
) -> None:
    product = session.get(Product, (batch.tenant_id, batch.product_id))
    assert product is not None
    events.append(
        session,
        tenant_id=tenant.id,
        kind="recalled",
        subject=f"batch:{batch.code}",
        event_type="ObjectEvent",
        action="OBSERVE",
        biz_step="holding",
        disposition="recalled",
        event_time=when,
        actor=actor.ref,
        fields={
            "epcList": [],
            "quantityList": [
                {
                    "epcClass": ids.batch_class(product.gtin, batch.code),
                    "quantity": on_shelf,
                }
            ],
        },
        extension={"batch": batch.code, "recall": recall.code, "reason": recall.reason},
    )


def notice_time(session: Session, batch: Batch) -> datetime | None:
    """When the batch was first recalled (its frozen-since time), if ever."""
    return session.scalar(
        select(func.min(Recall.opened_at))
        .join(
            RecallBatch,
            (RecallBatch.tenant_id == Recall.tenant_id)
            & (RecallBatch.recall_id == Recall.id),
        )
        .where(
            RecallBatch.tenant_id == batch.tenant_id, RecallBatch.batch_id == batch.id
        )
    )


def confirm_pulled(
    session: Session,
    code: str,
    pos_code: str,
    *,
    batch_code: str,
    pulled: int,
    actor: Actor,
    at: datetime | None = None,
) -> RecallShop:
    """A shop confirms how many units of a batch it took off the shelf: they
    leave its stock as returned to the bakery, with the recall as the reason."""
    t = actor.tenant_id
    recall = get(session, t, code, lock=True)
    if recall.status != "open":
        raise Conflict(f"召回 {recall.code} 已关闭", f"recall {recall.code} is closed")
    pos = retail.shop(session, actor, pos_code)
    batch = batches.get(session, t, batch_code)
    row = session.get(RecallShop, (t, recall.id, pos.id, batch.id))
    if row is None:
        raise NotFound(
            f"召回 {recall.code} 不涉及「{pos.name}」的批次 {batch.code}",
            f"recall {recall.code} does not concern batch {batch.code} at {pos.code}",
            field="batch",
        )
    if pulled < 0:
        raise Invalid("下架数量不能为负", "pulled cannot be negative", field="pulled")

    stock = retail.find_stock(session, t, pos.id, batch.id)
    on_shelf = stock.on_shelf if stock else 0
    if pulled > on_shelf:
        raise Conflict(
            f"「{pos.name}」批次 {batch.code} 只有 {on_shelf} 份在架，"
            f"不能下架 {pulled} 份",
            f"{pos.code} has only {on_shelf} of batch {batch.code} on the shelf; "
            f"cannot pull {pulled}",
            field="pulled",
        )
    if pulled > 0:
        retail.remove(
            session,
            pos.code,
            RemovalCreate(
                batch=batch.code, quantity=pulled, reason=f"召回 {recall.code}", at=at
            ),
            actor=actor,
            returned=True,
        )
    row.pulled += pulled
    row.confirmed_at = utcnow()
    row.confirmed_by = actor.username
    session.flush()
    return row


def close(session: Session, code: str, *, note: str, actor: Actor) -> Recall:
    recall = get(session, actor.tenant_id, code, lock=True)
    if recall.status in ("closed", "discarded"):
        raise Conflict(
            f"召回 {recall.code} 已由 {recall.closed_by} 关闭",
            f"recall {recall.code} was already closed by {recall.closed_by}",
        )
    if recall.status == "draft":
        raise Conflict(
            f"召回 {recall.code} 还是草稿：请发起或放弃它",
            f"recall {recall.code} is still a draft: launch or discard it",
        )
    recall.status = "closed"
    recall.closed_at = utcnow()
    recall.closed_by = actor.username
    recall.closing_note = note
    session.flush()
    return recall


def list_recalls(session: Session, tenant_id: uuid.UUID) -> list[Recall]:
    return list(
        session.scalars(
            select(Recall)
            .where(Recall.tenant_id == tenant_id)
            .order_by(Recall.opened_at.desc())
        )
    )


def notices_for_shop(session: Session, pos: PointOfSale) -> list[dict[str, Any]]:
    """Open recalls concerning this shop: what to pull, what was confirmed."""
    out = []
    for rs, rec, batch, stock in session.execute(
        progress.with_stock(select(RecallShop, Recall, Batch, ShopStock))
        .join(
            Recall,
            (Recall.tenant_id == RecallShop.tenant_id)
            & (Recall.id == RecallShop.recall_id),
        )
        .where(
            RecallShop.tenant_id == pos.tenant_id,
            RecallShop.point_of_sale_id == pos.id,
            Recall.status == "open",
        )
        .order_by(Recall.opened_at.desc(), Batch.code)
    ):
        on_shelf = stock.on_shelf if stock else 0
        if rs.on_shelf_at_notice == 0 and rs.awaiting_at_notice == 0 and on_shelf == 0:
            continue
        out.append(
            {
                "recall": rec.code,
                "level": rec.level,
                "reason": rec.reason,
                "opened_at": rec.opened_at,
                "batch": batch.code,
                "on_shelf_at_notice": rs.on_shelf_at_notice,
                "on_shelf_now": on_shelf,
                "pulled": rs.pulled,
                "confirmed_at": rs.confirmed_at,
            }
        )
    return out
