"""Issue #16: every place a batch is raises the alert its strictest range
implies — the place's own or its product category's — for exactly the batches
there at that time, and a batch's trace lists only the alerts of its own time
at each place.

The day (T0 = 14:00 in Shanghai): cream batch A and pastry batch P leave on
VAN-2's trip 1 at 16:30 and are dropped at 城市书房 at 18:20; cream batch B
waits in the kitchen until trip 2 leaves at 19:00. The cabin reads 5 °C,
except 12 °C from 17:00 to 17:40 (trip 1)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import Product
from bakeprint.gs1 import make_gtin
from bakeprint.outbox.models import OutboxMessage
from bakeprint.production.models import Batch
from bakeprint.sensors import service as sensors
from tests.factories import add, make_catalog
from tests.packaging.conftest import pack_a_batch
from tests.production.conftest import T0
from tests.sensors.conftest import SINCE, series

CREAM = "奶油类"
TRIP1 = T0 + timedelta(hours=2, minutes=30)  # 16:30
DROP1 = T0 + timedelta(hours=4, minutes=20)  # 18:20
TRIP2 = T0 + timedelta(hours=5)  # 19:00
DROP2 = T0 + timedelta(hours=6)
HOT = T0 + timedelta(hours=3)  # 17:00, 40 minutes at 12 °C
# the cabin from 16:00 to 20:30, a reading a minute
CABIN = [12.0 if 60 <= i < 100 else 5.0 for i in range(271)]


def _cream(session: Session, cat: dict[str, Any]) -> Product:
    return add(
        session,
        Product(
            tenant_id=cat["line"].tenant_id,
            line_id=cat["line"].id,
            gtin=make_gtin("0690123400002"),
            name_zh="奶油泡芙",
            name_en="Cream puff",
            category=CREAM,
            shelf_life_days=3,
            allergens=["gluten", "milk", "egg"],
        ),
    )


@pytest.fixture
def day(session: Session, bakery) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    cat = make_catalog(session, bakery.tenant.id)
    cream = {**cat, "product": _cream(session, cat)}
    a = bakery.actor
    sensors.register(
        session,
        code="VAN-2-T",
        kind="temperature",
        place_kind="vehicle",
        place="VAN-2",
        actor=a,
    )
    return {
        "A": pack_a_batch(session, a, cream, location="HALL-1"),
        "P": pack_a_batch(session, a, cat, minutes=10, location="HALL-1"),
        "B": pack_a_batch(session, a, cream, minutes=30, location="HALL-1"),
    }


def _trip(client, bakery, batches, depart, drop):  # type: ignore[no-untyped-def]
    h = bakery.auth("logistics")
    code = client.post("/api/v1/trips", json={"vehicle": "VAN-2"}, headers=h).json()[
        "code"
    ]
    for b in batches:
        r = client.post(
            f"/api/v1/trips/{code}/loads",
            json={
                "batch": b.code,
                "quantity": 30,
                "at": (depart - timedelta(minutes=10)).isoformat(),
            },
            headers=h,
        )
        assert r.status_code == 201, r.text
    r = client.post(
        f"/api/v1/trips/{code}/depart", json={"at": depart.isoformat()}, headers=h
    )
    assert r.status_code == 200, r.text
    drops = {}
    for b in batches:
        r = client.post(
            f"/api/v1/trips/{code}/deliveries",
            json={
                "point_of_sale": "CITY-LIB",
                "batch": b.code,
                "quantity": 30,
                "at": drop.isoformat(),
            },
            headers=h,
        )
        assert r.status_code == 201, r.text
        drops[b.code] = r.json()["id"]
    back = (drop + timedelta(minutes=20)).isoformat()
    r = client.post(f"/api/v1/trips/{code}/arrive", json={"at": back}, headers=h)
    assert r.status_code == 200, r.text
    return drops


def _range(client, bakery, **where):  # type: ignore[no-untyped-def]
    r = client.post(
        "/api/v1/environment/ranges",
        json={
            "kind": "temperature",
            "high": 8.0,
            "valid_from": SINCE.isoformat(),
            **where,
        },
        headers=bakery.headers,
    )
    assert r.status_code == 201, r.text


def _upload(client, bakery, readings) -> None:  # type: ignore[no-untyped-def]
    body = "".join(
        f'{{"sensor": "{x.sensor}", "time": "{x.at}", "value": {x.value}}}\n'
        for x in readings
    )
    r = client.post(
        "/api/v1/sensors/readings",
        content=body.encode(),
        headers={**bakery.headers, "Content-Type": "application/x-ndjson"},
    )
    assert r.status_code == 200 and r.json()["rejected"] == 0, r.text


def _trace(client, bakery, batch: Batch) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/trace", params={"code": batch.code}, headers=bakery.headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _outbox(session: Session, tenant_id: Any) -> list[tuple[str, str]]:
    return [
        (m.topic, m.recipient)
        for m in session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.tenant_id == tenant_id)
            .order_by(OutboxMessage.created_at)
        )
    ]


def test_a_category_range_alerts_exactly_the_batches_on_board(
    client, session, bakery, day
):
    a, p, b = day["A"], day["P"], day["B"]
    _range(client, bakery, place_kind="category", place=CREAM)
    _trip(client, bakery, [a, p], TRIP1, DROP1)
    _trip(client, bakery, [b], TRIP2, DROP2)
    # the van's logger is read out after both trips: late, and still raised
    _upload(client, bakery, series("VAN-2-T", T0 + timedelta(hours=2), CABIN))

    (alert,) = client.get("/api/v1/alerts", headers=bakery.headers).json()
    assert (alert["sensor"], alert["place_kind"], alert["place"]) == (
        "VAN-2-T",
        "vehicle",
        "VAN-2",
    )
    assert (alert["category"], alert["high"], alert["peak"]) == (CREAM, 8.0, 12.0)
    assert (alert["beyond_pct"], alert["level"], alert["minutes"]) == (50.0, 2, 40.0)
    assert alert["started_at"] == "2025-12-03T17:00:00+08:00"  # 09:00 UTC
    assert alert["ended_at"] == "2025-12-03T17:40:00+08:00"
    assert alert["batches"] == [a.code]  # not P (no range), not B (in the kitchen)

    # level 2 is handled: QC's alert names the batch, which needs attention
    (qc,) = client.get("/api/v1/batch-alerts", headers=bakery.headers).json()
    assert (qc["level"], qc["cause"], qc["batches"]) == (2, "environment", [a.code])
    assert "VAN-2" in qc["detail_zh"] and "12" in qc["detail_zh"]
    assert "40" in qc["detail_en"] and "≤ 8" in qc["detail_en"]
    tasks = client.get("/api/v1/qc-tasks", headers=bakery.headers).json()
    assert [t["batch"] for t in tasks] == [a.code]
    for batch, flagged in ((a, True), (p, False), (b, False)):
        session.refresh(batch)
        assert batch.needs_attention is flagged, batch.code

    # each trace lists the alerts of its own time at each place
    rep_a = _trace(client, bakery, a)
    assert [(x["sensor"], x["level"]) for x in rep_a["alerts"]] == [("VAN-2-T", 2)]
    assert ("distribution", 2) in [
        (x["section"], x["level"]) for x in rep_a["anomalies"]
    ]
    for other in (p, b):
        rep = _trace(client, bakery, other)
        assert rep["alerts"] == [], other.code
        assert rep["anomalies"] == [], other.code


def test_the_same_excursion_uploaded_again_is_one_alert_per_batch_acknowledged_once(
    client, session, bakery, day
):
    a = day["A"]
    _range(client, bakery, place_kind="category", place=CREAM)
    _trip(client, bakery, [a], TRIP1, DROP1)
    readings = series("VAN-2-T", T0 + timedelta(hours=2), CABIN)
    _upload(client, bakery, readings[70:90])  # the middle of the excursion first
    _upload(client, bakery, readings)  # then everything, duplicates included
    _upload(client, bakery, readings[60:101])
    sent = _outbox(session, bakery.tenant.id)
    assert sent.count(("alert.level2", "role:owner")) == 1  # the sensor alert
    assert sent.count(("alert.level2", "role:qc")) == 1  # the batch to handle
    (alert,) = client.get("/api/v1/alerts", headers=bakery.headers).json()
    assert alert["batches"] == [a.code] and alert["minutes"] == 40.0
    (qc,) = client.get("/api/v1/batch-alerts", headers=bakery.headers).json()
    assert qc["batches"] == [a.code]

    url = f"/api/v1/alerts/{alert['id']}/acknowledge"
    r = client.post(url, json={"note": "冷机复位"}, headers=bakery.auth("production"))
    assert r.status_code == 200, r.text
    # one acknowledgement settles the excursion in both lists
    (qc,) = client.get("/api/v1/batch-alerts", headers=bakery.headers).json()
    assert (qc["status"], qc["acknowledged_by"]) == ("acknowledged", "production-user")
    again = client.post(
        f"/api/v1/batch-alerts/{qc['id']}/acknowledge", json={}, headers=bakery.headers
    )
    assert again.status_code == 409 and "production-user" in again.text
    assert client.post(url, json={}, headers=bakery.headers).status_code == 409


def test_a_vans_own_range_names_the_batches_on_board_and_no_one_else(
    client, session, bakery, day
):
    """The van's own 0–8 °C: a morning excursion before anything was loaded
    names no batch and shows in no trace; trip 1's names A and P, and trip 2's
    batch does not inherit it."""
    a, p, b = day["A"], day["P"], day["B"]
    _range(client, bakery, place_kind="vehicle", place="VAN-2", low=0.0)
    _trip(client, bakery, [a, p], TRIP1, DROP1)
    _trip(client, bakery, [b], TRIP2, DROP2)
    morning = [12.0] * 15 + [5.0] * 45  # 15:00–15:15, the van still empty
    _upload(client, bakery, series("VAN-2-T", T0 + timedelta(hours=1), morning))
    _upload(client, bakery, series("VAN-2-T", T0 + timedelta(hours=2), CABIN))

    alerts = client.get("/api/v1/alerts", headers=bakery.headers).json()
    by_start = sorted(alerts, key=lambda x: x["started_at"])
    assert [(x["category"], x["minutes"], x["batches"]) for x in by_start] == [
        (None, 15.0, []),
        (None, 40.0, sorted([a.code, p.code])),
    ]
    trip1_alert = by_start[1]["id"]
    for batch in (a, p):
        assert [x["id"] for x in _trace(client, bakery, batch)["alerts"]] == [
            trip1_alert
        ]
    assert _trace(client, bakery, b)["alerts"] == []


def test_a_level_1_excursion_at_the_shop_is_recorded_for_the_production_lead(
    client, session, bakery, day
):
    """9 °C in the display case (cream ≤ 8: 12.5 % beyond) while A is on the
    shelf: level 1, the production lead is told, nothing for QC to handle."""
    a = day["A"]
    sensors.register(
        session,
        code="CITY-LIB-T",
        kind="temperature",
        place_kind="point_of_sale",
        place="CITY-LIB",
        actor=bakery.actor,
    )
    _range(client, bakery, place_kind="category", place=CREAM)
    drops = _trip(client, bakery, [a], TRIP1, DROP1)
    r = client.post(
        "/api/v1/pos/CITY-LIB/receipts",
        json={
            "delivery_id": drops[a.code],
            "quantity": 30,
            "at": DROP1.isoformat(),
        },
        headers=bakery.auth("store"),
    )
    assert r.status_code == 201, r.text
    warm = [6.0] * 30 + [9.0] * 20 + [6.0] * 10
    _upload(client, bakery, series("CITY-LIB-T", DROP1 + timedelta(hours=1), warm))
    (alert,) = client.get("/api/v1/alerts", headers=bakery.headers).json()
    assert (alert["place"], alert["level"], alert["batches"]) == (
        "CITY-LIB",
        1,
        [a.code],
    )
    assert _outbox(session, bakery.tenant.id) == [("alert.level1", "role:production")]
    assert client.get("/api/v1/batch-alerts", headers=bakery.headers).json() == []
    session.refresh(a)
    assert not a.needs_attention
    assert (
        session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.tenant_id == bakery.tenant.id,
                OutboxMessage.topic == "alert.level2",
            )
        )
        == 0
    )


def test_the_cold_room_names_the_batch_waiting_there_not_the_one_that_left(
    client, session, bakery, day
):
    """A and B both wait in the cold room; A leaves on trip 1 at 16:30. The
    cold room at 9 °C from 17:00 (cream ≤ 8: level 1) concerns B only."""
    a, b = day["A"], day["B"]
    sensors.register(
        session,
        code="COLD-1-T",
        kind="temperature",
        place_kind="location",
        place="COLD-1",
        actor=bakery.actor,
    )
    _range(client, bakery, place_kind="category", place=CREAM)
    for batch, at in ((a, T0 + timedelta(hours=2, minutes=10)), (b, TRIP1)):
        r = client.post(
            f"/api/v1/batches/{batch.code}/moves",
            json={"location": "COLD-1", "at": at.isoformat()},
            headers=bakery.auth("production"),
        )
        assert r.status_code == 201, r.text
    _trip(client, bakery, [a], TRIP1, DROP1)
    cold = [4.0] * 30 + [9.0] * 20 + [4.0] * 10  # 16:30–17:30
    _upload(client, bakery, series("COLD-1-T", TRIP1, cold))
    (alert,) = client.get("/api/v1/alerts", headers=bakery.headers).json()
    assert (alert["place"], alert["level"], alert["batches"]) == ("COLD-1", 1, [b.code])
    assert alert["minutes"] == 20.0
    assert [x["id"] for x in _trace(client, bakery, b)["alerts"]] == [alert["id"]]
    assert _trace(client, bakery, a)["alerts"] == []
