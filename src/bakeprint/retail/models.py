"""Stock at each point of sale per batch, and POS request idempotency (R1.10)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from bakeprint.db import Base, TenantScoped, UTCDateTime, tenant_fk


def on_shelf(received: int, sold: int, wasted: int, returned: int) -> int:
    """Units a shop still holds of a batch: received less sold, wasted and
    returned (the one place this sum is written)."""
    return received - sold - wasted - returned


class ShopStock(TenantScoped, Base):
    """Running counts of one batch at one point of sale, under a row lock.

    received = on the shelf + sold + wasted + returned; the shelf-life clock of
    the batch at this shop starts at ``shelved_at``.
    """

    __tablename__ = "shop_stock"
    __table_args__ = (
        UniqueConstraint("tenant_id", "point_of_sale_id", "batch_id"),
        Index("ix_shop_stock_batch", "tenant_id", "batch_id"),
        tenant_fk("point_of_sale_id", "points_of_sale"),
        tenant_fk("batch_id", "batches"),
    )

    point_of_sale_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    received: Mapped[int] = mapped_column(Integer, default=0)
    shelved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sold: Mapped[int] = mapped_column(Integer, default=0)
    wasted: Mapped[int] = mapped_column(Integer, default=0)
    returned: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def on_shelf(self) -> int:
        return on_shelf(self.received, self.sold, self.wasted, self.returned)


class IdempotentRequest(TenantScoped, Base):
    """A POS write remembered by its Idempotency-Key: a retry gets the first
    answer back instead of counting the sale twice."""

    __tablename__ = "idempotent_requests"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
