"""HTTP API: trips, loading, departure, deliveries, cabin temperatures."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel

from bakeprint.deps import CanRead, CanWriteLogistics, SessionDep
from bakeprint.logistics import service as logistics
from bakeprint.logistics.schemas import (
    CabinReadings,
    DeliveryCreate,
    LoadCreate,
    TripCreate,
    TripRead,
    When,
)
from bakeprint.logistics.views import trip_read

router = APIRouter(tags=["logistics"])


@router.post("/trips", response_model=TripRead, status_code=201)
def create(data: TripCreate, session: SessionDep, actor: CanWriteLogistics) -> TripRead:
    """Plan a trip for a vehicle."""
    return trip_read(session, logistics.create_trip(session, data, actor=actor))


@router.get("/trips", response_model=list[TripRead])
def index(
    session: SessionDep,
    actor: CanRead,
    status: str | None = None,
    vehicle: str | None = None,
    limit: int = Query(50, ge=1, le=500),
) -> list[TripRead]:
    """Trips, newest first; filter by status (planned, departed, arrived) or vehicle."""
    trips = logistics.list_trips(
        session, actor.tenant_id, status=status, vehicle=vehicle, limit=limit
    )
    return [trip_read(session, t) for t in trips]


@router.get("/trips/{code}", response_model=TripRead)
def get(code: str, session: SessionDep, actor: CanRead) -> TripRead:
    """A trip with its loads, drops and cabin temperature log."""
    return trip_read(session, logistics.get_trip(session, actor.tenant_id, code))


@router.post("/trips/{code}/loads", response_model=TripRead, status_code=201)
def load(
    code: str, data: LoadCreate, session: SessionDep, actor: CanWriteLogistics
) -> TripRead:
    """Load packed units of a batch (refused beyond what is in the kitchen)."""
    logistics.load(session, code, data, actor=actor)
    return trip_read(session, logistics.get_trip(session, actor.tenant_id, code))


@router.post("/trips/{code}/depart", response_model=TripRead)
def depart(
    code: str, data: When, session: SessionDep, actor: CanWriteLogistics
) -> TripRead:
    """The vehicle leaves the kitchen."""
    return trip_read(session, logistics.depart(session, code, at=data.at, actor=actor))


class DeliveryRead(BaseModel):
    id: str
    trip: str
    point_of_sale: str
    batch: str
    quantity: int


@router.post("/trips/{code}/deliveries", response_model=DeliveryRead, status_code=201)
def deliver(
    code: str, data: DeliveryCreate, session: SessionDep, actor: CanWriteLogistics
) -> DeliveryRead:
    """Drop units of a batch off at a point of sale."""
    d = logistics.deliver(session, code, data, actor=actor)
    return DeliveryRead(
        id=str(d.id),
        trip=code,
        point_of_sale=data.point_of_sale,
        batch=data.batch,
        quantity=d.quantity,
    )


@router.post("/trips/{code}/arrive", response_model=TripRead)
def arrive(
    code: str, data: When, session: SessionDep, actor: CanWriteLogistics
) -> TripRead:
    """Back at the kitchen; undelivered units return to stock."""
    return trip_read(session, logistics.arrive(session, code, at=data.at, actor=actor))


@router.post("/vehicles/{code}/cabin-readings")
def cabin(
    code: str, data: CabinReadings, session: SessionDep, actor: CanWriteLogistics
) -> dict[str, int]:
    """Upload cabin temperatures (a reading sent twice is stored once)."""
    stored = logistics.record_cabin(session, code, data, actor=actor)
    return {"received": len(data.readings), "stored": stored}
