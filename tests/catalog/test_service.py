"""Master data through the service: rules, uniqueness, fixed keys, look-ups."""

from __future__ import annotations

from typing import Any

import pytest

from bakeprint.catalog import common
from bakeprint.catalog import repository as repo
from bakeprint.catalog import service as catalog
from bakeprint.catalog.models import Product, ProductLine, RecipeVariant
from bakeprint.catalog.schemas import (
    ProductCreate,
    ProductLineCreate,
    ProductLineUpdate,
    ProductUpdate,
    VariantCreate,
    VariantUpdate,
)
from bakeprint.errors import Conflict, Invalid, NotFound
from tests.factories import make_bakery

GTIN = "06901234000016"  # in make_catalog
NEW_GTIN = "6901234000023"  # GTIN-13 of a product not yet created


def product_data(**kw: Any) -> ProductCreate:
    data: dict[str, Any] = {
        "gtin": NEW_GTIN,
        "line": "ss",
        "name_zh": "抹茶红豆酥",
        "name_en": "Matcha Red Bean Pastry",
        "category": "酥皮类",
        "shelf_life_days": 7,
        "allergens": ["milk", "麸质"],
        **kw,
    }
    return ProductCreate(**data)


def test_a_product_is_stored_with_its_gtin_14_and_allergen_codes(session, bakery, cat):
    p = catalog.create_product(session, product_data(), actor=bakery.actor)
    assert p.gtin == "06901234000023"
    assert p.line_id == cat["line"].id
    assert p.allergens == ["gluten", "milk"]
    # Any GTIN form finds it.
    assert catalog.product_by_gtin(session, bakery.tenant.id, NEW_GTIN) is p


def test_every_lookup_finds_by_code_whatever_the_case(session, bakery, cat):
    t = bakery.tenant.id
    assert catalog.line_by_code(session, t, " ss ") is cat["line"]
    assert catalog.operator_by_code(session, t, "wang-03") is cat["operator"]
    assert catalog.equipment_by_code(session, t, "oven-3") is cat["oven"]
    assert catalog.location_by_code(session, t, "cold-1") is cat["cold_room"]
    assert catalog.vehicle_by_code(session, t, "van-2") is cat["van"]
    assert catalog.point_of_sale_by_code(session, t, "city-lib") is cat["shop"]
    assert catalog.supplier_by_code(session, t, "b") is cat["supplier_b"]
    assert catalog.material_type_by_code(session, t, "flour") is cat["flour"]
    product_id = cat["product"].id
    assert catalog.variant(session, t, product_id, "f1") is cat["variant"]


@pytest.mark.parametrize(
    ("lookup", "key", "en"),
    [
        (catalog.line_by_code, "XX", "product line not found: XX"),
        (catalog.product_by_gtin, "6901234000023", "product not found"),
        (catalog.operator_by_code, "NOBODY", "operator not found: NOBODY"),
        (catalog.equipment_by_code, "OVEN-9", "equipment not found: OVEN-9"),
        (catalog.location_by_code, "NOWHERE", "location not found: NOWHERE"),
        (catalog.vehicle_by_code, "VAN-9", "vehicle not found: VAN-9"),
        (catalog.point_of_sale_by_code, "MOON", "point of sale not found: MOON"),
        (catalog.supplier_by_code, "Z", "supplier not found: Z"),
        (catalog.material_type_by_code, "GOLD", "material type not found: GOLD"),
    ],
)
def test_a_missing_code_is_a_bilingual_not_found(session, bakery, cat, lookup, key, en):
    with pytest.raises(NotFound) as exc:
        lookup(session, bakery.tenant.id, key)
    assert en in exc.value.en and exc.value.zh.startswith("找不到")


def test_a_missing_variant_names_the_product(session, bakery, cat):
    with pytest.raises(NotFound) as exc:
        catalog.variant(session, bakery.tenant.id, cat["product"].id, "F9")
    assert exc.value.en == "product Spring Sakura Cake has no recipe variant F9"
    assert exc.value.zh == "产品 春日樱花饼 没有配方版本 F9"


def test_another_bakerys_master_data_is_simply_not_found(session, bakery, cat):
    other = make_bakery(session)
    with pytest.raises(NotFound):
        catalog.product_by_gtin(session, other.tenant.id, GTIN)
    with pytest.raises(NotFound):
        catalog.operator_by_code(session, other.tenant.id, "WANG-03")
    with pytest.raises(NotFound):
        catalog.variant(session, other.tenant.id, cat["product"].id, "F1")
    with pytest.raises(NotFound):
        catalog.update_product(
            session, GTIN, ProductUpdate(name_zh="偷改"), actor=other.actor
        )
    assert cat["product"].name_zh == "春日樱花饼"
    # The same codes are free in the other bakery.
    catalog.create_line(
        session, ProductLineCreate(code="SS", name_zh="另一家"), actor=other.actor
    )


def test_a_duplicate_code_is_a_conflict_naming_it_and_adds_nothing(
    session, bakery, cat
):
    with pytest.raises(Conflict) as exc:
        catalog.create_line(
            session, ProductLineCreate(code="ss", name_zh="重复"), actor=bakery.actor
        )
    assert "SS already exists" in exc.value.en and "SS 已存在" in exc.value.zh
    assert exc.value.details == {"duplicate": "SS"}
    assert len(repo.rows(session, ProductLine, bakery.tenant.id)) == 1


def test_a_gtin_given_in_another_form_is_still_a_duplicate(session, bakery, cat):
    with pytest.raises(Conflict) as exc:
        catalog.create_product(
            session, product_data(gtin="6901234000016"), actor=bakery.actor
        )
    assert "GTIN 06901234000016 already exists" in exc.value.en
    assert len(repo.rows(session, Product, bakery.tenant.id)) == 1


def test_a_concurrent_duplicate_that_slips_past_the_check_is_still_a_conflict(
    session, bakery, cat
):
    row = ProductLine(tenant_id=bakery.tenant.id, code="SS", name_zh="抢先")
    dup = common.duplicate("产品线", "product line", "SS", field="code")
    with pytest.raises(Conflict):
        common.insert(session, row, duplicate_error=dup)
    # Only the savepoint was rolled back: the transaction goes on.
    assert catalog.line_by_code(session, bakery.tenant.id, "SS") is cat["line"]


def test_a_product_needs_an_active_line(session, bakery, cat):
    catalog.update_line(
        session, "SS", ProductLineUpdate(active=False), actor=bakery.actor
    )
    with pytest.raises(Conflict, match="product line SS is deactivated"):
        catalog.create_product(session, product_data(), actor=bakery.actor)
    with pytest.raises(NotFound, match="product line not found: ZZ"):
        catalog.create_product(session, product_data(line="ZZ"), actor=bakery.actor)


@pytest.mark.parametrize(
    ("kw", "en"),
    [
        ({"gtin": "6901234000024"}, "expected 3, got 4"),
        ({"shelf_life_days": 0}, "1–60 days; got 0"),
        ({"shelf_life_days": 61}, "1–60 days; got 61"),
        ({"allergens": ["milk", "walnuts"]}, "unknown allergen: walnuts"),
        ({"unit_weight_g": -5}, "unit weight must be greater than 0"),
    ],
)
def test_bad_product_input_is_refused_and_nothing_is_written(
    session, bakery, cat, kw, en
):
    with pytest.raises(Invalid) as exc:
        catalog.create_product(session, product_data(**kw), actor=bakery.actor)
    assert en in exc.value.en
    assert exc.value.zh != exc.value.en
    assert len(repo.rows(session, Product, bakery.tenant.id)) == 1


def test_patch_changes_descriptive_fields_only(session, bakery, cat):
    p = catalog.update_product(
        session,
        GTIN,
        ProductUpdate(
            story_zh="樱花大道", story_en="Cherry avenue", allergens=["eggs", "milk"]
        ),
        actor=bakery.actor,
    )
    assert (p.story_zh, p.allergens, p.gtin) == ("樱花大道", ["eggs", "milk"], GTIN)
    for key in ("gtin", "line"):
        with pytest.raises(Invalid) as exc:
            catalog.update_product(
                session, GTIN, ProductUpdate(**{key: "X"}), actor=bakery.actor
            )
        assert f"product's {key} cannot change after creation" in exc.value.en
        assert exc.value.field == key
    with pytest.raises(Invalid, match="no editable field colour"):
        catalog.update_product(
            session, GTIN, ProductUpdate(colour="pink"), actor=bakery.actor
        )
    with pytest.raises(Invalid, match="name_zh cannot be null"):
        catalog.update_product(
            session, GTIN, ProductUpdate(name_zh=None), actor=bakery.actor
        )
    assert (p.gtin, p.name_zh) == (GTIN, "春日樱花饼")


def test_a_deactivated_product_stays_and_can_come_back(session, bakery, cat):
    off = catalog.update_product(
        session, GTIN, ProductUpdate(active=False), actor=bakery.actor
    )
    assert off.active is False
    assert catalog.list_products(session, actor=bakery.actor, active=True) == []
    assert catalog.list_products(session, actor=bakery.actor, line="ss") == [off]
    on = catalog.update_product(
        session, GTIN, ProductUpdate(active=True), actor=bakery.actor
    )
    assert on.active is True


def test_recipe_variants_are_numbered_per_product(session, bakery, cat):
    other = catalog.create_product(session, product_data(), actor=bakery.actor)
    data = VariantCreate(code="f1", target_oven_temp_c=180, target_bake_minutes=20)
    v = catalog.create_variant(session, other.gtin, data, actor=bakery.actor)
    assert (v.code, v.product_id, v.oven_temp_tolerance_c) == ("F1", other.id, 2.0)
    with pytest.raises(Conflict) as exc:
        catalog.create_variant(session, GTIN, data, actor=bakery.actor)
    assert exc.value.en.startswith("product Spring Sakura Cake already has recipe")
    got = catalog.update_variant(
        session, GTIN, "F1", VariantUpdate(active=False), actor=bakery.actor
    )
    assert got.active is False
    assert catalog.list_variants(session, GTIN, actor=bakery.actor, active=True) == []


@pytest.mark.parametrize(
    ("kw", "en"),
    [
        ({"code": "F123"}, "F and 1–2 digits"),
        ({"target_oven_temp_c": 79}, "80–320 °C; got 79 °C"),
        ({"target_oven_temp_c": 321}, "80–320 °C; got 321 °C"),
        ({"target_bake_minutes": 0}, "1–240 minutes; got 0"),
        ({"target_bake_minutes": 241}, "1–240 minutes; got 241"),
        ({"oven_temp_tolerance_c": -1}, "oven temperature tolerance cannot be"),
        ({"bake_minutes_tolerance": -0.5}, "bake time tolerance cannot be negative"),
    ],
)
def test_bad_variant_input_is_refused(session, bakery, cat, kw, en):
    data = {"code": "F2", "target_oven_temp_c": 185, "target_bake_minutes": 18, **kw}
    with pytest.raises(Invalid) as exc:
        catalog.create_variant(session, GTIN, VariantCreate(**data), actor=bakery.actor)
    assert en in exc.value.en
    assert len(repo.variants(session, bakery.tenant.id, cat["product"].id)) == 1
    with pytest.raises(Invalid):
        patch = {k: v for k, v in kw.items() if k != "code"} or {"code": "F3"}
        catalog.update_variant(
            session, GTIN, "F1", VariantUpdate(**patch), actor=bakery.actor
        )
    assert session.get(RecipeVariant, (bakery.tenant.id, cat["variant"].id)) is not None
    assert cat["variant"].target_oven_temp_c == 185


def test_a_base_recipe_gives_batch_codes_without_a_suffix(client, bakery):
    from tests.production.conftest import T0

    h = bakery.headers
    r = client.post(
        "/api/v1/catalog/product-lines",
        json={"code": "SS", "name_zh": "城市季节"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    r = client.post(
        "/api/v1/catalog/products",
        json={
            "line": "SS",
            "gtin": "06901234000016",
            "name_zh": "春日樱花饼",
            "category": "酥皮类",
            "shelf_life_days": 7,
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    url = "/api/v1/catalog/products/06901234000016/variants"
    for code, base in (("F1", True), ("F2", False)):
        r = client.post(
            url,
            json={
                "code": code,
                "target_oven_temp_c": 185,
                "target_bake_minutes": 18,
                "is_base": base,
            },
            headers=h,
        )
        assert r.status_code == 201 and r.json()["is_base"] is base
    client.post(
        "/api/v1/catalog/operators", json={"code": "WANG-03", "name": "王某"}, headers=h
    )
    start = {
        "product_gtin": "06901234000016",
        "planned_quantity": 50,
        "operators": ["WANG-03"],
        "started_at": T0.isoformat(),
    }
    plain = client.post("/api/v1/batches", json=start, headers=h).json()
    tuned = client.post(
        "/api/v1/batches", json={**start, "variant": "F2"}, headers=h
    ).json()
    assert plain["code"] == "251203-SS-PM-001" and plain["variant"] == "F1"
    assert tuned["code"] == "251203-SS-PM-002-F2"
    r = client.patch(f"{url}/F2", json={"is_base": True}, headers=h)
    assert r.json()["is_base"] is True
    assert client.get(f"{url}/F1", headers=h).json()["is_base"] is False
