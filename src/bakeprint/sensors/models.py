"""Environment sensors, their allowed ranges, raw readings, rejects and alerts (R1.7).

Storage layout (decided for a year of 30 sensors every 10 s, ~95 M readings):
raw readings live in hour blocks (`sensor_blocks`, see blocks.py) keyed
(tenant, sensor, hour) — tenant first like every key, so the table distributes
by tenant; on PostgreSQL it can be range-partitioned by ``hour`` per month
without changing a query, since every read names the tenant, the sensor and an
hour range.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from bakeprint.db import Base, TenantScoped, UTCDateTime, tenant_fk

KINDS = {
    # kind: (canonical unit, accepted spellings, physically possible range)
    "temperature": ("°C", {"°C", "C", "degC", "celsius", "℃"}, (-60.0, 150.0)),
    "humidity": ("%RH", {"%RH", "%", "RH", "% RH", "pct"}, (0.0, 100.0)),
}
PLACE_KINDS = ("location", "vehicle", "point_of_sale", "category")


class Sensor(TenantScoped, Base):
    """A sensor bound to exactly one place: a location, a vehicle or a shop."""

    __tablename__ = "sensors"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        tenant_fk("location_id", "locations"),
        tenant_fk("vehicle_id", "vehicles"),
        tenant_fk("point_of_sale_id", "points_of_sale"),
    )

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(8))
    location_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    vehicle_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    point_of_sale_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class EnvironmentRange(TenantScoped, Base):
    """The allowed range of one quantity at a place (or for a product category)
    from ``valid_from``; a change closes the old row (``valid_to``) and adds a new
    one, so the range that applied at any moment stays answerable."""

    __tablename__ = "environment_ranges"
    __table_args__ = (
        Index(
            "ix_environment_ranges_place",
            "tenant_id",
            "kind",
            "place_kind",
            "place_id",
            "valid_from",
        ),
    )

    kind: Mapped[str] = mapped_column(String(16))
    place_kind: Mapped[str] = mapped_column(String(16))
    place_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    category: Mapped[str | None] = mapped_column(String(40), nullable=True)
    low: Mapped[float | None] = mapped_column(Float, nullable=True)
    high: Mapped[float | None] = mapped_column(Float, nullable=True)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    set_by: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(Text, default="")


class SensorBlock(Base):
    """One hour of one sensor's raw readings, with its rollup.

    ``written_at`` (epoch ms) is when readings were last added to the block;
    a stored batch environment is out of date when a block of its windows
    was written after it was computed (a late reading). Blocks loaded before
    the column existed have none."""

    __tablename__ = "sensor_blocks"
    __table_args__ = (
        tenant_fk("sensor_id", "sensors", ondelete="CASCADE"),
        Index(
            "ix_sensor_blocks_written",
            "tenant_id",
            "sensor_id",
            "written_at",
            "hour",
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    sensor_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    hour: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # epoch ms
    count: Mapped[int] = mapped_column(Integer)
    t_min: Mapped[int] = mapped_column(BigInteger)
    t_max: Mapped[int] = mapped_column(BigInteger)
    v_min: Mapped[int] = mapped_column(BigInteger)  # thousandths of the unit
    v_max: Mapped[int] = mapped_column(BigInteger)
    v_sum: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    written_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class EnvironmentSummary(Base):
    """A batch's environment as last computed, per closed segment (see
    ``environment.batch_environment``): derived data, never history — it is
    recomputed whenever what it was computed from has changed."""

    __tablename__ = "environment_summaries"
    __table_args__ = (tenant_fk("batch_id", "batches", ondelete="CASCADE"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    computed_at: Mapped[int] = mapped_column(BigInteger)  # epoch ms
    body: Mapped[str] = mapped_column(Text)  # JSON: segment key -> summaries


class DeadLetterGroup(TenantScoped, Base):
    """Readings that could not be stored, one row per sensor and reason: how
    many, when first and last, and the first and last of them as they came
    (source, payload, the precise reason). A gateway repeating one mistake
    makes one row whose count grows, not one row per reading."""

    __tablename__ = "sensor_dead_letter_groups"
    __table_args__ = (
        UniqueConstraint("tenant_id", "sensor_code", "reason"),
        Index("ix_sensor_dead_letter_groups_seen", "tenant_id", "last_seen"),
    )

    sensor_code: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(String(300))
    count: Mapped[int] = mapped_column(BigInteger)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    # {"source", "payload", "detail"} of the first and of the latest reading
    first_example: Mapped[dict[str, str]] = mapped_column(JSON)
    last_example: Mapped[dict[str, str]] = mapped_column(JSON)


class EnvironmentAlert(TenantScoped, Base):
    """One excursion of one sensor outside an allowed range (deduplicated:
    later readings of the same excursion update this row).

    ``category`` is None for the range of the sensor's own place, else the
    product category whose range (with the place's, the stricter wins) was
    left while batches of that category were there; the batches there during
    the excursion are in ``environment_alert_batches``."""

    __tablename__ = "environment_alerts"
    __table_args__ = (
        Index("ix_environment_alerts_sensor", "tenant_id", "sensor_id", "started_at"),
        Index("ix_environment_alerts_status", "tenant_id", "status"),
        tenant_fk("sensor_id", "sensors"),
    )

    sensor_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(40), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # from the first reading outside to the first back inside (or the last
    # seen, while still outside)
    minutes: Mapped[float] = mapped_column(Float, default=0.0)
    peak: Mapped[float] = mapped_column(Float)
    low: Mapped[float | None] = mapped_column(Float, nullable=True)
    high: Mapped[float | None] = mapped_column(Float, nullable=True)
    beyond_pct: Mapped[float] = mapped_column(Float)
    level: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class EnvironmentAlertBatch(Base):
    """A batch that was at the alert's place during its excursion (once per
    alert and batch, however often the excursion is seen again)."""

    __tablename__ = "environment_alert_batches"
    __table_args__ = (
        tenant_fk("alert_id", "environment_alerts", ondelete="CASCADE"),
        tenant_fk("batch_id", "batches"),
        Index("ix_environment_alert_batches_batch", "tenant_id", "batch_id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    alert_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
