"""HTTP API: who am I, users, API tokens."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from bakeprint.deps import ActorDep, CanAdminUsers, SessionDep
from bakeprint.identity import service as identity
from bakeprint.identity.models import Tenant, User
from bakeprint.identity.permissions import ACTIONS
from bakeprint.identity.schemas import (
    MeRead,
    TokenCreate,
    TokenIssued,
    UserCreate,
    UserRead,
)

router = APIRouter(tags=["identity"])


@router.get("/me", response_model=MeRead)
def me(session: SessionDep, actor: ActorDep) -> MeRead:
    """Who the caller is and what their roles allow."""
    tenant = session.get(Tenant, actor.tenant_id)
    assert tenant is not None
    return MeRead(
        tenant_id=tenant.id,
        tenant_slug=tenant.slug,
        tenant_name=tenant.name,
        user_id=actor.user_id,
        username=actor.username,
        roles=list(actor.roles),
        actions=[a for a in ACTIONS if actor.can(a)],
    )


@router.get("/users", response_model=list[UserRead])
def list_users(session: SessionDep, actor: CanAdminUsers) -> list[User]:
    """List the bakery's users."""
    return list(
        session.scalars(
            select(User)
            .where(User.tenant_id == actor.tenant_id)
            .order_by(User.username)
        )
    )


@router.post("/users", response_model=UserRead, status_code=201)
def create_user(data: UserCreate, session: SessionDep, actor: CanAdminUsers) -> User:
    """Add a user with one or more roles."""
    return identity.create_user(session, actor.tenant_id, **data.model_dump())


@router.post("/tokens", response_model=TokenIssued, status_code=201)
def create_token(
    data: TokenCreate, session: SessionDep, actor: ActorDep
) -> TokenIssued:
    """Issue an API token for the caller (the secret is shown once)."""
    user = identity.user_by_id(session, actor.tenant_id, actor.user_id)
    secret = identity.issue_token(
        session, user, name=data.name, expires_at=data.expires_at
    )
    return TokenIssued(token=secret, name=data.name)
