"""A recall, the batches it freezes, the shops it notifies and what they pulled.

The numbers "on the shelf at notice" are taken when the recall is opened, so
the effectiveness (pulled / on shelf at notice) does not drift as stock moves.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from bakeprint.db import Base, TenantScoped, UTCDateTime, tenant_fk

# a level-3 alert drafts a recall: nothing is frozen or sent until a person
# launches it (or discards it)
RECALL_STATUSES = ("draft", "open", "closed", "discarded")


class Recall(TenantScoped, Base):
    __tablename__ = "recalls"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(24))  # RC-251203-01
    level: Mapped[int] = mapped_column(Integer, default=3)
    reason: Mapped[str] = mapped_column(Text)
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="open")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[str] = mapped_column(String(120))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    closing_note: Mapped[str] = mapped_column(Text, default="")


class RecallBatch(Base):
    __tablename__ = "recall_batches"
    __table_args__ = (
        tenant_fk("recall_id", "recalls", ondelete="CASCADE"),
        tenant_fk("batch_id", "batches"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    recall_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    reasons: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    status_before: Mapped[str] = mapped_column(String(16))
    in_kitchen_at_notice: Mapped[int] = mapped_column(Integer, default=0)
    on_shelf_at_notice: Mapped[int] = mapped_column(Integer, default=0)
    sold_before_notice: Mapped[int] = mapped_column(Integer, default=0)


class RecallShop(Base):
    """One point of sale's part in a recall, per batch: what was on its shelf
    at the notice and what it confirmed it pulled."""

    __tablename__ = "recall_shops"
    __table_args__ = (
        tenant_fk("recall_id", "recalls", ondelete="CASCADE"),
        tenant_fk("point_of_sale_id", "points_of_sale"),
        tenant_fk("batch_id", "batches"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    recall_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    point_of_sale_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    on_shelf_at_notice: Mapped[int] = mapped_column(Integer, default=0)
    awaiting_at_notice: Mapped[int] = mapped_column(Integer, default=0)
    pulled: Mapped[int] = mapped_column(Integer, default=0)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    confirmed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
