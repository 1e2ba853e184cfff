"""Impact scope (R2.3): a suspect lot used by five batches over two days and
three vans — the scope is exactly those five (not the one whose use of it was
corrected to zero, not the neighbours), each with the reason, and per shop the
units delivered, sold and still on the shelf. Sessions, trips, equipment,
suppliers in a period and a window at a location scope the same way; a
complaint's batch proposes its candidate causes."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import Equipment, PointOfSale, Vehicle
from bakeprint.logistics import service as logistics
from bakeprint.logistics.schemas import DeliveryCreate, LoadCreate, TripCreate
from bakeprint.production import consumption
from bakeprint.production import service as production
from bakeprint.production.schemas import (
    BatchComplete,
    BatchCreate,
    ConsumptionCorrect,
    ConsumptionCreate,
    PackCreate,
)
from bakeprint.quality import service as quality
from bakeprint.quality.schemas import CheckpointCreate
from bakeprint.retail import service as retail
from bakeprint.retail.schemas import ReceiptCreate, SaleCreate
from bakeprint.trace import scope
from tests.factories import add, make_bakery, make_catalog
from tests.production.conftest import T0, make_lot

AM = T0 - timedelta(hours=5)  # 09:00 Shanghai, 2025-12-03
DAY2 = timedelta(days=1)


def _batch(session, a, cat, start, lots, *, oven="OVEN-3", qty=40, mistake=False):  # type: ignore[no-untyped-def]
    b = production.start_batch(
        session,
        BatchCreate(
            product_gtin=cat["product"].gtin,
            planned_quantity=qty,
            operators=["WANG-03"],
            equipment=[oven],
            location="HALL-1",
            started_at=start,
        ),
        actor=a,
    )
    rows = [
        consumption.consume(
            session,
            b.code,
            ConsumptionCreate(lot=lot, quantity=0.5, recorded_at=start),
            actor=a,
        )[0]
        for lot in lots
    ]
    if mistake:  # the scan was a mistake: corrected to zero, not deleted
        consumption.correct(
            session,
            b.code,
            rows[0].id,
            ConsumptionCorrect(quantity=0, reason="扫错了"),
            actor=a,
        )
    production.complete_batch(
        session,
        b.code,
        BatchComplete(produced_quantity=qty, ended_at=start + timedelta(hours=1)),
        actor=a,
    )
    quality.record(
        session,
        b.code,
        CheckpointCreate(
            stage="post_cooling",
            passed=True,
            inspector="WANG-03",
            checked_at=start + timedelta(hours=1, minutes=30),
        ),
        actor=a,
    )
    return production.pack_batch(
        session,
        b.code,
        PackCreate(quantity=qty, packed_at=start + timedelta(hours=2)),
        actor=a,
    ), rows


def _ship(session, a, van, when, drops):  # type: ignore[no-untyped-def]
    """drops: [(batch, shop, quantity, sold)]"""
    trip = logistics.create_trip(session, TripCreate(vehicle=van), actor=a)
    for b in dict.fromkeys(d[0] for d in drops):
        logistics.load(
            session,
            trip.code,
            LoadCreate(
                batch=b.code,
                quantity=sum(d[2] for d in drops if d[0] is b),
                at=when - timedelta(minutes=10),
            ),
            actor=a,
        )
    logistics.depart(session, trip.code, at=when, actor=a)
    for i, (b, shop, qty, sold) in enumerate(drops):
        at = when + timedelta(minutes=20 * (i + 1))
        d = logistics.deliver(
            session,
            trip.code,
            DeliveryCreate(point_of_sale=shop, batch=b.code, quantity=qty, at=at),
            actor=a,
        )
        retail.receive(
            session, shop, ReceiptCreate(delivery_id=d.id, quantity=qty, at=at), actor=a
        )
        if sold:
            retail.sell(
                session,
                shop,
                SaleCreate(batch=b.code, quantity=sold, at=at + timedelta(hours=1)),
                actor=a,
            )
    return trip


@pytest.fixture
def chain(session: Session, bakery) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    a = bakery.actor
    t = bakery.tenant.id
    cat = make_catalog(session, t)
    add(session, Vehicle(tenant_id=t, code="VAN-1", name="1号车"))
    add(session, Vehicle(tenant_id=t, code="VAN-3", name="3号车"))
    add(session, PointOfSale(tenant_id=t, code="MUSEUM", name="博物馆", kind="shop"))
    add(session, Equipment(tenant_id=t, code="OVEN-1", name="1号烤箱", kind="oven"))
    make_lot(session, cat, code="SAK-1")  # the suspect: supplier B, LOT25S-45
    make_lot(session, cat, code="SAK-2").supplier_lot = "LOT25S-46"
    flour = make_lot(session, cat, code="FL-1", material="flour", supplier="supplier_a")
    flour.supplier_lot = "LOT25A-19"
    b1, _ = _batch(session, a, cat, AM, ["SAK-1", "FL-1"])
    b2, _ = _batch(session, a, cat, AM + timedelta(minutes=30), ["FL-1"], oven="OVEN-1")
    b3, _ = _batch(session, a, cat, T0, ["SAK-1"])
    b4, _ = _batch(session, a, cat, T0 + timedelta(minutes=30), ["SAK-2"])
    b5, _ = _batch(session, a, cat, AM + DAY2, ["SAK-1"])
    b6, _ = _batch(session, a, cat, T0 + DAY2, ["SAK-1", "FL-1"])
    b7, _ = _batch(
        session, a, cat, T0 + DAY2 + timedelta(minutes=30), ["SAK-1"], mistake=True
    )
    b8, _ = _batch(session, a, cat, AM + DAY2 + timedelta(minutes=30), ["SAK-1"])
    v1 = _ship(
        session,
        a,
        "VAN-1",
        AM + timedelta(hours=3),
        [(b1, "CITY-LIB", 20, 15), (b2, "MUSEUM", 30, 10)],
    )
    v2 = _ship(
        session,
        a,
        "VAN-2",
        T0 + timedelta(hours=3),
        [(b3, "CITY-LIB", 24, 18), (b3, "MUSEUM", 10, 2), (b4, "MUSEUM", 30, 5)],
    )
    v3 = _ship(
        session,
        a,
        "VAN-3",
        T0 + DAY2 + timedelta(hours=3),
        [(b5, "CITY-LIB", 12, 12), (b6, "MUSEUM", 40, 0), (b8, "CITY-LIB", 15, 3)],
    )
    session.commit()
    return {"b": [None, b1, b2, b3, b4, b5, b6, b7, b8], "trips": [v1, v2, v3]}


def _codes(res: scope.ScopeResult) -> list[str]:
    return [b.batch for b in res.batches]


def test_a_suspect_lot_scopes_exactly_its_batches_with_where_they_are(
    session, bakery, chain
):
    b = chain["b"]
    res = scope.find(session, bakery.tenant.id, scope.Criteria(lot="SAK-1"))
    assert _codes(res) == sorted(
        [b[1].code, b[3].code, b[5].code, b[8].code, b[6].code],
        key=lambda c: (c[:6], c),
    )
    assert all("SAK-1" in r.reasons[0].zh for r in res.batches)
    assert "shares lot SAK-1 (LOT25S-45)" in res.batches[0].reasons[0].en
    by = {x.batch: x for x in res.batches}
    three = by[b[3].code]
    assert (three.delivered, three.sold, three.on_shelf, three.in_kitchen) == (
        34,
        20,
        14,
        6,
    )
    assert [
        (s.point_of_sale, s.delivered, s.sold, s.on_shelf) for s in three.shops
    ] == [("CITY-LIB", 24, 18, 6), ("MUSEUM", 10, 2, 8)]
    assert by[b[6].code].in_kitchen == 0 and by[b[6].code].on_shelf == 40
    shops = {s.point_of_sale: s for s in res.shops}
    assert (shops["CITY-LIB"].delivered, shops["CITY-LIB"].sold) == (71, 48)
    assert (shops["MUSEUM"].delivered, shops["MUSEUM"].on_shelf) == (50, 48)
    assert res.totals.on_shelf == sum(x.on_shelf for x in res.batches) == 71
    # by the supplier's own lot number too
    same = scope.find(session, bakery.tenant.id, scope.Criteria(lot="LOT25S-45"))
    assert _codes(same) == _codes(res)


def test_sessions_trips_equipment_suppliers_and_windows(session, bakery, chain):
    b, trips = chain["b"], chain["trips"]
    t = bakery.tenant.id
    pm = scope.find(session, t, scope.Criteria(session="251203-pm"))
    assert _codes(pm) == [b[3].code, b[4].code]
    assert pm.batches[0].reasons[0].zh == "同一生产时段 251203-PM"
    van2 = scope.find(session, t, scope.Criteria(trip=trips[1].code))
    assert _codes(van2) == [b[3].code, b[4].code]
    oven1 = scope.find(session, t, scope.Criteria(equipment="OVEN-1"))
    assert _codes(oven1) == [b[2].code]
    # supplier A in the first day only: b1 and b2 (flour); b6 is the next day
    sup = scope.find(
        session,
        t,
        scope.Criteria(supplier="A", start=date(2025, 12, 3), end=date(2025, 12, 3)),
    )
    assert _codes(sup) == [b[1].code, b[2].code]
    # both criteria must hold: SAK-1 on VAN-3
    both = scope.find(session, t, scope.Criteria(lot="SAK-1", trip=trips[2].code))
    assert sorted(_codes(both)) == sorted([b[5].code, b[6].code, b[8].code])
    assert len(both.batches[0].reasons) == 2
    window = scope.find(
        session,
        t,
        scope.Criteria(
            location="HALL-1",
            at_from=T0 - timedelta(minutes=10),
            at_to=T0 + timedelta(minutes=10),
        ),
    )
    assert _codes(window) == [b[3].code]


def test_a_complaint_proposes_its_candidate_causes(client, session, bakery, chain):
    b = chain["b"]
    r = client.get(f"/api/v1/batches/{b[3].code}/causes", headers=bakery.headers)
    assert r.status_code == 200, r.text
    causes = {(c["kind"], c["key"]): c for c in r.json()}
    assert causes[("lot", "SAK-1")]["batches"] == 5
    assert causes[("session", "251203-PM")]["batches"] == 2
    assert causes[("trip", chain["trips"][1].code)]["batches"] == 2
    assert causes[("equipment", "OVEN-3")]["batches"] == 3  # b1, b3, b4 that day
    lot = causes[("lot", "SAK-1")]["criteria"]
    again = client.get("/api/v1/scope", params=lot, headers=bakery.headers).json()
    assert again["totals"]["batches"] == 5


def test_bad_scope_requests_say_what_is_wrong(client, session, bakery, chain):
    h = {**bakery.headers, "Accept-Language": "en"}
    assert client.get("/api/v1/scope", headers=h).status_code == 422
    r = client.get("/api/v1/scope", params={"lot": "NOPE"}, headers=h)
    assert r.status_code == 404 and "NOPE" in r.text
    r = client.get("/api/v1/scope", params={"session": "yesterday"}, headers=h)
    assert r.status_code == 422 and "251203-PM" in r.text
    r = client.get(
        "/api/v1/scope", params={"from": "2025-12-05", "to": "2025-12-01"}, headers=h
    )
    assert r.status_code == 422 and "after the end date" in r.text
    r = client.get(
        "/api/v1/scope",
        params={"location": "HALL-1", "at_from": "2025-12-03T10:00:00+08:00"},
        headers=h,
    )
    assert r.status_code == 422
    other = make_bakery(session)
    session.commit()
    r = client.get("/api/v1/scope", params={"lot": "SAK-1"}, headers=other.headers)
    assert r.status_code == 404
    r = client.get(
        f"/api/v1/batches/{chain['b'][1].code}/causes", headers=other.headers
    )
    assert r.status_code == 404
    assert client.get("/api/v1/scope", params={"lot": "SAK-1"}).status_code == 401


def test_the_scope_page_finds_and_explains(client, session, bakery, chain):
    from tests.web.test_distribution_pages import login_as

    b = chain["b"]
    login_as(client, bakery)
    assert 'id="scope-form"' in client.get("/scope").text
    page = client.get("/scope", params={"lot": "SAK-1"})
    assert page.status_code == 200
    listed = page.text[page.text.index('class="rows scope-batches"') :]
    for n in (1, 3, 5, 6, 8):
        assert b[n].code in listed
    for n in (2, 4, 7):
        assert b[n].code not in listed
    words = re.sub(r"<[^>]+>", "", listed)  # codes are kept on one line by a span
    assert "使用原料批次 SAK-1（LOT25S-45）" in words
    bad = client.get("/scope", params={"session": "yesterday"})
    assert bad.status_code == 422 and 'class="field-error"' in bad.text
    assert 'value="yesterday"' in bad.text
    trace = client.get("/trace", params={"code": b[3].code}).text
    assert "/scope?lot=SAK-1" in trace
    assert "同一生产时段 251203-PM" in re.sub(r"<[^>]+>", "", trace)


def test_trace_and_scope_agree_on_a_use_corrected_to_zero(client, bakery, chain):  # type: ignore[no-untyped-def]
    b7 = chain["b"][7]  # scanned SAK-1 by mistake, corrected to zero
    rep = client.get(f"/api/v1/trace?code={b7.code}", headers=bakery.headers).json()
    assert "SAK-1" not in [m["lot"] for m in rep["materials"]]
    scoped = client.get("/api/v1/scope?lot=SAK-1", headers=bakery.headers).json()
    assert b7.code not in [b["batch"] for b in scoped["batches"]]


def test_a_consumption_declared_erroneous_by_epcis_leaves_trace_and_scope(
    client, session, bakery, chain
):  # type: ignore[no-untyped-def]
    """Issue 21 item 3: an EPCIS error declaration on a consumption's event
    (the event sent again with ``errorDeclaration``) is stored as a new record
    — the history keeps the event — and the use no longer counts."""
    from bakeprint.events.models import Event
    from bakeprint.production.models import Consumption

    b3 = chain["b"][3]  # used SAK-1 only
    h = bakery.headers
    before = client.get("/api/v1/scope?lot=SAK-1", headers=h).json()
    assert b3.code in [b["batch"] for b in before["batches"]]
    use = session.scalars(
        select(Consumption).where(
            Consumption.tenant_id == bakery.tenant.id, Consumption.batch_id == b3.id
        )
    ).one()
    ev = session.get(Event, (bakery.tenant.id, use.event_seq))
    assert ev is not None
    one = client.get(f"/api/v1/epcis/events/{quote(ev.event_id, safe='')}", headers=h)
    event = one.json()
    context = event.pop("@context")
    event.pop("bp:eventHash")
    event["errorDeclaration"] = {
        "declarationTime": "2026-03-03T09:00:00+08:00",
        "reason": "incorrect_data",
    }
    doc = {
        "@context": context,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-03T09:00:00+08:00",
        "epcisBody": {"eventList": [event]},
    }
    count = session.scalar(select(func.count()).select_from(Event))
    r = client.post("/api/v1/epcis/capture", json=doc, headers=h)
    assert r.status_code == 202, r.text
    assert r.json()["errorDeclarations"] == 1 and r.json()["stored"] == 0
    assert session.scalar(select(func.count()).select_from(Event)) == count + 1
    again = client.post("/api/v1/epcis/capture", json=doc, headers=h).json()
    assert again["errorDeclarations"] == 0 and again["duplicates"] == 1
    assert session.scalar(select(func.count()).select_from(Event)) == count + 1

    after = client.get("/api/v1/scope?lot=SAK-1", headers=h).json()
    assert b3.code not in [b["batch"] for b in after["batches"]]
    assert {b["batch"] for b in after["batches"]} == {
        b["batch"] for b in before["batches"]
    } - {b3.code}
    rep = client.get(f"/api/v1/trace?code={b3.code}", headers=h).json()
    assert "SAK-1" not in [m["lot"] for m in rep["materials"]]
    # exported with its declaration, once
    back = client.get(f"/api/v1/epcis/events/{quote(ev.event_id, safe='')}", headers=h)
    assert back.json()["errorDeclaration"]["reason"] == "incorrect_data"
    page = client.get("/api/v1/epcis/events?perPage=1000", headers=h).json()
    listed = page["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [e["eventID"] for e in listed].count(ev.event_id) == 1
