"""Units: one per package, each with its own serial and QR code (R1.8)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from bakeprint.db import Base, TenantScoped, UTCDateTime, tenant_fk

UNIT_STATUSES = (
    "in_stock",
    "loaded",
    "delivered",
    "on_shelf",
    "sold",
    "wasted",
    "returned",
    "recalled",
)


class Unit(TenantScoped, Base):
    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("tenant_id", "serial"),
        UniqueConstraint("tenant_id", "batch_id", "number"),
        Index("ix_units_batch", "tenant_id", "batch_id"),
        # the public scan page finds a package by its serial before it knows
        # the bakery: the one index that does not lead with tenant_id
        Index("ix_units_serial", "serial"),
        tenant_fk("batch_id", "batches"),
        tenant_fk("point_of_sale_id", "points_of_sale"),
    )

    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    number: Mapped[int] = mapped_column(Integer)  # 1…N within the batch
    serial: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12), default="in_stock")
    # Where a scan last saw it (shop), and when it was first scanned by the public.
    point_of_sale_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_scanned_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True
    )
    scan_count: Mapped[int] = mapped_column(Integer, default=0)
    # Limited editions (R4.3): the number within the edition ("第 12 / 200 份"),
    # its Ed25519 certificate (bakeprint.keys), and when a buyer claimed it.
    edition_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    certificate: Mapped[str | None] = mapped_column(String(120), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
