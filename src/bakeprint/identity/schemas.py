from __future__ import annotations

import uuid

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bakeprint.localtime import LocalDateTime


class MeRead(BaseModel):
    tenant_id: uuid.UUID
    tenant_slug: str
    tenant_name: str
    user_id: uuid.UUID
    username: str
    roles: list[str]
    actions: list[str]
    point_of_sale: str | None = None
    # when the caller's token (or a token above it) ends
    expires_at: LocalDateTime | None = None


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    display_name: str = Field(min_length=1, max_length=200)
    roles: list[str] = Field(min_length=1)
    password: str | None = Field(default=None, min_length=8, max_length=200)
    supplier_id: uuid.UUID | None = None
    # the shop's code: store users act only there (required for them)
    point_of_sale: str | None = Field(default=None, max_length=40)


class UserUpdate(BaseModel):
    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    point_of_sale: str | None = Field(default=None, max_length=40)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    display_name: str
    roles: list[str]
    active: bool
    supplier_id: uuid.UUID | None
    point_of_sale: str | None = None


class PasswordChange(BaseModel):
    old_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=8, max_length=200)


class PasswordSet(BaseModel):
    password: str = Field(min_length=8, max_length=200)


class TokenCreate(BaseModel):
    name: str = Field(default="api", min_length=1, max_length=100)
    expires_at: AwareDatetime | None = None
    # a subset of the user's roles (default: all of them)
    roles: list[str] | None = None
    # another user's name: owners only
    username: str | None = Field(default=None, max_length=64)


class TokenIssued(BaseModel):
    id: uuid.UUID
    token: str
    name: str
    username: str
    roles: list[str] | None
    expires_at: LocalDateTime | None
    note: str = "shown once; only its SHA-256 is stored"


class TokenRead(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    username: str
    roles: list[str] | None
    created_at: LocalDateTime
    expires_at: LocalDateTime | None
    revoked_at: LocalDateTime | None
    issued_by_token: uuid.UUID | None
    status: str  # active, expired, revoked (itself or a token above it)


class SecurityEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    created_at: LocalDateTime
    actor: str
    action: str
    subject: str
    details: dict[str, object]
