"""Master-data lookups, always inside one bakery."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import (
    Equipment,
    Location,
    MaterialType,
    Operator,
    PointOfSale,
    Product,
    ProductLine,
    RecipeVariant,
    Supplier,
    Vehicle,
)
from bakeprint.errors import NotFound
from bakeprint.identity.models import User

T = TypeVar("T")

# model -> (key column, zh name, en name)
KINDS: dict[type[Any], tuple[str, str, str]] = {
    ProductLine: ("code", "产品线", "product line"),
    Product: ("gtin", "产品", "product"),
    MaterialType: ("code", "原料类型", "material type"),
    Supplier: ("code", "供应商", "supplier"),
    Operator: ("code", "操作员", "operator"),
    Equipment: ("code", "设备", "equipment"),
    Location: ("code", "位置", "location"),
    Vehicle: ("code", "车辆", "vehicle"),
    PointOfSale: ("code", "销售点", "point of sale"),
}


def find(session: Session, model: type[T], tenant_id: uuid.UUID, key: str) -> T | None:
    column = getattr(model, KINDS[model][0])
    stmt: Any = select(model).where(
        model.tenant_id == tenant_id,  # type: ignore[attr-defined]
        column == key,
    )
    row: T | None = session.scalar(stmt)
    return row


def get(session: Session, model: type[T], tenant_id: uuid.UUID, key: str) -> T:
    """The row with that code (GTIN for products), or a bilingual 404."""
    row = find(session, model, tenant_id, key)
    if row is None:
        _, zh, en = KINDS[model]
        raise NotFound(f"找不到{zh}：{key}", f"{en} not found: {key}")
    return row


def by_id(
    session: Session, model: type[T], tenant_id: uuid.UUID, row_id: uuid.UUID
) -> T:
    row = session.get(model, (tenant_id, row_id))
    if row is None:
        _, zh, en = KINDS.get(model, ("", "记录", "record"))
        raise NotFound(f"找不到{zh}", f"{en} not found")
    return row


def variant(
    session: Session, tenant_id: uuid.UUID, product: Product, code: str
) -> RecipeVariant:
    row = session.scalar(
        select(RecipeVariant).where(
            RecipeVariant.tenant_id == tenant_id,
            RecipeVariant.product_id == product.id,
            RecipeVariant.code == code,
        )
    )
    if row is None:
        raise NotFound(
            f"产品 {product.name_zh} 没有配方版本 {code}",
            f"product {product.name_en or product.name_zh} has no recipe "
            f"variant {code}",
        )
    return row


def line_codes(session: Session, tenant_id: uuid.UUID) -> set[str]:
    return set(
        session.scalars(
            select(ProductLine.code).where(ProductLine.tenant_id == tenant_id)
        )
    )


def rows(
    session: Session,
    model: type[T],
    tenant_id: uuid.UUID,
    *,
    active: bool | None = None,
    **equal: Any,
) -> list[T]:
    """A tenant's rows of one kind, ordered by their key (code or GTIN)."""
    m: Any = model
    stmt: Any = select(model).where(m.tenant_id == tenant_id)
    if active is not None:
        stmt = stmt.where(m.active.is_(active))
    for name, value in equal.items():
        stmt = stmt.where(getattr(m, name) == value)
    return list(session.scalars(stmt.order_by(getattr(m, KINDS[model][0]))))


def find_variant(
    session: Session, tenant_id: uuid.UUID, product_id: uuid.UUID, code: str
) -> RecipeVariant | None:
    return session.scalar(
        select(RecipeVariant).where(
            RecipeVariant.tenant_id == tenant_id,
            RecipeVariant.product_id == product_id,
            RecipeVariant.code == code,
        )
    )


def variants(
    session: Session,
    tenant_id: uuid.UUID,
    product_id: uuid.UUID,
    *,
    active: bool | None = None,
) -> list[RecipeVariant]:
    stmt = select(RecipeVariant).where(
        RecipeVariant.tenant_id == tenant_id, RecipeVariant.product_id == product_id
    )
    if active is not None:
        stmt = stmt.where(RecipeVariant.active.is_(active))
    return list(session.scalars(stmt.order_by(RecipeVariant.code)))


def material_type_with_gtin(
    session: Session, tenant_id: uuid.UUID, gtin: str
) -> MaterialType | None:
    return session.scalar(
        select(MaterialType).where(
            MaterialType.tenant_id == tenant_id, MaterialType.gtin == gtin
        )
    )


def user_by_username(
    session: Session, tenant_id: uuid.UUID, username: str
) -> User | None:
    return session.scalar(
        select(User).where(User.tenant_id == tenant_id, User.username == username)
    )


def codes_by_id(
    session: Session, model: type[Any], tenant_id: uuid.UUID, ids: set[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """id -> key (code, GTIN or user name) for the given rows, in one query."""
    if not ids:
        return {}
    key = getattr(model, "username" if model is User else KINDS[model][0])
    stmt: Any = select(model.id, key).where(
        model.tenant_id == tenant_id, model.id.in_(ids)
    )
    return {row[0]: row[1] for row in session.execute(stmt)}


def code_of(
    session: Session, model: type[Any], tenant_id: uuid.UUID, row_id: uuid.UUID | None
) -> str | None:
    """The key (code, GTIN) of one row, None when there is no such row."""
    if row_id is None:
        return None
    return codes_by_id(session, model, tenant_id, {row_id}).get(row_id)


def by_ids(
    session: Session, model: type[T], tenant_id: uuid.UUID, ids: set[uuid.UUID]
) -> dict[uuid.UUID, T]:
    """id -> row for the given rows of one kind, in one query."""
    if not ids:
        return {}
    m: Any = model
    stmt: Any = select(model).where(m.tenant_id == tenant_id, m.id.in_(ids))
    return {row.id: row for row in session.scalars(stmt)}


def products_with_gtin(session: Session, gtin: str) -> list[Product]:
    """Every bakery's product with this GTIN, oldest first (a GTIN is one
    brand owner's, but bakeries sharing a server may carry copies: a demo)."""
    return list(
        session.scalars(
            select(Product)
            .where(Product.gtin == gtin)
            .order_by(Product.created_at, Product.tenant_id)
            .limit(50)
        ).all()
    )
