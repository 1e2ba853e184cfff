"""Code-keyed master data: material types, suppliers, operators, equipment,
locations, vehicles and points of sale.

Each kind has a ``_check_…`` that validates (and translates references such as a
location code into its id) the fields being written, for a new row (``row`` is
None) or a patch; create and update share it, so both refuse the same input.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from bakeprint.catalog import allergens, common, lookups, rules
from bakeprint.catalog import repository as repo
from bakeprint.catalog.models import (
    Equipment,
    Location,
    MaterialType,
    Operator,
    PointOfSale,
    Supplier,
    Vehicle,
)
from bakeprint.catalog.schemas import Patch
from bakeprint.config import settings
from bakeprint.errors import Conflict, Invalid, NotFound
from bakeprint.gs1 import normalize_gln, normalize_gtin
from bakeprint.identity.service import Actor
from bakeprint.outbound import check_entry

T = TypeVar("T")
Check = Callable[[Session, uuid.UUID, dict[str, Any], Any], dict[str, Any]]


def _check_material(
    session: Session, t: uuid.UUID, values: dict[str, Any], row: Any
) -> dict[str, Any]:
    if "unit" in values:
        values["unit"] = rules.unit(values["unit"])
    if "allergens" in values:
        values["allergens"] = allergens.normalize(values["allergens"])
    if "footprint_key" in values:
        from bakeprint.trace.footprint import check_key

        values["footprint_key"] = check_key(values["footprint_key"])
    if "gtin" in values:
        gtin = normalize_gtin(values["gtin"]) if values["gtin"] else None
        # Lots of this material are identified by its GTIN in recorded events.
        if row is not None and row.gtin is not None and gtin != row.gtin:
            raise Invalid(
                f"原料类型 {row.code} 的 GTIN {row.gtin} 已在使用，不能修改："
                "请新建原料类型，再停用旧的",
                f"material type {row.code} already has GTIN {row.gtin}, which "
                "cannot change: create a new material type and deactivate this one",
                field="gtin",
            )
        other = repo.material_type_with_gtin(session, t, gtin) if gtin else None
        if gtin and other and (row is None or other.id != row.id):
            raise common.duplicate("原料类型", "material type", gtin, field="gtin")
        values["gtin"] = gtin
    return values


def _check_supplier(
    session: Session, t: uuid.UUID, values: dict[str, Any], row: Any
) -> dict[str, Any]:
    if values.get("gln") is not None:
        values["gln"] = normalize_gln(values["gln"])
    return values


def _check_operator(
    session: Session, t: uuid.UUID, values: dict[str, Any], row: Any
) -> dict[str, Any]:
    if "username" not in values:
        return values
    username = values.pop("username")
    if username is None:
        values["user_id"] = None
        return values
    user = repo.user_by_username(session, t, username)
    if user is None:
        raise NotFound(
            f"店铺里没有用户 {username}：请检查用户名，或先创建该用户",
            f"this bakery has no user {username}: check the name or create the user "
            "first",
        )
    taken = [o for o in repo.rows(session, Operator, t, user_id=user.id) if o != row]
    if taken:
        raise Conflict(
            f"用户 {username} 已关联操作员 {taken[0].code}",
            f"user {username} is already linked to operator {taken[0].code}",
            field="username",
        )
    values["user_id"] = user.id
    return values


def _check_equipment(
    session: Session, t: uuid.UUID, values: dict[str, Any], row: Any
) -> dict[str, Any]:
    if "kind" in values:
        values["kind"] = rules.equipment_kind(values["kind"])
    if "location" in values:
        code = values.pop("location")
        location = code and lookups.location_by_code(session, t, code)
        if location and not location.active:
            raise Conflict(
                f"位置 {location.code} 已停用：请选择在用的位置",
                f"location {location.code} is deactivated: choose one in use",
                field="location",
            )
        values["location_id"] = location.id if location else None
    return values


def _check_location(
    session: Session, t: uuid.UUID, values: dict[str, Any], row: Any
) -> dict[str, Any]:
    if "kind" in values:
        values["kind"] = rules.location_kind(values["kind"])
    if values.get("gln") is not None:
        values["gln"] = normalize_gln(values["gln"])
    return values


def _check_vehicle(
    session: Session, t: uuid.UUID, values: dict[str, Any], row: Any
) -> dict[str, Any]:
    if "emission_kg_per_km" in values:
        rules.not_negative(
            values["emission_kg_per_km"],
            field="emission_kg_per_km",
            zh="每公里排放",
            en="the emission per km",
        )
    return values


def _check_point_of_sale(
    session: Session, t: uuid.UUID, values: dict[str, Any], row: Any
) -> dict[str, Any]:
    if "kind" in values:
        values["kind"] = rules.pos_kind(values["kind"])
    if values.get("gln") is not None:
        values["gln"] = normalize_gln(values["gln"])
    if values.get("distance_km") is not None:
        rules.not_negative(
            values["distance_km"], field="distance_km", zh="距离", en="the distance"
        )
    if values.get("webhook_url") is not None:
        # the server itself will POST there: no inside addresses (SSRF)
        values["webhook_url"] = check_entry(
            values["webhook_url"], allow=settings.webhook_allowed
        )
    return values


CHECKS: dict[type[Any], Check] = {
    MaterialType: _check_material,
    Supplier: _check_supplier,
    Operator: _check_operator,
    Equipment: _check_equipment,
    Location: _check_location,
    Vehicle: _check_vehicle,
    PointOfSale: _check_point_of_sale,
}


def create(session: Session, model: type[T], data: BaseModel, *, actor: Actor) -> T:
    """A new row of ``model`` from its ``…Create`` payload; 409 on a used code."""
    t = actor.tenant_id
    _, zh, en = repo.KINDS[model]
    code = rules.code(data.code)  # type: ignore[attr-defined]
    dup = common.duplicate(zh, en, code, field="code")
    if repo.find(session, model, t, code) is not None:
        raise dup
    values = CHECKS[model](session, t, data.model_dump(exclude={"code"}), None)
    make: Any = model
    row: T = make(tenant_id=t, code=code, **values)
    return common.insert(session, row, duplicate_error=dup)


def update(
    session: Session, model: type[T], code: str, data: Patch, *, actor: Actor
) -> T:
    """Apply a ``…Update`` payload to the row with ``code``."""
    t = actor.tenant_id
    _, zh, en = repo.KINDS[model]
    row = repo.get(session, model, t, code.strip().upper())
    values = common.changes(data, kind_zh=zh, kind_en=en)
    common.apply(session, row, CHECKS[model](session, t, values, row))
    return row


def list_rows(
    session: Session, model: type[T], *, actor: Actor, active: bool | None = None
) -> list[T]:
    return repo.rows(session, model, actor.tenant_id, active=active)
