"""Issue 17 item 9: shop staff are tied to their shop and act only there —
table-driven over every route where a shop's stock is moved (API and page
forms), a recall confirmation and a complaint. The owner ties them through
the API, the CLI or the users page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bakeprint.catalog.models import PointOfSale
from bakeprint.events.models import Event
from bakeprint.identity import service as identity
from bakeprint.retail.models import ShopStock
from tests.logistics.test_chain import ARRIVE, _trip
from tests.web.test_pages import csrf_of


@pytest.fixture
def shops(client, session, bakery, packed):  # type: ignore[no-untyped-def]
    """24 units received and shelved at CITY-LIB; a second shop, MUSEUM, with
    its own staff member added through the API, tied to it."""
    session.add(
        PointOfSale(
            tenant_id=bakery.tenant.id, code="MUSEUM", name="博物馆", kind="shop"
        )
    )
    session.flush()
    code = _trip(client, bakery, packed)
    d = client.post(
        f"/api/v1/trips/{code}/deliveries",
        json={
            "point_of_sale": "CITY-LIB",
            "batch": packed.code,
            "quantity": 24,
            "at": ARRIVE,
        },
        headers=bakery.auth("logistics"),
    ).json()
    r = client.post(
        "/api/v1/pos/CITY-LIB/receipts",
        json={"delivery_id": d["id"], "quantity": 20, "at": ARRIVE},
        headers=bakery.headers,
    )
    assert r.status_code == 201, r.text
    client.post(
        "/api/v1/pos/CITY-LIB/shelf",
        json={"batch": packed.code, "at": ARRIVE},
        headers=bakery.headers,
    )
    r = client.post(
        "/api/v1/users",
        json={
            "username": "museum-staff",
            "display_name": "博物馆店员",
            "roles": ["store"],
            "password": "correct-horse-1",
            "point_of_sale": "MUSEUM",
        },
        headers=bakery.headers,
    )
    assert r.status_code == 201 and r.json()["point_of_sale"] == "MUSEUM", r.text
    token = client.post(
        "/api/v1/tokens",
        json={"username": "museum-staff", "name": "museum till"},
        headers=bakery.headers,
    ).json()["token"]
    return {"delivery": d["id"], "batch": packed.code, "museum": token}


def _api_writes(s: dict[str, str]) -> list[tuple[str, dict[str, object]]]:
    b = s["batch"]
    return [
        ("receipts", {"delivery_id": s["delivery"], "quantity": 4}),
        ("shelf", {"batch": b}),
        ("sales", {"batch": b, "quantity": 1}),
        ("waste", {"batch": b, "quantity": 2, "reason": "碰坏"}),
        ("returns", {"batch": b, "quantity": 2, "reason": "退回"}),
    ]


def _recorded(session, bakery) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    t = bakery.tenant.id
    stock = session.scalar(
        select(func.sum(ShopStock.sold + ShopStock.wasted + ShopStock.returned)).where(
            ShopStock.tenant_id == t
        )
    )
    events = session.scalar(select(func.count()).where(Event.tenant_id == t))
    return int(stock or 0), int(events)


@pytest.mark.parametrize("route", range(5))
def test_staff_of_one_shop_move_no_stock_at_another(
    client, session, bakery, shops, route
):
    path, body = _api_writes(shops)[route]
    before = _recorded(session, bakery)
    h = {"Authorization": f"Bearer {shops['museum']}", "Accept-Language": "en"}
    for key in (None, "retry-1"):  # nor through an idempotent replay
        headers = {**h, "Idempotency-Key": key} if key else h
        r = client.post(f"/api/v1/pos/CITY-LIB/{path}", json=body, headers=headers)
        assert r.status_code == 403, (path, r.text)
        assert "own shop" in r.json()["error"]["message"]
    assert _recorded(session, bakery) == before
    # CITY-LIB's own staff may (the same request, their shop)
    r = client.post(
        f"/api/v1/pos/CITY-LIB/{path}", json=body, headers=bakery.auth("store")
    )
    assert r.status_code != 403, r.text


@pytest.mark.parametrize(
    ("form", "data"),
    [
        ("sell", {"batch": "{batch}", "quantity": "1"}),
        (
            "remove",
            {"batch": "{batch}", "quantity": "1", "reason": "碰坏", "kind": "waste"},
        ),
        ("shelve", {"batch": "{batch}"}),
        ("receive", {"delivery_id": "{delivery}", "quantity": "1"}),
        ("recall-pulled", {"recall": "R-1", "batch": "{batch}", "pulled": "1"}),
    ],
)
def test_shop_pages_refuse_staff_of_another_shop(
    client, session, bakery, shops, form, data
):
    page = client.get("/login")
    client.post(
        "/login",
        data={
            "csrf": csrf_of(page.text),
            "bakery": bakery.tenant.slug,
            "username": "museum-staff",
            "password": "correct-horse-1",
        },
    )
    own = client.get("/shops", follow_redirects=True)
    assert own.url.path == "/shops/MUSEUM"  # staff land on their own shop
    assert client.get("/shops/CITY-LIB").status_code == 403
    before = _recorded(session, bakery)
    filled = {k: v.format(**shops) for k, v in data.items()}
    r = client.post(
        f"/shops/CITY-LIB/{form}",
        data={"csrf": csrf_of(own.text), **filled},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert _recorded(session, bakery) == before


def test_a_store_user_without_a_shop_acts_at_none(client, session, bakery, shops):
    loose = identity.create_user(
        session, bakery.tenant.id, username="loose", display_name="x", roles=["store"]
    )
    token = identity.issue_token(session, loose)
    r = client.post(
        "/api/v1/pos/CITY-LIB/waste",
        json={"batch": shops["batch"], "quantity": 1, "reason": "x"},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )
    assert r.status_code == 403
    assert "not tied to a shop" in r.json()["error"]["message"]
    assert "bakeprint user update loose --shop" in r.json()["error"]["message"]


def test_a_complaint_is_filed_only_for_ones_own_shop(client, bakery, shops):
    h = {"Authorization": f"Bearer {shops['museum']}"}
    body = {"code": shops["batch"], "category": "spoiled", "description": "发霉"}
    r = client.post(
        "/api/v1/complaints", json={**body, "point_of_sale": "CITY-LIB"}, headers=h
    )
    assert r.status_code == 403
    r = client.post("/api/v1/complaints", json=body, headers=h)
    assert r.status_code == 201, r.text


def test_store_users_are_created_with_a_shop_and_moved_by_the_owner(
    client, bakery, shops
):
    new = {"username": "temp", "display_name": "临时", "roles": ["store"]}
    r = client.post("/api/v1/users", json=new, headers=bakery.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "point_of_sale"
    r = client.post(
        "/api/v1/users",
        json={**new, "point_of_sale": "NOWHERE"},
        headers=bakery.headers,
    )
    assert r.status_code == 404
    r = client.post(
        "/api/v1/users",
        json={**new, "point_of_sale": "CITY-LIB"},
        headers=bakery.headers,
    )
    assert r.status_code == 201 and r.json()["point_of_sale"] == "CITY-LIB"
    r = client.patch(
        "/api/v1/users/temp", json={"point_of_sale": "MUSEUM"}, headers=bakery.headers
    )
    assert r.status_code == 200 and r.json()["point_of_sale"] == "MUSEUM"
    r = client.patch(
        "/api/v1/users/temp", json={"point_of_sale": None}, headers=bakery.headers
    )
    assert r.status_code == 422  # shop staff always have a shop
    r = client.patch(
        "/api/v1/users/temp",
        json={"point_of_sale": "CITY-LIB"},
        headers=bakery.auth("store"),
    )
    assert r.status_code == 403


def test_the_owner_ties_staff_to_a_shop_on_the_users_page(
    client, session, bakery, shops
):
    page = client.get("/login")
    client.post(
        "/login",
        data={
            "csrf": csrf_of(page.text),
            "bakery": bakery.tenant.slug,
            "username": "owner",
            "password": "correct-horse-1",
        },
    )
    users = client.get("/users")
    assert users.status_code == 200 and "museum-staff" in users.text
    r = client.post(
        "/users/museum-staff/shop",
        data={"csrf": csrf_of(users.text), "point_of_sale": "CITY-LIB"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    me = client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {shops['museum']}"}
    ).json()
    assert me["point_of_sale"] == "CITY-LIB"
    assert "修改用户" in client.get("/users").text  # the security log, in words
