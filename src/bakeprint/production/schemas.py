from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bakeprint.localtime import LocalDateTime


class BatchCreate(BaseModel):
    product_gtin: str = Field(description="GTIN of the product (8–14 digits).")
    variant: str | None = Field(default=None, description="Recipe variant, e.g. F1.")
    production_date: date | None = None
    session: Literal["AM", "PM"] | None = None
    planned_quantity: int = Field(ge=1, le=10000)
    location: str | None = Field(default=None, description="Production location code.")
    operators: list[str] = Field(
        min_length=1, description="Operator codes; the first is the main operator."
    )
    equipment: list[str] = Field(default_factory=list)
    started_at: AwareDatetime | None = None
    notes: str = Field(default="", max_length=2000)


class BakeCreate(BaseModel):
    actual_temp_c: float = Field(ge=0, le=400)
    actual_minutes: float = Field(gt=0, le=600)
    equipment: str | None = None
    recorded_at: AwareDatetime | None = None
    source: Literal["manual", "oven"] = "manual"


class MoveCreate(BaseModel):
    location: str = Field(description="Where the batch now waits, e.g. COLD-1.")
    at: AwareDatetime | None = None


class BatchInputCreate(BaseModel):
    batch: str = Field(description="The intermediate batch used, e.g. a filling.")
    quantity: float = Field(gt=0, le=100000, description="Portions of it used.")
    recorded_at: AwareDatetime | None = None


class ConsumptionCreate(BaseModel):
    lot: str = Field(description="Material lot code, e.g. RM-20251202-003.")
    quantity: float = Field(gt=0, le=100000)
    unit: str | None = None
    recorded_at: AwareDatetime | None = None


class ConsumptionCorrect(BaseModel):
    quantity: float = Field(ge=0, le=100000, description="The right quantity.")
    reason: str = Field(min_length=1, max_length=500)


class BatchComplete(BaseModel):
    produced_quantity: int = Field(ge=0, le=10000)
    ended_at: AwareDatetime | None = None


class PackCreate(BaseModel):
    quantity: int = Field(ge=1, le=10000)
    packed_at: AwareDatetime | None = None


class BakeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    equipment: str | None = None
    target_temp_c: float | None
    actual_temp_c: float
    temp_deviation_c: float | None = None
    target_minutes: float | None
    actual_minutes: float
    minutes_deviation: float | None = None
    within_tolerance: bool
    source: str
    recorded_at: LocalDateTime


class ConsumptionRead(BaseModel):
    id: uuid.UUID
    lot: str
    material: str
    material_code: str
    supplier: str
    supplier_code: str
    supplier_lot: str
    lot_qc_result: str
    lot_received_at: LocalDateTime
    quantity: float
    unit: str
    recorded_at: LocalDateTime
    warning: str
    corrects_id: uuid.UUID | None
    superseded: bool


class CheckpointRead(BaseModel):
    id: uuid.UUID
    stage: str
    passed: bool
    notes: str
    inspector: str | None
    checked_at: LocalDateTime
    corrects_id: uuid.UUID | None
    superseded: bool


class BatchSummary(BaseModel):
    code: str
    product_gtin: str
    product: str
    line: str
    production_date: date
    session: str
    status: str
    planned_quantity: int
    produced_quantity: int | None
    packed_quantity: int | None
    started_at: LocalDateTime
    needs_attention: bool
    sampling_rate: float


class BatchRead(BatchSummary):
    product_en: str
    category: str
    variant: str | None
    location: str | None
    operators: list[dict[str, str]]
    equipment: list[dict[str, str]]
    ended_at: LocalDateTime | None
    packed_at: LocalDateTime | None
    best_before: date | None
    target_oven_temp_c: float | None
    target_bake_minutes: float | None
    bakes: list[BakeRead]
    consumptions: list[ConsumptionRead]
    checkpoints: list[CheckpointRead]
    warnings: list[str]
    notes: str


class ConsumptionResult(BaseModel):
    id: uuid.UUID
    batch: str
    lot: str
    quantity: float
    unit: str
    lot_remaining: float
    warning: str
