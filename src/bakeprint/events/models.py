"""The append-only, hash-chained event log.

Each row is one EPCIS 2.0 event (``body`` is its JSON form without eventID and
hash, so the interop layer exports it as it is) plus bakeprint's own columns:
who recorded it, which subject it is about, and which earlier event it corrects.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from bakeprint.db import Base, UTCDateTime

MAX_SEQ = 2**63 - 1  # the largest BIGINT: a sequence number beyond it is refused


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "event_id"),
        # a subject's events, and by kind with their times without reading the
        # rows (a batch's last sale: an index-only scan)
        Index("ix_events_tenant_subject", "tenant_id", "subject", "kind", "event_time"),
        Index("ix_events_tenant_time", "tenant_id", "event_time"),
        Index("ix_events_tenant_bizstep", "tenant_id", "biz_step"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    # Position in the tenant's chain, 1, 2, 3… without gaps.
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(200))  # a URI, ours or a partner's
    event_type: Mapped[str] = mapped_column(String(40))
    action: Mapped[str | None] = mapped_column(String(10), nullable=True)
    biz_step: Mapped[str | None] = mapped_column(String(200), nullable=True)
    event_time: Mapped[datetime] = mapped_column(UTCDateTime)
    event_tz: Mapped[str] = mapped_column(String(6))
    record_time: Mapped[datetime] = mapped_column(UTCDateTime)
    # e.g. "batch:251203-SS-PM-002", "lot:RM-20260302-003"
    subject: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40))  # bakeprint's name: intake, consume…
    actor: Mapped[str | None] = mapped_column(String(120), nullable=True)
    corrects_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ChainHead(Base):
    """Last sequence number and hash per tenant; its row lock serialises appends."""

    __tablename__ = "event_chain_heads"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class TenantKey(Base):
    """A bakery's Ed25519 signing key for its daily anchors. The private key
    is stored encrypted (AES-GCM, key derived from the server's secret)."""

    __tablename__ = "tenant_keys"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    key_id: Mapped[str] = mapped_column(String(16))
    public_key: Mapped[str] = mapped_column(String(64))  # raw 32 bytes, hex
    private_key: Mapped[str] = mapped_column(String(200))  # nonce+ciphertext, hex
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DailyAnchor(Base):
    """The Merkle root of one day's event hashes, signed (R6.3)."""

    __tablename__ = "daily_anchors"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    events: Mapped[int] = mapped_column(BigInteger)
    first_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    root: Mapped[str] = mapped_column(String(64))
    statement: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
