"""QC checkpoints on a batch (R1.6)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from bakeprint.db import Base, TenantScoped, UTCDateTime, tenant_fk

# Stages in production order; post_cooling must pass before packing.
STAGES = ("incoming", "pre_bake", "post_bake", "post_cooling", "pre_pack", "release")
MANDATORY_BEFORE_PACKING = ("post_cooling",)


class Checkpoint(TenantScoped, Base):
    __tablename__ = "checkpoints"
    __table_args__ = (
        Index("ix_checkpoints_batch", "tenant_id", "batch_id", "stage"),
        tenant_fk("batch_id", "batches"),
        tenant_fk("inspector_id", "operators"),
    )

    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    stage: Mapped[str] = mapped_column(String(20))
    passed: Mapped[bool] = mapped_column(Boolean)
    notes: Mapped[str] = mapped_column(Text, default="")  # internal
    inspector_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    event_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
