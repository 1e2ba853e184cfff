"""A batch made at 75 % hall humidity and shelved 2 h later than planned:
the brief's case, through the real services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from bakeprint.logistics import service as logistics
from bakeprint.logistics.schemas import DeliveryCreate, LoadCreate, TripCreate
from bakeprint.production.models import Batch
from bakeprint.retail import service as retail
from bakeprint.retail.schemas import ReceiptCreate, ShelfCreate
from bakeprint.sensors import service as sensors
from tests.packaging.conftest import cat, pack_a_batch  # noqa: F401
from tests.production.conftest import T0
from tests.sensors.conftest import make_hall, series

# 14:00–15:00 production: 60 %, then 75 % for 40 minutes (the brief's case)
HUMIDITY = [60.0] * 20 + [75.0] * 40 + [60.0]


def deliver(
    session: Session,
    bakery: Any,
    batch: Batch,
    when: datetime,
    quantity: int = 20,
    shop: str = "CITY-LIB",
) -> None:
    """Van #2 drops the batch at ``shop`` at ``when``; it is received and shelved."""
    a = bakery.actor
    trip = logistics.create_trip(session, TripCreate(vehicle="VAN-2"), actor=a)
    logistics.load(
        session,
        trip.code,
        LoadCreate(batch=batch.code, quantity=quantity, at=when),
        actor=a,
    )
    logistics.depart(session, trip.code, at=when, actor=a)
    drop = logistics.deliver(
        session,
        trip.code,
        DeliveryCreate(
            point_of_sale=shop, batch=batch.code, quantity=quantity, at=when
        ),
        actor=a,
    )
    retail.receive(
        session,
        shop,
        ReceiptCreate(delivery_id=drop.id, quantity=quantity, at=when),
        actor=a,
    )
    retail.shelve(session, shop, ShelfCreate(batch=batch.code, at=when), actor=a)


def make_humid_late(session: Session, bakery: Any, cat: Any, minutes: int = 0) -> Batch:  # noqa: F811
    batch = pack_a_batch(session, bakery.actor, cat, location="HALL-1", minutes=minutes)
    sensors.ingest(
        session,
        bakery.tenant.id,
        series("HALL-1-RH", T0 + timedelta(minutes=minutes), HUMIDITY),
        source="test",
    )
    # baked by 15:00 (+minutes); planned on the shelf within 4 h, it is 6 h
    assert batch.ended_at is not None
    deliver(session, bakery, batch, batch.ended_at + timedelta(hours=6))
    return batch


@pytest.fixture
def hall(session: Session, bakery, cat) -> dict[str, Any]:  # type: ignore[no-untyped-def]  # noqa: F811
    return make_hall(session, bakery, cat)


@pytest.fixture
def humid_late(session: Session, bakery, hall) -> Batch:  # type: ignore[no-untyped-def]
    return make_humid_late(session, bakery, hall)
