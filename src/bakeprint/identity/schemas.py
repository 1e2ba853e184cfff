from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class MeRead(BaseModel):
    tenant_id: uuid.UUID
    tenant_slug: str
    tenant_name: str
    user_id: uuid.UUID
    username: str
    roles: list[str]
    actions: list[str]


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    display_name: str = Field(min_length=1, max_length=200)
    roles: list[str] = Field(min_length=1)
    password: str | None = Field(default=None, min_length=8, max_length=200)
    supplier_id: uuid.UUID | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    display_name: str
    roles: list[str]
    active: bool
    supplier_id: uuid.UUID | None


class TokenCreate(BaseModel):
    name: str = Field(default="api", min_length=1, max_length=100)
    expires_at: datetime | None = None


class TokenIssued(BaseModel):
    token: str
    name: str
    note: str = "shown once; only its SHA-256 is stored"
