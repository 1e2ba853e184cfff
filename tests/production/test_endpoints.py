"""The production API: what a phone or a smart oven sends, and what it gets back."""

from __future__ import annotations

from sqlalchemy import func, select

from bakeprint.events.models import Event
from tests.factories import make_bakery, make_catalog
from tests.production.conftest import T0, make_lot

START = {
    "product_gtin": "06901234000016",
    "planned_quantity": 120,
    "operators": ["WANG-03"],
    "equipment": ["OVEN-3"],
    "location": "HALL-1",
    "started_at": T0.isoformat(),
}


def _start(client, bakery, **kw):  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/batches", json={**START, **kw}, headers=bakery.headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_a_full_batch_from_start_to_packing(client, bakery, cat, session):
    make_lot(session, cat)
    b = _start(client, bakery, variant="F1")
    code = b["code"]
    assert code == "251203-SS-PM-001-F1"
    h = bakery.headers
    r = client.post(
        f"/api/v1/batches/{code}/consumptions",
        json={"lot": "RM-1", "quantity": 0.6},
        headers=h,
    )
    assert r.status_code == 201 and r.json()["lot_remaining"] == 4.4
    r = client.post(
        f"/api/v1/batches/{code}/bake",
        json={"actual_temp_c": 187, "actual_minutes": 18},
        headers=h,
    )
    assert r.status_code == 201 and r.json()["temp_deviation_c"] == 2
    assert (
        client.post(
            f"/api/v1/batches/{code}/complete",
            json={"produced_quantity": 118},
            headers=h,
        ).status_code
        == 200
    )
    r = client.post(
        f"/api/v1/batches/{code}/checkpoints",
        json={"stage": "post_cooling", "passed": True, "notes": "色泽正常"},
        headers=bakery.auth("qc"),
    )
    assert r.status_code == 201
    r = client.post(f"/api/v1/batches/{code}/pack", json={"quantity": 118}, headers=h)
    assert r.status_code == 200 and r.json()["status"] == "packed"
    full = client.get(f"/api/v1/batches/{code}", headers=bakery.auth("auditor")).json()
    assert full["consumptions"][0]["supplier_lot"] == "LOT25S-45"
    assert full["checkpoints"][0]["notes"] == "色泽正常"
    assert full["bakes"][0]["within_tolerance"] is True


def test_packing_before_the_post_cooling_check_is_409_in_both_languages(
    client, bakery, cat, session
):
    code = _start(client, bakery)["code"]
    client.post(
        f"/api/v1/batches/{code}/complete",
        json={"produced_quantity": 100},
        headers=bakery.headers,
    )
    before = session.scalar(
        select(func.count())
        .select_from(Event)
        .where(Event.tenant_id == bakery.tenant.id)
    )
    zh = client.post(
        f"/api/v1/batches/{code}/pack", json={"quantity": 100}, headers=bakery.headers
    )
    en = client.post(
        f"/api/v1/batches/{code}/pack",
        json={"quantity": 100},
        headers={**bakery.headers, "Accept-Language": "en"},
    )
    assert zh.status_code == en.status_code == 409
    assert "冷却后检验" in zh.json()["error"]["message"]
    assert "post-cooling" in en.json()["error"]["message"]
    assert (
        session.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.tenant_id == bakery.tenant.id)
        )
        == before
    )


def test_validation_errors_name_the_field(client, bakery, cat):
    r = client.post(
        "/api/v1/batches",
        json={**START, "planned_quantity": 0},
        headers={**bakery.headers, "Accept-Language": "en"},
    )
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "planned_quantity"
    assert "too small" in r.json()["error"]["message"]


def test_another_bakery_cannot_see_or_touch_a_batch(client, bakery, cat, session):
    code = _start(client, bakery)["code"]
    other = make_bakery(session)
    make_catalog(session, other.tenant.id)
    for method, url, body in [
        ("GET", f"/api/v1/batches/{code}", None),
        (
            "POST",
            f"/api/v1/batches/{code}/bake",
            {"actual_temp_c": 180, "actual_minutes": 18},
        ),
        (
            "POST",
            f"/api/v1/batches/{code}/consumptions",
            {"lot": "RM-1", "quantity": 1},
        ),
        (
            "POST",
            f"/api/v1/batches/{code}/checkpoints",
            {"stage": "pre_bake", "passed": True},
        ),
    ]:
        r = client.request(method, url, json=body, headers=other.headers)
        assert r.status_code == 404, (url, r.text)
        assert code not in str(r.json()["error"].get("details", ""))
    assert client.get("/api/v1/batches", headers=other.headers).json() == []


def test_each_role_may_do_only_its_own_work(client, bakery, cat):
    code = _start(client, bakery)["code"]
    for role in ("store", "auditor", "supplier", "logistics", "qc"):
        r = client.post("/api/v1/batches", json=START, headers=bakery.auth(role))
        assert r.status_code == 403, role
    for role in ("production", "store", "supplier", "auditor"):
        r = client.post(
            f"/api/v1/batches/{code}/checkpoints",
            json={"stage": "pre_bake", "passed": True},
            headers=bakery.auth(role),
        )
        assert r.status_code == 403, role
    for role in ("store", "supplier"):
        assert (
            client.get(f"/api/v1/batches/{code}", headers=bakery.auth(role)).status_code
            == 403
        )
    assert (
        client.post(
            "/api/v1/batches", json=START, headers=bakery.auth("production")
        ).status_code
        == 201
    )


def test_a_code_is_explained_or_its_mistake_named(client, bakery, cat):
    ok = client.get("/api/v1/batch-codes/251203-SS-PM-002", headers=bakery.headers)
    assert ok.json()["session"] == "PM" and ok.json()["sequence"] == 2
    bad = client.get("/api/v1/batch-codes/251303-SS-PM-002", headers=bakery.headers)
    assert bad.status_code == 422 and bad.json()["error"]["message"] == "月份 13 无效"
    zz = client.get(
        "/api/v1/batch-codes/251203-ZZ-PM-002",
        headers={**bakery.headers, "Accept-Language": "en"},
    )
    assert zz.json()["error"]["message"] == "unknown product line ZZ"
