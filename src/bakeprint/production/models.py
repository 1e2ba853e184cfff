"""Production batches, their code sequence, operators, equipment, bake records
and material consumption (R1.2–R1.5)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
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

BATCH_STATUSES = ("in_progress", "completed", "packed", "on_hold", "recalled")
FROZEN = ("on_hold", "recalled")  # not shipped, dropped off, sold or used


class BatchCodeSequence(Base):
    """Last sequence number handed out per tenant / day / line / session.

    Allocation is one atomic upsert inside the batch's own transaction, so a
    rolled-back batch gives its number back (no gaps) and two concurrent
    creations queue on the row (no duplicates).
    """

    __tablename__ = "batch_code_sequences"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    line_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    session: Mapped[str] = mapped_column(String(2), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)


class Batch(TenantScoped, Base):
    __tablename__ = "batches"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        UniqueConstraint("tenant_id", "production_date", "line_code", "session", "seq"),
        Index("ix_batches_tenant_product", "tenant_id", "product_id"),
        tenant_fk("product_id", "products"),
        tenant_fk("variant_id", "recipe_variants"),
        tenant_fk("location_id", "locations"),
    )

    code: Mapped[str] = mapped_column(String(24))  # 251203-SS-PM-002[-F1]
    product_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    variant_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    line_code: Mapped[str] = mapped_column(String(2))
    production_date: Mapped[date] = mapped_column(Date)
    session: Mapped[str] = mapped_column(String(2))  # AM / PM
    seq: Mapped[int] = mapped_column(Integer)
    planned_quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="in_progress")
    location_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    produced_quantity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    packed_quantity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    packed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    best_before: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Level-2 alert flag "需重点关注" (R2.5) and the raised sampling rate.
    needs_attention: Mapped[bool] = mapped_column(Boolean, default=False)
    sampling_rate: Mapped[float] = mapped_column(Float, default=0.02)
    notes: Mapped[str] = mapped_column(Text, default="")  # internal, never public


class BatchOperator(Base):
    __tablename__ = "batch_operators"
    __table_args__ = (
        tenant_fk("batch_id", "batches"),
        tenant_fk("operator_id", "operators"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    operator_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    role: Mapped[str] = mapped_column(String(16), default="main")  # main / assist


class BatchEquipment(Base):
    __tablename__ = "batch_equipment"
    __table_args__ = (
        tenant_fk("batch_id", "batches"),
        tenant_fk("equipment_id", "equipment"),
        Index("ix_batch_equipment_equipment", "tenant_id", "equipment_id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    equipment_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)


class BakeRecord(TenantScoped, Base):
    """Oven actuals for a batch, typed in or reported by a smart oven (R1.4)."""

    __tablename__ = "bake_records"
    __table_args__ = (
        Index("ix_bake_records_batch", "tenant_id", "batch_id"),
        Index("ix_bake_records_corrects", "tenant_id", "corrects_id"),
        tenant_fk("batch_id", "batches"),
        tenant_fk("equipment_id", "equipment"),
    )

    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    equipment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    target_temp_c: Mapped[float | None] = mapped_column(Float, nullable=True)
    actual_temp_c: Mapped[float] = mapped_column(Float)
    target_minutes: Mapped[float | None] = mapped_column(Float, nullable=True)
    actual_minutes: Mapped[float] = mapped_column(Float)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16), default="manual")  # manual/oven
    within_tolerance: Mapped[bool] = mapped_column(Boolean, default=True)
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    event_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Consumption(TenantScoped, Base):
    """A material lot bound to a batch with the quantity used (R1.3)."""

    __tablename__ = "consumptions"
    __table_args__ = (
        Index("ix_consumptions_batch", "tenant_id", "batch_id"),
        Index("ix_consumptions_lot", "tenant_id", "lot_id"),
        Index("ix_consumptions_corrects", "tenant_id", "corrects_id"),
        tenant_fk("batch_id", "batches"),
        tenant_fk("lot_id", "material_lots"),
    )

    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    lot_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    warning: Mapped[str] = mapped_column(Text, default="")
    # A correction is a new row (negative or replacing) pointing at the old one.
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    event_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)


class BatchInput(TenantScoped, Base):
    """An intermediate batch made in-house (a filling, a dough) used by another
    batch, with the quantity used: the links of a multi-level genealogy."""

    __tablename__ = "batch_inputs"
    __table_args__ = (
        Index("ix_batch_inputs_batch", "tenant_id", "batch_id"),
        Index("ix_batch_inputs_input", "tenant_id", "input_batch_id"),
        tenant_fk("batch_id", "batches"),
        tenant_fk("input_batch_id", "batches"),
    )

    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # the batch that used it
    input_batch_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    quantity: Mapped[float] = mapped_column(Float)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    event_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)


class BatchMove(TenantScoped, Base):
    """The batch was put somewhere to wait (a cold room, a rack) before it left:
    its environment there is read from that place's sensors."""

    __tablename__ = "batch_moves"
    __table_args__ = (
        Index("ix_batch_moves_batch", "tenant_id", "batch_id", "moved_at"),
        tenant_fk("batch_id", "batches"),
        tenant_fk("location_id", "locations"),
    )

    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    location_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    event_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
