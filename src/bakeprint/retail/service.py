"""Points of sale: receive deliveries, put on shelf, sell, waste, return (R1.10).

At each shop and batch: delivered = awaiting receipt + on shelf + sold + wasted +
returned. Every step checks those counts under the row lock of that shop's stock.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint import chronology
from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import PointOfSale
from bakeprint.chronology import Moment
from bakeprint.db import utcnow
from bakeprint.errors import Conflict, Forbidden, NotFound
from bakeprint.identity import repository as tenants
from bakeprint.identity.models import Tenant
from bakeprint.identity.service import Actor, shop_bound
from bakeprint.logistics.models import Delivery
from bakeprint.logistics.service import _batch_event, _where
from bakeprint.packaging import service as packaging
from bakeprint.production import repository as batches
from bakeprint.production.models import FROZEN, Batch
from bakeprint.retail import repository
from bakeprint.retail.models import ShopStock
from bakeprint.retail.schemas import (
    ReceiptCreate,
    RemovalCreate,
    SaleCreate,
    ShelfCreate,
    StockRead,
)


def shop(
    session: Session, actor: Actor, code: str, *, write: bool = True
) -> PointOfSale:
    """The point of sale, if the caller may act for it: an owner at every
    shop, shop staff only at their own (and at none before they are tied to
    one); others with the right to read may look at any shop's stock."""
    pos = catalog.get(session, PointOfSale, actor.tenant_id, code)
    if "owner" in actor.roles or (not write and actor.can("read")):
        return pos
    bound = actor.point_of_sale_id
    if bound is not None and bound != pos.id:
        raise Forbidden(
            f"您只能为自己的门店操作，不能为 {pos.name}",
            f"you may act only for your own shop, not {pos.code}",
        )
    if bound is None and shop_bound(actor.roles):
        raise Forbidden(
            f"您的账号还没有绑定门店，不能为 {pos.name} 操作：请店主绑定"
            f"（bakeprint user update {actor.username} --shop 门店代码）",
            f"your account is not tied to a shop, so it may not act for "
            f"{pos.code}: ask the owner to tie it (bakeprint user update "
            f"{actor.username} --shop CODE)",
        )
    return pos


def find_stock(
    session: Session, tenant_id: uuid.UUID, pos_id: uuid.UUID, batch_id: uuid.UUID
) -> ShopStock | None:
    """What a shop holds of a batch, if it ever received any (no lock)."""
    return session.scalar(
        select(ShopStock).where(
            ShopStock.tenant_id == tenant_id,
            ShopStock.point_of_sale_id == pos_id,
            ShopStock.batch_id == batch_id,
        )
    )


def _stock(session: Session, pos: PointOfSale, batch: Batch) -> ShopStock:
    stmt = (
        select(ShopStock)
        .where(
            ShopStock.tenant_id == pos.tenant_id,
            ShopStock.point_of_sale_id == pos.id,
            ShopStock.batch_id == batch.id,
        )
        .with_for_update()
    )
    row = session.scalar(stmt.execution_options(populate_existing=True))
    if row is None:
        row = ShopStock(
            tenant_id=pos.tenant_id,
            point_of_sale_id=pos.id,
            batch_id=batch.id,
            received=0,
            sold=0,
            wasted=0,
            returned=0,
        )
        session.add(row)
        session.flush()
    return row


def _after_receipt(
    stock: ShopStock, at: datetime | None, zh: str, en: str, tenant: Tenant
) -> datetime:
    """The time of something the shop did with what it had received: not
    before its first receipt. (Shelving is not required to sell, so a sale
    is bounded by the receipt, not by the shelving.)"""
    return chronology.check(
        Moment(at or utcnow(), zh, en),
        tz=tenant.timezone,
        field="at",
        not_before=[
            Moment(
                stock.received_at,
                "本店收到该批次的时间",
                "the time this shop received the batch",
            )
        ],
    )


def _frozen(session: Session, batch: Batch, when: datetime | None = None) -> None:
    """A recalled or held batch is not sold or shelved. A sale that happened
    before the recall notice (a till that was offline) is still recorded."""
    if batch.status not in FROZEN:
        return
    if when is not None and batch.status == "recalled":
        from bakeprint.recall.service import notice_time

        notice = notice_time(session, batch)
        if notice is not None and when < notice:
            return
    raise Conflict(
        f"批次 {batch.code} 已被召回/冻结，不能销售，请下架",
        f"batch {batch.code} is recalled or on hold: it cannot be "
        "sold; take it off the shelf",
    )


def receive(
    session: Session, pos_code: str, data: ReceiptCreate, *, actor: Actor
) -> ShopStock:
    """Receive (part of) a delivery addressed to this shop."""
    t = actor.tenant_id
    pos = shop(session, actor, pos_code)
    delivery = session.scalar(
        select(Delivery)
        .where(Delivery.tenant_id == t, Delivery.id == data.delivery_id)
        .with_for_update()
    )
    if delivery is None:
        raise NotFound("找不到这次送货", "delivery not found", field="delivery_id")
    if delivery.point_of_sale_id != pos.id:
        target = session.get(PointOfSale, (t, delivery.point_of_sale_id))
        name = target.name if target else "?"
        raise Conflict(
            f"这次送货是送往「{name}」的，不是「{pos.name}」",
            f"this delivery is addressed to {target.code if target else '?'}"
            f", not {pos.code}",
            field="delivery_id",
        )
    open_qty = delivery.quantity - delivery.received
    if data.quantity > open_qty:
        raise Conflict(
            f"这次送货还有 {open_qty} 份待收（共 {delivery.quantity} 份），"
            f"不能收 {data.quantity} 份",
            f"only {open_qty} of this delivery's {delivery.quantity} are "
            f"still to receive; cannot receive {data.quantity}",
            field="quantity",
        )
    batch = session.get(Batch, (t, delivery.batch_id))
    assert batch is not None
    tenant = tenants.get(session, actor.tenant_id)
    when = chronology.check(
        Moment(data.at or utcnow(), "收货时间", "the receipt time"),
        tz=tenant.timezone,
        field="at",
        not_before=[
            Moment(delivery.delivered_at, "这次送货的送达时间", "the drop-off time")
        ],
    )
    delivery.received += data.quantity
    stock = _stock(session, pos, batch)
    stock.received += data.quantity
    # the shop's first receipt of the batch, however late each is entered
    stock.received_at = chronology.earliest([stock.received_at, when])
    session.flush()
    _batch_event(
        session,
        tenant,
        batch,
        kind="received",
        biz_step="receiving",
        disposition="sellable_not_accessible",
        when=when,
        quantity=data.quantity,
        actor=actor,
        extra=_where(tenant, "pos", pos.code),
        ext={
            "point_of_sale": pos.code,
            "receiver": data.receiver or None,
            "delivery": str(delivery.id),
        },
    )
    return stock


def shelve(
    session: Session, pos_code: str, data: ShelfCreate, *, actor: Actor
) -> ShopStock:
    """Put the received units on the shelf: the shop's shelf-life clock starts."""
    pos = shop(session, actor, pos_code)
    batch = batches.get(session, actor.tenant_id, data.batch)
    _frozen(session, batch)
    stock = _stock(session, pos, batch)
    if stock.received == 0:
        raise Conflict(
            f"「{pos.name}」还没有收到批次 {batch.code}",
            f"{pos.code} has not received batch {batch.code}",
        )
    tenant = tenants.get(session, actor.tenant_id)
    when = _after_receipt(stock, data.at, "上架时间", "the shelving time", tenant)
    stock.shelved_at = when
    session.flush()
    _batch_event(
        session,
        tenant,
        batch,
        kind="shelved",
        biz_step="stocking",
        disposition="sellable_accessible",
        when=when,
        quantity=stock.on_shelf,
        actor=actor,
        extra=_where(tenant, "pos", pos.code),
        ext={"point_of_sale": pos.code},
    )
    return stock


def _on_shelf_check(
    pos: PointOfSale,
    batch: Batch,
    stock: ShopStock,
    qty: int,
    doing_zh: str,
    doing_en: str,
) -> None:
    if qty > stock.on_shelf:
        raise Conflict(
            f"「{pos.name}」批次 {batch.code} 只有 {stock.on_shelf} 份在架"
            f"（收货 {stock.received}，已售 {stock.sold}），不能{doing_zh} {qty} 份",
            f"{pos.code} has only {stock.on_shelf} of batch {batch.code} on hand "
            f"(received {stock.received}, sold {stock.sold}); cannot {doing_en} "
            f"{qty}",
            field="quantity",
        )


def sell(
    session: Session, pos_code: str, data: SaleCreate, *, actor: Actor
) -> ShopStock:
    """Record a sale: one scanned unit, or a quantity of a batch from the till."""
    t = actor.tenant_id
    pos = shop(session, actor, pos_code)
    unit = None
    if data.unit:
        found = packaging.lookup(session, data.unit, tenant_id=t)
        if found.unit is None:
            raise NotFound("这不是单件码", "that is not a package code", field="unit")
        unit, batch, qty = found.unit, found.batch, 1
    elif data.batch:
        batch, qty = batches.get(session, t, data.batch), data.quantity
    else:
        from bakeprint.errors import Invalid

        raise Invalid(
            "请扫描单件码或填写批次号", "scan a package or give a batch", field="batch"
        )
    batch = batches.for_update(session, t, batch.code)
    if unit is not None:
        # read again under the batch's lock: two tills scanning the same
        # package at once must not both sell it
        session.refresh(unit, with_for_update=True)
        if unit.status == "sold":
            raise Conflict(
                f"这件产品（{unit.serial}）已经售出过",
                f"package {unit.serial} was already sold",
                field="unit",
            )
    tenant = tenants.get(session, actor.tenant_id)
    stock = _stock(session, pos, batch)
    when = _after_receipt(stock, data.at, "销售时间", "the sale time", tenant)
    _frozen(session, batch, when)
    _on_shelf_check(pos, batch, stock, qty, "卖出", "sell")
    stock.sold += qty
    if unit is not None:
        unit.status, unit.status_at, unit.point_of_sale_id = "sold", when, pos.id
    session.flush()
    _batch_event(
        session,
        tenant,
        batch,
        kind="sold",
        biz_step="retail_selling",
        disposition="retail_sold",
        when=when,
        quantity=qty,
        actor=actor,
        extra=_where(tenant, "pos", pos.code),
        ext={"point_of_sale": pos.code, "unit": unit.serial if unit else None},
    )
    return stock


def remove(
    session: Session,
    pos_code: str,
    data: RemovalCreate,
    *,
    actor: Actor,
    returned: bool,
) -> ShopStock:
    """Waste (expired, damaged) or return to the bakery, with the reason."""
    t = actor.tenant_id
    pos = shop(session, actor, pos_code)
    batch = batches.for_update(session, t, data.batch)
    stock = _stock(session, pos, batch)
    _on_shelf_check(
        pos,
        batch,
        stock,
        data.quantity,
        "退回" if returned else "报损",
        "return" if returned else "waste",
    )
    tenant = tenants.get(session, actor.tenant_id)
    when = _after_receipt(
        stock,
        data.at,
        "退回时间" if returned else "报损时间",
        "the return time" if returned else "the time it was wasted",
        tenant,
    )
    if returned:
        stock.returned += data.quantity
    else:
        stock.wasted += data.quantity
    session.flush()
    _batch_event(
        session,
        tenant,
        batch,
        kind="returned" if returned else "wasted",
        biz_step="removing" if returned else "destroying",
        disposition="returned" if returned else "destroyed",
        when=when,
        quantity=data.quantity,
        actor=actor,
        extra=_where(tenant, "pos", pos.code),
        ext={"point_of_sale": pos.code, "reason": data.reason},
    )
    return stock


def stock_read(
    pos_code: str,
    batch: Batch,
    product: str,
    delivered: int,
    s: ShopStock | repository.ShopLine | None,
) -> StockRead:
    """One shop's row for one batch: what was delivered there, and its stock
    (None: nothing received yet)."""
    received = s.received if s else 0
    return StockRead(
        point_of_sale=pos_code,
        batch=batch.code,
        product=product,
        best_before=batch.best_before.isoformat() if batch.best_before else None,
        delivered=delivered,
        awaiting_receipt=delivered - received,
        received=received,
        on_shelf=s.on_shelf if s else 0,
        sold=s.sold if s else 0,
        wasted=s.wasted if s else 0,
        returned=s.returned if s else 0,
        received_at=s.received_at if s else None,
        shelved_at=s.shelved_at if s else None,
    )


def stock_rows(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    pos: PointOfSale | None = None,
    batch: Batch | None = None,
) -> list[StockRead]:
    """Stock per shop and batch, with what is still on the way (the shops a
    batch was delivered to)."""
    t = tenant_id
    lines = [
        line
        for line in repository.stock_by_shop(
            session,
            t,
            None if batch is None else [batch.id],
            pos_id=None if pos is None else pos.id,
        )
        if line.delivered
    ]
    codes = catalog.codes_by_id(
        session, PointOfSale, t, {line.point_of_sale_id for line in lines}
    )
    made = batches.with_product_names(session, t, {line.batch_id for line in lines})
    out = [
        stock_read(
            codes[line.point_of_sale_id],
            made[line.batch_id][0],
            made[line.batch_id][1],
            line.delivered,
            line,
        )
        for line in lines
    ]
    return sorted(out, key=lambda r: (r.point_of_sale, r.batch))
