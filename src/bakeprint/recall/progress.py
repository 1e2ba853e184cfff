"""Where a recall stands (R3.x): per shop and batch, on the shelf at notice,
pulled, still on the shelf and confirmed; its notices and their delivery;
sales recorded after the notice; its effectiveness — and its report (the
status stamped with the event-log head), as JSON or PDF."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import PointOfSale
from bakeprint.db import utcnow
from bakeprint.events import service as events
from bakeprint.events.models import Event
from bakeprint.identity.models import Tenant
from bakeprint.outbox.models import OutboxMessage
from bakeprint.production.models import Batch
from bakeprint.recall import webhooks
from bakeprint.recall.models import Recall, RecallBatch, RecallShop
from bakeprint.recall.schemas import (
    Effectiveness,
    LateSale,
    NoticeRead,
    RecalledBatch,
    RecallLogHead,
    RecallReport,
    RecallShopRead,
    RecallStatus,
)
from bakeprint.retail.models import ShopStock
from bakeprint.trace import scope
from bakeprint.trace.pdf import recall_pdf
from bakeprint.trace.schemas import CriteriaEcho


def with_stock(stmt: Any) -> Any:
    """Join a RecallShop row to its shop, its batch and (if any) the shop's
    stock of that batch."""
    return (
        stmt.join(
            PointOfSale,
            (PointOfSale.tenant_id == RecallShop.tenant_id)
            & (PointOfSale.id == RecallShop.point_of_sale_id),
        )
        .join(
            Batch,
            (Batch.tenant_id == RecallShop.tenant_id)
            & (Batch.id == RecallShop.batch_id),
        )
        .outerjoin(
            ShopStock,
            (ShopStock.tenant_id == RecallShop.tenant_id)
            & (ShopStock.point_of_sale_id == RecallShop.point_of_sale_id)
            & (ShopStock.batch_id == RecallShop.batch_id),
        )
    )


def _shops(session: Session, recall: Recall) -> list[RecallShopRead]:
    """Per shop and batch: on shelf at notice, pulled, on shelf now."""
    return [
        RecallShopRead(
            point_of_sale=pos.code,
            name=pos.name,
            batch=batch.code,
            on_shelf_at_notice=rs.on_shelf_at_notice,
            awaiting_at_notice=rs.awaiting_at_notice,
            pulled=rs.pulled,
            on_shelf_now=stock.on_shelf if stock else 0,
            confirmed_at=rs.confirmed_at,
            confirmed_by=rs.confirmed_by,
        )
        for rs, pos, batch, stock in session.execute(
            with_stock(select(RecallShop, PointOfSale, Batch, ShopStock))
            .where(
                RecallShop.tenant_id == recall.tenant_id,
                RecallShop.recall_id == recall.id,
            )
            .order_by(PointOfSale.code, Batch.code)
        )
    ]


def _batches(session: Session, recall: Recall) -> list[RecalledBatch]:
    """The recalled batches: why, their status before and now, and what was
    on the shelf, in the kitchen and sold at notice."""
    return [
        RecalledBatch(
            batch=batch.code,
            status_before=rb.status_before,
            status=batch.status,
            reasons=rb.reasons,
            on_shelf_at_notice=rb.on_shelf_at_notice,
            in_kitchen_at_notice=rb.in_kitchen_at_notice,
            sold_before_notice=rb.sold_before_notice,
        )
        for rb, batch in session.execute(
            select(RecallBatch, Batch)
            .join(
                Batch,
                (Batch.tenant_id == RecallBatch.tenant_id)
                & (Batch.id == RecallBatch.batch_id),
            )
            .where(
                RecallBatch.tenant_id == recall.tenant_id,
                RecallBatch.recall_id == recall.id,
            )
            .order_by(Batch.code)
        )
    ]


def _late_sales(
    session: Session, recall: Recall, affected: list[RecalledBatch]
) -> list[LateSale]:
    """Sales of the recalled batches recorded after the notice."""
    codes = [f"batch:{b.batch}" for b in affected]
    if not codes:
        return []
    return [
        LateSale(
            batch=e.subject.removeprefix("batch:"),
            at=e.event_time,
            point_of_sale=(e.body.get("bp:point_of_sale") or ""),
            seq=e.seq,
        )
        for e in session.scalars(
            select(Event)
            .where(
                Event.tenant_id == recall.tenant_id,
                Event.subject.in_(codes),
                Event.kind == "sold",
                Event.event_time >= recall.opened_at,
            )
            .order_by(Event.seq)
        )
    ]


def _state(m: OutboxMessage) -> str:
    if m.last_error == webhooks.NO_WEBHOOK:
        return "shop_page_only"
    if m.delivered_at:
        return "delivered"
    return "failed" if m.attempts >= webhooks.MAX_ATTEMPTS else "pending"


def _notices(session: Session, recall: Recall) -> list[NoticeRead]:
    """Each shop's notice and its delivery."""
    return [
        NoticeRead(
            point_of_sale=m.recipient.removeprefix("pos:"),
            attempts=m.attempts,
            delivered_at=m.delivered_at,
            next_attempt_at=None if m.delivered_at else m.available_at,
            last_error=webhooks.shown_error(m.last_error),
            state=_state(m),
        )
        for m in session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.tenant_id == recall.tenant_id,
                OutboxMessage.topic == "recall.notice",
                OutboxMessage.ref == recall.code,
            )
            .order_by(OutboxMessage.recipient)
        )
    ]


def _effectiveness(rows: list[RecallShopRead]) -> Effectiveness:
    at_notice = sum(r.on_shelf_at_notice for r in rows)
    pulled = sum(r.pulled for r in rows)
    return Effectiveness(
        on_shelf_at_notice=at_notice,
        pulled=pulled,
        rate=round(pulled / at_notice, 4) if at_notice else 1.0,
        shops_confirmed=len({r.point_of_sale for r in rows if r.confirmed_at}),
        shops=len({r.point_of_sale for r in rows}),
    )


def _fields(session: Session, recall: Recall) -> dict[str, Any]:
    rows = _shops(session, recall)
    affected = _batches(session, recall)
    return {
        "code": recall.code,
        "level": recall.level,
        "reason": recall.reason,
        "status": recall.status,
        "criteria": CriteriaEcho.model_validate(recall.criteria),
        "opened_at": recall.opened_at,
        "opened_by": recall.opened_by,
        "closed_at": recall.closed_at,
        "closed_by": recall.closed_by,
        "closing_note": recall.closing_note,
        # a draft freezes nothing yet: what launching it now would reach
        "draft_scope": (
            scope.find(session, recall.tenant_id, scope.Criteria(**recall.criteria))
            if recall.status == "draft"
            else None
        ),
        "batches": affected,
        "shops": rows,
        "notices": _notices(session, recall),
        "sales_after_notice": _late_sales(session, recall, affected),
        "effectiveness": _effectiveness(rows),
    }


def status(session: Session, recall: Recall) -> RecallStatus:
    """Where the recall stands: per shop and batch, on shelf at notice, pulled,
    still on shelf, confirmation; notifications and their delivery."""
    return RecallStatus(**_fields(session, recall))


def report(session: Session, recall: Recall, *, generated_by: str) -> RecallReport:
    """The recall's report: its status plus when, by whom and from which
    event-log head it was generated."""
    head = events.head(session, recall.tenant_id)
    return RecallReport(
        **_fields(session, recall),
        generated_at=utcnow(),
        generated_by=generated_by,
        log=RecallLogHead(
            head_seq=head.last_seq if head else 0,
            head_hash=head.last_hash if head else "",
        ),
    )


def report_pdf(session: Session, recall: Recall, *, generated_by: str) -> bytes:
    tenant = session.get(Tenant, recall.tenant_id)
    assert tenant is not None
    data = report(session, recall, generated_by=generated_by)
    return recall_pdf(data, tenant.timezone, tenant.name)
