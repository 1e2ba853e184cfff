"""Level 2 (R2.5): a batch made with a borderline lot, or with several minor
anomalies, is marked "需重点关注", its sampling rate raised and QC given a
task — once per cause, however often it is noticed. Level 3: a verified
complaint or a confirmed hazard produces the impact report and a recall
draft that freezes nothing until a person launches it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bakeprint.events import subscribers
from bakeprint.outbox.models import OutboxMessage
from bakeprint.production import consumption
from bakeprint.production import service as production
from bakeprint.production.models import Batch
from bakeprint.production.schemas import (
    BatchComplete,
    BatchCreate,
    ConsumptionCreate,
)
from bakeprint.quality import service as quality
from bakeprint.quality.models import BatchAlert, QcTask
from bakeprint.quality.schemas import CheckpointCreate
from tests.factories import make_catalog
from tests.packaging.conftest import pack_a_batch
from tests.production.conftest import T0, make_lot
from tests.trace.test_scope import chain  # noqa: F401


def _start(session, a, cat, start, lots=(), variant=None):  # type: ignore[no-untyped-def]
    b = production.start_batch(
        session,
        BatchCreate(
            product_gtin=cat["product"].gtin,
            variant=variant,
            planned_quantity=40,
            operators=["WANG-03"],
            equipment=["OVEN-3"],
            location="HALL-1",
            started_at=start,
        ),
        actor=a,
    )
    for lot in lots:
        consumption.consume(
            session,
            b.code,
            ConsumptionCreate(lot=lot, quantity=0.5, recorded_at=start),
            actor=a,
        )
    return b


def _outbox(session, topic, tenant_id):  # type: ignore[no-untyped-def]
    return session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.topic == topic, OutboxMessage.tenant_id == tenant_id)
    )


def test_a_borderline_lot_flags_every_batch_made_with_it_once(client, session, bakery):  # type: ignore[no-untyped-def]
    cat = make_catalog(session, bakery.tenant.id)
    make_lot(session, cat, code="SAK-B", qc="borderline", score=71)
    make_lot(session, cat, code="FL-OK", material="flour", supplier="supplier_a")
    h = bakery.headers
    r = client.put(
        "/api/v1/alert-settings", json={"raised_sampling_rate": 0.25}, headers=h
    )
    assert r.status_code == 200, r.text
    a = bakery.actor
    ok = _start(session, a, cat, T0 - timedelta(hours=3), ["FL-OK"])
    b1 = _start(session, a, cat, T0 - timedelta(hours=2), ["SAK-B"])
    b2 = _start(session, a, cat, T0 - timedelta(hours=1), ["SAK-B", "FL-OK"])
    session.commit()

    for b in (b1, b2):
        session.refresh(b)
        assert b.needs_attention and b.sampling_rate == 0.25
    session.refresh(ok)
    assert not ok.needs_attention and ok.sampling_rate == 0.02

    alerts = client.get("/api/v1/batch-alerts?level=2", headers=h).json()
    assert len(alerts) == 1  # one cause, one alert, both batches on it
    (alert,) = alerts
    assert alert["cause"] == "borderline_lot"
    assert alert["batches"] == sorted([b1.code, b2.code])
    assert "SAK-B" in alert["detail_zh"] and "71" in alert["detail_zh"]
    assert alert["status"] == "open" and alert["acknowledged_by"] is None
    assert _outbox(session, "alert.level2", bakery.tenant.id) == 1

    tasks = client.get("/api/v1/qc-tasks", headers=h).json()
    assert sorted(t["batch"] for t in tasks) == sorted([b1.code, b2.code])
    assert all(t["kind"] == "extra_sampling" and "25%" in t["detail_zh"] for t in tasks)

    page = client.get(f"/api/v1/batches/{b1.code}", headers=h).json()
    assert page["needs_attention"] is True

    # QC samples one and writes down what it found; an empty result is refused
    t1 = tasks[0]["id"]
    empty = client.post(f"/api/v1/qc-tasks/{t1}/done", json={"result": " "}, headers=h)
    assert empty.status_code == 422
    done = client.post(
        f"/api/v1/qc-tasks/{t1}/done",
        json={"result": "抽检 10 个，酥皮与馅料正常"},
        headers=bakery.auth("qc"),
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "done" and done.json()["done_by"] == "qc-user"
    again = client.post(
        f"/api/v1/qc-tasks/{t1}/done", json={"result": "再来一次"}, headers=h
    )
    assert again.status_code == 409 and "qc-user" in again.json()["error"]["message"]
    assert len(client.get("/api/v1/qc-tasks", headers=h).json()) == 1

    # acknowledged by a person, once; a store cannot
    url = f"/api/v1/batch-alerts/{alert['id']}/acknowledge"
    assert client.post(url, json={}, headers=bakery.auth("store")).status_code == 403
    ack = client.post(url, json={"note": "已加抽"}, headers=bakery.auth("qc"))
    assert ack.status_code == 200
    assert ack.json()["acknowledged_by"] == "qc-user"
    assert ack.json()["acknowledged_at"] is not None
    assert client.post(url, json={}, headers=h).status_code == 409


def test_a_lot_regraded_to_borderline_flags_what_it_went_into(
    client,
    session,
    bakery,
    chain,  # noqa: F811
):  # type: ignore[no-untyped-def]
    r = client.post(
        "/api/v1/lots/SAK-1/qc",
        json={"qc_result": "borderline", "quality_score": 70, "reason": "复检"},
        headers=bakery.headers,
    )
    assert r.status_code in (200, 201), r.text
    (alert,) = client.get("/api/v1/batch-alerts", headers=bakery.headers).json()
    b = chain["b"]
    # exactly the batches that still use it (b7's use was corrected to zero)
    assert alert["batches"] == sorted(x.code for x in (b[1], b[3], b[5], b[6], b[8]))


def test_several_minor_anomalies_make_a_batch_need_attention(client, session, bakery):  # type: ignore[no-untyped-def]
    cat = make_catalog(session, bakery.tenant.id)
    make_lot(session, cat, code="SAK-OK")
    a = bakery.actor
    h = bakery.headers
    assert client.put(
        "/api/v1/alert-settings", json={"minor_anomalies": 3}, headers=h
    ).json() == {"minor_anomalies": 3, "raised_sampling_rate": 0.1}
    b = _start(session, a, cat, T0 - timedelta(hours=3), ["SAK-OK"], variant="F1")
    r = client.post(
        f"/api/v1/batches/{b.code}/bake",
        json={
            "actual_temp_c": 196,
            "actual_minutes": 18,
            "equipment": "OVEN-3",
            "recorded_at": (T0 - timedelta(hours=2, minutes=20)).isoformat(),
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    production.complete_batch(
        session,
        b.code,
        BatchComplete(produced_quantity=40, ended_at=T0 - timedelta(hours=2)),
        actor=a,
    )
    quality.record(
        session,
        b.code,
        CheckpointCreate(stage="post_bake", passed=False, notes="边缘焦"),
        actor=a,
    )
    session.commit()
    session.refresh(b)
    assert not b.needs_attention  # two anomalies: below this bakery's three
    assert client.get("/api/v1/batch-alerts", headers=h).json() == []

    quality.record(
        session,
        b.code,
        CheckpointCreate(stage="post_cooling", passed=False, notes="偏软"),
        actor=a,
    )
    session.commit()
    session.refresh(b)
    assert b.needs_attention and b.sampling_rate == 0.1
    (alert,) = client.get("/api/v1/batch-alerts", headers=h).json()
    assert alert["cause"] == "minor_anomalies" and alert["batches"] == [b.code]
    assert [x["kind"] for x in alert["anomalies"]] == [
        "failed_check",
        "failed_check",
        "oven",
    ]
    assert "196" in alert["detail_zh"] and "冷却后检验未通过" in alert["detail_zh"]
    # noticed again (a re-check passes, another failure): still one alert
    quality.record(
        session, b.code, CheckpointCreate(stage="pre_pack", passed=False), actor=a
    )
    session.commit()
    (again,) = client.get("/api/v1/batch-alerts", headers=h).json()
    assert again["id"] == alert["id"] and len(again["anomalies"]) == 4
    assert (
        session.scalar(
            select(func.count())
            .select_from(QcTask)
            .where(QcTask.batch_id == b.id, QcTask.kind == "extra_sampling")
        )
        == 1
    )


def test_thresholds_are_checked(client, session, bakery):  # type: ignore[no-untyped-def]
    url, h = "/api/v1/alert-settings", bakery.headers
    assert client.put(url, json={"minor_anomalies": 0}, headers=h).status_code == 422
    assert (
        client.put(url, json={"raised_sampling_rate": 1.5}, headers=h).status_code
        == 422
    )
    assert (
        client.put(
            url, json={"minor_anomalies": 2}, headers=bakery.auth("store")
        ).status_code
        == 403
    )
    assert client.get(url, headers=h).json() == {
        "minor_anomalies": 2,
        "raised_sampling_rate": 0.1,
    }


def test_a_verified_complaint_drafts_a_recall_that_a_person_launches(
    client,
    session,
    bakery,
    chain,  # noqa: F811
):  # type: ignore[no-untyped-def]
    b3 = chain["b"][3]
    h = bakery.headers
    bad = client.post(
        "/api/v1/complaints",
        json={"code": "NOPE-1", "category": "foreign_body", "description": "x"},
        headers=bakery.auth("store"),
    )
    assert bad.status_code == 404 and "NOPE-1" in bad.json()["error"]["message"]
    assert (
        client.post(
            "/api/v1/complaints",
            json={"code": b3.code, "category": "poison", "description": "x"},
            headers=h,
        ).status_code
        == 422
    )
    r = client.post(
        "/api/v1/complaints",
        json={
            "code": b3.code,
            "category": "foreign_body",
            "description": "吃到一根头发",
            "point_of_sale": "CITY-LIB",
        },
        headers=bakery.auth("store"),
    )
    assert r.status_code == 201, r.text
    cp = r.json()
    assert cp["code"].startswith("CP-") and cp["status"] == "received"
    assert cp["batch"] == b3.code and cp["channel"] == "api"
    (task,) = client.get("/api/v1/qc-tasks", headers=h).json()
    assert task["kind"] == "complaint" and task["complaint"] == cp["code"]
    # a complaint task is closed by the verdict, not by "done"
    assert (
        client.post(
            f"/api/v1/qc-tasks/{task['id']}/done", json={"result": "x"}, headers=h
        ).status_code
        == 409
    )
    assert (
        client.post(
            f"/api/v1/complaints/{cp['code']}/decision",
            json={"verified": True, "verdict": "x"},
            headers=bakery.auth("store"),
        ).status_code
        == 403
    )

    v = client.post(
        f"/api/v1/complaints/{cp['code']}/decision",
        json={"verified": True, "verdict": "留样中同样发现毛发"},
        headers=bakery.auth("qc"),
    )
    assert v.status_code == 200, v.text
    assert v.json()["status"] == "verified" and v.json()["verified_by"] == "qc-user"
    rc = v.json()["recall"]
    assert rc and rc.startswith("RC-")
    assert client.get("/api/v1/qc-tasks", headers=h).json() == []
    twice = client.post(
        f"/api/v1/complaints/{cp['code']}/decision",
        json={"verified": False, "verdict": "x"},
        headers=h,
    )
    assert twice.status_code == 409 and "qc-user" in twice.json()["error"]["message"]

    alert = client.get(f"/api/v1/batch-alerts/{v.json()['alert']}", headers=h).json()
    assert alert["level"] == 3 and alert["cause"] == "complaint"
    assert alert["batches"] == [b3.code] and alert["recall_status"] == "draft"
    impact = alert["impact"]
    assert [x["batch"] for x in impact["batches"]] == [b3.code]
    assert {s["point_of_sale"]: s["on_shelf"] for s in impact["shops"]} == {
        "CITY-LIB": 6,
        "MUSEUM": 8,
    }
    assert {c["kind"] for c in impact["causes"]} >= {"lot", "session", "trip"}
    assert _outbox(session, "alert.level3", bakery.tenant.id) == 1

    # the draft freezes nothing and notifies nobody
    draft = client.get(f"/api/v1/recalls/{rc}", headers=h).json()
    assert draft["status"] == "draft" and draft["batches"] == []
    assert [x["batch"] for x in draft["draft_scope"]["batches"]] == [b3.code]
    assert session.get(Batch, (bakery.tenant.id, b3.id)).status == "packed"
    assert _outbox(session, "recall.notice", bakery.tenant.id) == 0
    assert (
        client.post(f"/api/v1/recalls/{rc}/close", json={}, headers=h).status_code
        == 409
    )

    launched = client.post(f"/api/v1/recalls/{rc}/launch", headers=h)
    assert launched.status_code == 200, launched.text
    assert launched.json()["status"] == "open"
    session.refresh(b3)
    assert b3.status == "recalled"
    assert (
        _outbox(session, "recall.notice", bakery.tenant.id) == 2
    )  # CITY-LIB and MUSEUM
    assert client.post(f"/api/v1/recalls/{rc}/launch", headers=h).status_code == 409


def test_a_rejected_complaint_raises_nothing_and_a_draft_can_be_dropped(
    client,
    session,
    bakery,
    chain,  # noqa: F811
):  # type: ignore[no-untyped-def]
    h = bakery.headers
    b1 = chain["b"][1]
    cp = client.post(
        "/api/v1/complaints",
        json={"code": b1.code, "category": "taste", "description": "太甜"},
        headers=h,
    ).json()
    r = client.post(
        f"/api/v1/complaints/{cp['code']}/decision",
        json={"verified": False, "verdict": "配方如此，口味偏好"},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert r.json()["alert"] is None and r.json()["recall"] is None
    assert (
        session.scalar(
            select(func.count())
            .select_from(BatchAlert)
            .where(BatchAlert.tenant_id == bakery.tenant.id)
        )
        == 0
    )

    # a hazard confirmed at a supplier's lot: level 3 on exactly its batches
    empty = client.post(
        "/api/v1/hazards",
        json={"description": "坚果过敏原", "criteria": {}},
        headers=h,
    )
    assert empty.status_code == 422
    hz = client.post(
        "/api/v1/hazards",
        json={
            "description": "供应商通报：樱花蜜饯 LOT25S-45 含未申报坚果过敏原",
            "criteria": {"lot": "SAK-1"},
        },
        headers=bakery.auth("qc"),
    )
    assert hz.status_code == 201, hz.text
    b = chain["b"]
    assert hz.json()["batches"] == sorted(
        x.code for x in (b[1], b[3], b[5], b[6], b[8])
    )
    assert hz.json()["level"] == 3 and hz.json()["recall_status"] == "draft"
    rc = hz.json()["recall"]
    no_note = client.post(f"/api/v1/recalls/{rc}/discard", json={}, headers=h)
    assert no_note.status_code == 422
    dropped = client.post(
        f"/api/v1/recalls/{rc}/discard",
        json={"note": "供应商撤回通报，检测阴性"},
        headers=h,
    )
    assert dropped.status_code == 200 and dropped.json()["status"] == "discarded"
    assert client.post(f"/api/v1/recalls/{rc}/launch", headers=h).status_code == 409
    session.refresh(b[1])
    assert b[1].status == "packed"


@pytest.fixture
def bare(monkeypatch):  # type: ignore[no-untyped-def]
    """No reaction subscribed until the app (requested after it) installs them."""
    monkeypatch.setattr(subscribers, "_handlers", {})


def test_failed_checks_posted_to_the_api_raise_the_alert(bare, client, session, bakery):  # type: ignore[no-untyped-def]
    cat = make_catalog(session, bakery.tenant.id)
    b = pack_a_batch(session, bakery.actor, cat)
    session.commit()
    h = bakery.headers
    for notes in ("偏硬", "异味"):
        r = client.post(
            f"/api/v1/batches/{b.code}/checkpoints",
            json={"stage": "release", "passed": False, "notes": notes},
            headers=h,
        )
        assert r.status_code == 201, r.text
    (alert,) = client.get("/api/v1/batch-alerts", headers=h).json()
    assert alert["cause"] == "minor_anomalies" and alert["batches"] == [b.code]
    assert [a["kind"] for a in alert["anomalies"]] == ["failed_check"] * 2
    session.refresh(b)
    assert b.needs_attention and b.sampling_rate == 0.1
