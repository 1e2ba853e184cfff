"""Shop-stock queries, always inside one bakery."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint.db import among, slices
from bakeprint.logistics.models import Delivery
from bakeprint.retail.models import IdempotentRequest, ShopStock, on_shelf


@dataclass(frozen=True, slots=True)
class ShopLine:
    """One batch at one point of sale: what was delivered there and the shop's
    counts (all zero until the shop receives it)."""

    batch_id: uuid.UUID
    point_of_sale_id: uuid.UUID
    delivered: int = 0
    received: int = 0
    sold: int = 0
    wasted: int = 0
    returned: int = 0
    received_at: datetime | None = None
    shelved_at: datetime | None = None

    @property
    def on_shelf(self) -> int:
        return on_shelf(self.received, self.sold, self.wasted, self.returned)

    @property
    def awaiting_receipt(self) -> int:
        return self.delivered - self.received


def stock_by_shop(
    session: Session,
    tenant_id: uuid.UUID,
    batch_ids: Sequence[uuid.UUID] | None = None,
    *,
    pos_id: uuid.UUID | None = None,
) -> list[ShopLine]:
    """Stock per shop and batch — of these batches (None: every batch), at one
    point of sale or all — with what is still on the way. Columns, not
    objects: a wide scope has thousands of lines."""
    t = tenant_id
    Key = tuple[uuid.UUID, uuid.UUID]
    delivered: dict[Key, int] = {}
    counts: dict[Key, tuple[Any, ...]] = {}
    chunks: list[Sequence[uuid.UUID] | None] = (
        [None] if batch_ids is None else list(slices(list(batch_ids)))
    )
    for chunk in chunks:
        drops = select(
            Delivery.batch_id, Delivery.point_of_sale_id, func.sum(Delivery.quantity)
        ).where(Delivery.tenant_id == t)
        stock = select(
            ShopStock.batch_id,
            ShopStock.point_of_sale_id,
            ShopStock.received,
            ShopStock.sold,
            ShopStock.wasted,
            ShopStock.returned,
            ShopStock.received_at,
            ShopStock.shelved_at,
        ).where(ShopStock.tenant_id == t)
        if chunk is not None:
            drops = drops.where(among(session, Delivery.batch_id, chunk))
            stock = stock.where(among(session, ShopStock.batch_id, chunk))
        if pos_id is not None:
            drops = drops.where(Delivery.point_of_sale_id == pos_id)
            stock = stock.where(ShopStock.point_of_sale_id == pos_id)
        drops = drops.group_by(Delivery.batch_id, Delivery.point_of_sale_id)
        for b_id, p_id, qty in session.execute(drops):
            delivered[b_id, p_id] = int(qty)
        for b_id, p_id, *rest in session.execute(stock):
            counts[b_id, p_id] = tuple(rest)
    none = (0, 0, 0, 0, None, None)
    keys = [*delivered, *(k for k in counts if k not in delivered)]
    return [
        ShopLine(
            b_id, p_id, delivered.get((b_id, p_id), 0), *counts.get((b_id, p_id), none)
        )
        for b_id, p_id in keys
    ]


def idempotent_request(
    session: Session, tenant_id: uuid.UUID, key: str
) -> IdempotentRequest | None:
    """The POS write remembered under this Idempotency-Key, if any."""
    return session.scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.tenant_id == tenant_id, IdempotentRequest.key == key
        )
    )
