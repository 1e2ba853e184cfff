"""A trip as the API, the pages and the CLI show it (no FastAPI here: the
CLI imports it)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import PointOfSale, Vehicle
from bakeprint.logistics import repository as trips
from bakeprint.logistics import service as logistics
from bakeprint.logistics.models import Trip
from bakeprint.logistics.schemas import TripRead
from bakeprint.production import repository as batches


def trip_read(session: Session, trip: Trip) -> TripRead:
    t = trip.tenant_id
    vehicle = catalog.by_id(session, Vehicle, t, trip.vehicle_id)
    loads_of = logistics.loads_of(session, trip)
    drops_of = trips.drops_of_trip(session, trip)
    codes = batches.codes_by_id(
        session, t, {r.batch_id for r in loads_of} | {d.batch_id for d in drops_of}
    )
    shops = catalog.by_ids(
        session, PointOfSale, t, {d.point_of_sale_id for d in drops_of}
    )
    loads = []
    for row in loads_of:
        loads.append(
            {
                "batch": codes.get(row.batch_id, "?"),
                "loaded": row.loaded,
                "delivered": row.delivered,
                "returned": row.returned,
            }
        )
    drops = []
    for d in drops_of:
        pos = shops.get(d.point_of_sale_id)
        drops.append(
            {
                "id": str(d.id),
                "point_of_sale": pos.code if pos else "?",
                "point_of_sale_name": pos.name if pos else "?",
                "batch": codes.get(d.batch_id, "?"),
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
