"""Product lines, products and their recipe variants (R1.2, R1.4, R5.1)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bakeprint.catalog import allergens, common, lookups, rules
from bakeprint.catalog import repository as repo
from bakeprint.catalog.models import Product, ProductLine, RecipeVariant
from bakeprint.catalog.schemas import (
    ProductCreate,
    ProductLineCreate,
    ProductLineUpdate,
    ProductUpdate,
    VariantCreate,
    VariantUpdate,
)
from bakeprint.errors import Conflict
from bakeprint.gs1 import normalize_gtin
from bakeprint.identity.service import Actor

# --- product lines -------------------------------------------------------------


def create_line(
    session: Session, data: ProductLineCreate, *, actor: Actor
) -> ProductLine:
    """A product line; its two letters appear in every batch code (…-SS-…)."""
    t = actor.tenant_id
    code = rules.line_code(data.code)
    dup = common.duplicate("产品线", "product line", code, field="code")
    if repo.find(session, ProductLine, t, code) is not None:
        raise dup
    row = ProductLine(
        tenant_id=t, code=code, name_zh=data.name_zh, name_en=data.name_en
    )
    return common.insert(session, row, duplicate_error=dup)


def update_line(
    session: Session, code: str, data: ProductLineUpdate, *, actor: Actor
) -> ProductLine:
    row = lookups.line_by_code(session, actor.tenant_id, code)
    common.apply(
        session, row, common.changes(data, kind_zh="产品线", kind_en="product line")
    )
    return row


def list_lines(
    session: Session, *, actor: Actor, active: bool | None = None
) -> list[ProductLine]:
    return repo.rows(session, ProductLine, actor.tenant_id, active=active)


# --- products --------------------------------------------------------------------


def _product_values(values: dict[str, Any]) -> dict[str, Any]:
    if "shelf_life_days" in values:
        rules.shelf_life(values["shelf_life_days"])
    if "allergens" in values:
        values["allergens"] = allergens.normalize(values["allergens"])
    if values.get("unit_weight_g") is not None:
        rules.positive(
            values["unit_weight_g"],
            field="unit_weight_g",
            zh="单件重量",
            en="unit weight",
        )
    if values.get("limited_edition_size") is not None:
        rules.positive(
            values["limited_edition_size"],
            field="limited_edition_size",
            zh="限量份数",
            en="the limited edition size",
        )
    return values


def create_product(session: Session, data: ProductCreate, *, actor: Actor) -> Product:
    """A product with its GTIN (stored as GTIN-14) on an active product line."""
    t = actor.tenant_id
    gtin = normalize_gtin(data.gtin)
    line = lookups.line_by_code(session, t, data.line)
    if not line.active:
        raise Conflict(
            f"产品线 {line.code} 已停用：先启用它，或选择其他产品线",
            f"product line {line.code} is deactivated: reactivate it or choose "
            "another line",
            field="line",
        )
    values = _product_values(data.model_dump(exclude={"gtin", "line"}))
    dup = common.duplicate("产品", "product", gtin, field="gtin")
    if repo.find(session, Product, t, gtin) is not None:
        raise dup
    row = Product(tenant_id=t, gtin=gtin, line_id=line.id, **values)
    return common.insert(session, row, duplicate_error=dup)


def update_product(
    session: Session, gtin: str, data: ProductUpdate, *, actor: Actor
) -> Product:
    """Descriptive fields, public stories, shelf life, allergens, active."""
    row = lookups.product_by_gtin(session, actor.tenant_id, gtin)
    values = common.changes(data, kind_zh="产品", kind_en="product")
    common.apply(session, row, _product_values(values))
    return row


def list_products(
    session: Session,
    *,
    actor: Actor,
    line: str | None = None,
    active: bool | None = None,
) -> list[Product]:
    t = actor.tenant_id
    if line is None:
        return repo.rows(session, Product, t, active=active)
    line_id = lookups.line_by_code(session, t, line).id
    return repo.rows(session, Product, t, active=active, line_id=line_id)


# --- recipe variants ---------------------------------------------------------------


def _variant_values(values: dict[str, Any]) -> dict[str, Any]:
    if "target_oven_temp_c" in values:
        rules.oven_temp(values["target_oven_temp_c"])
    if "target_bake_minutes" in values:
        rules.bake_minutes(values["target_bake_minutes"])
    if "oven_temp_tolerance_c" in values:
        rules.not_negative(
            values["oven_temp_tolerance_c"],
            field="oven_temp_tolerance_c",
            zh="炉温允许偏差",
            en="the oven temperature tolerance",
        )
    if "bake_minutes_tolerance" in values:
        rules.not_negative(
            values["bake_minutes_tolerance"],
            field="bake_minutes_tolerance",
            zh="烘烤时间允许偏差",
            en="the bake time tolerance",
        )
    return values


def create_variant(
    session: Session, gtin: str, data: VariantCreate, *, actor: Actor
) -> RecipeVariant:
    """A recipe variant (F1, F2…) with its target oven temperature and time."""
    t = actor.tenant_id
    product = lookups.product_by_gtin(session, t, gtin)
    code = rules.variant_code(data.code)
    values = _variant_values(data.model_dump(exclude={"code"}))
    dup = Conflict(
        f"产品 {product.name_zh} 已有配方版本 {code}：请用下一个编号，或修改已有的",
        f"product {product.name_en or product.name_zh} already has recipe variant "
        f"{code}: use the next number or edit the existing one",
        field="code",
        details={"duplicate": code},
    )
    if repo.find_variant(session, t, product.id, code) is not None:
        raise dup
    if values.get("is_base"):
        _clear_base(session, product.id, t)
    row = RecipeVariant(tenant_id=t, product_id=product.id, code=code, **values)
    return common.insert(session, row, duplicate_error=dup)


def _clear_base(session: Session, product_id: Any, tenant_id: Any) -> None:
    """One standard recipe per product: marking a new one unmarks the old."""
    for other in repo.variants(session, tenant_id, product_id):
        other.is_base = False
    session.flush()


def update_variant(
    session: Session, gtin: str, code: str, data: VariantUpdate, *, actor: Actor
) -> RecipeVariant:
    t = actor.tenant_id
    product = lookups.product_by_gtin(session, t, gtin)
    row = lookups.variant(session, t, product.id, code)
    values = common.changes(data, kind_zh="配方版本", kind_en="recipe variant")
    if values.get("is_base"):
        _clear_base(session, product.id, t)
    common.apply(session, row, _variant_values(values))
    return row


def list_variants(
    session: Session, gtin: str, *, actor: Actor, active: bool | None = None
) -> list[RecipeVariant]:
    product = lookups.product_by_gtin(session, actor.tenant_id, gtin)
    return repo.variants(session, actor.tenant_id, product.id, active=active)
