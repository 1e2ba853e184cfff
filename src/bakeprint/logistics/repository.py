"""Trip and delivery queries, always inside one bakery."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import PointOfSale
from bakeprint.db import among, slices
from bakeprint.logistics.models import Delivery, Trip, TripLoad
from bakeprint.production.models import Batch


def kitchen_stock(packed: int | None, loaded: int, returned: int) -> int:
    """Packed units still in the kitchen: packed − loaded + brought back."""
    return int((packed or 0) - loaded + returned)


def loaded(
    session: Session, tenant_id: uuid.UUID, batch_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[int, int]]:
    """batch id -> (units loaded on trips, units brought back) over all its
    trips; a batch never loaded is absent."""
    out: dict[uuid.UUID, tuple[int, int]] = {}
    for chunk in slices(list(batch_ids)):
        for b_id, l_sum, r_sum in session.execute(
            select(
                TripLoad.batch_id,
                func.sum(TripLoad.loaded),
                func.sum(TripLoad.returned),
            )
            .where(
                TripLoad.tenant_id == tenant_id,
                among(session, TripLoad.batch_id, chunk),
            )
            .group_by(TripLoad.batch_id)
        ):
            out[b_id] = (int(l_sum or 0), int(r_sum or 0))
    return out


def drops_of_trip(session: Session, trip: Trip) -> list[Delivery]:
    """A trip's deliveries in the order they were made."""
    return list(
        session.scalars(
            select(Delivery)
            .where(Delivery.tenant_id == trip.tenant_id, Delivery.trip_id == trip.id)
            .order_by(Delivery.delivered_at)
        )
    )


def a_shop_of(session: Session, batch: Batch) -> PointOfSale | None:
    """A point of sale the batch was delivered to (the one, when it went to
    a single shop)."""
    return session.scalar(
        select(PointOfSale)
        .join(
            Delivery,
            (Delivery.tenant_id == PointOfSale.tenant_id)
            & (Delivery.point_of_sale_id == PointOfSale.id),
        )
        .where(Delivery.tenant_id == batch.tenant_id, Delivery.batch_id == batch.id)
        .limit(1)
    )


def drops_at(
    session: Session, batch: Batch, pos_id: uuid.UUID
) -> list[tuple[datetime, datetime | None]]:
    """(delivered at, the van's departure) of each drop of the batch at a shop."""
    return [
        (delivered, departed)
        for delivered, departed in session.execute(
            select(Delivery.delivered_at, Trip.departed_at)
            .join(
                Trip,
                (Trip.tenant_id == Delivery.tenant_id) & (Trip.id == Delivery.trip_id),
            )
            .where(
                Delivery.tenant_id == batch.tenant_id,
                Delivery.batch_id == batch.id,
                Delivery.point_of_sale_id == pos_id,
            )
        )
    ]


def open_drops_at(
    session: Session, pos: PointOfSale
) -> list[tuple[Delivery, str, str]]:
    """(drop, batch code, trip code) of the drops addressed to a shop that are
    not fully received yet, oldest first."""
    stmt = (
        select(Delivery, Batch.code, Trip.code)
        .join(
            Batch,
            (Batch.tenant_id == Delivery.tenant_id) & (Batch.id == Delivery.batch_id),
        )
        .join(
            Trip, (Trip.tenant_id == Delivery.tenant_id) & (Trip.id == Delivery.trip_id)
        )
        .where(
            Delivery.tenant_id == pos.tenant_id,
            Delivery.point_of_sale_id == pos.id,
            Delivery.received < Delivery.quantity,
        )
        .order_by(Delivery.delivered_at)
    )
    return [(d, batch, trip) for d, batch, trip in session.execute(stmt)]
