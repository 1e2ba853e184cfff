"""Tenants, users, passwords and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.db import utcnow
from bakeprint.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from bakeprint.events import service as events
from bakeprint.identity import repository as tenants
from bakeprint.identity.models import ROLES, ApiToken, Tenant, User
from bakeprint.identity.permissions import actions_of, allowed

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
    # a store user's shop: the only one where they act
    point_of_sale_id: uuid.UUID | None = None
    # a token issued by another token acts with what both allow, no longer
    # than the first of them ends (None: no such bound)
    limit: frozenset[str] | None = None
    expires_at: datetime | None = None
    token_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None

    @property
    def ref(self) -> str:
        return f"user:{self.username}"

    def can(self, action: str) -> bool:
        if self.limit is not None and action not in self.limit:
            return False
        return allowed(self.roles, action)

    @property
    def actions(self) -> frozenset[str]:
        found = actions_of(self.roles)
        return found if self.limit is None else found & self.limit

    def require(self, action: str) -> None:
        if allowed(self.roles, action) and not self.can(action):
            raise Forbidden(
                f"此令牌无权执行此操作：{action}（签发它的令牌不允许）",
                f"this token may not do this: {action} (the token that issued "
                "it may not)",
            )
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


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def check_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches; without a stored hash, one made up is
    checked instead, so the answer takes as long either way (no telling an
    account without a password, or with no such name, by the time taken)."""
    if not stored:
        check_password(password, _dummy_hash())
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


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- tenants and users -------------------------------------------------------


def tenant_by_slug(session: Session, slug: str) -> Tenant | None:
    return tenants.by_slug(session, slug)


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
    point_of_sale_id: uuid.UUID | None = None,
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
    if password is not None:
        check_new_password(password)
    user = User(
        tenant_id=tenant_id,
        username=username,
        display_name=display_name,
        roles=list(roles),
        supplier_id=supplier_id,
        point_of_sale_id=point_of_sale_id,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def check_new_password(password: str) -> None:
    if len(password) < 8:
        raise Invalid(
            "密码至少 8 位",
            "the password needs at least 8 characters",
            field="password",
        )


def shop_bound(roles: list[str] | tuple[str, ...]) -> bool:
    """Whether these roles act at one shop only: shop staff, unless they are
    also an owner (who acts at every shop)."""
    return "store" in roles and "owner" not in roles


def check_shop(roles: list[str], point_of_sale_id: uuid.UUID | None) -> None:
    if shop_bound(roles) and point_of_sale_id is None:
        raise Invalid(
            "门店角色的用户只在一家门店工作：请选择门店（例如 --shop CITY-LIB）",
            "a store user works at one shop: name it (e.g. --shop CITY-LIB)",
            field="point_of_sale",
        )


def actor_for(
    user: User,
    *,
    via: str,
    token: ApiToken | None = None,
    limit: frozenset[str] | None = None,
    expires_at: datetime | None = None,
    session_id: uuid.UUID | None = None,
) -> Actor:
    roles = list(user.roles)
    if token is not None and token.roles is not None:
        roles = [r for r in roles if r in token.roles]
    return Actor(
        tenant_id=user.tenant_id,
        user_id=user.id,
        username=user.username,
        roles=tuple(roles),
        supplier_id=user.supplier_id,
        point_of_sale_id=user.point_of_sale_id,
        via=via,
        limit=limit,
        expires_at=expires_at,
        token_id=token.id if token is not None else None,
        session_id=session_id,
    )


def issue_token(
    session: Session,
    user: User,
    *,
    name: str = "api",
    expires_at: datetime | None = None,
    roles: list[str] | None = None,
    parent_id: uuid.UUID | None = None,
) -> str:
    """Create an API token; the secret is returned once and only its hash kept.
    Who may issue which token is decided by ``identity.admin.mint``."""
    secret = f"bp_{user.tenant_id.hex}_{secrets.token_urlsafe(32)}"
    session.add(
        ApiToken(
            tenant_id=user.tenant_id,
            user_id=user.id,
            name=name,
            token_hash=token_hash(secret),
            # enough to tell tokens apart in a list, far too little to guess
            prefix="bp_…" + secret[-6:],
            expires_at=expires_at,
            roles=roles,
            parent_id=parent_id,
        )
    )
    session.flush()
    return secret


# a chain of tokens issuing tokens longer than this is refused outright
MAX_CHAIN = 16


def authenticate_token(session: Session, secret: str) -> Actor:
    """The token's user, acting with what the token and every token above it
    allow; refused if any of them is revoked or expired, or its user inactive."""
    bad = Unauthorized("令牌无效或已失效，请重新登录", "invalid or expired API token")
    m = TOKEN_RE.match(secret.strip())
    if not m:
        raise bad
    tenant_id = uuid.UUID(m.group(1))
    token = session.scalar(
        select(ApiToken).where(
            ApiToken.tenant_id == tenant_id, ApiToken.token_hash == token_hash(secret)
        )
    )
    now = utcnow()
    limit: frozenset[str] | None = None
    ends: datetime | None = None
    link, user, depth = token, None, 0
    while link is not None:
        if link.revoked_at is not None or depth > MAX_CHAIN:
            raise bad
        if link.expires_at is not None:
            if link.expires_at <= now:
                raise bad
            ends = link.expires_at if ends is None else min(ends, link.expires_at)
        owner = session.get(User, (tenant_id, link.user_id))
        if owner is None or not owner.active:
            raise bad
        if user is None:
            user = owner
        else:  # an issuing token: the one below may do no more than it
            grant = actor_for(owner, via="token", token=link).actions
            limit = grant if limit is None else limit & grant
        parent = link.parent_id
        link = session.get(ApiToken, (tenant_id, parent)) if parent else None
        if parent is not None and link is None:
            raise bad
        depth += 1
    if token is None or user is None:
        raise bad
    return actor_for(user, via="token", token=token, limit=limit, expires_at=ends)


def authenticate_password(
    session: Session, slug: str, username: str, password: str
) -> User:
    """The user, if the bakery, name and password match. Every refusal costs
    one password hash, like a wrong password does (no telling by the time
    taken whether a bakery or a name exists)."""
    bad = Unauthorized(
        "店铺代码、用户名或密码不正确", "wrong bakery code, user name or password"
    )
    tenant = tenant_by_slug(session, slug.strip().lower())
    user = None
    if tenant is not None:
        user = session.scalar(
            select(User).where(User.tenant_id == tenant.id, User.username == username)
        )
    stored = user.password_hash if user is not None else None
    if not check_password(password, stored) or user is None or not user.active:
        raise bad
    return user


def user_by_id(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> User:
    user = session.get(User, (tenant_id, user_id))
    if user is None:
        raise NotFound("找不到该用户", "user not found")
    return user
