from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from bakeprint.localtime import LocalDateTime

QcResult = Literal["pass", "borderline", "fail"]
UNITS = ("kg", "g", "L", "mL", "pcs")


class LotCreate(BaseModel):
    material: str = Field(description="Material type code, e.g. SAKURA-P.")
    supplier: str = Field(description="Supplier code, e.g. B.")
    supplier_lot: str = Field(min_length=1, max_length=60)
    received_at: AwareDatetime | None = None
    quantity: float = Field(gt=0, le=1_000_000)
    unit: str | None = Field(default=None, description="kg, g, L, mL or pcs.")
    expires_on: date
    qc_result: QcResult
    quality_score: int = Field(ge=0, le=100)
    qc_report_file_id: uuid.UUID | None = None
    location: str | None = None
    notes: str = Field(default="", max_length=2000)


class LotRegrade(BaseModel):
    qc_result: QcResult
    quality_score: int = Field(ge=0, le=100)
    reason: str = Field(min_length=1, max_length=500)


class LotRead(BaseModel):
    code: str
    material_code: str
    material: str
    material_en: str
    short_life: bool
    supplier_code: str
    supplier: str
    supplier_lot: str
    received_at: LocalDateTime
    quantity: float
    unit: str
    consumed: float
    remaining: float
    expires_on: date
    days_to_expiry: int
    qc_result: str
    quality_score: int
    qc_report_file_id: uuid.UUID | None
    qc_report_sha256: str | None
    location: str | None
    notes: str
    quarantined: bool
    batches: list[str] = []
