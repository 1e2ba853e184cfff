"""Master data: the one module the API, the CLI and other domains call.

``from bakeprint.catalog import service as catalog`` gives the look-ups
(``catalog.product_by_gtin(session, tenant_id, gtin)``…) and the writes
(``catalog.create_product(session, data, actor=actor)``…). Writes flush and never
commit; the caller's transaction makes each command all-or-nothing.

Master data appends no event: describing an oven or a shop records no fact
about a batch (EPCIS keeps master data out of its events too). What keeps the
history readable is that codes and GTINs never change and rows are deactivated,
never deleted, so every batch still points at what it was made with.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bakeprint.catalog import resources
from bakeprint.catalog.lookups import (
    equipment_by_code,
    line_by_code,
    location_by_code,
    material_type_by_code,
    operator_by_code,
    point_of_sale_by_code,
    product_by_gtin,
    supplier_by_code,
    variant,
    vehicle_by_code,
)
from bakeprint.catalog.models import (
    Equipment,
    Location,
    MaterialType,
    Operator,
    PointOfSale,
    Supplier,
    Vehicle,
)
from bakeprint.catalog.products import (
    create_line,
    create_product,
    create_variant,
    list_lines,
    list_products,
    list_variants,
    update_line,
    update_product,
    update_variant,
)
from bakeprint.catalog.schemas import (
    EquipmentCreate,
    EquipmentUpdate,
    LocationCreate,
    LocationUpdate,
    MaterialTypeCreate,
    MaterialTypeUpdate,
    OperatorCreate,
    OperatorUpdate,
    PointOfSaleCreate,
    PointOfSaleUpdate,
    SupplierCreate,
    SupplierUpdate,
    VehicleCreate,
    VehicleUpdate,
)
from bakeprint.identity.service import Actor

__all__ = [
    "create_equipment",
    "create_line",
    "create_location",
    "create_material_type",
    "create_operator",
    "create_point_of_sale",
    "create_product",
    "create_supplier",
    "create_variant",
    "create_vehicle",
    "equipment_by_code",
    "line_by_code",
    "list_lines",
    "list_products",
    "list_variants",
    "location_by_code",
    "material_type_by_code",
    "operator_by_code",
    "point_of_sale_by_code",
    "product_by_gtin",
    "supplier_by_code",
    "update_equipment",
    "update_line",
    "update_location",
    "update_material_type",
    "update_operator",
    "update_point_of_sale",
    "update_product",
    "update_supplier",
    "update_variant",
    "update_vehicle",
    "variant",
    "vehicle_by_code",
]


def create_material_type(
    session: Session, data: MaterialTypeCreate, *, actor: Actor
) -> MaterialType:
    return resources.create(session, MaterialType, data, actor=actor)


def update_material_type(
    session: Session, code: str, data: MaterialTypeUpdate, *, actor: Actor
) -> MaterialType:
    return resources.update(session, MaterialType, code, data, actor=actor)


def create_supplier(
    session: Session, data: SupplierCreate, *, actor: Actor
) -> Supplier:
    return resources.create(session, Supplier, data, actor=actor)


def update_supplier(
    session: Session, code: str, data: SupplierUpdate, *, actor: Actor
) -> Supplier:
    return resources.update(session, Supplier, code, data, actor=actor)


def create_operator(
    session: Session, data: OperatorCreate, *, actor: Actor
) -> Operator:
    return resources.create(session, Operator, data, actor=actor)


def update_operator(
    session: Session, code: str, data: OperatorUpdate, *, actor: Actor
) -> Operator:
    return resources.update(session, Operator, code, data, actor=actor)


def create_equipment(
    session: Session, data: EquipmentCreate, *, actor: Actor
) -> Equipment:
    return resources.create(session, Equipment, data, actor=actor)


def update_equipment(
    session: Session, code: str, data: EquipmentUpdate, *, actor: Actor
) -> Equipment:
    return resources.update(session, Equipment, code, data, actor=actor)


def create_location(
    session: Session, data: LocationCreate, *, actor: Actor
) -> Location:
    return resources.create(session, Location, data, actor=actor)


def update_location(
    session: Session, code: str, data: LocationUpdate, *, actor: Actor
) -> Location:
    return resources.update(session, Location, code, data, actor=actor)


def create_vehicle(session: Session, data: VehicleCreate, *, actor: Actor) -> Vehicle:
    return resources.create(session, Vehicle, data, actor=actor)


def update_vehicle(
    session: Session, code: str, data: VehicleUpdate, *, actor: Actor
) -> Vehicle:
    return resources.update(session, Vehicle, code, data, actor=actor)


def create_point_of_sale(
    session: Session, data: PointOfSaleCreate, *, actor: Actor
) -> PointOfSale:
    return resources.create(session, PointOfSale, data, actor=actor)


def update_point_of_sale(
    session: Session, code: str, data: PointOfSaleUpdate, *, actor: Actor
) -> PointOfSale:
    return resources.update(session, PointOfSale, code, data, actor=actor)
