"""Bakery (tenant) and user queries."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.errors import NotFound
from bakeprint.identity.models import Tenant, User


def get(session: Session, tenant_id: uuid.UUID) -> Tenant:
    """The bakery a signed-in actor or a stored row belongs to (the one tenant
    helper: services, pages and the CLI all read a bakery through it)."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:  # only when the bakery was removed under the caller
        raise NotFound("找不到该店铺", "bakery not found")
    return tenant


def by_slug(session: Session, slug: str) -> Tenant | None:
    return session.scalar(select(Tenant).where(Tenant.slug == slug))


def all_(session: Session, *, limit: int | None = None) -> list[Tenant]:
    """The database's bakeries by code (``limit``: at most that many)."""
    return list(session.scalars(select(Tenant).order_by(Tenant.slug).limit(limit)))


def users(session: Session, tenant_id: uuid.UUID) -> list[User]:
    """The bakery's users, by user name."""
    return list(
        session.scalars(
            select(User).where(User.tenant_id == tenant_id).order_by(User.username)
        )
    )


def user(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> User:
    row = session.get(User, (tenant_id, user_id))
    if row is None:
        raise NotFound("找不到该用户", "user not found")
    return row


def active_users(
    session: Session, tenant_id: uuid.UUID, *, username: str | None = None
) -> list[User]:
    """The bakery's active users, oldest account first (``username``: just
    that one, if active)."""
    stmt = select(User).where(User.tenant_id == tenant_id, User.active.is_(True))
    if username:
        stmt = stmt.where(User.username == username)
    return list(session.scalars(stmt.order_by(User.created_at)))
