from __future__ import annotations

import uuid

from pydantic import AwareDatetime, BaseModel, Field

from bakeprint.localtime import LocalDateTime


class ReceiptCreate(BaseModel):
    delivery_id: uuid.UUID
    quantity: int = Field(ge=1, le=10000)
    receiver: str = Field(default="", max_length=64)
    at: AwareDatetime | None = None


class ShelfCreate(BaseModel):
    batch: str
    at: AwareDatetime | None = None


class SaleCreate(BaseModel):
    batch: str | None = Field(default=None, description="Batch code (with quantity).")
    quantity: int = Field(default=1, ge=1, le=10000)
    unit: str | None = Field(
        default=None,
        description="A scanned unit: its Digital Link URI or serial (quantity 1).",
    )
    at: AwareDatetime | None = None


class RemovalCreate(BaseModel):
    batch: str
    quantity: int = Field(ge=1, le=10000)
    reason: str = Field(min_length=1, max_length=500)
    at: AwareDatetime | None = None


class StockRead(BaseModel):
    point_of_sale: str
    batch: str
    product: str
    best_before: str | None
    delivered: int
    awaiting_receipt: int
    received: int
    on_shelf: int
    sold: int
    wasted: int
    returned: int
    received_at: LocalDateTime | None
    shelved_at: LocalDateTime | None
