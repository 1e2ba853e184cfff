"""Master-data forms (issue 7 item 1; the stories of item 3 are edited here):
add and edit every kind from the master page, the same rules as the API with
the message next to the field, an edit changes only what was changed, and only
those allowed to edit master data may."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bakeprint.catalog.forms import KINDS
from bakeprint.catalog.models import MaterialType, Product, Supplier
from bakeprint.events.models import Event
from tests.factories import make_catalog
from tests.web.test_pages import csrf_of, login


def _events(session) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(func.count()).select_from(Event)) or 0)


@pytest.mark.parametrize("slug", sorted(KINDS))
def test_every_kind_has_an_add_form_with_a_label_on_every_field(client, bakery, slug):  # type: ignore[no-untyped-def]
    login(client, bakery)
    r = client.get(f"/master/{slug}/new")
    assert r.status_code == 200
    model = KINDS[slug].create
    for name in model.model_fields:
        assert f'name="{name}"' in r.text, name
    assert "<label" in r.text and 'class="primary"' in r.text


def test_add_a_supplier_then_edit_and_clear_its_gln(client, bakery, session):  # type: ignore[no-untyped-def]
    login(client, bakery)
    page = client.get("/master/suppliers/new")
    r = client.post(
        "/master/suppliers/new",
        data={
            "csrf": csrf_of(page.text),
            "code": "yunnan-rose",
            "name": "云南玫瑰合作社",
            "region": "云南",
            "gln": "6901234000016",
        },
    )
    assert r.status_code == 200 and "云南玫瑰合作社" in r.text  # back on /master
    sup = session.scalar(
        select(Supplier).where(
            Supplier.tenant_id == bakery.tenant.id, Supplier.code == "YUNNAN-ROSE"
        )
    )
    assert sup is not None and sup.gln == "6901234000016" and sup.region == "云南"

    page = client.get("/master/suppliers/YUNNAN-ROSE")
    assert 'value="6901234000016"' in page.text and 'value="云南"' in page.text
    before = _events(session)
    bad = client.post(
        "/master/suppliers/YUNNAN-ROSE",
        data={
            "csrf": csrf_of(page.text),
            "name": "云南玫瑰合作社",
            "region": "云南大理",
            "gln": "6901234000017",  # wrong check digit
            "contact": "",
            "approved_on": "",
            "active": ["0", "1"],
        },
    )
    assert bad.status_code == 422
    assert 'class="invalid"' in bad.text and "校验位" in bad.text, bad.text[-3000:]
    assert 'value="6901234000017"' in bad.text  # what was typed stays
    session.refresh(sup)
    assert sup.region == "云南" and _events(session) == before  # nothing written
    ok = client.post(
        "/master/suppliers/YUNNAN-ROSE",
        data={
            "csrf": csrf_of(page.text),
            "name": "云南玫瑰合作社",
            "region": "云南大理",
            "gln": "",
            "contact": "",
            "approved_on": "",
            "active": ["0", "1"],
        },
    )
    assert ok.status_code == 200, ok.text
    session.refresh(sup)
    assert sup.region == "云南大理" and sup.gln is None and sup.active


def test_a_products_story_and_allergens_are_edited_by_the_bakery(
    client, bakery, session
):  # type: ignore[no-untyped-def]
    cat = make_catalog(session, bakery.tenant.id)
    gtin = cat["product"].gtin
    login(client, bakery)
    page = client.get(f"/master/products/{gtin}")
    assert page.status_code == 200 and "<textarea" in page.text
    r = client.post(
        f"/master/products/{gtin}",
        data={
            "csrf": csrf_of(page.text),
            "name_zh": cat["product"].name_zh,
            "name_en": cat["product"].name_en,
            "category": cat["product"].category,
            "shelf_life_days": str(cat["product"].shelf_life_days),
            "allergens": ["gluten", "eggs", "milk"],
            "unit_weight_g": "",
            "story_zh": "灵感来自春日的樱花大道。",
            "story_en": "",
            "limited_edition_size": "",
            "active": ["0", "1"],
        },
    )
    assert r.status_code == 200, r.text
    product = session.scalar(
        select(Product).where(
            Product.tenant_id == bakery.tenant.id, Product.gtin == gtin
        )
    )
    assert product is not None
    session.refresh(product)
    assert product.story_zh == "灵感来自春日的樱花大道。"
    assert sorted(product.allergens) == ["eggs", "gluten", "milk"]
    # a shelf life out of range is said next to its field
    bad = client.post(
        f"/master/products/{gtin}",
        data={"csrf": csrf_of(page.text), "shelf_life_days": "99"},
    )
    assert bad.status_code == 422 and 'class="field-error"' in bad.text
    session.refresh(product)
    assert product.shelf_life_days == cat["product"].shelf_life_days


def test_a_material_types_origin_story(client, bakery, session):  # type: ignore[no-untyped-def]
    cat = make_catalog(session, bakery.tenant.id)
    code = cat["sakura"].code
    login(client, bakery)
    page = client.get(f"/master/material-types/{code}")
    r = client.post(
        f"/master/material-types/{code}",
        data={
            "csrf": csrf_of(page.text),
            "origin_story_zh": "采自无锡鼋头渚的八重樱，盐渍三个月。",
        },
    )
    assert r.status_code == 200, r.text
    mt = session.scalar(
        select(MaterialType).where(
            MaterialType.tenant_id == bakery.tenant.id, MaterialType.code == code
        )
    )
    assert mt is not None
    session.refresh(mt)
    assert mt.origin_story_zh.startswith("采自无锡")
    assert mt.name_zh == cat["sakura"].name_zh  # untouched fields stay


def test_who_may_edit_master_data_and_unknown_pages(client, bakery):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    client.post(
        "/login",
        data={
            "csrf": csrf_of(page.text),
            "bakery": bakery.tenant.slug,
            "username": "auditor-user",
            "password": "correct-horse-1",
            "next": "/",
        },
    )
    assert client.get("/master").status_code == 200
    assert "/master/suppliers/new" not in client.get("/master").text
    assert client.get("/master/suppliers/new").status_code == 403
    client.post("/logout", data={"csrf": csrf_of(client.get("/").text)})
    login(client, bakery)
    assert client.get("/master/dragons/new").status_code == 404
    assert client.get("/master/suppliers/NOPE").status_code == 404
