"""A batch's environment (R1.7): the readings of every place it was, while it
was there — the production location during production, the kitchen until it
left, the van during each trip, each shop that reports — against the allowed
range that applied then (place and product category, the stricter wins).

Computed from the raw readings on every call, so a late reading is reflected
at once; an hour block read per sensor per hour keeps it fast at any size.
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import Location, PointOfSale, Product, Vehicle
from bakeprint.db import utcnow
from bakeprint.logistics.models import Delivery
from bakeprint.production.models import Batch
from bakeprint.retail.models import ShopStock
from bakeprint.sensors import service as sensors
from bakeprint.sensors.alerts import Excursion, beyond, detect
from bakeprint.sensors.models import Sensor

KITCHEN_MAX = timedelta(hours=24)  # after production, until it leaves
SHOP_MAX = timedelta(days=15)


@dataclass
class SensorSummary:
    sensor: str
    kind: str
    unit: str
    low: float | None
    high: float | None
    readings: int
    min: float | None
    max: float | None
    mean: float | None
    minutes_outside: float
    excursions: list[Excursion]
    points: list[tuple[datetime, float]] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.excursions


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

    def as_dict(self, points: bool = False) -> dict[str, Any]:
        d = asdict(self)
        for s, src in zip(d["sensors"], self.sensors, strict=True):
            s["excursions"] = [{**asdict(e), "level": e.level} for e in src.excursions]
            if points:
                s["points"] = [[t.isoformat(), v] for t, v in src.points]
            else:
                s.pop("points")
        return d


def minutes_outside(points: list[tuple[datetime, float]], limits: Any) -> float:
    """Time spent outside the band: each reading counts until the next one
    (capped at twice the usual interval, so a silent sensor does not inflate it)."""
    if not points:
        return 0.0
    gaps = [(b[0] - a[0]).total_seconds() for a, b in itertools.pairwise(points)]
    usual = statistics.median(gaps) if gaps else 60.0
    total = 0.0
    for i, (when, value) in enumerate(points):
        if beyond(value, *limits(when)) > 0:
            span = gaps[i] if i < len(gaps) else usual
            total += min(span, 2 * usual)
    return round(total / 60, 1)


def summarise(
    session: Session,
    sensor: Sensor,
    start: datetime,
    end: datetime,
    category: str | None,
    *,
    with_points: bool = False,
) -> SensorSummary:
    place_kind, place_id = sensors.place_of(sensor)
    ranges = sensors.ranges_for(
        session,
        sensor.tenant_id,
        sensor.kind,
        place_kind=place_kind,
        place_id=place_id,
        category=category,
        start=start,
        end=end,
    )

    def limits(w: datetime) -> tuple[float | None, float | None]:
        return sensors.limits_at(ranges, w)

    points = sensors.readings(session, sensor, start, end)
    values = [v for _, v in points]
    low, high = limits(end if not points else points[-1][0])
    return SensorSummary(
        sensor=sensor.code,
        kind=sensor.kind,
        unit=sensor.unit,
        low=low,
        high=high,
        readings=len(points),
        min=min(values) if values else None,
        max=max(values) if values else None,
        mean=round(sum(values) / len(values), 2) if values else None,
        minutes_outside=minutes_outside(points, limits),
        excursions=detect(points, limits),
        points=points if with_points else [],
    )


def _segments(session: Session, batch: Batch) -> list[Segment]:
    from bakeprint.logistics import service as logistics

    t = batch.tenant_id
    now = utcnow()
    out: list[Segment] = []
    trips = logistics.trips_of_batch(session, batch)
    first_departure = min(
        (trip.departed_at for trip, _ in trips if trip.departed_at), default=None
    )
    if batch.location_id is not None:
        loc = session.get(Location, (t, batch.location_id))
        assert loc is not None
        made_end = batch.ended_at or now
        out.append(
            Segment(
                "production", "location", loc.code, loc.name, batch.started_at, made_end
            )
        )
        if batch.ended_at is not None:
            kitchen_end = min(
                first_departure or batch.ended_at + KITCHEN_MAX,
                batch.ended_at + KITCHEN_MAX,
                now,
            )
            if kitchen_end > batch.ended_at:
                out.append(
                    Segment(
                        "kitchen",
                        "location",
                        loc.code,
                        loc.name,
                        batch.ended_at,
                        kitchen_end,
                    )
                )
    for trip, load in trips:
        if trip.departed_at is None:
            continue
        last_drop = session.scalar(
            select(Delivery.delivered_at)
            .where(
                Delivery.tenant_id == t,
                Delivery.trip_id == trip.id,
                Delivery.batch_id == batch.id,
            )
            .order_by(Delivery.delivered_at.desc())
            .limit(1)
        )
        all_dropped = load.delivered >= load.loaded
        end = (
            last_drop
            if all_dropped and last_drop
            else (trip.arrived_at or last_drop or now)
        )
        vehicle = session.get(Vehicle, (t, trip.vehicle_id))
        assert vehicle is not None
        out.append(
            Segment(
                "trip",
                "vehicle",
                vehicle.code,
                vehicle.name,
                trip.departed_at,
                end,
                ref=trip.code,
            )
        )
    for stock in session.scalars(
        select(ShopStock).where(
            ShopStock.tenant_id == t, ShopStock.batch_id == batch.id
        )
    ):
        if stock.received_at is None:
            continue
        pos = session.get(PointOfSale, (t, stock.point_of_sale_id))
        assert pos is not None
        end = min(now, stock.received_at + SHOP_MAX)
        out.append(
            Segment("shop", "point_of_sale", pos.code, pos.name, stock.received_at, end)
        )
    return out


def batch_environment(
    session: Session, batch: Batch, *, with_points: bool = False
) -> list[Segment]:
    product = session.get(Product, (batch.tenant_id, batch.product_id))
    category = product.category if product else None
    segments = _segments(session, batch)
    kept = []
    for seg in segments:
        place_id = _place_id(session, batch.tenant_id, seg)
        found = sensors.sensors_at(session, batch.tenant_id, seg.place_kind, place_id)
        seg.sensors = [
            summarise(session, s, seg.start, seg.end, category, with_points=with_points)
            for s in found
        ]
        if seg.sensors or seg.stage in ("production", "trip"):
            kept.append(seg)
    return kept


def _place_id(session: Session, tenant_id: Any, seg: Segment) -> Any:
    model = sensors.PLACES[seg.place_kind]
    return session.scalar(
        select(model.id).where(model.tenant_id == tenant_id, model.code == seg.place)
    )


def anomalies(segments: list[Segment]) -> list[dict[str, Any]]:
    """Every excursion, most severe first, worded for the top of a trace. An
    excursion that runs on from one stage into the next (same sensor) is one."""
    out: list[dict[str, Any]] = []
    last: dict[str, dict[str, Any]] = {}
    for seg in segments:
        for s in seg.sensors:
            for e in s.excursions:
                prev = last.get(s.sensor)
                if prev is not None and (prev["end"] is None or e.start <= prev["end"]):
                    prev["level"] = max(prev["level"], e.level)
                    if beyond(e.peak, e.low, e.high) > beyond(
                        prev["peak"], e.low, e.high
                    ):
                        prev["peak"] = e.peak
                    prev["end"] = e.end
                    continue
                limit = (
                    f"≤ {e.high:g}"
                    if e.high is not None and e.peak > e.high
                    else f"≥ {e.low:g}"
                )
                item = {
                    "stage": seg.stage,
                    "place": seg.place_name,
                    "sensor": s.sensor,
                    "kind": s.kind,
                    "unit": s.unit,
                    "peak": e.peak,
                    "limit": limit,
                    "level": e.level,
                    "start": e.start,
                    "end": e.end,
                    "minutes": e.minutes,
                }
                last[s.sensor] = item
                out.append(item)
    for a in out:
        unit = "%" if a["kind"] == "humidity" else " °C"
        label_zh = "湿度" if a["kind"] == "humidity" else "温度"
        a["zh"] = f"{label_zh} {a['peak']:g}{unit}，标准 {a['limit']}{unit}"
        a["en"] = f"{a['kind']} {a['peak']:g}{unit}, standard {a['limit']}{unit}"
    return sorted(out, key=lambda a: (-a["level"], a["start"]))
