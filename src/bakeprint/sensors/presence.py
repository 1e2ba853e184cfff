"""Which batches were at a place, and when — the reverse of a batch's
environment segments, so that an alert at a place names exactly the batches
that ``batch env`` shows there at that time.

The records narrow the candidates (made or moved to a location, loaded on a
trip of the vehicle, received by the shop around the window); each
candidate's own segments then say precisely when it was there.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import Location, PointOfSale, Vehicle
from bakeprint.db import among, utcnow
from bakeprint.logistics.models import Delivery, Trip, TripLoad
from bakeprint.logistics.service import Leg
from bakeprint.production.models import Batch, BatchMove
from bakeprint.retail.models import ShopStock
from bakeprint.sensors import environment
from bakeprint.sensors import service as sensors
from bakeprint.sensors.environment import KITCHEN_MAX, SHOP_MAX
from bakeprint.sensors.models import EnvironmentRange


@dataclass
class Stay:
    """One batch at the place from ``start`` to ``end`` (``ongoing``: it is
    still there, ``end`` is now)."""

    batch: Batch
    category: str | None
    start: datetime
    end: datetime
    ongoing: bool


def stays(
    session: Session,
    tenant_id: uuid.UUID,
    place_kind: str,
    place_id: uuid.UUID,
    start: datetime,
    end: datetime,
) -> list[Stay]:
    """Every batch at the place at some time in [start, end], with when."""
    now = utcnow()
    out: list[Stay] = []
    found = _candidates(session, tenant_id, place_kind, place_id, start, end)
    if not found:
        return out
    # what each batch's segments are made of, for all of them at once: a warm
    # hall against a cream range has every batch waiting there as candidate
    ids = [b.id for b in found]
    ctx = environment.contexts(session, tenant_id, ids)
    legs, stocks = _legs(session, tenant_id, ids), _stocks(session, tenant_id, ids)
    moves: dict[uuid.UUID, list[Any]] = {}
    for move, loc in session.execute(
        select(BatchMove, Location)
        .join(
            Location,
            (Location.tenant_id == BatchMove.tenant_id)
            & (Location.id == BatchMove.location_id),
        )
        .where(
            BatchMove.tenant_id == tenant_id, among(session, BatchMove.batch_id, ids)
        )
        .order_by(BatchMove.moved_at)
    ):
        moves.setdefault(move.batch_id, []).append((move, loc))
    for batch in found:
        category, segments = environment.places_of(
            session,
            batch,
            ctx=ctx[batch.id],
            legs=legs.get(batch.id, []),
            stocks=stocks.get(batch.id, []),
            moves=moves.get(batch.id, []),
        )
        out.extend(
            Stay(batch, category, seg.start, seg.end, seg.end >= now)
            for seg in segments
            if seg.place_kind == place_kind
            and seg.place_id == place_id
            and seg.start <= end
            and seg.end >= start
        )
    return out


def _legs(
    session: Session, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Leg]]:
    """``logistics.legs_of_batch`` of many batches in one statement."""
    last_drop = (
        select(func.max(Delivery.delivered_at))
        .where(
            Delivery.tenant_id == Trip.tenant_id,
            Delivery.trip_id == Trip.id,
            Delivery.batch_id == TripLoad.batch_id,
        )
        .scalar_subquery()
    )
    out: dict[uuid.UUID, list[Leg]] = {}
    for row in session.execute(
        select(Trip, TripLoad, Vehicle, last_drop)
        .join(
            TripLoad,
            (TripLoad.tenant_id == Trip.tenant_id) & (TripLoad.trip_id == Trip.id),
        )
        .join(
            Vehicle,
            (Vehicle.tenant_id == Trip.tenant_id) & (Vehicle.id == Trip.vehicle_id),
        )
        .where(TripLoad.tenant_id == tenant_id, among(session, TripLoad.batch_id, ids))
        .order_by(Trip.departed_at)
    ):
        out.setdefault(row[1].batch_id, []).append(Leg(*row))
    return out


def _stocks(
    session: Session, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Any]]:
    """``environment.shop_stocks`` of many batches in one statement."""
    out: dict[uuid.UUID, list[Any]] = {}
    for stock, pos in session.execute(
        select(ShopStock, PointOfSale)
        .join(
            PointOfSale,
            (PointOfSale.tenant_id == ShopStock.tenant_id)
            & (PointOfSale.id == ShopStock.point_of_sale_id),
        )
        .where(
            ShopStock.tenant_id == tenant_id, among(session, ShopStock.batch_id, ids)
        )
    ):
        out.setdefault(stock.batch_id, []).append((stock, pos))
    return out


def _candidates(
    session: Session,
    tenant_id: uuid.UUID,
    place_kind: str,
    place_id: uuid.UUID,
    start: datetime,
    end: datetime,
) -> Sequence[Batch]:
    """A superset of the batches there in [start, end], from the records."""
    t = tenant_id
    if place_kind == "vehicle":
        return session.scalars(
            select(Batch)
            .join(
                TripLoad,
                (TripLoad.tenant_id == Batch.tenant_id)
                & (TripLoad.batch_id == Batch.id),
            )
            .join(
                Trip,
                (Trip.tenant_id == TripLoad.tenant_id) & (Trip.id == TripLoad.trip_id),
            )
            .where(
                Trip.tenant_id == t,
                Trip.vehicle_id == place_id,
                Trip.departed_at <= end,
                or_(Trip.arrived_at.is_(None), Trip.arrived_at >= start),
            )
            .distinct()
            .order_by(Batch.code)
        ).all()
    if place_kind == "point_of_sale":
        return session.scalars(
            select(Batch)
            .join(
                ShopStock,
                (ShopStock.tenant_id == Batch.tenant_id)
                & (ShopStock.batch_id == Batch.id),
            )
            .where(
                ShopStock.tenant_id == t,
                ShopStock.point_of_sale_id == place_id,
                ShopStock.received_at <= end,
                ShopStock.received_at >= start - SHOP_MAX,
            )
            .order_by(Batch.code)
        ).all()
    # a location: made there, or moved there to wait (a cold room)
    moved = select(BatchMove.batch_id).where(
        BatchMove.tenant_id == t,
        BatchMove.location_id == place_id,
        BatchMove.moved_at <= end,
        BatchMove.moved_at >= start - KITCHEN_MAX,
    )
    made = (
        (Batch.location_id == place_id)
        & (Batch.started_at <= end)
        & or_(Batch.ended_at.is_(None), Batch.ended_at >= start - KITCHEN_MAX)
    )
    return session.scalars(
        select(Batch)
        .where(Batch.tenant_id == t, or_(made, Batch.id.in_(moved)))
        .order_by(Batch.code)
    ).all()


def group_of(
    ranges: Sequence[EnvironmentRange],
    kind: str,
    category: str | None,
    start: datetime,
    end: datetime,
) -> str | None:
    """Whose range is strictest for a batch of ``category`` at a place over
    [start, end]: its category's (combined with the place's) when the
    category has a range of this kind then, else the place's own (None)."""
    if category and sensors.pick_ranges(
        ranges, kind, category=category, start=start, end=end
    ):
        return category
    return None
