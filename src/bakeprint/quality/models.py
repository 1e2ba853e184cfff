"""QC checkpoints on a batch (R1.6); level-2 and level-3 alerts, QC tasks and
complaints (R2.5)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
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

# Stages in production order; post_cooling must pass before packing.
STAGES = ("incoming", "pre_bake", "post_bake", "post_cooling", "pre_pack", "release")
MANDATORY_BEFORE_PACKING = ("post_cooling",)


class Checkpoint(TenantScoped, Base):
    __tablename__ = "checkpoints"
    __table_args__ = (
        Index("ix_checkpoints_batch", "tenant_id", "batch_id", "stage"),
        Index("ix_checkpoints_corrects", "tenant_id", "corrects_id"),
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


# --- level-2 and level-3 alerts, QC tasks, complaints (R2.5) -----------------

ALERT_CAUSES = (
    "borderline_lot",
    "minor_anomalies",
    "environment",
    "complaint",
    "hazard",
    "shelf_life",
)


class AlertSettings(Base):
    """A bakery's thresholds for level-2 alerts (defaults when no row)."""

    __tablename__ = "alert_settings"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    # this many minor anomalies in one batch make it "needs attention"
    minor_anomalies: Mapped[int] = mapped_column(Integer, default=2)
    # finished-goods sampling rate of a batch that needs attention
    raised_sampling_rate: Mapped[float] = mapped_column(Float, default=0.1)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class BatchAlert(TenantScoped, Base):
    """A level-2 (handle) or level-3 (recall) alert on one or more batches.

    ``key`` makes raising idempotent: the same cause on the same subject is
    one alert, however often it is noticed."""

    __tablename__ = "batch_alerts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "key"),
        Index("ix_batch_alerts_status", "tenant_id", "status", "raised_at"),
        tenant_fk("recall_id", "recalls"),
    )

    key: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(Integer)
    cause: Mapped[str] = mapped_column(String(20))  # ALERT_CAUSES
    detail_zh: Mapped[str] = mapped_column(Text)
    detail_en: Mapped[str] = mapped_column(Text)
    anomalies: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    raised_by: Mapped[str] = mapped_column(String(64))  # system or a username
    status: Mapped[str] = mapped_column(String(16), default="open")
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")  # internal
    # level 3: the impact report at the time and the recall drafted from it
    criteria: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    impact: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    recall_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)


class BatchAlertBatch(Base):
    __tablename__ = "batch_alert_batches"
    __table_args__ = (
        tenant_fk("alert_id", "batch_alerts", ondelete="CASCADE"),
        tenant_fk("batch_id", "batches"),
        Index("ix_batch_alert_batches_batch", "tenant_id", "batch_id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    alert_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)


class QcTask(TenantScoped, Base):
    """Work for QC: sample a batch that needs attention, verify a complaint."""

    __tablename__ = "qc_tasks"
    __table_args__ = (
        Index("ix_qc_tasks_status", "tenant_id", "status", "created_at"),
        tenant_fk("batch_id", "batches"),
        tenant_fk("alert_id", "batch_alerts"),
        tenant_fk("complaint_id", "complaints"),
    )

    kind: Mapped[str] = mapped_column(String(20))  # extra_sampling, complaint
    batch_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    alert_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    complaint_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    detail_zh: Mapped[str] = mapped_column(Text)
    detail_en: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open, done
    done_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    result: Mapped[str] = mapped_column(Text, default="")


COMPLAINT_STATUSES = ("received", "verified", "rejected")


class Complaint(TenantScoped, Base):
    """A problem reported by a consumer (scan page) or a shop or staff (UI)."""

    __tablename__ = "complaints"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        Index("ix_complaints_status", "tenant_id", "status", "received_at"),
        tenant_fk("batch_id", "batches"),
        tenant_fk("point_of_sale_id", "points_of_sale"),
    )

    code: Mapped[str] = mapped_column(String(24))  # CP-251205-01
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(12))  # scan, shop, staff, api
    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    serial: Mapped[str | None] = mapped_column(String(40), nullable=True)
    point_of_sale_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    category: Mapped[str] = mapped_column(String(20))  # COMPLAINT_CATEGORIES
    description: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(200), default="")  # private
    reported_by: Mapped[str] = mapped_column(String(64), default="")  # user, if any
    status: Mapped[str] = mapped_column(String(10), default="received")
    verified_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    verdict: Mapped[str] = mapped_column(Text, default="")  # internal


COMPLAINT_CATEGORIES = (
    "foreign_body",
    "allergen",
    "spoiled",
    "illness",
    "packaging",
    "taste",
    "other",
)
