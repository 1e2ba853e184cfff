"""Shelf-life model parameters per product category (versioned), the
packaging a batch was packed in, and the predictions made (R3.3).

All three are append-only: a new parameter set is a new version, a changed
packaging a new row, a new prediction a new row that names the parameter
version it used, so an old prediction can always be explained.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from bakeprint.db import Base, TenantScoped, UTCDateTime, tenant_fk


class ShelfLifeParams(TenantScoped, Base):
    """One version of a category's model parameters (version 0 is the
    built-in defaults and is never stored)."""

    __tablename__ = "shelf_life_params"
    __table_args__ = (UniqueConstraint("tenant_id", "category", "version"),)

    category: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(200), default="")
    set_by: Mapped[str] = mapped_column(String(100), default="")


class BatchPackaging(TenantScoped, Base):
    """The packaging a batch went into (the latest row counts)."""

    __tablename__ = "batch_packaging"
    __table_args__ = (
        Index("ix_batch_packaging_batch", "tenant_id", "batch_id"),
        tenant_fk("batch_id", "batches"),
    )

    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    packaging: Mapped[str] = mapped_column(String(16))
    set_by: Mapped[str] = mapped_column(String(100), default="")


class ShelfLifePrediction(TenantScoped, Base):
    """A prediction made for a batch, with everything needed to explain it."""

    __tablename__ = "shelf_life_predictions"
    __table_args__ = (
        Index("ix_shelf_life_predictions_batch", "tenant_id", "batch_id"),
        tenant_fk("batch_id", "batches"),
    )

    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    category: Mapped[str] = mapped_column(String(40))
    params_version: Mapped[int] = mapped_column(Integer)
    packaging: Mapped[str] = mapped_column(String(16))
    standard_days: Mapped[int] = mapped_column(Integer)
    model_days: Mapped[float] = mapped_column(Float)
    effective_days: Mapped[float] = mapped_column(Float)
    printed_best_before: Mapped[date | None] = mapped_column(Date, nullable=True)
    best_before: Mapped[date] = mapped_column(Date)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    predicted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    predicted_by: Mapped[str] = mapped_column(String(100), default="")
