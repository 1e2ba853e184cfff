"""Trips: load packed batches, depart, drop off at points of sale, come back.

Conservation per batch: packed = in the kitchen + in transit + delivered. Every
movement is checked against those counts under row locks and refused with the
numbers when it would break them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint import chronology, sequences
from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import PointOfSale, Product, Vehicle
from bakeprint.chronology import Moment
from bakeprint.db import utcnow
from bakeprint.errors import Conflict, Invalid, NotFound
from bakeprint.events import service as events
from bakeprint.events.models import Event
from bakeprint.identity import repository as tenants
from bakeprint.identity.models import Tenant
from bakeprint.identity.service import Actor
from bakeprint.interop import ids
from bakeprint.logistics import repository
from bakeprint.logistics.models import Delivery, Trip, TripLoad
from bakeprint.logistics.schemas import (
    CabinReadings,
    DeliveryCreate,
    LoadCreate,
    TripCreate,
)
from bakeprint.production import repository as batches
from bakeprint.production.models import FROZEN, Batch
from bakeprint.sensors.models import Sensor

SELLABLE = ("packed",)


def get_trip(
    session: Session, tenant_id: uuid.UUID, code: str, *, lock: bool = False
) -> Trip:
    stmt = select(Trip).where(Trip.tenant_id == tenant_id, Trip.code == code.strip())
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    trip = session.scalar(stmt)
    if trip is None:
        raise NotFound(f"找不到配送行程 {code}", f"trip {code} not found")
    return trip


def list_trips(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    status: str | None = None,
    vehicle: str | None = None,
    limit: int = 50,
) -> list[Trip]:
    """Newest trips first (planned ones by their planned departure)."""
    stmt = select(Trip).where(Trip.tenant_id == tenant_id)
    if status:
        stmt = stmt.where(Trip.status == status)
    if vehicle:
        v = catalog.get(session, Vehicle, tenant_id, vehicle)
        stmt = stmt.where(Trip.vehicle_id == v.id)
    when = func.coalesce(Trip.departed_at, Trip.planned_departure, Trip.created_at)
    return list(session.scalars(stmt.order_by(when.desc()).limit(limit)))


def create_trip(session: Session, data: TripCreate, *, actor: Actor) -> Trip:
    """Plan a trip for a vehicle."""
    t = actor.tenant_id
    tenant = tenants.get(session, t)
    vehicle = catalog.get(session, Vehicle, t, data.vehicle)
    if not vehicle.active:
        raise Conflict(
            f"车辆 {vehicle.code} 已停用",
            f"vehicle {vehicle.code} is retired",
            field="vehicle",
        )
    if data.planned_arrival is not None:
        chronology.check(
            Moment(data.planned_arrival, "计划返回时间", "the planned arrival"),
            tz=tenant.timezone,
            field="planned_arrival",
            not_before=[
                Moment(data.planned_departure, "计划出发时间", "the planned departure")
            ],
            future=True,  # a plan is ahead of now
        )
    when = data.planned_departure or utcnow()
    day = when.astimezone(ZoneInfo(tenant.timezone)).date()
    prefix = f"T-{day:%y%m%d}-{vehicle.code}-"
    n = (
        session.scalar(
            select(func.count())
            .select_from(Trip)
            .where(Trip.tenant_id == t, Trip.code.like(f"{prefix}%"))
        )
        or 0
    )
    seq = sequences.next_value(session, t, prefix.rstrip("-"), start_after=n)
    trip = Trip(
        tenant_id=t,
        code=f"{prefix}{seq}",
        vehicle_id=vehicle.id,
        driver=data.driver,
        planned_departure=data.planned_departure,
        planned_arrival=data.planned_arrival,
        notes=data.notes,
    )
    session.add(trip)
    session.flush()
    return trip


def kitchen_stock(session: Session, batch: Batch, legs: list[Leg] | None = None) -> int:
    """Packed units still in the kitchen: packed − loaded + brought back
    (from the batch's ``legs_of_batch`` when the caller has read them)."""
    if legs is None:
        loaded, returned = repository.loaded(session, batch.tenant_id, [batch.id]).get(
            batch.id, (0, 0)
        )
    else:
        loaded = sum(leg.load.loaded for leg in legs)
        returned = sum(leg.load.returned for leg in legs)
    return repository.kitchen_stock(batch.packed_quantity, loaded, returned)


def _batch_event(
    session: Session,
    tenant: Tenant,
    batch: Batch,
    *,
    kind: str,
    biz_step: str,
    disposition: str,
    when: datetime,
    quantity: int,
    actor: Actor,
    extra: dict[str, Any],
    ext: dict[str, Any],
) -> None:
    product = session.get(Product, (batch.tenant_id, batch.product_id))
    assert product is not None
    events.append(
        session,
        tenant_id=tenant.id,
        kind=kind,
        subject=f"batch:{batch.code}",
        event_type="ObjectEvent",
        action="OBSERVE",
        biz_step=biz_step,
        disposition=disposition,
        event_time=when,
        actor=actor.ref,
        fields={
            "epcList": [],
            "quantityList": [
                {
                    "epcClass": ids.batch_class(product.gtin, batch.code),
                    "quantity": quantity,
                }
            ],
            **extra,
        },
        extension={"batch": batch.code, **ext},
    )


def _where(tenant: Tenant, kind: str, code: str) -> dict[str, Any]:
    urn = ids.location_urn(tenant.slug, kind, code)
    return {"readPoint": {"id": urn}, "bizLocation": {"id": urn}}


def load(
    session: Session, trip_code: str, data: LoadCreate, *, actor: Actor
) -> TripLoad:
    """Put packed units of a batch on a trip that has not left yet."""
    t = actor.tenant_id
    tenant = tenants.get(session, t)
    trip = get_trip(session, t, trip_code, lock=True)
    if trip.status != "planned":
        raise Conflict(
            f"行程 {trip.code} 已出发，不能再装车",
            f"trip {trip.code} has left; nothing more can be loaded",
        )
    batch = batches.for_update(session, t, data.batch)
    if batch.status in FROZEN:
        raise Conflict(
            f"批次 {batch.code} 已被召回/冻结，不能发货",
            f"batch {batch.code} is recalled or on hold: it cannot be shipped",
            field="batch",
        )
    if batch.status not in SELLABLE:
        raise Conflict(
            f"批次 {batch.code} 当前不能发货（{batch.status}）",
            f"batch {batch.code} cannot be shipped ({batch.status})",
            field="batch",
        )
    when = chronology.check(
        Moment(data.at or utcnow(), "装车时间", "the loading time"),
        tz=tenant.timezone,
        field="at",
        not_before=[batches.batch_time(batch, "packed_at")],
    )
    left = kitchen_stock(session, batch)
    if data.quantity > left:
        raise Conflict(
            f"批次 {batch.code} 在厨房只剩 {left} 份"
            f"（包装 {batch.packed_quantity} 份），不能装 {data.quantity} 份",
            f"batch {batch.code} has only {left} left in the kitchen (packed "
            f"{batch.packed_quantity}); cannot load {data.quantity}",
            field="quantity",
        )
    row = session.scalar(
        select(TripLoad).where(
            TripLoad.tenant_id == t,
            TripLoad.trip_id == trip.id,
            TripLoad.batch_id == batch.id,
        )
    )
    if row is None:
        row = TripLoad(
            tenant_id=t,
            trip_id=trip.id,
            batch_id=batch.id,
            loaded=0,
            delivered=0,
            returned=0,
        )
        session.add(row)
    row.loaded += data.quantity
    session.flush()
    vehicle = session.get(Vehicle, (t, trip.vehicle_id))
    assert vehicle is not None
    _batch_event(
        session,
        tenant,
        batch,
        kind="loaded",
        biz_step="loading",
        disposition="in_transit",
        when=when,
        quantity=data.quantity,
        actor=actor,
        extra=_where(tenant, "vehicle", vehicle.code),
        ext={"trip": trip.code, "vehicle": vehicle.code},
    )
    return row


def _departed(trip: Trip) -> Moment:
    return Moment(
        trip.departed_at,
        f"行程 {trip.code} 的出发时间",
        f"trip {trip.code}'s departure time",
    )


def _last_loaded(session: Session, trip: Trip, loads: list[TripLoad]) -> Moment:
    """When the last load of the trip was put on the van (from the event log:
    a trip's load row adds its loads up and keeps no time)."""
    codes = session.scalars(
        select(Batch.code).where(
            Batch.tenant_id == trip.tenant_id,
            Batch.id.in_([row.batch_id for row in loads]),
        )
    ).all()
    rows = session.execute(
        select(Event.event_time, Event.body).where(
            Event.tenant_id == trip.tenant_id,
            Event.subject.in_([f"batch:{c}" for c in codes]),
            Event.kind == "loaded",
        )
    )
    when = chronology.latest(
        at for at, body in rows if body.get("bp:trip") == trip.code
    )
    return Moment(when, "最后一次装车时间", "the last loading time")


def loads_of(session: Session, trip: Trip) -> list[TripLoad]:
    return list(
        session.scalars(
            select(TripLoad).where(
                TripLoad.tenant_id == trip.tenant_id, TripLoad.trip_id == trip.id
            )
        )
    )


def depart(
    session: Session, trip_code: str, *, at: datetime | None, actor: Actor
) -> Trip:
    """The vehicle leaves the kitchen with what was loaded."""
    t = actor.tenant_id
    tenant = tenants.get(session, t)
    trip = get_trip(session, t, trip_code, lock=True)
    if trip.status != "planned":
        raise Conflict(f"行程 {trip.code} 已经出发过", f"trip {trip.code} already left")
    loads = loads_of(session, trip)
    if not loads:
        raise Conflict(
            f"行程 {trip.code} 还没有装货",
            f"trip {trip.code} carries nothing yet: load batches first",
        )
    trip.departed_at = chronology.check(
        Moment(at or utcnow(), "出发时间", "the departure time"),
        tz=tenant.timezone,
        field="at",
        not_before=[_last_loaded(session, trip, loads)],
    )
    trip.status = "departed"
    session.flush()
    vehicle = session.get(Vehicle, (t, trip.vehicle_id))
    assert vehicle is not None
    for row in loads:
        batch = session.get(Batch, (t, row.batch_id))
        assert batch is not None
        _batch_event(
            session,
            tenant,
            batch,
            kind="departed",
            biz_step="departing",
            disposition="in_transit",
            when=trip.departed_at,
            quantity=row.loaded,
            actor=actor,
            extra={
                **_where(tenant, "vehicle", vehicle.code),
                "sourceList": [
                    {"type": "location", "source": f"urn:bakeprint:{tenant.slug}"}
                ],
            },
            ext={"trip": trip.code, "vehicle": vehicle.code},
        )
    return trip


def deliver(
    session: Session, trip_code: str, data: DeliveryCreate, *, actor: Actor
) -> Delivery:
    """Drop units of a batch off at a point of sale."""
    t = actor.tenant_id
    tenant = tenants.get(session, t)
    trip = get_trip(session, t, trip_code, lock=True)
    if trip.status != "departed":
        raise Conflict(
            f"行程 {trip.code} 不在途中，不能送货",
            f"trip {trip.code} is not on the road; it cannot deliver",
        )
    pos = catalog.get(session, PointOfSale, t, data.point_of_sale)
    batch = batches.get(session, t, data.batch)
    if batch.status in FROZEN:
        raise Conflict(
            f"批次 {batch.code} 已被召回/冻结，不能送到门店，请带回厨房",
            f"batch {batch.code} is recalled or on hold: do not drop it off, "
            "bring it back to the kitchen",
            field="batch",
        )
    row = session.scalar(
        select(TripLoad)
        .where(
            TripLoad.tenant_id == t,
            TripLoad.trip_id == trip.id,
            TripLoad.batch_id == batch.id,
        )
        .with_for_update()
    )
    on_board = (row.loaded - row.delivered - row.returned) if row else 0
    if data.quantity > on_board:
        raise Conflict(
            f"车上只有批次 {batch.code} {on_board} 份，不能送 {data.quantity} 份",
            f"only {on_board} of batch {batch.code} are on board; cannot deliver "
            f"{data.quantity}",
            field="quantity",
        )
    assert row is not None
    when = chronology.check(
        Moment(data.at or utcnow(), "送达时间", "the delivery time"),
        tz=tenant.timezone,
        field="at",
        not_before=[_departed(trip)],
    )
    row.delivered += data.quantity
    delivery = Delivery(
        tenant_id=t,
        trip_id=trip.id,
        batch_id=batch.id,
        point_of_sale_id=pos.id,
        quantity=data.quantity,
        delivered_at=when,
        received=0,
    )
    session.add(delivery)
    session.flush()
    _batch_event(
        session,
        tenant,
        batch,
        kind="delivered",
        biz_step="arriving",
        disposition="in_transit",
        when=when,
        quantity=data.quantity,
        actor=actor,
        extra={
            **_where(tenant, "pos", pos.code),
            "destinationList": [
                {
                    "type": "location",
                    "destination": ids.location_urn(tenant.slug, "pos", pos.code),
                }
            ],
        },
        ext={
            "trip": trip.code,
            "point_of_sale": pos.code,
            "delivery": str(delivery.id),
        },
    )
    return delivery


def arrive(
    session: Session, trip_code: str, *, at: datetime | None, actor: Actor
) -> Trip:
    """Back at the kitchen: what was not delivered goes back into stock."""
    t = actor.tenant_id
    trip = get_trip(session, t, trip_code, lock=True)
    if trip.status != "departed":
        raise Conflict(
            f"行程 {trip.code} 不在途中", f"trip {trip.code} is not on the road"
        )
    last_drop = session.scalar(
        select(func.max(Delivery.delivered_at)).where(
            Delivery.tenant_id == t, Delivery.trip_id == trip.id
        )
    )
    when = chronology.check(
        Moment(at or utcnow(), "返回时间", "the time it was back"),
        tz=tenants.get(session, t).timezone,
        field="at",
        not_before=[
            _departed(trip),
            Moment(last_drop, "最后一次送达时间", "the last delivery's time"),
        ],
    )
    for row in loads_of(session, trip):
        row.returned = row.loaded - row.delivered
    trip.arrived_at = when
    trip.status = "arrived"
    session.flush()
    return trip


def cabin_sensor(session: Session, vehicle: Vehicle) -> Sensor:
    """The vehicle's cabin thermometer (registered on first use as <VAN>-T)."""
    from bakeprint.sensors import service as sensors

    found = [
        s
        for s in sensors.sensors_at(session, vehicle.tenant_id, "vehicle", vehicle.id)
        if s.kind == "temperature"
    ]
    if found:
        return found[0]
    sensor = Sensor(
        tenant_id=vehicle.tenant_id,
        code=f"{vehicle.code}-T",
        name=f"{vehicle.name} 车厢温度",
        kind="temperature",
        unit="°C",
        vehicle_id=vehicle.id,
    )
    session.add(sensor)
    session.flush()
    return sensor


def record_cabin(
    session: Session, vehicle_code: str, data: CabinReadings, *, actor: Actor
) -> int:
    """Store cabin temperatures through the sensor store; a reading already
    stored is kept once. Returns how many were new."""
    from bakeprint.sensors import service as sensors

    vehicle = catalog.get(session, Vehicle, actor.tenant_id, vehicle_code)
    sensor = cabin_sensor(session, vehicle)
    result = sensors.ingest(
        session,
        actor.tenant_id,
        [sensors.RawReading(sensor.code, r.at, r.temp_c, "°C") for r in data.readings],
        source="http",
    )
    if result.rejected:
        why = result.dead.summary(limit=1)[0]["example"]
        raise Invalid(
            f"有 {result.rejected} 条读数无法保存：{why}",
            f"{result.rejected} readings could not be stored: {why}",
            field="readings",
        )
    return result.accepted


def cabin_log(session: Session, trip: Trip) -> list[tuple[datetime, float]]:
    """The vehicle's cabin temperatures between departure and arrival."""
    from bakeprint.sensors import service as sensors

    if trip.departed_at is None:
        return []
    vehicle = session.get(Vehicle, (trip.tenant_id, trip.vehicle_id))
    assert vehicle is not None
    end = trip.arrived_at or utcnow()
    out: list[tuple[datetime, float]] = []
    for s in sensors.sensors_at(session, trip.tenant_id, "vehicle", vehicle.id):
        if s.kind == "temperature":
            out.extend(sensors.readings(session, s, trip.departed_at, end))
    return sorted(out)


def trips_of_batch(session: Session, batch: Batch) -> list[tuple[Trip, TripLoad]]:
    return [(leg.trip, leg.load) for leg in legs_of_batch(session, batch)]


@dataclass
class Leg:
    """One trip a batch went on: its load, the van, its last drop-off."""

    trip: Trip
    load: TripLoad
    vehicle: Vehicle
    last_drop: datetime | None


def legs_of_batch(session: Session, batch: Batch) -> list[Leg]:
    """The batch's trips in departure order, in one statement."""
    last_drop = (
        select(func.max(Delivery.delivered_at))
        .where(
            Delivery.tenant_id == Trip.tenant_id,
            Delivery.trip_id == Trip.id,
            Delivery.batch_id == batch.id,
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(Trip, TripLoad, Vehicle, last_drop)
        .join(
            TripLoad,
            (TripLoad.tenant_id == Trip.tenant_id) & (TripLoad.trip_id == Trip.id),
        )
        .join(
            Vehicle,
            (Vehicle.tenant_id == Trip.tenant_id) & (Vehicle.id == Trip.vehicle_id),
        )
        .where(TripLoad.tenant_id == batch.tenant_id, TripLoad.batch_id == batch.id)
        .order_by(Trip.departed_at)
    ).all()
    return [Leg(*row) for row in rows]


def drops(tenant_id: uuid.UUID) -> Any:
    """Deliveries with their trip, van and shop (callers add filters)."""
    return (
        select(Delivery, Trip, Vehicle, PointOfSale)
        .join(
            Trip, (Trip.tenant_id == Delivery.tenant_id) & (Trip.id == Delivery.trip_id)
        )
        .join(
            Vehicle,
            (Vehicle.tenant_id == Trip.tenant_id) & (Vehicle.id == Trip.vehicle_id),
        )
        .join(
            PointOfSale,
            (PointOfSale.tenant_id == Delivery.tenant_id)
            & (PointOfSale.id == Delivery.point_of_sale_id),
        )
        .where(Delivery.tenant_id == tenant_id)
    )
