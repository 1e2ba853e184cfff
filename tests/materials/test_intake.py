"""Registering delivered material lots (R1.1) through the API."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from bakeprint.events.models import Event
from bakeprint.materials.models import MaterialLot
from tests.epcis_schema import assert_valid_event
from tests.factories import make_bakery, make_catalog
from tests.materials.conftest import PDF

LOT = {
    "material": "SAKURA",
    "supplier": "B",
    "supplier_lot": "LOT25S-45",
    "received_at": "2025-12-02T07:30:00+08:00",
    "quantity": 5,
    "expires_on": "2025-12-20",
    "qc_result": "pass",
    "quality_score": 96,
    "location": "COLD-1",
}


def _counts(session, tenant_id):  # type: ignore[no-untyped-def]
    lots = session.scalar(
        select(func.count())
        .select_from(MaterialLot)
        .where(MaterialLot.tenant_id == tenant_id)
    )
    evs = session.scalar(
        select(func.count()).select_from(Event).where(Event.tenant_id == tenant_id)
    )
    return lots, evs


def test_a_delivered_lot_gets_a_code_and_an_intake_event(client, bakery, cat, session):
    r = client.post("/api/v1/lots", json=LOT, headers=bakery.auth("qc"))
    assert r.status_code == 201, r.text
    lot = r.json()
    assert lot["code"] == "RM-20251202-001"
    assert (lot["supplier_code"], lot["supplier_lot"], lot["unit"]) == (
        "B",
        "LOT25S-45",
        "kg",
    )
    assert lot["remaining"] == 5 and lot["qc_result"] == "pass"
    second = client.post("/api/v1/lots", json=LOT, headers=bakery.headers).json()
    assert second["code"] == "RM-20251202-002"
    ev = session.scalars(
        select(Event).where(
            Event.tenant_id == bakery.tenant.id, Event.subject == "lot:RM-20251202-001"
        )
    ).one()
    assert (ev.kind, ev.biz_step, ev.actor) == ("intake", "receiving", "user:qc-user")
    assert ev.body["quantityList"][0] == {
        "epcClass": f"urn:bakeprint:{bakery.tenant.slug}:lot:RM-20251202-001",
        "quantity": 5,
        "uom": "KGM",
    }
    assert ev.body["bp:supplier_lot"] == "LOT25S-45"
    assert_valid_event(ev.body)


def test_a_failed_lot_is_recorded_but_quarantined(client, bakery, cat):
    r = client.post(
        "/api/v1/lots",
        json={**LOT, "qc_result": "fail", "quality_score": 30},
        headers={**bakery.headers, "Accept-Language": "en"},
    )
    assert r.status_code == 201
    assert r.json()["quarantined"] is True and "quarantined" in r.json()["message"]


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"supplier": "Z"}, 404, "supplier not found: Z"),
        ({"material": "NOPE"}, 404, "material type not found: NOPE"),
        ({"location": "MOON"}, 404, "location not found"),
        ({"quantity": 0}, 422, "quantity"),
        ({"quality_score": 101}, 422, "quality_score"),
        ({"qc_result": "ok"}, 422, "qc_result"),
        ({"unit": "bags"}, 422, "unknown unit bags"),
        ({"expires_on": "2025-12-01"}, 422, "already expired"),
        ({"received_at": "2099-01-01T00:00:00+08:00"}, 422, "future"),
        ({"received_at": "2025-12-02T07:30:00"}, 422, "received_at"),
        ({"supplier_lot": ""}, 422, "supplier_lot"),
    ],
)
def test_bad_intake_is_refused_and_writes_nothing(
    client, bakery, cat, session, change, status, words
):
    before = _counts(session, bakery.tenant.id)
    r = client.post(
        "/api/v1/lots",
        json={**LOT, **change},
        headers={**bakery.headers, "Accept-Language": "en"},
    )
    assert r.status_code == status, r.text
    assert words in r.json()["error"]["message"]
    assert _counts(session, bakery.tenant.id) == before
    zh = client.post("/api/v1/lots", json={**LOT, **change}, headers=bakery.headers)
    assert zh.json()["error"]["message"] != r.json()["error"]["message"]


def test_roles_and_bakeries_are_kept_apart(client, bakery, cat, session):
    for role in ("production", "store", "auditor", "logistics"):
        r = client.post("/api/v1/lots", json=LOT, headers=bakery.auth(role))
        assert r.status_code == 403, role
    code = client.post("/api/v1/lots", json=LOT, headers=bakery.headers).json()["code"]
    assert (
        client.get(f"/api/v1/lots/{code}", headers=bakery.auth("auditor")).status_code
        == 200
    )
    other = make_bakery(session)
    make_catalog(session, other.tenant.id)
    assert client.get(f"/api/v1/lots/{code}", headers=other.headers).status_code == 404
    assert client.get("/api/v1/lots", headers=other.headers).json() == []
    r = client.post(
        f"/api/v1/lots/{code}/qc",
        json={"qc_result": "fail", "quality_score": 1, "reason": "x"},
        headers=other.headers,
    )
    assert r.status_code == 404


def test_a_supplier_may_register_lots_only_for_itself(client, bakery, cat, session):
    from bakeprint.identity.models import User

    user = session.scalars(
        select(User).where(
            User.tenant_id == bakery.tenant.id, User.username == "supplier-user"
        )
    ).one()
    user.supplier_id = cat["supplier_b"].id
    session.flush()
    h = bakery.auth("supplier")
    assert client.post("/api/v1/lots", json=LOT, headers=h).status_code == 201
    r = client.post("/api/v1/lots", json={**LOT, "supplier": "A"}, headers=h)
    assert r.status_code == 403
    assert client.get("/api/v1/lots", headers=h).status_code == 403


def test_regrading_a_lot_is_a_correction_in_the_history(client, bakery, cat, session):
    code = client.post("/api/v1/lots", json=LOT, headers=bakery.headers).json()["code"]
    r = client.post(
        f"/api/v1/lots/{code}/qc",
        json={"qc_result": "borderline", "quality_score": 70, "reason": "复检糖度偏高"},
        headers=bakery.auth("qc"),
    )
    assert r.status_code == 200 and r.json()["qc_result"] == "borderline"
    evs = session.scalars(
        select(Event)
        .where(Event.tenant_id == bakery.tenant.id, Event.subject == f"lot:{code}")
        .order_by(Event.seq)
    ).all()
    assert [e.kind for e in evs] == ["intake", "qc_regrade"]
    assert evs[1].corrects_seq == evs[0].seq
    assert evs[1].body["bp:previous_qc_result"] == "pass"


def test_a_qc_report_is_kept_with_its_sha256(client, bakery, cat):
    code = client.post("/api/v1/lots", json=LOT, headers=bakery.headers).json()["code"]
    r = client.post(
        f"/api/v1/lots/{code}/qc-report",
        files={"file": ("质检报告.pdf", PDF, "application/pdf")},
        headers=bakery.auth("qc"),
    )
    assert r.status_code == 200, r.text
    sha = hashlib.sha256(PDF).hexdigest()
    assert r.json()["qc_report_sha256"] == sha
    file_id = r.json()["qc_report_file_id"]
    got = client.get(f"/api/v1/files/{file_id}", headers=bakery.auth("auditor"))
    assert got.content == PDF and got.headers["x-content-sha256"] == sha
