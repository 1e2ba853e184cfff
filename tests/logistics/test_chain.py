"""From the kitchen to the shop: loading, driving, delivering, selling — with the
numbers checked at every step."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bakeprint.events.models import Event
from bakeprint.packaging import service as packaging
from tests.epcis_schema import assert_valid_event
from tests.factories import make_bakery
from tests.production.conftest import T0

DEPART = (T0 + timedelta(hours=2, minutes=30)).isoformat()  # 16:30 Shanghai
LOADED = (T0 + timedelta(hours=2, minutes=15)).isoformat()  # packed at 16:00
ARRIVE = (T0 + timedelta(hours=4, minutes=20)).isoformat()  # 18:20


def _events(session, tenant_id) -> int:  # type: ignore[no-untyped-def]
    return (
        session.scalar(
            select(func.count()).select_from(Event).where(Event.tenant_id == tenant_id)
        )
        or 0
    )


def _trip(client, bakery, packed, qty=24):  # type: ignore[no-untyped-def]
    h = bakery.auth("logistics")
    trip = client.post(
        "/api/v1/trips",
        json={"vehicle": "VAN-2", "driver": "刘司机", "planned_departure": DEPART},
        headers=h,
    ).json()
    code = trip["code"]
    r = client.post(
        f"/api/v1/trips/{code}/loads",
        json={"batch": packed.code, "quantity": qty, "at": LOADED},
        headers=h,
    )
    assert r.status_code == 201, r.text
    assert (
        client.post(
            f"/api/v1/trips/{code}/depart", json={"at": DEPART}, headers=h
        ).status_code
        == 200
    )
    return code


def test_the_briefs_delivery_24_delivered_18_sold(client, bakery, session, packed):
    code = _trip(client, bakery, packed)
    h = bakery.auth("logistics")
    client.post(
        "/api/v1/vehicles/VAN-2/cabin-readings",
        json={
            "readings": [
                {
                    "at": (T0 + timedelta(hours=2, minutes=30 + 10 * i)).isoformat(),
                    "temp_c": 4 + (i % 3) * 0.5,
                }
                for i in range(11)
            ]
        },
        headers=h,
    )
    d = client.post(
        f"/api/v1/trips/{code}/deliveries",
        json={
            "point_of_sale": "CITY-LIB",
            "batch": packed.code,
            "quantity": 24,
            "at": ARRIVE,
        },
        headers=h,
    )
    assert d.status_code == 201, d.text
    shop = bakery.auth("store")
    r = client.post(
        "/api/v1/pos/CITY-LIB/receipts",
        json={
            "delivery_id": d.json()["id"],
            "quantity": 24,
            "receiver": "店员",
            "at": ARRIVE,
        },
        headers=shop,
    )
    assert r.status_code == 201, r.text
    client.post(
        "/api/v1/pos/CITY-LIB/shelf",
        json={"batch": packed.code, "at": ARRIVE},
        headers=shop,
    )
    for i in range(18):
        r = client.post(
            "/api/v1/pos/CITY-LIB/sales",
            json={
                "batch": packed.code,
                "quantity": 1,
                "at": (T0 + timedelta(hours=5, minutes=i)).isoformat(),
            },
            headers=shop,
        )
        assert r.status_code == 201
    stock = client.get("/api/v1/pos/CITY-LIB/stock", headers=shop).json()
    assert [(s["batch"], s["delivered"], s["sold"], s["on_shelf"]) for s in stock] == [
        (packed.code, 24, 18, 6)
    ]
    trip = client.get(f"/api/v1/trips/{code}", headers=bakery.headers).json()
    assert trip["cabin"]["readings"] == 11 and trip["cabin"]["max_c"] == 5.0
    assert trip["departed_at"] == "2025-12-03T16:30:00+08:00"  # 08:30 UTC
    for ev in session.scalars(select(Event).where(Event.tenant_id == bakery.tenant.id)):
        assert_valid_event(ev.body)


def test_loading_more_than_the_kitchen_has_says_the_numbers(
    client, bakery, session, packed
):
    h = {**bakery.auth("logistics"), "Accept-Language": "en"}
    code = client.post("/api/v1/trips", json={"vehicle": "VAN-2"}, headers=h).json()[
        "code"
    ]
    client.post(
        f"/api/v1/trips/{code}/loads",
        json={"batch": packed.code, "quantity": 20},
        headers=h,
    )
    before = _events(session, bakery.tenant.id)
    r = client.post(
        f"/api/v1/trips/{code}/loads",
        json={"batch": packed.code, "quantity": 11},
        headers=h,
    )
    assert r.status_code == 409
    assert (
        "only 10 left in the kitchen (packed 30); cannot load 11"
        in r.json()["error"]["message"]
    )
    assert _events(session, bakery.tenant.id) == before


def test_delivering_more_than_is_on_board_is_refused(client, bakery, packed):
    code = _trip(client, bakery, packed, qty=10)
    r = client.post(
        f"/api/v1/trips/{code}/deliveries",
        json={"point_of_sale": "CITY-LIB", "batch": packed.code, "quantity": 11},
        headers={**bakery.auth("logistics"), "Accept-Language": "en"},
    )
    assert r.status_code == 409 and "only 10" in r.json()["error"]["message"]


def test_receiving_at_the_wrong_shop_names_both(client, bakery, session, packed):
    from bakeprint.catalog.models import PointOfSale

    session.add(
        PointOfSale(
            tenant_id=bakery.tenant.id,
            code="OLD-CAFE",
            name="旧时光咖啡馆",
            kind="cafe",
        )
    )
    session.flush()
    code = _trip(client, bakery, packed)
    d = client.post(
        f"/api/v1/trips/{code}/deliveries",
        json={"point_of_sale": "CITY-LIB", "batch": packed.code, "quantity": 5},
        headers=bakery.auth("logistics"),
    ).json()
    r = client.post(
        "/api/v1/pos/OLD-CAFE/receipts",
        json={"delivery_id": d["id"], "quantity": 5},
        headers=bakery.headers,
    )
    assert r.status_code == 409
    assert "城市书房" in r.json()["error"]["message"]
    assert "旧时光咖啡馆" in r.json()["error"]["message"]


def test_selling_more_than_is_on_the_shelf_is_refused(client, bakery, packed):
    code = _trip(client, bakery, packed, qty=3)
    d = client.post(
        f"/api/v1/trips/{code}/deliveries",
        json={"point_of_sale": "CITY-LIB", "batch": packed.code, "quantity": 3},
        headers=bakery.auth("logistics"),
    ).json()
    client.post(
        "/api/v1/pos/CITY-LIB/receipts",
        json={"delivery_id": d["id"], "quantity": 3},
        headers=bakery.headers,
    )
    r = client.post(
        "/api/v1/pos/CITY-LIB/sales",
        json={"batch": packed.code, "quantity": 4},
        headers={**bakery.headers, "Accept-Language": "en"},
    )
    assert r.status_code == 409
    assert (
        "only 3" in r.json()["error"]["message"]
        and "cannot sell 4" in r.json()["error"]["message"]
    )


def test_a_retried_sale_is_counted_once(client, bakery, session, packed):
    code = _trip(client, bakery, packed, qty=5)
    d = client.post(
        f"/api/v1/trips/{code}/deliveries",
        json={"point_of_sale": "CITY-LIB", "batch": packed.code, "quantity": 5},
        headers=bakery.auth("logistics"),
    ).json()
    client.post(
        "/api/v1/pos/CITY-LIB/receipts",
        json={"delivery_id": d["id"], "quantity": 5},
        headers=bakery.headers,
    )
    unit = packaging.units_of(session, packed)[0]
    h = {**bakery.auth("store"), "Idempotency-Key": "till-7-0001"}
    first = client.post(
        "/api/v1/pos/CITY-LIB/sales", json={"unit": unit.serial}, headers=h
    )
    again = client.post(
        "/api/v1/pos/CITY-LIB/sales", json={"unit": unit.serial}, headers=h
    )
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true"
    assert first.json() == again.json() and first.json()["sold"] == 1
    other = client.post(
        "/api/v1/pos/CITY-LIB/sales",
        json={"batch": packed.code, "quantity": 2},
        headers=h,
    )
    assert other.status_code == 422
    twice = client.post(
        "/api/v1/pos/CITY-LIB/sales",
        json={"unit": unit.serial},
        headers={**bakery.auth("store"), "Accept-Language": "en"},
    )
    assert (
        twice.status_code == 409 and "already sold" in twice.json()["error"]["message"]
    )


def test_roles_and_bakeries_are_kept_apart(client, bakery, session, packed):
    r = client.post(
        "/api/v1/trips", json={"vehicle": "VAN-2"}, headers=bakery.auth("store")
    )
    assert r.status_code == 403
    r = client.post(
        "/api/v1/pos/CITY-LIB/sales",
        json={"batch": packed.code},
        headers=bakery.auth("logistics"),
    )
    assert r.status_code == 403
    code = _trip(client, bakery, packed, qty=2)
    other = make_bakery(session)
    assert client.get(f"/api/v1/trips/{code}", headers=other.headers).status_code == 404
    assert (
        client.get("/api/v1/pos/CITY-LIB/stock", headers=other.headers).status_code
        == 404
    )


def test_loading_is_recorded_when_it_happened(client, bakery, session, packed):
    h = {**bakery.auth("logistics"), "Accept-Language": "en"}
    code = client.post("/api/v1/trips", json={"vehicle": "VAN-2"}, headers=h).json()[
        "code"
    ]
    at = packed.packed_at + timedelta(minutes=20)
    r = client.post(
        f"/api/v1/trips/{code}/loads",
        json={"batch": packed.code, "quantity": 5, "at": at.isoformat()},
        headers=h,
    )
    assert r.status_code == 201, r.text
    ev = session.scalar(
        select(Event)
        .where(Event.tenant_id == bakery.tenant.id, Event.kind == "loaded")
        .order_by(Event.seq.desc())
    )
    assert ev.event_time == at
    later = client.post(
        f"/api/v1/trips/{code}/loads",
        json={"batch": packed.code, "quantity": 1, "at": "2999-01-01T00:00:00Z"},
        headers=h,
    )
    assert later.status_code == 422
