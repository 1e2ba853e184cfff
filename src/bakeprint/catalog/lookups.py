"""Find master data by the key people type: a code, or a product's GTIN.

Other domains call these (through ``catalog.service``). Input is normalised the
way it was stored (codes in capitals, GTINs as GTIN-14); a missing row, or one
belonging to another bakery, is a bilingual 404.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

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
from bakeprint.gs1 import normalize_gtin


def _code(value: str) -> str:
    return value.strip().upper()


def product_by_gtin(session: Session, tenant_id: uuid.UUID, gtin: str) -> Product:
    """The product with that GTIN (8, 12, 13 or 14 digits; check digit checked)."""
    return repo.get(session, Product, tenant_id, normalize_gtin(gtin))


def line_by_code(session: Session, tenant_id: uuid.UUID, code: str) -> ProductLine:
    return repo.get(session, ProductLine, tenant_id, _code(code))


def material_type_by_code(
    session: Session, tenant_id: uuid.UUID, code: str
) -> MaterialType:
    return repo.get(session, MaterialType, tenant_id, _code(code))


def supplier_by_code(session: Session, tenant_id: uuid.UUID, code: str) -> Supplier:
    return repo.get(session, Supplier, tenant_id, _code(code))


def operator_by_code(session: Session, tenant_id: uuid.UUID, code: str) -> Operator:
    return repo.get(session, Operator, tenant_id, _code(code))


def equipment_by_code(session: Session, tenant_id: uuid.UUID, code: str) -> Equipment:
    return repo.get(session, Equipment, tenant_id, _code(code))


def location_by_code(session: Session, tenant_id: uuid.UUID, code: str) -> Location:
    return repo.get(session, Location, tenant_id, _code(code))


def vehicle_by_code(session: Session, tenant_id: uuid.UUID, code: str) -> Vehicle:
    return repo.get(session, Vehicle, tenant_id, _code(code))


def point_of_sale_by_code(
    session: Session, tenant_id: uuid.UUID, code: str
) -> PointOfSale:
    return repo.get(session, PointOfSale, tenant_id, _code(code))


def variant(
    session: Session, tenant_id: uuid.UUID, product_id: uuid.UUID, code: str
) -> RecipeVariant:
    """The product's recipe variant ``code`` (F1, F2…)."""
    product = repo.by_id(session, Product, tenant_id, product_id)
    return repo.variant(session, tenant_id, product, _code(code))
