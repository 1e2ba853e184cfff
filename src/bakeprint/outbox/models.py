"""The transactional outbox: a notice (an alert to a role, a recall to a
shop's webhook, a complaint to QC) is written in the same transaction as the
fact it announces and delivered, with retries, by a dispatcher afterwards
(``bakeprint outbox dispatch``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bakeprint.db import Base, TenantScoped, UTCDateTime


class OutboxMessage(TenantScoped, Base):
    """Transactional outbox: written in the same transaction as the fact it
    announces, delivered (and retried) by a dispatcher afterwards."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_pending", "tenant_id", "delivered_at", "available_at"),
        Index("ix_outbox_ref", "tenant_id", "topic", "ref"),
    )

    topic: Mapped[str] = mapped_column(String(40))  # alert.level1, recall.notice
    ref: Mapped[str | None] = mapped_column(String(60), nullable=True)  # RC-251203-01
    recipient: Mapped[str] = mapped_column(String(200))  # role:production, url
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
