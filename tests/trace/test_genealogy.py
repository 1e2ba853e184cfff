"""A lot used in two intermediate batches (fillings) that feed five product
batches across two days and three vans: the scope is exact — nothing missing,
nothing extra — and the genealogy reads both ways, refusing cycles."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from bakeprint.catalog.models import PointOfSale, Vehicle
from bakeprint.production import consumption, genealogy
from bakeprint.production import service as production
from bakeprint.production.schemas import (
    BatchComplete,
    BatchCreate,
    BatchInputCreate,
    ConsumptionCreate,
)
from bakeprint.trace import scope
from tests.factories import add, make_catalog
from tests.production.conftest import T0, make_lot
from tests.trace.test_scope import AM, DAY2, _batch, _ship


def _filling(session, a, cat, start, lot):  # type: ignore[no-untyped-def]
    b = production.start_batch(
        session,
        BatchCreate(
            product_gtin=cat["product"].gtin,
            planned_quantity=10,
            operators=["WANG-03"],
            equipment=["OVEN-3"],
            location="HALL-1",
            started_at=start,
        ),
        actor=a,
    )
    consumption.consume(
        session,
        b.code,
        ConsumptionCreate(lot=lot, quantity=1.0, recorded_at=start),
        actor=a,
    )
    return production.complete_batch(
        session,
        b.code,
        BatchComplete(produced_quantity=10, ended_at=start + timedelta(minutes=40)),
        actor=a,
    )


def _made_with(session, a, cat, start, filling, qty=40):  # type: ignore[no-untyped-def]
    """A product batch using part of a filling (bound before it is packed)."""
    original = production.complete_batch

    def with_input(sess, code, data, *, actor):  # type: ignore[no-untyped-def]
        genealogy.use_batch(
            sess,
            code,
            BatchInputCreate(batch=filling.code, quantity=2, recorded_at=start),
            actor=actor,
        )
        return original(sess, code, data, actor=actor)

    production.complete_batch = with_input  # type: ignore[assignment]
    try:
        return _batch(session, a, cat, start, ["FL-1"], qty=qty)[0]
    finally:
        production.complete_batch = original  # type: ignore[assignment]


@pytest.fixture
def two_fillings(session: Session, bakery) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    a = bakery.actor
    t = bakery.tenant.id
    cat = make_catalog(session, t)
    add(session, Vehicle(tenant_id=t, code="VAN-1", name="1号车"))
    add(session, Vehicle(tenant_id=t, code="VAN-3", name="3号车"))
    add(session, PointOfSale(tenant_id=t, code="MUSEUM", name="博物馆", kind="shop"))
    make_lot(session, cat, code="SAK-1")
    make_lot(session, cat, code="SAK-2").supplier_lot = "LOT25S-46"
    make_lot(session, cat, code="FL-1", material="flour", supplier="supplier_a")
    i1 = _filling(session, a, cat, AM - timedelta(hours=1), "SAK-1")
    i2 = _filling(session, a, cat, AM + DAY2 - timedelta(hours=1), "SAK-1")
    i3 = _filling(session, a, cat, AM + DAY2 - timedelta(minutes=30), "SAK-2")
    p1 = _made_with(session, a, cat, AM, i1)
    p2 = _made_with(session, a, cat, T0, i1)
    p3 = _made_with(session, a, cat, AM + DAY2, i1)  # the filling keeps a day
    p4 = _made_with(session, a, cat, AM + DAY2 + timedelta(minutes=20), i2)
    p5 = _made_with(session, a, cat, T0 + DAY2, i2)
    p6 = _made_with(session, a, cat, T0 + DAY2 + timedelta(minutes=30), i3)
    p7, _ = _batch(session, a, cat, T0 + timedelta(minutes=30), ["FL-1"])
    _ship(session, a, "VAN-1", AM + timedelta(hours=3), [(p1, "CITY-LIB", 20, 5)])
    _ship(
        session,
        a,
        "VAN-2",
        T0 + timedelta(hours=3),
        [(p2, "MUSEUM", 30, 10), (p7, "CITY-LIB", 20, 20)],
    )
    _ship(
        session,
        a,
        "VAN-3",
        T0 + DAY2 + timedelta(hours=3),
        [
            (p3, "CITY-LIB", 10, 0),
            (p4, "MUSEUM", 25, 5),
            (p5, "CITY-LIB", 40, 1),
            (p6, "MUSEUM", 40, 0),
        ],
    )
    session.commit()
    return {"i": [i1, i2, i3], "p": [None, p1, p2, p3, p4, p5, p6, p7]}


def test_the_scope_of_a_lot_reaches_through_intermediates_exactly(
    session, bakery, two_fillings
):
    i, p = two_fillings["i"], two_fillings["p"]
    res = scope.find(session, bakery.tenant.id, scope.Criteria(lot="SAK-1"))
    expected = {x.code for x in (i[0], i[1], p[1], p[2], p[3], p[4], p[5])}
    assert {b.batch for b in res.batches} == expected  # not i3, p6 (SAK-2), p7
    why = {b.batch: b.reasons[0].zh for b in res.batches}
    assert why[p[3].code] == f"经中间批次 {i[0].code}：使用原料批次 SAK-1（LOT25S-45）"
    assert why[i[1].code] == "使用原料批次 SAK-1（LOT25S-45）"
    shops = {s.point_of_sale: s for s in res.shops}
    assert shops["CITY-LIB"].delivered == 20 + 10 + 40
    assert shops["MUSEUM"].on_shelf == (30 - 10) + (25 - 5)
    # recalling the first filling takes everything made from it, nothing else
    via_filling = scope.find(session, bakery.tenant.id, scope.Criteria(batch=i[0].code))
    assert {b.batch for b in via_filling.batches} == {
        i[0].code,
        p[1].code,
        p[2].code,
        p[3].code,
    }


def test_the_genealogy_reads_both_ways_and_refuses_cycles(
    client, session, bakery, two_fillings
):
    i, p = two_fillings["i"], two_fillings["p"]
    up = client.get(f"/api/v1/batches/{p[3].code}/genealogy", headers=bakery.headers)
    assert up.status_code == 200
    tree = up.json()
    (filling,) = tree["made_from"]["inputs"]
    assert filling["batch"] == i[0].code and filling["quantity"] == 2
    assert [x["lot"] for x in filling["lots"]] == ["SAK-1"]
    assert [x["lot"] for x in tree["made_from"]["lots"]] == ["FL-1"]
    down = client.get(
        f"/api/v1/batches/{i[0].code}/genealogy", headers=bakery.headers
    ).json()
    assert sorted(x["batch"] for x in down["used_by"]) == sorted(
        [p[1].code, p[2].code, p[3].code]
    )
    assert down["problems"] == []
    # the filling cannot be made from a cake made from it
    r = client.post(
        f"/api/v1/batches/{i[0].code}/inputs",
        json={"batch": p[1].code, "quantity": 1},
        headers=bakery.headers,
    )
    assert r.status_code == 409
    # the trace lists the filling's lot, and through which batch it came
    rep = client.get(
        "/api/v1/trace", params={"code": p[3].code}, headers=bakery.headers
    ).json()
    assert {(m["lot"], m["via"]) for m in rep["materials"]} == {
        ("FL-1", None),
        ("SAK-1", i[0].code),
    }
    causes = client.get(
        f"/api/v1/batches/{p[3].code}/causes", headers=bakery.headers
    ).json()
    filling_cause = next(c for c in causes if c["kind"] == "batch")
    assert filling_cause["key"] == i[0].code and filling_cause["batches"] == 4


@pytest.mark.parametrize(
    "criteria", [{"lot": "SAK-1"}, {"supplier": "B"}], ids=["lot", "supplier"]
)
def test_a_period_narrows_a_lot_or_supplier_scope_exactly(
    session, bakery, two_fillings, criteria
):
    """The period is applied before reading (the window's batches and what they
    were made from): the same batches as the whole scope cut to the period —
    including the day-2 cake made from a day-1 filling."""
    t = bakery.tenant.id
    p = two_fillings["p"]
    whole = scope.find(session, t, scope.Criteria(**criteria)).batches
    day2 = p[3].production_date
    assert two_fillings["i"][0].production_date < day2  # its filling is older
    cut = scope.find(session, t, scope.Criteria(**criteria, start=day2, end=day2))
    expected = {b.batch for b in whole if b.made_on == day2}
    assert {b.batch for b in cut.batches} == expected
    assert p[3].code in expected
