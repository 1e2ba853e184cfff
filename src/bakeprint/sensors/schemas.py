"""API shapes for sensors, ranges, readings, dead letters and alerts."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from bakeprint.localtime import LocalDateTime

Kind = Literal["temperature", "humidity"]
Place = Literal["location", "vehicle", "point_of_sale"]


class SensorCreate(BaseModel):
    code: str = Field(min_length=1, max_length=40, description="e.g. HALL-1-RH")
    kind: Kind
    place_kind: Place
    place: str = Field(description="Code of the location, vehicle or point of sale.")
    name: str = Field(default="", max_length=100)


class SensorRead(BaseModel):
    code: str
    name: str
    kind: str
    unit: str
    place_kind: str
    place: str
    active: bool


class RangeCreate(BaseModel):
    kind: Kind
    place_kind: Literal["location", "vehicle", "point_of_sale", "category"]
    place: str = Field(description="Place code, or the product category (酥皮类).")
    low: float | None = None
    high: float | None = None
    valid_from: AwareDatetime | None = None
    reason: str = Field(default="", max_length=500)


class RangeRead(BaseModel):
    id: uuid.UUID
    kind: str
    place_kind: str
    place: str
    low: float | None
    high: float | None
    valid_from: LocalDateTime
    valid_to: LocalDateTime | None
    set_by: str
    reason: str


class RejectedRead(BaseModel):
    sensor: str
    reason: str
    count: int
    example: str = Field(description="What was wrong with the first of them.")


class IngestRead(BaseModel):
    accepted: int
    duplicates: int
    rejected: int = Field(description="Readings refused: each is a dead letter.")
    dead_letter_groups: int = Field(
        description="Dead-letter rows they were counted in (one per sensor and reason)."
    )
    reasons: list[RejectedRead] = Field(description="The largest groups (50 at most).")


class DeadLetterExample(BaseModel):
    source: str
    payload: str
    detail: str


class DeadLetterRead(BaseModel):
    """Readings of one sensor refused for one reason."""

    id: uuid.UUID
    sensor: str
    reason: str
    count: int
    first_seen: LocalDateTime
    last_seen: LocalDateTime
    first: DeadLetterExample
    last: DeadLetterExample


class AlertRead(BaseModel):
    id: uuid.UUID
    sensor: str
    place_kind: str  # location, vehicle, point_of_sale
    place: str
    category: str | None  # the product category whose range it left, if any
    kind: str
    level: int
    started_at: LocalDateTime
    ended_at: LocalDateTime | None
    minutes: float  # how long outside
    peak: float
    low: float | None
    high: float | None
    beyond_pct: float
    batches: list[str]  # the batches there during the excursion
    status: str
    acknowledged_by: str | None
    acknowledged_at: LocalDateTime | None
    note: str


class AckCreate(BaseModel):
    note: str = Field(default="", max_length=1000)
