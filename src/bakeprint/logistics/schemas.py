from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, Field

from bakeprint.localtime import LocalDateTime, Localised


class TripCreate(BaseModel):
    vehicle: str = Field(description="Vehicle code, e.g. VAN-2.")
    driver: str = Field(default="", max_length=64)
    planned_departure: AwareDatetime | None = None
    planned_arrival: AwareDatetime | None = None
    notes: str = Field(default="", max_length=2000)


class LoadCreate(BaseModel):
    batch: str
    quantity: int = Field(ge=1, le=10000)
    at: AwareDatetime | None = Field(
        default=None, description="When it was loaded (default: now)."
    )


class When(BaseModel):
    at: AwareDatetime | None = None


class DeliveryCreate(BaseModel):
    point_of_sale: str
    batch: str
    quantity: int = Field(ge=1, le=10000)
    at: AwareDatetime | None = None


class CabinReadingIn(BaseModel):
    at: AwareDatetime
    temp_c: float = Field(ge=-40, le=80)


class CabinReadings(BaseModel):
    readings: list[CabinReadingIn] = Field(min_length=1, max_length=10000)


class TripRead(BaseModel):
    code: str
    vehicle: str
    vehicle_name: str
    status: str
    planned_departure: LocalDateTime | None
    planned_arrival: LocalDateTime | None
    departed_at: LocalDateTime | None
    arrived_at: LocalDateTime | None
    loads: list[dict[str, object]]
    deliveries: Localised[list[dict[str, object]]]
    cabin: Localised[dict[str, object]]
