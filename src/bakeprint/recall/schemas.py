"""The answers of the recall domain, section by section: where a recall
stands (its batches, its shops, its notices, the sales after it, its
effectiveness) and its report. Typed to the leaf, so the OpenAPI document
describes every field; times are ``LocalDateTime``."""

from __future__ import annotations

from pydantic import BaseModel

from bakeprint.localtime import LocalDateTime
from bakeprint.trace.schemas import CriteriaEcho, Reason, ScopeResult


class RecalledBatch(BaseModel):
    batch: str
    status_before: str
    status: str
    reasons: list[Reason]
    on_shelf_at_notice: int
    in_kitchen_at_notice: int
    sold_before_notice: int


class RecallShopRead(BaseModel):
    """One shop and one batch: on shelf at notice, pulled, still there."""

    point_of_sale: str
    name: str
    batch: str
    on_shelf_at_notice: int
    awaiting_at_notice: int
    pulled: int
    on_shelf_now: int
    confirmed_at: LocalDateTime | None
    confirmed_by: str | None


class NoticeRead(BaseModel):
    """A shop's notice and its delivery (``state``: delivered, pending,
    failed, shop_page_only)."""

    point_of_sale: str
    attempts: int
    delivered_at: LocalDateTime | None
    next_attempt_at: LocalDateTime | None
    last_error: str
    state: str


class LateSale(BaseModel):
    """A sale of a recalled batch recorded after the notice."""

    batch: str
    at: LocalDateTime
    point_of_sale: str
    seq: int


class Effectiveness(BaseModel):
    on_shelf_at_notice: int
    pulled: int
    rate: float  # pulled / on shelf at notice (1.0 when nothing was)
    shops_confirmed: int
    shops: int


class RecallStatus(BaseModel):
    code: str
    level: int
    reason: str
    status: str  # draft, open, closed, discarded
    criteria: CriteriaEcho
    opened_at: LocalDateTime
    opened_by: str
    closed_at: LocalDateTime | None
    closed_by: str | None
    closing_note: str
    # a draft freezes nothing yet: what launching it now would reach
    draft_scope: ScopeResult | None
    batches: list[RecalledBatch]
    shops: list[RecallShopRead]
    notices: list[NoticeRead]
    sales_after_notice: list[LateSale]
    effectiveness: Effectiveness


class RecallLogHead(BaseModel):
    head_seq: int
    head_hash: str


class RecallReport(RecallStatus):
    """The status, stamped with when, by whom and from which event-log head
    it was generated."""

    generated_at: LocalDateTime
    generated_by: str
    log: RecallLogHead
