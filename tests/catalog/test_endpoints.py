"""The /catalog API: every kind round-trips; other bakeries and roles without the
right are refused and write nothing."""

from __future__ import annotations

import pytest

from tests.catalog.api import API, EN, GTIN, KINDS, LISTS, PRODUCT, VARIANT, snapshot
from tests.factories import make_bakery


@pytest.mark.parametrize(("path", "body", "key", "patch"), KINDS, ids=LISTS)
def test_each_kind_is_created_listed_shown_edited_and_deactivated(
    client, bakery, cat, path, body, key, patch
):
    h = bakery.headers
    r = client.post(f"{API}/{path}", json=body, headers=h)
    assert r.status_code == 201, r.text
    created = r.json()
    assert key in (created.get("code"), created.get("gtin"))
    listed = client.get(f"{API}/{path}", headers=h).json()
    assert created in listed

    one = client.get(f"{API}/{path}/{key.lower()}", headers=h)
    assert one.status_code == 200 and one.json() == created

    r = client.patch(f"{API}/{path}/{key}", json=patch, headers=h)
    assert r.status_code == 200, r.text
    for field, value in patch.items():
        assert r.json()[field] == value

    r = client.patch(f"{API}/{path}/{key}", json={"active": False}, headers=h)
    assert r.status_code == 200 and r.json()["active"] is False
    active = client.get(f"{API}/{path}", params={"active": True}, headers=h).json()
    assert key not in {row.get("code") or row.get("gtin") for row in active}
    assert client.get(f"{API}/{path}/{key}", headers=h).status_code == 200


def test_read_payloads_show_references_by_code(client, bakery, cat):
    h = bakery.headers
    product = client.get(f"{API}/products/6901234000016", headers=h).json()
    assert product["gtin"] == GTIN and product["line"] == "SS"
    assert product["allergens"] == ["gluten", "milk"]
    oven = client.get(f"{API}/equipment/OVEN-3", headers=h).json()
    assert oven["location"] == "HALL-1"
    variant = client.get(f"{API}/products/{GTIN}/variants/F1", headers=h).json()
    assert variant["product_gtin"] == GTIN and variant["target_oven_temp_c"] == 185
    lines = client.get(f"{API}/products", params={"line": "ss"}, headers=h).json()
    assert [p["gtin"] for p in lines] == [GTIN]


def test_the_allergen_vocabulary_is_served_with_both_names(client, bakery):
    r = client.get(f"{API}/allergens", headers=bakery.headers)
    assert r.status_code == 200
    assert r.json()[0] == {
        "code": "gluten",
        "name_zh": "含麸质的谷物",
        "name_en": "Cereals containing gluten",
    }
    assert len(r.json()) == 14


def test_another_bakery_can_neither_read_nor_write_this_catalog(
    client, session, bakery, cat
):
    before = snapshot(client, bakery.headers)
    other = make_bakery(session)
    h = other.headers | EN
    for path in LISTS:
        if "variants" not in path:
            assert client.get(f"{API}/{path}", headers=h).json() == [], path
    reads = [
        "product-lines/SS",
        f"products/{GTIN}",
        f"products/{GTIN}/variants",
        f"products/{GTIN}/variants/F1",
        "material-types/FLOUR",
        "suppliers/A",
        "operators/WANG-03",
        "equipment/OVEN-3",
        "locations/HALL-1",
        "vehicles/VAN-2",
        "points-of-sale/CITY-LIB",
    ]
    for path in reads:
        r = client.get(f"{API}/{path}", headers=h)
        assert r.status_code == 404, path
        assert "not found" in r.json()["error"]["message"]
        if not path.endswith("variants"):
            r = client.patch(f"{API}/{path}", json={"active": False}, headers=h)
            assert r.status_code == 404, path
    r = client.post(f"{API}/products/{GTIN}/variants", json=VARIANT, headers=h)
    assert r.status_code == 404
    r = client.get(f"{API}/products", params={"line": "SS"}, headers=h)
    assert r.status_code == 404
    assert snapshot(client, bakery.headers) == before


@pytest.mark.parametrize(
    "role", ["production", "qc", "logistics", "store", "supplier", "auditor"]
)
def test_only_the_owner_may_change_master_data(client, bakery, cat, role):
    before = snapshot(client, bakery.headers)
    h = bakery.auth(role)
    r = client.post(
        f"{API}/products", json={**PRODUCT, "gtin": "6901234000023"}, headers=h
    )
    assert r.status_code == 403
    assert "catalog:write" in r.json()["error"]["message"]
    assert "无权" in r.json()["error"]["message"]
    r = client.patch(f"{API}/products/{GTIN}", json={"active": False}, headers=h | EN)
    assert r.status_code == 403
    assert r.json()["error"]["message"].startswith(f"your role ({role}) may not")
    r = client.post(f"{API}/operators", json={"code": "X", "name": "x"}, headers=h)
    assert r.status_code == 403
    assert snapshot(client, bakery.headers) == before


def test_reading_master_data_needs_the_read_right(client, bakery, cat):
    for role in ("production", "qc", "logistics", "auditor"):
        r = client.get(f"{API}/products/{GTIN}", headers=bakery.auth(role))
        assert r.status_code == 200, role
    for role in ("store", "supplier"):
        r = client.get(f"{API}/operators", headers=bakery.auth(role))
        assert r.status_code == 403, role
