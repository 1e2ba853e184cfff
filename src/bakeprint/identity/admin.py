"""Administering accounts: users (shop, deactivation, passwords), API tokens
(issue, list, revoke) and the security log that records each of these."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import PointOfSale
from bakeprint.db import utcnow
from bakeprint.errors import Conflict, Forbidden, Invalid, NotFound
from bakeprint.identity import service as identity
from bakeprint.identity import sessions
from bakeprint.identity.models import ROLES, ApiToken, SecurityEvent, User
from bakeprint.identity.permissions import actions_of
from bakeprint.identity.service import Actor


def record(
    session: Session, actor: Actor, action: str, subject: str, **details: Any
) -> None:
    """Append one entry to the bakery's security log."""
    session.add(
        SecurityEvent(
            tenant_id=actor.tenant_id,
            actor=actor.ref,
            action=action,
            subject=subject,
            details={"via": actor.via, **details},
        )
    )
    session.flush()


def security_log(
    session: Session, tenant_id: uuid.UUID, *, limit: int = 100
) -> list[SecurityEvent]:
    return list(
        session.scalars(
            select(SecurityEvent)
            .where(SecurityEvent.tenant_id == tenant_id)
            .order_by(SecurityEvent.created_at.desc(), SecurityEvent.id)
            .limit(limit)
        )
    )


# --- users -------------------------------------------------------------------


def user_named(session: Session, tenant_id: uuid.UUID, username: str) -> User:
    user = session.scalar(
        select(User).where(User.tenant_id == tenant_id, User.username == username)
    )
    if user is None:
        raise NotFound(f"找不到用户 {username}", f"user {username} not found")
    return user


def shop_id(session: Session, tenant_id: uuid.UUID, code: str | None) -> Any:
    if not code:
        return None
    return catalog.get(session, PointOfSale, tenant_id, code).id


def add_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    display_name: str,
    roles: list[str],
    password: str | None = None,
    supplier_id: uuid.UUID | None = None,
    point_of_sale: str | None = None,
) -> User:
    pos = shop_id(session, actor.tenant_id, point_of_sale)
    identity.check_shop(roles, pos)
    user = identity.create_user(
        session,
        actor.tenant_id,
        username=username,
        display_name=display_name,
        roles=roles,
        password=password,
        supplier_id=supplier_id,
        point_of_sale_id=pos,
    )
    record(
        session,
        actor,
        "user_created",
        f"user:{username}",
        roles=list(roles),
        point_of_sale=point_of_sale,
    )
    return user


def update_user(
    session: Session, actor: Actor, username: str, changes: dict[str, Any]
) -> User:
    """Change a user's display name or shop (``point_of_sale``: a code, or
    None to untie them — refused for shop staff, who need one)."""
    user = user_named(session, actor.tenant_id, username)
    if changes.get("display_name"):
        user.display_name = changes["display_name"]
    if "point_of_sale" in changes:
        pos = shop_id(session, actor.tenant_id, changes["point_of_sale"])
        identity.check_shop(list(user.roles), pos)
        user.point_of_sale_id = pos  # read on every request: applies at once
    session.flush()
    record(session, actor, "user_updated", f"user:{username}", **changes)
    return user


def _active_owners(session: Session, tenant_id: uuid.UUID) -> list[User]:
    return [
        u
        for u in session.scalars(
            select(User).where(User.tenant_id == tenant_id, User.active.is_(True))
        )
        if "owner" in u.roles
    ]


def deactivate(session: Session, actor: Actor, username: str) -> User:
    """The user can no longer log in; their tokens and logins stop at once
    (and stay ended if the user is activated again)."""
    user = user_named(session, actor.tenant_id, username)
    if not user.active:
        return user
    owners = _active_owners(session, actor.tenant_id)
    if "owner" in user.roles and [u.id for u in owners] == [user.id]:
        raise Conflict(
            f"{username} 是最后一位店主，不能停用：请先添加另一位店主",
            f"{username} is the last active owner: add another owner first",
        )
    user.active = False
    now = utcnow()
    revoked = session.execute(
        update(ApiToken)
        .where(
            ApiToken.tenant_id == actor.tenant_id,
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    ).rowcount  # type: ignore[attr-defined]
    ended = sessions.end_all(session, actor.tenant_id, user.id)
    session.flush()
    record(
        session,
        actor,
        "user_deactivated",
        f"user:{username}",
        tokens_revoked=int(revoked or 0),
        logins_ended=ended,
    )
    return user


def activate(session: Session, actor: Actor, username: str) -> User:
    user = user_named(session, actor.tenant_id, username)
    if not user.active:
        user.active = True
        session.flush()
        record(session, actor, "user_activated", f"user:{username}")
    return user


def set_password(session: Session, actor: Actor, username: str, new: str) -> User:
    """An owner (or the server's CLI) sets someone's password: every login of
    that user ends."""
    user = user_named(session, actor.tenant_id, username)
    identity.check_new_password(new)
    user.password_hash = identity.hash_password(new)
    ended = sessions.end_all(session, actor.tenant_id, user.id)
    session.flush()
    record(session, actor, "password_set", f"user:{username}", logins_ended=ended)
    return user


def change_password(session: Session, actor: Actor, old: str, new: str) -> User:
    """A user changes their own password, giving the old one: their other
    logins end, the one that made the change stays."""
    user = identity.user_by_id(session, actor.tenant_id, actor.user_id)
    if not identity.check_password(old, user.password_hash):
        raise Invalid(
            "当前密码不正确", "the current password is wrong", field="old_password"
        )
    identity.check_new_password(new)
    if new == old:
        raise Invalid(
            "新密码与当前密码相同",
            "the new password is the current one",
            field="new_password",
        )
    user.password_hash = identity.hash_password(new)
    ended = sessions.end_all(session, actor.tenant_id, user.id, keep=actor.session_id)
    session.flush()
    record(
        session,
        actor,
        "password_changed",
        f"user:{user.username}",
        logins_ended=ended,
    )
    return user


# --- API tokens ----------------------------------------------------------------


def mint(
    session: Session,
    actor: Actor,
    *,
    name: str = "api",
    expires_at: datetime | None = None,
    roles: list[str] | None = None,
    username: str | None = None,
) -> tuple[str, ApiToken]:
    """Issue a token: for the caller, or (owners only) for another user. It
    may do no more than the caller, and ends no later than the caller's own
    token does; the secret is returned once."""
    target = identity.user_by_id(session, actor.tenant_id, actor.user_id)
    if username is not None and username != target.username:
        actor.require("users:admin")
        target = user_named(session, actor.tenant_id, username)
    if not target.active:
        raise Conflict(
            f"用户 {target.username} 已停用", f"{target.username} is inactive"
        )
    if roles is not None:
        extra = [r for r in roles if r not in target.roles or r not in ROLES]
        if not roles or extra:
            raise Invalid(
                f"令牌的角色只能取自用户 {target.username} 的角色"
                f"（{'、'.join(target.roles)}）：{'、'.join(extra) or '（空）'}",
                f"a token's roles come from {target.username}'s roles "
                f"({', '.join(target.roles)}): not {', '.join(extra) or '(none)'}",
                field="roles",
            )
    granted = actions_of([r for r in target.roles if roles is None or r in roles])
    beyond = sorted(granted - actor.actions)
    if beyond:
        raise Forbidden(
            f"新令牌不能比签发它的身份权限更大：{'、'.join(beyond)}",
            f"a token may not do more than who issues it: {', '.join(beyond)}",
        )
    now = utcnow()
    if expires_at is not None and expires_at <= now:
        raise Invalid("到期时间已过", "the expiry is in the past", field="expires_at")
    if actor.expires_at is not None:
        if expires_at is None:
            expires_at = actor.expires_at
        elif expires_at > actor.expires_at:
            ends = actor.expires_at.isoformat(timespec="seconds")
            raise Invalid(
                f"新令牌不能晚于签发它的令牌到期（{ends}）",
                f"a token cannot outlive the token that issues it (ends {ends})",
                field="expires_at",
            )
    secret = identity.issue_token(
        session,
        target,
        name=name,
        expires_at=expires_at,
        roles=roles,
        parent_id=actor.token_id,
    )
    token = session.scalar(
        select(ApiToken).where(
            ApiToken.tenant_id == actor.tenant_id,
            ApiToken.token_hash == identity.token_hash(secret),
        )
    )
    assert token is not None
    record(
        session,
        actor,
        "token_issued",
        f"token:{token.prefix}",
        user=target.username,
        name=name,
        roles=roles,
        expires_at=expires_at.isoformat() if expires_at else None,
        parent=str(actor.token_id) if actor.token_id else None,
    )
    return secret, token


def token_status(token: ApiToken, by_id: dict[uuid.UUID, ApiToken]) -> str:
    """active, expired or revoked — counting the tokens that issued it."""
    now, seen = utcnow(), 0
    link: ApiToken | None = token
    while link is not None and seen <= identity.MAX_CHAIN:
        if link.revoked_at is not None:
            return "revoked"
        if link.expires_at is not None and link.expires_at <= now:
            return "expired"
        link = by_id.get(link.parent_id) if link.parent_id else None
        seen += 1
    return "active"


def tokens(
    session: Session, actor: Actor, *, username: str | None = None
) -> list[dict[str, Any]]:
    """The bakery's tokens (owners) or the caller's own; never a secret."""
    stmt = select(ApiToken, User.username).join(
        User, (User.tenant_id == ApiToken.tenant_id) & (User.id == ApiToken.user_id)
    )
    stmt = stmt.where(ApiToken.tenant_id == actor.tenant_id)
    if not actor.can("users:admin"):
        stmt = stmt.where(ApiToken.user_id == actor.user_id)
    elif username:
        stmt = stmt.where(User.username == username)
    rows = session.execute(stmt.order_by(ApiToken.created_at.desc())).all()
    every = {
        t.id: t
        for t in session.scalars(
            select(ApiToken).where(ApiToken.tenant_id == actor.tenant_id)
        )
    }
    return [
        {
            "id": t.id,
            "name": t.name,
            "prefix": t.prefix,
            "username": name,
            "roles": t.roles,
            "created_at": t.created_at,
            "expires_at": t.expires_at,
            "revoked_at": t.revoked_at,
            "issued_by_token": t.parent_id,
            "status": token_status(t, every),
        }
        for t, name in rows
    ]


def revoke_token(session: Session, actor: Actor, token_id: uuid.UUID) -> ApiToken:
    """Revoke a token (one's own, or any as an owner); the tokens it issued
    stop with it."""
    token = session.get(ApiToken, (actor.tenant_id, token_id))
    if token is None or (
        token.user_id != actor.user_id and not actor.can("users:admin")
    ):
        raise NotFound("找不到该令牌", "token not found")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        record(session, actor, "token_revoked", f"token:{token.prefix}")
    return token
