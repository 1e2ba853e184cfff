"""Tenants, users, passwords and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.db import utcnow
from bakeprint.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from bakeprint.events import service as events
from bakeprint.identity.models import ROLES, ApiToken, Tenant, User
from bakeprint.identity.permissions import allowed

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")
TOKEN_RE = re.compile(r"^bp_([0-9a-f]{32})_([A-Za-z0-9_-]{20,})$")


@dataclass(frozen=True)
class Actor:
    """Who is acting: the tenant, the user and what they may do."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID
    username: str
    roles: tuple[str, ...]
    supplier_id: uuid.UUID | None = None
    via: str = "token"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"user:{self.username}"

    def can(self, action: str) -> bool:
        return allowed(self.roles, action)

    def require(self, action: str) -> None:
        if not self.can(action):
            raise Forbidden(
                f"您的角色（{'、'.join(self.roles)}）无权执行此操作：{action}",
                f"your role ({', '.join(self.roles)}) may not do this: {action}",
            )


# --- passwords (scrypt, stdlib) --------------------------------------------

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    dk = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${dk.hex()}"


def check_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        algo, n, r, p, salt, dk = stored.split("$")
    except ValueError:
        return False
    if algo != "scrypt":
        return False
    got = hashlib.scrypt(
        password.encode(),
        salt=bytes.fromhex(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        dklen=len(dk) // 2,
    )
    return hmac.compare_digest(got.hex(), dk)


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- tenants and users -------------------------------------------------------


def tenant_by_slug(session: Session, slug: str) -> Tenant | None:
    return session.scalar(select(Tenant).where(Tenant.slug == slug))


def create_tenant(
    session: Session, *, slug: str, name: str, timezone: str = "Asia/Shanghai"
) -> Tenant:
    if not SLUG_RE.match(slug):
        raise Invalid(
            "店铺代码只能包含小写字母、数字和连字符（3–40 位）",
            "the bakery code may only hold lower-case letters, digits and hyphens "
            "(3–40 characters)",
            field="slug",
        )
    if tenant_by_slug(session, slug) is not None:
        raise Conflict(
            f"店铺代码 {slug} 已被使用", f"bakery code {slug} is taken", field="slug"
        )
    tenant = Tenant(slug=slug, name=name, timezone=timezone)
    session.add(tenant)
    session.flush()
    events.init_chain(session, tenant.id)
    return tenant


def create_user(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    username: str,
    display_name: str,
    roles: list[str],
    password: str | None = None,
    supplier_id: uuid.UUID | None = None,
) -> User:
    bad = [r for r in roles if r not in ROLES]
    if not roles or bad:
        raise Invalid(
            f"未知角色：{'、'.join(bad) or '（空）'}；可选：{'、'.join(ROLES)}",
            f"unknown role: {', '.join(bad) or '(none)'}; "
            f"choose from {', '.join(ROLES)}",
            field="roles",
        )
    if not re.fullmatch(r"[A-Za-z0-9._-]{2,64}", username):
        raise Invalid(
            "用户名只能包含字母、数字、点、下划线和连字符",
            "the user name may only hold letters, digits, . _ and -",
            field="username",
        )
    exists = session.scalar(
        select(User.id).where(User.tenant_id == tenant_id, User.username == username)
    )
    if exists is not None:
        raise Conflict(
            f"用户名 {username} 已存在",
            f"user {username} already exists",
            field="username",
        )
    if password is not None and len(password) < 8:
        raise Invalid(
            "密码至少 8 位",
            "the password needs at least 8 characters",
            field="password",
        )
    user = User(
        tenant_id=tenant_id,
        username=username,
        display_name=display_name,
        roles=list(roles),
        supplier_id=supplier_id,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def actor_for(user: User, *, via: str) -> Actor:
    return Actor(
        tenant_id=user.tenant_id,
        user_id=user.id,
        username=user.username,
        roles=tuple(user.roles),
        supplier_id=user.supplier_id,
        via=via,
    )


def issue_token(
    session: Session,
    user: User,
    *,
    name: str = "api",
    expires_at: datetime | None = None,
) -> str:
    """Create an API token; the secret is returned once and only its hash kept."""
    secret = f"bp_{user.tenant_id.hex}_{secrets.token_urlsafe(32)}"
    session.add(
        ApiToken(
            tenant_id=user.tenant_id,
            user_id=user.id,
            name=name,
            token_hash=_token_hash(secret),
            prefix=secret[:12] + "…",
            expires_at=expires_at,
        )
    )
    session.flush()
    return secret


def authenticate_token(session: Session, secret: str) -> Actor:
    bad = Unauthorized("令牌无效或已失效，请重新登录", "invalid or expired API token")
    m = TOKEN_RE.match(secret.strip())
    if not m:
        raise bad
    tenant_id = uuid.UUID(m.group(1))
    token = session.scalar(
        select(ApiToken).where(
            ApiToken.tenant_id == tenant_id, ApiToken.token_hash == _token_hash(secret)
        )
    )
    now = utcnow()
    if token is None or token.revoked_at is not None:
        raise bad
    if token.expires_at is not None and token.expires_at <= now:
        raise bad
    user = session.get(User, (tenant_id, token.user_id))
    if user is None or not user.active:
        raise bad
    return actor_for(user, via="token")


def authenticate_password(
    session: Session, slug: str, username: str, password: str
) -> User:
    bad = Unauthorized(
        "店铺代码、用户名或密码不正确", "wrong bakery code, user name or password"
    )
    tenant = tenant_by_slug(session, slug.strip().lower())
    if tenant is None:
        check_password(password, None)
        raise bad
    user = session.scalar(
        select(User).where(User.tenant_id == tenant.id, User.username == username)
    )
    if (
        user is None
        or not user.active
        or not check_password(password, user.password_hash)
    ):
        raise bad
    return user


def user_by_id(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> User:
    user = session.get(User, (tenant_id, user_id))
    if user is None:
        raise NotFound("找不到该用户", "user not found")
    return user


def revoke_token(session: Session, actor: Actor, token_id: uuid.UUID) -> None:
    token = session.get(ApiToken, (actor.tenant_id, token_id))
    if token is None:
        raise NotFound("找不到该令牌", "token not found")
    if token.user_id != actor.user_id:
        actor.require("users:admin")
    token.revoked_at = utcnow()
