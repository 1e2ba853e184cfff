"""Web logins kept on the server, so that they can be ended.

The signed cookie holds the login's random secret; the ``web_sessions`` row
holds only its SHA-256, the user and when the login ends. A request is let in
only while its row is there, unrevoked and not past its end: logging out ends
this login, changing a password ends the user's other logins, deactivating a
user ends all of them — at once, on every worker, whatever the browser kept.

A row per login (rather than one "session version" number per user, bumped to
end them all) lets logging out on one phone leave the shop's other till
logged in, and lets a password change keep the login that made it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from bakeprint.config import settings
from bakeprint.db import utcnow
from bakeprint.identity.models import User, WebSession


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start(session: Session, user: User) -> str:
    """A new login for ``user``; returns the secret for the cookie."""
    now = utcnow()
    # this user's ended logins are of no further use
    session.execute(
        delete(WebSession).where(
            WebSession.tenant_id == user.tenant_id,
            WebSession.user_id == user.id,
            or_(WebSession.expires_at <= now, WebSession.revoked_at.is_not(None)),
        )
    )
    secret = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            tenant_id=user.tenant_id,
            user_id=user.id,
            token_hash=_hash(secret),
            expires_at=now + timedelta(hours=settings.session_hours),
        )
    )
    session.flush()
    return secret


def find(
    session: Session, tenant_id: uuid.UUID, secret: str
) -> tuple[User, WebSession] | None:
    """The live login with this secret and its (active) user, or None."""
    row = session.scalar(
        select(WebSession).where(
            WebSession.tenant_id == tenant_id, WebSession.token_hash == _hash(secret)
        )
    )
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    user = session.get(User, (tenant_id, row.user_id))
    if user is None or not user.active:
        return None
    return user, row


def end(session: Session, tenant_id: uuid.UUID, secret: str) -> None:
    session.execute(
        update(WebSession)
        .where(
            WebSession.tenant_id == tenant_id,
            WebSession.token_hash == _hash(secret),
            WebSession.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )


def end_all(
    session: Session,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    keep: uuid.UUID | None = None,
) -> int:
    """End every login of a user (but ``keep``); how many were live."""
    stmt = update(WebSession).where(
        WebSession.tenant_id == tenant_id,
        WebSession.user_id == user_id,
        WebSession.revoked_at.is_(None),
        WebSession.expires_at > utcnow(),
    )
    if keep is not None:
        stmt = stmt.where(WebSession.id != keep)
    return int(session.execute(stmt.values(revoked_at=utcnow())).rowcount or 0)  # type: ignore[attr-defined]
