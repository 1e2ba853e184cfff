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

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bakeprint.db import utcnow
from bakeprint.logistics.models import Trip, TripLoad
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
    for batch in _candidates(session, tenant_id, place_kind, place_id, start, end):
        category, segments = environment.places_of(session, batch)
        out.extend(
            Stay(batch, category, seg.start, seg.end, seg.end >= now)
            for seg in segments
            if seg.place_kind == place_kind
            and seg.place_id == place_id
            and seg.start <= end
            and seg.end >= start
        )
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
