"""The trace report's downstream sections: where the batch went after it was
made — environment (each place, against its allowed range) and the alerts
raised there, distribution (vans, departure, drops, cabin), points of sale
(delivered, sold, on shelf, wasted) and the counts over them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.alerts import environment as alerting
from bakeprint.catalog.models import PointOfSale, Product
from bakeprint.logistics.models import Delivery
from bakeprint.production.models import Batch
from bakeprint.retail import service as retail
from bakeprint.retail.schemas import StockRead
from bakeprint.sensors import environment
from bakeprint.sensors import views as sensor_views
from bakeprint.trace.schemas import (
    AlertDuring,
    Anomaly,
    Counts,
    Drop,
    SegmentRead,
    TripRead,
)

# what an alert shows in a trace (not its notes nor the batches it touched)
ALERT_FIELDS = set(AlertDuring.model_fields)


def environment_sections(segments: Sequence[Any]) -> list[SegmentRead]:
    """Each place the batch was, with its sensors' summaries."""
    return [SegmentRead.model_validate(s.as_dict()) for s in segments]


def environment_anomalies(segments: list[Any]) -> list[Anomaly]:
    """Every excursion, a van's under distribution."""
    return [
        Anomaly(
            section="environment" if a["stage"] != "trip" else "distribution",
            level=int(a["level"]),
            zh=f"{a['place']}：{a['zh']}",
            en=f"{a['place']}: {a['en']}",
        )
        for a in environment.anomalies(segments)
    ]


def alerts(
    session: Session, tenant_id: uuid.UUID, category: str, segments: list[Any]
) -> list[AlertDuring]:
    """The alerts cut to the batch's own time at each place (never another
    trip's)."""
    return [
        AlertDuring.model_validate(x.model_dump(include=ALERT_FIELDS))
        for x in sensor_views.alerts(
            session, alerting.during(session, tenant_id, category, segments)
        )
    ]


def drops(
    session: Session, batch: Batch
) -> tuple[dict[uuid.UUID, list[Drop]], dict[str, int]]:
    """The batch's deliveries by trip, and the units delivered to each shop
    (by its code)."""
    t = batch.tenant_id
    drops_of: dict[uuid.UUID, list[Drop]] = {}
    delivered_at: dict[str, int] = {}
    for d, pos in session.execute(
        select(Delivery, PointOfSale)
        .join(
            PointOfSale,
            (PointOfSale.tenant_id == Delivery.tenant_id)
            & (PointOfSale.id == Delivery.point_of_sale_id),
        )
        .where(Delivery.tenant_id == t, Delivery.batch_id == batch.id)
        .order_by(Delivery.delivered_at)
    ):
        delivered_at[pos.code] = delivered_at.get(pos.code, 0) + d.quantity
        drops_of.setdefault(d.trip_id, []).append(
            Drop(
                point_of_sale=pos.code,
                point_of_sale_name=pos.name,
                quantity=d.quantity,
                delivered_at=d.delivered_at,
                received=d.received,
            )
        )
    return drops_of, delivered_at


def distribution(
    legs: list[Any],
    drops_of: dict[uuid.UUID, list[Drop]],
    places: list[SegmentRead],
) -> list[TripRead]:
    """Each van trip that carried the batch, its drops and its cabin."""
    cabins = {s.ref: s for s in places if s.stage == "trip"}
    out = []
    for leg in legs:
        trip, load, vehicle = leg.trip, leg.load, leg.vehicle
        seg = cabins.get(trip.code)
        out.append(
            TripRead(
                trip=trip.code,
                vehicle=vehicle.code,
                vehicle_name=vehicle.name,
                driver=trip.driver,
                status=trip.status,
                departed_at=trip.departed_at,
                arrived_at=trip.arrived_at,
                loaded=load.loaded,
                delivered=load.delivered,
                returned=load.returned,
                drops=drops_of.get(trip.id, []),
                cabin=seg.sensors if seg else [],
            )
        )
    return out


def points_of_sale(
    batch: Batch, product: Product, delivered_at: dict[str, int], stocks: list[Any]
) -> list[StockRead]:
    """Each shop the batch was delivered to, with its stock (as
    ``retail.stock_rows``, from the deliveries and stock read already)."""
    stock_at = {pos.code: st for st, pos in stocks}
    return [
        retail.stock_read(
            code, batch, product.name_zh, delivered_at[code], stock_at.get(code)
        )
        for code in sorted(delivered_at)
    ]


def counts(batch: Batch, shops: list[StockRead]) -> Counts:
    return Counts(
        packed=batch.packed_quantity or 0,
        delivered=sum(s.delivered for s in shops),
        sold=sum(s.sold for s in shops),
        on_shelf=sum(s.on_shelf for s in shops),
        wasted=sum(s.wasted for s in shops),
        returned=sum(s.returned for s in shops),
    )
