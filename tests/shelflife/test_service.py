"""Dynamic shelf life through the services and the API (both databases):
the brief's batch, the level-2 alert, versioned parameters, packaging, the
FEFO list, and every refusal with its words and nothing written (R3.3)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bakeprint.catalog.models import PointOfSale
from bakeprint.db import clock_at
from bakeprint.errors import Invalid
from bakeprint.outbox.models import OutboxMessage
from bakeprint.quality.models import BatchAlert, QcTask
from bakeprint.retail import service as retail
from bakeprint.retail.schemas import SaleCreate
from bakeprint.shelflife import service as shelflife
from bakeprint.shelflife import views
from bakeprint.shelflife.models import (
    BatchPackaging,
    ShelfLifeParams,
    ShelfLifePrediction,
)
from tests.packaging.conftest import pack_a_batch
from tests.shelflife.conftest import deliver, make_humid_late

API = "/api/v1/shelflife"


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_brief_batch_is_predicted_5_days_with_its_reasons(session, humid_late):
    read = views.live(session, humid_late)
    assert read.printed_best_before == date(2025, 12, 10)  # 3 Dec + 7 days
    assert read.best_before == date(2025, 12, 8)  # 5.2 days: 3 Dec + 5
    assert (read.model_days, read.effective_days, read.shortened) == (5.2, 5.2, True)
    assert (
        "；".join(r.zh for r in read.reasons)
        == "湿度 75% 生产 −1.2 天；配送延迟 2 h −0.6 天"
    )
    assert read.params_version == 0 and read.packaging == "standard"


def test_a_shorter_prediction_raises_one_level_2_alert_for_qc(
    session, bakery, humid_late
):
    first = shelflife.predict(
        session, bakery.tenant.id, humid_late.code, actor=bakery.actor
    )
    again = shelflife.predict(
        session, bakery.tenant.id, humid_late.code, actor=bakery.actor
    )
    assert first.best_before == again.best_before == date(2025, 12, 8)
    (alert,) = session.scalars(
        select(BatchAlert).where(BatchAlert.cause == "shelf_life")
    )
    assert alert.level == 2 and alert.status == "open"
    assert "预测保质期到 2025-12-08，早于标签上的 2025-12-10" in alert.detail_zh
    assert "湿度 75% 生产 −1.2 天" in alert.detail_zh
    assert "delivered 2 h late −0.6 days" in alert.detail_en
    assert humid_late.needs_attention
    (task,) = session.scalars(select(QcTask).where(QcTask.batch_id == humid_late.id))
    assert task.kind == "extra_sampling"
    sent = session.scalars(
        select(OutboxMessage).where(OutboxMessage.topic == "alert.level2")
    ).all()
    assert [m.recipient for m in sent] == ["role:qc"]
    assert _count(session, ShelfLifePrediction) == 2


def test_a_batch_kept_as_planned_keeps_its_date_and_raises_nothing(
    session, bakery, hall
):
    batch = pack_a_batch(session, bakery.actor, hall, location="HALL-1")
    deliver(session, bakery, batch, batch.ended_at + timedelta(hours=2))
    row = shelflife.predict(session, bakery.tenant.id, batch.code, actor=bakery.actor)
    assert row.best_before == row.printed_best_before == date(2025, 12, 10)
    assert row.reasons == []
    assert _count(session, BatchAlert) == 0 and not batch.needs_attention


def test_improved_packaging_is_reported_as_9_days_but_the_date_stays_at_7(
    session, bakery, hall
):
    batch = pack_a_batch(session, bakery.actor, hall, location="HALL-1")
    deliver(session, bakery, batch, batch.ended_at + timedelta(hours=2))
    shelflife.set_packaging(
        session, bakery.tenant.id, batch.code, "improved", actor=bakery.actor
    )
    read = views.live(session, batch)
    assert (read.model_days, read.effective_days) == (9.0, 7.0)
    assert read.best_before == read.printed_best_before == date(2025, 12, 10)
    assert [r.zh for r in read.reasons] == ["改良包装 +2.0 天"]
    assert not read.shortened


def test_new_parameters_are_a_new_version_and_old_predictions_keep_theirs(
    session, bakery, humid_late
):
    t = bakery.tenant.id
    old = shelflife.predict(session, t, humid_late.code, actor=bakery.actor)
    row = shelflife.set_params(
        session,
        t,
        "酥皮类",
        {"k_hall_per_pct": "0.03"},
        note="梅雨季",
        actor=bakery.actor,
    )
    assert row.version == 1 and row.params["k_hall_per_pct"] == 0.03
    assert row.params["late_exposure"] == 8.0  # the rest kept
    new = shelflife.predict(session, t, humid_late.code, actor=bakery.actor)
    assert (old.params_version, new.params_version) == (0, 1)
    assert new.model_days < old.model_days
    # the old prediction is explained with the parameters it used
    assert shelflife.params_version(session, t, "酥皮类", 0).k_hall_per_pct == 0.014
    assert shelflife.params_version(session, t, "酥皮类", 1).k_hall_per_pct == 0.03
    assert [p.version for p in shelflife.params_history(session, t, "酥皮类")] == [1]


@pytest.mark.parametrize(
    ("category", "values", "zh", "en"),
    [
        ("面包类", {"t_min_c": 3}, "没有产品类别 面包类", "no product category 面包类"),
        ("酥皮类", {"speed": 1}, "没有参数 speed", "no parameter speed"),
        ("酥皮类", {"t_min_c": "cold"}, "应为数字", "must be a number, got 'cold'"),
        ("酥皮类", {"late_exposure": 0.5}, "超出范围 1–50", "is outside 1–50"),
        (
            "酥皮类",
            {"packaging": {"foil": 0.5}},
            "没有包装类型 foil",
            "no packaging type foil",
        ),
        (
            "酥皮类",
            {"packaging": {"improved": 9}},
            "超出范围 0.2–5",
            "is outside 0.2–5",
        ),
        ("酥皮类", {"t_min_c": 14, "t_ref_c": 10}, "应低于参考温度", "must be below"),
        ("酥皮类", {}, "没有要修改的参数", "no parameter to change"),
    ],
)
def test_bad_parameters_are_refused_with_words_and_nothing_written(
    session, bakery, cat, category, values, zh, en
):
    with pytest.raises(Invalid) as e:
        shelflife.set_params(
            session, bakery.tenant.id, category, values, actor=bakery.actor
        )
    assert zh in e.value.zh and en in e.value.en
    assert _count(session, ShelfLifeParams) == 0


def test_an_unknown_packaging_is_refused_and_nothing_written(
    session, bakery, humid_late
):
    with pytest.raises(Invalid) as e:
        shelflife.set_packaging(
            session, bakery.tenant.id, humid_late.code, "foil", actor=bakery.actor
        )
    assert (
        "standard, improved, open" in e.value.en and "没有包装类型 foil" in e.value.zh
    )
    assert _count(session, BatchPackaging) == 0


def test_the_fefo_list_puts_the_shortest_predicted_life_first(session, bakery, hall):
    humid = make_humid_late(session, bakery, hall)  # made 3 Dec: until 8 Dec
    later = pack_a_batch(session, bakery.actor, hall, location="HALL-1", minutes=90)
    deliver(session, bakery, later, later.ended_at + timedelta(hours=1))  # until 10 Dec
    # on 8 Dec at noon (Shanghai) the humid batch has half a day left
    with clock_at(datetime(2025, 12, 8, 4, 0, tzinfo=UTC)):
        rows = shelflife.fefo(session, bakery.tenant.id, hall["shop"].id)
    assert [(r.batch, r.best_before, r.remaining_days, r.action) for r in rows] == [
        (humid.code, date(2025, 12, 8), 0.5, "discount"),
        (later.code, date(2025, 12, 10), 2.5, "sell"),
    ]
    assert rows[0].reasons[0]["zh"] == "湿度 75% 生产 −1.2 天"
    with clock_at(datetime(2025, 12, 9, 4, 0, tzinfo=UTC)):
        rows = shelflife.fefo(session, bakery.tenant.id, hall["shop"].id)
    assert [r.action for r in rows] == ["pull", "sell"]


def test_each_shop_judges_its_own_units_by_when_they_reached_its_shelf(
    session, bakery, hall
):
    cafe = PointOfSale(
        tenant_id=bakery.tenant.id, code="CAFE-2", name="咖啡馆", kind="cafe"
    )
    session.add(cafe)
    session.flush()
    batch = pack_a_batch(session, bakery.actor, hall, location="HALL-1", quantity=40)
    deliver(session, bakery, batch, batch.ended_at + timedelta(hours=2))
    deliver(session, bakery, batch, batch.ended_at + timedelta(hours=7), shop="CAFE-2")
    (on_time,) = shelflife.fefo(session, bakery.tenant.id, hall["shop"].id)
    (late,) = shelflife.fefo(session, bakery.tenant.id, cafe.id)
    assert (on_time.best_before, on_time.reasons) == (date(2025, 12, 10), [])
    assert late.best_before == date(2025, 12, 9)  # 3 h late: 7 − 0.9 days
    assert [r["zh"] for r in late.reasons] == ["配送延迟 3 h −0.9 天"]


def test_fefo_leaves_out_what_is_no_longer_on_the_shelf(session, bakery, hall):
    batch = make_humid_late(session, bakery, hall)
    retail.sell(
        session,
        "CITY-LIB",
        SaleCreate(batch=batch.code, quantity=20),
        actor=bakery.actor,
    )
    assert shelflife.fefo(session, bakery.tenant.id, hall["shop"].id) == []


# --- API ---------------------------------------------------------------------


def test_the_api_answers_the_prediction_and_keeps_one_for_qc(
    client, bakery, humid_late
):
    code = humid_late.code
    r = client.get(f"{API}/batches/{code}", headers=bakery.auth("auditor"))
    assert r.status_code == 200
    body = r.json()
    assert (body["best_before"], body["printed_best_before"]) == (
        "2025-12-08",
        "2025-12-10",
    )
    assert [x["en"] for x in body["reasons"]] == [
        "made at 75% humidity −1.2 days",
        "delivered 2 h late −0.6 days",
    ]
    assert body["predicted_at"] is None
    r = client.post(f"{API}/batches/{code}/predictions", headers=bakery.auth("store"))
    assert r.status_code == 403
    r = client.post(f"{API}/batches/{code}/predictions", headers=bakery.auth("qc"))
    assert r.status_code == 201 and r.json()["predicted_at"].endswith("+08:00")
    kept = client.get(
        f"{API}/batches/{code}/predictions", headers=bakery.headers
    ).json()
    assert [k["best_before"] for k in kept] == ["2025-12-08"]
    r = client.get(f"{API}/batches/NOPE-1", headers=bakery.headers)
    assert r.status_code == 404 and "NOPE-1" in r.json()["error"]["message_en"]


def test_the_api_sets_parameters_and_refuses_bad_ones(client, session, bakery, cat):
    r = client.put(
        f"{API}/params/酥皮类",
        json={"params": {"packaging": {"improved": 0.7}}, "note": "新包装膜"},
        headers=bakery.auth("qc"),
    )
    assert r.status_code == 200 and r.json()["version"] == 1
    assert r.json()["params"]["packaging"]["improved"] == 0.7
    bad = client.put(
        f"{API}/params/酥皮类",
        json={"params": {"t_min_c": 99}},
        headers=bakery.auth("qc"),
    )
    assert bad.status_code == 422
    err = bad.json()["error"]
    assert err["field"] == "t_min_c" and "t_min_c=99 is outside −10–15" in err[
        "message_en"
    ].replace("-10", "−10")
    r = client.put(
        f"{API}/params/酥皮类",
        json={"params": {"t_min_c": 3}},
        headers=bakery.auth("production"),
    )
    assert r.status_code == 403
    listed = client.get(f"{API}/params", headers=bakery.headers).json()
    assert [(p["category"], p["version"]) for p in listed] == [("酥皮类", 1)]
    versions = client.get(
        f"{API}/params/酥皮类/versions", headers=bakery.headers
    ).json()
    assert [v["note"] for v in versions] == ["新包装膜"]
    assert _count(session, ShelfLifeParams) == 1


def test_the_api_records_packaging_and_refuses_an_unknown_one(
    client, session, bakery, humid_late
):
    url = f"{API}/batches/{humid_late.code}/packaging"
    r = client.put(url, json={"packaging": "foil"}, headers=bakery.auth("production"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "packaging"
    assert _count(session, BatchPackaging) == 0
    r = client.put(
        url, json={"packaging": "improved"}, headers=bakery.auth("production")
    )
    assert r.status_code == 200
    assert r.json()["packaging"] == "improved" and r.json()["model_days"] == 6.8


def test_shop_staff_get_their_own_shops_fefo_list_only(
    client, session, bakery, humid_late, hall
):
    r = client.get(f"{API}/shops/CITY-LIB/fefo", headers=bakery.auth("store"))
    assert r.status_code == 200
    (row,) = r.json()
    assert (row["batch"], row["on_shelf"], row["best_before"]) == (
        humid_late.code,
        20,
        "2025-12-08",
    )
    assert row["action"] == "pull"  # today is long after 8 Dec 2025
    session.add(
        PointOfSale(
            tenant_id=bakery.tenant.id, code="CAFE-2", name="咖啡馆", kind="cafe"
        )
    )
    session.flush()
    r = client.get(f"{API}/shops/CAFE-2/fefo", headers=bakery.auth("store"))
    assert r.status_code == 403
    assert client.get(f"{API}/shops/CAFE-2/fefo", headers=bakery.headers).json() == []
