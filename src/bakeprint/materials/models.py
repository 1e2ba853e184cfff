"""Raw-material lots received from suppliers (R1.1)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from bakeprint.db import Base, TenantScoped, UTCDateTime, tenant_fk

QC_RESULTS = ("pass", "borderline", "fail")


class MaterialLot(TenantScoped, Base):
    __tablename__ = "material_lots"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        Index(
            "ix_material_lots_supplier_lot", "tenant_id", "supplier_id", "supplier_lot"
        ),
        tenant_fk("material_type_id", "material_types"),
        tenant_fk("supplier_id", "suppliers"),
        tenant_fk("location_id", "locations"),
        tenant_fk("qc_report_id", "stored_files"),
    )

    code: Mapped[str] = mapped_column(String(40))  # RM-20260302-003
    material_type_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    supplier_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    supplier_lot: Mapped[str] = mapped_column(String(60))  # LOT25S-45
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    expires_on: Mapped[date] = mapped_column(Date)
    qc_result: Mapped[str] = mapped_column(String(12))  # pass / borderline / fail
    quality_score: Mapped[int] = mapped_column(Integer)
    qc_report_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    location_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    # Running total of what production consumed; guarded by a row lock.
    consumed: Mapped[float] = mapped_column(Float, default=0.0)
    notes: Mapped[str] = mapped_column(Text, default="")
    received_by: Mapped[str | None] = mapped_column(String(120), nullable=True)


class LotCodeSequence(Base):
    """Last number of the intake day's lot codes (RM-YYYYMMDD-NNN) per bakery."""

    __tablename__ = "lot_code_sequences"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)


class IncomingLot(TenantScoped, Base):
    """A lot a supplier announced with an EPCIS shipping event: expected at
    intake, where registering it marks it received."""

    __tablename__ = "incoming_lots"
    __table_args__ = (
        UniqueConstraint("tenant_id", "event_id", "material_type_id", "supplier_lot"),
        Index("ix_incoming_lots_match", "tenant_id", "supplier_id", "supplier_lot"),
        tenant_fk("supplier_id", "suppliers"),
        tenant_fk("material_type_id", "material_types"),
        tenant_fk("lot_id", "material_lots"),
    )

    event_id: Mapped[str] = mapped_column(String(200))
    supplier_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    material_type_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    supplier_lot: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[float | None] = mapped_column(Float, nullable=True)
    unit: Mapped[str | None] = mapped_column(String(16), nullable=True)
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="announced")
    lot_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
