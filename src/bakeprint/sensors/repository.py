"""Sensor queries, always inside one bakery."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint.errors import NotFound
from bakeprint.sensors.models import EnvironmentAlert, Sensor, SensorBlock


def sensors(session: Session, tenant_id: uuid.UUID) -> list[Sensor]:
    """The bakery's sensors, by code."""
    return list(
        session.scalars(
            select(Sensor).where(Sensor.tenant_id == tenant_id).order_by(Sensor.code)
        )
    )


def by_id(session: Session, tenant_id: uuid.UUID, sensor_id: uuid.UUID) -> Sensor:
    sensor = session.get(Sensor, (tenant_id, sensor_id))
    if sensor is None:
        raise NotFound("找不到传感器", "sensor not found")
    return sensor


def latest_hours(session: Session, tenant_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """sensor id -> the latest hour (ms) it has readings for."""
    return {
        sid: hour
        for sid, hour in session.execute(
            select(SensorBlock.sensor_id, func.max(SensorBlock.hour))
            .where(SensorBlock.tenant_id == tenant_id)
            .group_by(SensorBlock.sensor_id)
        )
    }


def latest_hour(session: Session, sensor: Sensor) -> int | None:
    """The latest hour (ms) one sensor has readings for (None: none yet)."""
    hour: int | None = session.scalar(
        select(func.max(SensorBlock.hour)).where(
            SensorBlock.tenant_id == sensor.tenant_id,
            SensorBlock.sensor_id == sensor.id,
        )
    )
    return hour


def open_alert_counts(session: Session, tenant_id: uuid.UUID) -> dict[int, int]:
    """Open environment alerts per level, for the board."""
    rows = session.execute(
        select(EnvironmentAlert.level, func.count())
        .where(
            EnvironmentAlert.tenant_id == tenant_id,
            EnvironmentAlert.status == "open",
        )
        .group_by(EnvironmentAlert.level)
    )
    return {int(level): int(n) for level, n in rows}
