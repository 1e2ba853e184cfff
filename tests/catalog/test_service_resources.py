"""Code-keyed master data through the service: material types, operators,
equipment, locations, vehicles, suppliers and points of sale."""

from __future__ import annotations

import pytest

from bakeprint.catalog import repository as repo
from bakeprint.catalog import service as catalog
from bakeprint.catalog.models import Equipment, MaterialType, Operator
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
    SupplierCreate,
    VehicleCreate,
)
from bakeprint.errors import Conflict, Invalid, NotFound


def test_a_material_gtin_is_validated_unique_and_set_once(session, bakery, cat):
    data = MaterialTypeCreate(
        code="cream",
        name_zh="鲜奶油",
        unit="KG",
        short_life=True,
        allergens=["milk"],
        gtin="6901234900019",
        origin_story_zh="城郊牧场",
    )
    cream = catalog.create_material_type(session, data, actor=bakery.actor)
    assert (cream.code, cream.unit, cream.gtin) == ("CREAM", "kg", "06901234900019")
    with pytest.raises(Conflict, match="GTIN 06901234900019 already exists"):
        catalog.update_material_type(
            session,
            "FLOUR",
            MaterialTypeUpdate(gtin="6901234900019"),
            actor=bakery.actor,
        )
    with pytest.raises(Invalid, match="cannot change"):
        catalog.update_material_type(
            session, "CREAM", MaterialTypeUpdate(gtin=None), actor=bakery.actor
        )
    flour = catalog.update_material_type(
        session,
        "flour",
        MaterialTypeUpdate(gtin="6901234900026", origin_story_en="Northern wheat"),
        actor=bakery.actor,
    )
    assert (flour.gtin, flour.origin_story_en) == ("06901234900026", "Northern wheat")
    with pytest.raises(Invalid, match="unknown unit: tons; choose from kg, g, L"):
        catalog.update_material_type(
            session, "FLOUR", MaterialTypeUpdate(unit="tons"), actor=bakery.actor
        )
    assert len(repo.rows(session, MaterialType, bakery.tenant.id)) == 3


def test_an_operator_can_be_linked_to_one_user_of_the_bakery(session, bakery, cat):
    op = catalog.create_operator(
        session,
        OperatorCreate(code="li-01", name="李师傅", username="production-user"),
        actor=bakery.actor,
    )
    assert op.user_id is not None
    with pytest.raises(Conflict, match="already linked to operator LI-01"):
        catalog.update_operator(
            session,
            "WANG-03",
            OperatorUpdate(username="production-user"),
            actor=bakery.actor,
        )
    with pytest.raises(NotFound, match="no user ghost"):
        catalog.update_operator(
            session, "WANG-03", OperatorUpdate(username="ghost"), actor=bakery.actor
        )
    unlinked = catalog.update_operator(
        session, "LI-01", OperatorUpdate(username=None), actor=bakery.actor
    )
    assert unlinked.user_id is None
    assert len(repo.rows(session, Operator, bakery.tenant.id)) == 2


def test_equipment_lives_in_an_active_location_of_the_bakery(session, bakery, cat):
    oven = catalog.create_equipment(
        session,
        EquipmentCreate(code="oven-4", name="4号烤箱", kind="OVEN", location="hall-1"),
        actor=bakery.actor,
    )
    assert (oven.kind, oven.location_id) == ("oven", cat["kitchen"].id)
    catalog.update_location(
        session, "COLD-1", LocationUpdate(active=False), actor=bakery.actor
    )
    with pytest.raises(Conflict, match="location COLD-1 is deactivated"):
        catalog.update_equipment(
            session, "OVEN-4", EquipmentUpdate(location="COLD-1"), actor=bakery.actor
        )
    with pytest.raises(NotFound, match="location not found: MARS"):
        catalog.create_equipment(
            session,
            EquipmentCreate(code="OVEN-5", name="5号", kind="oven", location="MARS"),
            actor=bakery.actor,
        )
    with pytest.raises(Invalid, match="unknown equipment kind: toaster"):
        catalog.create_equipment(
            session,
            EquipmentCreate(code="OVEN-5", name="5号", kind="toaster"),
            actor=bakery.actor,
        )
    moved = catalog.update_equipment(
        session, "OVEN-4", EquipmentUpdate(location=None), actor=bakery.actor
    )
    assert moved.location_id is None
    assert len(repo.rows(session, Equipment, bakery.tenant.id)) == 2


def test_places_vehicles_suppliers_and_shops(session, bakery, cat):
    a = bakery.actor
    loc = catalog.create_location(
        session,
        LocationCreate(
            code="pack-1", name="包装间", kind="packing", gln="6901234000009"
        ),
        actor=a,
    )
    assert (loc.code, loc.gln) == ("PACK-1", "6901234000009")
    with pytest.raises(Invalid, match="GLN 6901234000008 has a wrong check digit"):
        catalog.create_location(
            session,
            LocationCreate(code="X", name="x", kind="packing", gln="6901234000008"),
            actor=a,
        )
    with pytest.raises(Invalid, match="unknown location kind: garage"):
        catalog.create_location(
            session, LocationCreate(code="X", name="x", kind="garage"), actor=a
        )
    van = catalog.create_vehicle(
        session, VehicleCreate(code="van-3", name="3号车", plate="沪A·D1003"), actor=a
    )
    assert (van.refrigerated, van.emission_kg_per_km) == (True, 0.25)
    with pytest.raises(Invalid, match="emission per km cannot be negative"):
        catalog.create_vehicle(
            session,
            VehicleCreate(code="VAN-4", name="4号车", emission_kg_per_km=-1),
            actor=a,
        )
    cafe = catalog.create_point_of_sale(
        session,
        PointOfSaleCreate(code="old-cafe", name="旧时光咖啡馆", kind="cafe"),
        actor=a,
    )
    assert cafe.kind == "cafe"
    with pytest.raises(Invalid, match="unknown point-of-sale kind: kiosk"):
        catalog.create_point_of_sale(
            session, PointOfSaleCreate(code="K", name="k", kind="kiosk"), actor=a
        )
    with pytest.raises(Conflict, match="supplier with code B already exists"):
        catalog.create_supplier(session, SupplierCreate(code="b", name="重复"), actor=a)
