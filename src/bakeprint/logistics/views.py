"""A trip as the API, the pages and the CLI show it (no FastAPI here: the
CLI imports it)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import PointOfSale, Vehicle
from bakeprint.logistics import service as logistics
from bakeprint.logistics.models import Delivery, Trip
from bakeprint.logistics.schemas import TripRead
from bakeprint.production.models import Batch


def trip_read(session: Session, trip: Trip) -> TripRead:
    t = trip.tenant_id
    vehicle = session.get(Vehicle, (t, trip.vehicle_id))
    assert vehicle is not None
    loads = []
    for row in logistics.loads_of(session, trip):
        batch = session.get(Batch, (t, row.batch_id))
        loads.append(
            {
                "batch": batch.code if batch else "?",
                "loaded": row.loaded,
                "delivered": row.delivered,
                "returned": row.returned,
            }
        )
    drops = []
    for d in session.scalars(
        select(Delivery)
        .where(Delivery.tenant_id == t, Delivery.trip_id == trip.id)
        .order_by(Delivery.delivered_at)
    ):
        pos = session.get(PointOfSale, (t, d.point_of_sale_id))
        batch = session.get(Batch, (t, d.batch_id))
        drops.append(
            {
                "id": str(d.id),
                "point_of_sale": pos.code if pos else "?",
                "point_of_sale_name": pos.name if pos else "?",
                "batch": batch.code if batch else "?",
                "quantity": d.quantity,
                "received": d.received,
                "delivered_at": d.delivered_at,
            }
        )
    log = logistics.cabin_log(session, trip)
    temps = [v for _, v in log]
    cabin: dict[str, object] = {
        "readings": len(log),
        "min_c": min(temps) if temps else None,
        "max_c": max(temps) if temps else None,
        "mean_c": round(sum(temps) / len(temps), 2) if temps else None,
        "series": [{"at": t, "temp_c": v} for t, v in log],
    }
    return TripRead(
        code=trip.code,
        vehicle=vehicle.code,
        vehicle_name=vehicle.name,
        status=trip.status,
        planned_departure=trip.planned_departure,
        planned_arrival=trip.planned_arrival,
        departed_at=trip.departed_at,
        arrived_at=trip.arrived_at,
        loads=loads,
        deliveries=drops,
        cabin=cabin,
    )
