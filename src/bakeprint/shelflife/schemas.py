"""Shelf-life API shapes (R3.3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bakeprint.localtime import LocalDateTime


class ReasonRead(BaseModel):
    factor: str
    days: float
    zh: str
    en: str


class ShelfLifeRead(BaseModel):
    """A batch's prediction: the model's days, the effective days (never
    more than the product's standard), the best-before it gives beside the
    printed one, and why."""

    batch: str
    category: str
    params_version: int
    packaging: str
    standard_days: int
    model_days: float
    effective_days: float
    printed_best_before: dt.date | None
    best_before: dt.date
    shortened: bool
    reasons: list[ReasonRead]
    predicted_at: LocalDateTime | None = None  # None: live, not stored


class ParamsRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    category: str
    version: int
    params: dict[str, Any]
    note: str = ""
    set_by: str = ""
    created_at: LocalDateTime | None = None


class ParamsUpdate(BaseModel):
    """Parameters to change (the rest stay as in the current version)."""

    params: dict[str, Any] = Field(
        description='e.g. {"k_hall_per_pct": 0.02, "packaging": {"improved": 0.7}}'
    )
    note: str = Field(default="", max_length=200)


class PackagingUpdate(BaseModel):
    packaging: str = Field(description="standard, improved or open.")


class FefoRead(BaseModel):
    batch: str
    product_zh: str
    product_en: str
    on_shelf: int
    printed_best_before: dt.date | None
    best_before: dt.date
    remaining_days: float
    action: str = Field(description="pull, discount or sell.")
    reasons: list[ReasonRead]
