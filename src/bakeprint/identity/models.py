"""Tenants (bakeries), users with roles, hashed API tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from bakeprint.db import Base, TenantScoped, UTCDateTime, new_id, tenant_fk, utcnow

ROLES = ("owner", "production", "qc", "logistics", "store", "supplier", "auditor")


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    # Usage tier by number of batches per month (R5.5): free / small / pro.
    tier: Mapped[str] = mapped_column(String(20), default="small")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(TenantScoped, Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("tenant_id", "username"),)

    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # A supplier-role user acts for exactly one supplier.
    supplier_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    # A store-role user works for one point of sale and acts only there (one
    # without a shop may not act at any: retail.service.shop). Set only
    # through identity.admin, which finds the shop in the user's own bakery
    # (a foreign key would make SQLite rebuild `users`, which others reference).
    point_of_sale_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ApiToken(TenantScoped, Base):
    __tablename__ = "api_tokens"
    __table_args__ = (
        UniqueConstraint("tenant_id", "token_hash"),
        tenant_fk("user_id", "users"),
        tenant_fk("parent_id", "api_tokens"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(String(100))
    # Only the SHA-256 of the secret is stored; the secret is shown once.
    token_hash: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The token that issued this one through the API: it never outlives nor
    # outranks it (checked on every request along the chain).
    parent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    # Narrower than the user's roles when set (the token acts with both).
    roles: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)


class WebSession(TenantScoped, Base):
    """A web login. The cookie carries a random secret; only its SHA-256 is
    kept, and a row revoked or past its end no longer logs anyone in."""

    __tablename__ = "web_sessions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "token_hash"),
        tenant_fk("user_id", "users"),
        Index("ix_web_sessions_user", "tenant_id", "user_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LoginFailure(Base):
    """Failed logins in a row per account name (existing or not, so that the
    answer never tells which names exist), and until when it must wait."""

    __tablename__ = "login_failures"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SecurityEvent(TenantScoped, Base):
    """Who issued or revoked a token, created, changed or deactivated a user.
    Append-only, and kept apart from the EPCIS event log: that log is shared
    with partners, and account administration is no supply-chain event."""

    __tablename__ = "security_events"
    __table_args__ = (Index("ix_security_events_time", "tenant_id", "created_at"),)

    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
