"""The answers of the trace domain, section by section: the trace report of a
batch and the impact scope. Typed to the leaf, so the OpenAPI document
describes every field and a client can be generated from it; times are
``LocalDateTime`` (the bakery's zone, with its offset)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import (
    AliasChoices,
    BaseModel,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from bakeprint.localtime import LocalDateTime
from bakeprint.production.schemas import BakeRead, CheckpointRead
from bakeprint.retail.schemas import StockRead
from bakeprint.shelflife.schemas import ShelfLifeRead

# -- the trace report ---------------------------------------------------------


class Anomaly(BaseModel):
    section: str  # materials, production, qc, environment, distribution
    level: int  # 1 minor … 3 hazard
    zh: str
    en: str


class UnitStateRead(BaseModel):
    """What is known of the unit asked about: its own scan, or the batch's
    counts."""

    status: str
    scanned: bool
    at: LocalDateTime | None
    point_of_sale: str | None
    zh: str
    en: str


class Material(BaseModel):
    lot: str
    material: str
    material_en: str
    short_life: bool
    supplier: str
    supplier_code: str
    supplier_lot: str
    received_at: LocalDateTime
    expires_on: str
    qc_result: str
    quality_score: int
    qc_report_sha256: str | None
    quantity: float
    unit: str
    via: str | None = None  # the intermediate batch it came through


class OperatorRef(BaseModel):
    code: str
    name: str
    role: str


class EquipmentRef(BaseModel):
    code: str
    name: str


class Production(BaseModel):
    started_at: LocalDateTime
    ended_at: LocalDateTime | None
    packed_at: LocalDateTime | None
    location: str | None
    variant: str | None
    operators: list[OperatorRef]
    equipment: list[EquipmentRef]
    target_oven_temp_c: float | None
    target_bake_minutes: float | None
    bakes: list[BakeRead]
    planned_quantity: int
    produced_quantity: int | None
    packed_quantity: int | None


class ExcursionRead(BaseModel):
    start: LocalDateTime
    end: LocalDateTime | None  # None: still outside
    peak: float
    low: float | None
    high: float | None
    beyond_pct: float
    minutes: float
    level: int


class SensorSummaryRead(BaseModel):
    """One sensor over one place's stay, against its allowed range."""

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
    excursions: list[ExcursionRead]


class SegmentRead(BaseModel):
    """One place the batch was, while it was there."""

    stage: str  # production, kitchen, trip, shop
    place_kind: str
    place: str
    place_name: str
    start: LocalDateTime
    end: LocalDateTime
    ref: str  # the trip code for a trip
    sensors: list[SensorSummaryRead]


class AlertDuring(BaseModel):
    """An environment alert raised while the batch was at that place."""

    id: uuid.UUID
    sensor: str
    place: str
    category: str | None
    level: int
    started_at: LocalDateTime
    ended_at: LocalDateTime | None
    minutes: float
    peak: float
    low: float | None
    high: float | None
    beyond_pct: float
    status: str
    acknowledged_by: str | None
    acknowledged_at: LocalDateTime | None


class Drop(BaseModel):
    point_of_sale: str
    point_of_sale_name: str
    quantity: int
    delivered_at: LocalDateTime
    received: int


class TripRead(BaseModel):
    trip: str
    vehicle: str
    vehicle_name: str
    driver: str
    status: str
    departed_at: LocalDateTime | None
    arrived_at: LocalDateTime | None
    loaded: int
    delivered: int
    returned: int
    drops: list[Drop]
    cabin: list[SensorSummaryRead]


class Counts(BaseModel):
    packed: int
    delivered: int
    sold: int
    on_shelf: int
    wasted: int
    returned: int


class LogHead(BaseModel):
    """The event-log head the report was built from."""

    head_seq: int
    head_hash: str
    batch_events: int


class TraceReport(BaseModel):
    query: str
    unit: str | None
    # what is known of that unit: its own scan, or the batch's counts
    unit_state: UnitStateRead | None = None
    batch: str
    product: str
    product_en: str
    gtin: str
    category: str
    allergens: list[str]
    made_on: str
    session: str
    best_before: str | None
    status: str
    anomalies: list[Anomaly]
    materials: list[Material]
    production: Production
    qc: list[CheckpointRead]
    environment: list[SegmentRead]
    alerts: list[AlertDuring]
    distribution: list[TripRead]
    points_of_sale: list[StockRead]
    kitchen_stock: int | None
    # the predicted best-before beside the printed one, with why (R3.3)
    shelf_life: ShelfLifeRead | None = None
    counts: Counts
    generated_at: LocalDateTime
    generated_by: str
    log: LogHead
    # the environment as computed (with readings when asked), for charts
    segments: list[Any] = Field(default_factory=list, exclude=True)


# -- the impact scope ---------------------------------------------------------


class Criteria(BaseModel):
    batch: str | None = None  # just this batch (a complaint about it)
    lot: str | None = None
    supplier: str | None = None
    # production dates, inclusive; `from`/`to` as GET /scope and the page name them
    start: date | None = Field(None, validation_alias=AliasChoices("start", "from"))
    end: date | None = Field(None, validation_alias=AliasChoices("end", "to"))
    session: str | None = None  # 251203-PM
    equipment: str | None = None
    operator: str | None = None
    trip: str | None = None
    location: str | None = None
    # a time window at the location; echoed in the answer's criteria
    at_from: LocalDateTime | None = None
    at_to: LocalDateTime | None = None


class CriteriaEcho(Criteria):
    """The criteria a scope was asked by, as given: only the ones given."""

    @model_serializer(mode="wrap")
    def _given(self, handler: SerializerFunctionWrapHandler):
        # no return annotation: the JSON schema stays the model's own fields
        return {k: v for k, v in handler(self).items() if v is not None}


class Reason(BaseModel):
    """Why a batch is in a scope, in both languages."""

    zh: str
    en: str


class ShopCount(BaseModel):
    point_of_sale: str
    name: str
    delivered: int
    received: int
    sold: int
    on_shelf: int
    wasted: int
    returned: int


class AffectedBatch(BaseModel):
    batch: str
    product: str
    made_on: date
    session: str
    status: str
    best_before: date | None
    reasons: list[Reason]
    packed: int
    in_kitchen: int
    delivered: int
    sold: int
    on_shelf: int
    shops: list[ShopCount]


class ScopeTotals(BaseModel):
    batches: int
    packed: int
    in_kitchen: int
    delivered: int
    sold: int
    on_shelf: int
    points_of_sale: int


class ScopeResult(BaseModel):
    criteria: CriteriaEcho
    batches: list[AffectedBatch]
    shops: list[ShopCount]  # per point of sale, over every affected batch
    totals: ScopeTotals
