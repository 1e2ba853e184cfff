from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from bakeprint.localtime import LocalDateTime


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    event_id: str
    event_type: str
    kind: str
    biz_step: str | None
    event_time: LocalDateTime
    event_tz: str
    record_time: LocalDateTime
    subject: str
    actor: str | None
    corrects_seq: int | None
    body: dict[str, Any]
    prev_hash: str
    hash: str


class EventPage(BaseModel):
    items: list[EventRead]
    next_after: int | None


class VerifyReport(BaseModel):
    ok: bool
    events_checked: int
    head_seq: int
    head_hash: str
    problems: list[dict[str, Any]]
