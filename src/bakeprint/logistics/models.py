"""Trips: a vehicle carrying batches from the kitchen to points of sale (R1.9)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from bakeprint.db import Base, TenantScoped, UTCDateTime, tenant_fk

TRIP_STATUSES = ("planned", "departed", "arrived")


class Trip(TenantScoped, Base):
    __tablename__ = "trips"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        Index("ix_trips_vehicle_time", "tenant_id", "vehicle_id", "departed_at"),
        tenant_fk("vehicle_id", "vehicles"),
    )

    code: Mapped[str] = mapped_column(String(24))  # T-251203-02
    vehicle_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    driver: Mapped[str] = mapped_column(String(64), default="")  # internal only
    planned_departure: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True
    )
    planned_arrival: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    departed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="planned")
    notes: Mapped[str] = mapped_column(Text, default="")


class TripLoad(TenantScoped, Base):
    """Units of a batch put on a trip, and how many of them were dropped off."""

    __tablename__ = "trip_loads"
    __table_args__ = (
        UniqueConstraint("tenant_id", "trip_id", "batch_id"),
        Index("ix_trip_loads_batch", "tenant_id", "batch_id"),
        tenant_fk("trip_id", "trips"),
        tenant_fk("batch_id", "batches"),
    )

    trip_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    loaded: Mapped[int] = mapped_column(Integer, default=0)
    delivered: Mapped[int] = mapped_column(Integer, default=0)
    returned: Mapped[int] = mapped_column(Integer, default=0)  # back to the kitchen


class Delivery(TenantScoped, Base):
    """A drop of one batch at one point of sale during a trip."""

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_pos", "tenant_id", "point_of_sale_id", "batch_id"),
        Index("ix_deliveries_batch", "tenant_id", "batch_id"),
        Index("ix_deliveries_trip", "tenant_id", "trip_id"),
        tenant_fk("trip_id", "trips"),
        tenant_fk("batch_id", "batches"),
        tenant_fk("point_of_sale_id", "points_of_sale"),
    )

    trip_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    point_of_sale_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    quantity: Mapped[int] = mapped_column(Integer)
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received: Mapped[int] = mapped_column(Integer, default=0)
