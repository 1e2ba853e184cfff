"""HTTP API: who am I, users, API tokens, the security log."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from sqlalchemy.orm import Session

from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import PointOfSale
from bakeprint.deps import ActorDep, CanAdminUsers, CanExportAudit, SessionDep
from bakeprint.identity import admin
from bakeprint.identity import repository as tenants
from bakeprint.identity.models import User
from bakeprint.identity.permissions import ACTIONS
from bakeprint.identity.schemas import (
    MeRead,
    PasswordChange,
    PasswordSet,
    SecurityEventRead,
    TokenCreate,
    TokenIssued,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)

router = APIRouter(tags=["identity"])


def _shop_code(session: Session, user: User) -> str | None:
    return catalog.code_of(session, PointOfSale, user.tenant_id, user.point_of_sale_id)


def _read(session: Session, user: User) -> UserRead:
    out = UserRead.model_validate(user)
    out.point_of_sale = _shop_code(session, user)
    return out


@router.get("/me", response_model=MeRead)
def me(session: SessionDep, actor: ActorDep) -> MeRead:
    """Who the caller is and what their roles allow."""
    tenant = tenants.get(session, actor.tenant_id)
    user = tenants.user(session, actor.tenant_id, actor.user_id)
    return MeRead(
        tenant_id=tenant.id,
        tenant_slug=tenant.slug,
        tenant_name=tenant.name,
        user_id=actor.user_id,
        username=actor.username,
        roles=list(actor.roles),
        actions=[a for a in ACTIONS if actor.can(a)],
        point_of_sale=_shop_code(session, user),
        expires_at=actor.expires_at,
    )


@router.post("/me/password", status_code=204)
def change_password(data: PasswordChange, session: SessionDep, actor: ActorDep) -> None:
    """Change one's own password (the current one is required)."""
    admin.change_password(session, actor, data.old_password, data.new_password)


@router.get("/users", response_model=list[UserRead])
def list_users(session: SessionDep, actor: CanAdminUsers) -> list[UserRead]:
    """List the bakery's users."""
    users = tenants.users(session, actor.tenant_id)
    return [_read(session, u) for u in users]


@router.post("/users", response_model=UserRead, status_code=201)
def create_user(
    data: UserCreate, session: SessionDep, actor: CanAdminUsers
) -> UserRead:
    """Add a user with one or more roles (store users: with their shop)."""
    return _read(session, admin.add_user(session, actor, **data.model_dump()))


@router.get("/users/{username}", response_model=UserRead)
def get_user(username: str, session: SessionDep, actor: CanAdminUsers) -> UserRead:
    """One user."""
    return _read(session, admin.user_named(session, actor.tenant_id, username))


@router.patch("/users/{username}", response_model=UserRead)
def update_user(
    username: str, data: UserUpdate, session: SessionDep, actor: CanAdminUsers
) -> UserRead:
    """Change a user's display name or shop."""
    changes = data.model_dump(exclude_unset=True)
    return _read(session, admin.update_user(session, actor, username, changes))


@router.post("/users/{username}/deactivate", response_model=UserRead)
def deactivate_user(
    username: str, session: SessionDep, actor: CanAdminUsers
) -> UserRead:
    """Deactivate a user: their tokens and logins stop at once."""
    return _read(session, admin.deactivate(session, actor, username))


@router.post("/users/{username}/activate", response_model=UserRead)
def activate_user(username: str, session: SessionDep, actor: CanAdminUsers) -> UserRead:
    """Let a deactivated user log in again (their old tokens stay revoked)."""
    return _read(session, admin.activate(session, actor, username))


@router.put("/users/{username}/password", status_code=204)
def set_password(
    username: str, data: PasswordSet, session: SessionDep, actor: CanAdminUsers
) -> None:
    """Set a user's password (their logins end)."""
    admin.set_password(session, actor, username, data.password)


@router.get("/tokens", response_model=list[TokenRead])
def list_tokens(
    session: SessionDep, actor: ActorDep, user: str | None = None
) -> list[dict[str, object]]:
    """API tokens: the caller's own, or the bakery's for an owner (never a secret)."""
    return admin.tokens(session, actor, username=user)


@router.post("/tokens", response_model=TokenIssued, status_code=201)
def create_token(
    data: TokenCreate, session: SessionDep, actor: ActorDep
) -> TokenIssued:
    """Issue an API token (the secret is shown once): for the caller, or for
    another user (owners); never more rights or a later end than the caller's."""
    secret, token = admin.mint(session, actor, **data.model_dump())
    username = data.username or actor.username
    return TokenIssued(
        id=token.id,
        token=secret,
        name=token.name,
        username=username,
        roles=token.roles,
        expires_at=token.expires_at,
    )


@router.post("/tokens/{token_id}/revoke", response_model=TokenRead)
def revoke_token(
    token_id: uuid.UUID, session: SessionDep, actor: ActorDep
) -> dict[str, object]:
    """Revoke a token; the tokens it issued stop with it."""
    token = admin.revoke_token(session, actor, token_id)
    return next(t for t in admin.tokens(session, actor) if t["id"] == token.id)


@router.get("/security-events", response_model=list[SecurityEventRead])
def security_events(
    session: SessionDep, actor: CanExportAudit, limit: int = 100
) -> list[object]:
    """Who issued or revoked tokens, added, changed or deactivated users."""
    return list(admin.security_log(session, actor.tenant_id, limit=min(limit, 1000)))
