"""Each place a batch was, and when: the production location during
production, the kitchen (and each room it was moved to) until it left, the
van during each trip, each shop that received it — without readings."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    select,
)
from sqlalchemy.orm import Session

from bakeprint.catalog.models import Location, PointOfSale, Product
from bakeprint.db import among, utcnow
from bakeprint.events.models import Event
from bakeprint.identity.models import Tenant
from bakeprint.production.models import Batch
from bakeprint.retail.models import ShopStock
from bakeprint.sensors import service as sensors
from bakeprint.sensors.summaries import SensorSummary, sensor_dict

KITCHEN_MAX = timedelta(hours=24)  # after production, until it leaves
SHOP_MAX = timedelta(days=15)


@dataclass
class Segment:
    stage: str  # production, kitchen, trip, shop
    place_kind: str
    place: str
    place_name: str
    start: datetime
    end: datetime
    ref: str = ""  # the trip code for a trip
    sensors: list[SensorSummary] = field(default_factory=list)
    place_id: Any = field(default=None, repr=False)
    sensor_ids: list[Any] = field(default_factory=list, repr=False)

    def as_dict(self, points: bool = False) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "place_kind": self.place_kind,
            "place": self.place,
            "place_name": self.place_name,
            "start": self.start,
            "end": self.end,
            "ref": self.ref,
            "sensors": [sensor_dict(x, points) for x in self.sensors],
        }


@dataclass
class Context:
    timezone: str
    category: str | None
    location: Location | None


def context(session: Session, batch: Batch) -> Context:
    """The bakery's time zone, the product category and the production place,
    in one statement."""
    row = session.execute(
        select(Tenant.timezone, Product.category, Location)
        .select_from(Batch)
        .join(Tenant, Tenant.id == Batch.tenant_id)
        .join(
            Product,
            (Product.tenant_id == Batch.tenant_id) & (Product.id == Batch.product_id),
        )
        .outerjoin(
            Location,
            (Location.tenant_id == Batch.tenant_id)
            & (Location.id == Batch.location_id),
        )
        .where(Batch.tenant_id == batch.tenant_id, Batch.id == batch.id)
    ).one()
    return Context(*row)


def contexts(session: Session, tenant_id: Any, ids: list[Any]) -> dict[Any, Context]:
    """``context`` of many batches of a bakery in one statement, by id."""
    return {
        bid: Context(tz, category, loc)
        for bid, tz, category, loc in session.execute(
            select(Batch.id, Tenant.timezone, Product.category, Location)
            .select_from(Batch)
            .join(Tenant, Tenant.id == Batch.tenant_id)
            .join(
                Product,
                (Product.tenant_id == Batch.tenant_id)
                & (Product.id == Batch.product_id),
            )
            .outerjoin(
                Location,
                (Location.tenant_id == Batch.tenant_id)
                & (Location.id == Batch.location_id),
            )
            .where(Batch.tenant_id == tenant_id, among(session, Batch.id, ids))
        )
    }


def shop_stocks(session: Session, batch: Batch) -> list[Any]:
    """The batch's stock at each shop, with the shop: (ShopStock, PointOfSale)."""
    return [
        (stock, pos)
        for stock, pos in session.execute(
            select(ShopStock, PointOfSale)
            .join(
                PointOfSale,
                (PointOfSale.tenant_id == ShopStock.tenant_id)
                & (PointOfSale.id == ShopStock.point_of_sale_id),
            )
            .where(
                ShopStock.tenant_id == batch.tenant_id, ShopStock.batch_id == batch.id
            )
        )
    ]


def of_batch(
    session: Session,
    batch: Batch,
    ctx: Context | None = None,
    legs: list[Any] | None = None,
    stocks: list[Any] | None = None,
    moves: list[Any] | None = None,
) -> list[Segment]:
    """Each place the batch was, in order: made, waited in the kitchen, each
    van, each shop (``legs``, ``stocks``, ``moves``: its trips, shop stocks
    and moves when the caller read them already)."""
    from bakeprint.logistics import service as logistics

    ctx = ctx or context(session, batch)
    now = utcnow()
    if legs is None:
        legs = logistics.legs_of_batch(session, batch)
    if stocks is None:
        stocks = shop_stocks(session, batch)
    return [
        *_made_and_kept(session, batch, ctx.location, legs, moves, now),
        *_trips(legs, now),
        *_shops(session, batch, stocks, ctx.timezone, now),
    ]


def _made_and_kept(
    session: Session,
    batch: Batch,
    loc: Location | None,
    legs: list[Any],
    moves: list[Any] | None,
    now: datetime,
) -> list[Segment]:
    """Production at its place, then the kitchen: the production place and
    each room it was moved to, until the first van left (at most
    ``KITCHEN_MAX`` after the last stop)."""
    if loc is None:
        return []
    out = [
        Segment(
            "production",
            "location",
            loc.code,
            loc.name,
            batch.started_at,
            batch.ended_at or now,
            place_id=loc.id,
        )
    ]
    if batch.ended_at is None:
        return out
    if moves is None:
        from bakeprint.production import genealogy

        moves = genealogy.moves_of(session, batch)
    first_departure = min(
        (leg.trip.departed_at for leg in legs if leg.trip.departed_at), default=None
    )
    # where it waited: the production place, then each move (cold room…)
    stops = [(batch.ended_at, loc)] + [(m.moved_at, where) for m, where in moves]
    last = stops[-1][0]
    kitchen_end = min(first_departure or last + KITCHEN_MAX, now)
    if first_departure is None:
        kitchen_end = min(kitchen_end, last + KITCHEN_MAX)
    for (since, where), (until, _next) in itertools.pairwise(
        [*stops, (kitchen_end, None)]
    ):
        until = min(until, kitchen_end)
        if until > since:
            out.append(
                Segment(
                    "kitchen",
                    "location",
                    where.code,
                    where.name,
                    since,
                    until,
                    place_id=where.id,
                )
            )
    return out


def _trips(legs: list[Any], now: datetime) -> list[Segment]:
    """Each van trip that left with the batch, until its last drop of it
    (or its arrival)."""
    out = []
    for leg in legs:
        trip, load, vehicle = leg.trip, leg.load, leg.vehicle
        if trip.departed_at is None:
            continue
        all_dropped = load.delivered >= load.loaded
        end = (
            leg.last_drop
            if all_dropped and leg.last_drop
            else (trip.arrived_at or leg.last_drop or now)
        )
        out.append(
            Segment(
                "trip",
                "vehicle",
                vehicle.code,
                vehicle.name,
                trip.departed_at,
                end,
                ref=trip.code,
                place_id=vehicle.id,
            )
        )
    return out


def _shops(
    session: Session, batch: Batch, stocks: list[Any], tz: str, now: datetime
) -> list[Segment]:
    """Each shop that received the batch, until it sold out, passed its
    best-before day or ``SHOP_MAX``."""
    gone = (
        _last_unit_left(session, batch)
        if any(s.received_at and s.on_shelf <= 0 for s, _ in stocks)
        else None
    )
    out = []
    for stock, pos in stocks:
        if stock.received_at is None:
            continue
        end = min(now, stock.received_at + SHOP_MAX)
        if batch.best_before is not None:  # off the shelf by then
            off = datetime.combine(
                batch.best_before + timedelta(days=1), time.min, ZoneInfo(tz)
            )
            end = min(end, max(off, stock.received_at))
        if stock.on_shelf <= 0 and gone is not None:  # sold out: until then
            end = min(end, max(gone, stock.received_at))
        out.append(
            Segment(
                "shop",
                "point_of_sale",
                pos.code,
                pos.name,
                stock.received_at,
                end,
                place_id=pos.id,
            )
        )
    return out


def places_of(
    session: Session,
    batch: Batch,
    *,
    ctx: Context | None = None,
    legs: list[Any] | None = None,
    stocks: list[Any] | None = None,
    moves: list[Any] | None = None,
) -> tuple[str | None, list[Segment]]:
    """The batch's product category and each place it was, when (no readings;
    ``ctx`` from ``contexts``, and its trips, shop stocks and moves when the
    caller read them for many batches at once)."""
    ctx = ctx or context(session, batch)
    return ctx.category, of_batch(session, batch, ctx, legs, stocks, moves)


def _last_unit_left(session: Session, batch: Batch) -> datetime | None:
    """When the batch's last sale, write-off or return happened (max() in
    Python: in SQL it tempts the planner to walk the time index from today)."""
    return max(
        session.scalars(
            select(Event.event_time).where(
                Event.tenant_id == batch.tenant_id,
                Event.subject == f"batch:{batch.code}",
                Event.kind.in_(("sold", "wasted", "returned")),
            )
        ),
        default=None,
    )


def place_id(session: Session, tenant_id: Any, seg: Segment) -> Any:
    if seg.place_id is not None:
        return seg.place_id
    model = sensors.PLACES[seg.place_kind]
    return session.scalar(
        select(model.id).where(model.tenant_id == tenant_id, model.code == seg.place)
    )
