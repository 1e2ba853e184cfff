"""Rows to ``…Read`` payloads, with references shown by their codes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from bakeprint.catalog import allergens
from bakeprint.catalog import repository as repo
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
from bakeprint.catalog.schemas import (
    AllergenRead,
    EquipmentRead,
    LocationRead,
    MaterialTypeRead,
    OperatorRead,
    PointOfSaleRead,
    ProductLineRead,
    ProductRead,
    SupplierRead,
    VariantRead,
    VehicleRead,
)
from bakeprint.identity.models import User

PLAIN: dict[type[Any], type[BaseModel]] = {
    ProductLine: ProductLineRead,
    MaterialType: MaterialTypeRead,
    Supplier: SupplierRead,
    Location: LocationRead,
    Vehicle: VehicleRead,
    PointOfSale: PointOfSaleRead,
}


def _fields(row: Any, schema: type[BaseModel]) -> dict[str, Any]:
    return {k: getattr(row, k) for k in schema.model_fields if hasattr(row, k)}


def products(session: Session, rows: Sequence[Product]) -> list[ProductRead]:
    if not rows:
        return []
    t = rows[0].tenant_id
    lines = repo.codes_by_id(session, ProductLine, t, {r.line_id for r in rows})
    return [
        ProductRead.model_validate(_fields(r, ProductRead) | {"line": lines[r.line_id]})
        for r in rows
    ]


def variants(
    session: Session, product: Product, rows: Sequence[RecipeVariant]
) -> list[VariantRead]:
    return [
        VariantRead.model_validate(
            _fields(r, VariantRead) | {"product_gtin": product.gtin}
        )
        for r in rows
    ]


def operators(session: Session, rows: Sequence[Operator]) -> list[OperatorRead]:
    if not rows:
        return []
    ids = {r.user_id for r in rows if r.user_id is not None}
    names = repo.codes_by_id(session, User, rows[0].tenant_id, ids)
    return [
        OperatorRead.model_validate(
            _fields(r, OperatorRead) | {"username": names.get(r.user_id)}  # type: ignore[arg-type]
        )
        for r in rows
    ]


def equipment(session: Session, rows: Sequence[Equipment]) -> list[EquipmentRead]:
    if not rows:
        return []
    ids = {r.location_id for r in rows if r.location_id is not None}
    codes = repo.codes_by_id(session, Location, rows[0].tenant_id, ids)
    return [
        EquipmentRead.model_validate(
            _fields(r, EquipmentRead) | {"location": codes.get(r.location_id)}  # type: ignore[arg-type]
        )
        for r in rows
    ]


def plain(rows: Sequence[Any]) -> list[Any]:
    """Kinds whose rows map one to one onto their ``…Read``."""
    return [PLAIN[type(r)].model_validate(r) for r in rows]


def many(session: Session, rows: Sequence[Any]) -> list[Any]:
    """Rows of one code-keyed kind as their ``…Read`` payloads."""
    if rows and isinstance(rows[0], Operator):
        return operators(session, rows)
    if rows and isinstance(rows[0], Equipment):
        return equipment(session, rows)
    return plain(rows)


def one(session: Session, row: Any) -> BaseModel:
    """Any master-data row as its ``…Read`` payload."""
    if isinstance(row, Product):
        return products(session, [row])[0]
    if isinstance(row, Operator):
        return operators(session, [row])[0]
    if isinstance(row, Equipment):
        return equipment(session, [row])[0]
    if isinstance(row, RecipeVariant):
        product = repo.by_id(session, Product, row.tenant_id, row.product_id)
        return variants(session, product, [row])[0]
    return plain([row])[0]


def allergen_list() -> list[AllergenRead]:
    return [
        AllergenRead(code=code, name_zh=zh, name_en=en)
        for code, (zh, en) in allergens.ALLERGENS.items()
    ]
