"""Alerts and sensors on the phone: the board counts open alerts, a person
acknowledges one with a note, ranges are set by form with their history kept,
bad readings are listed with the reason, and the batch shows its environment."""

from __future__ import annotations

import re

from bakeprint.sensors import service as sensors
from tests.packaging.conftest import (
    cat,  # noqa: F401
    pack_a_batch,
)
from tests.production.conftest import T0
from tests.sensors.conftest import hall, series  # noqa: F401
from tests.sensors.test_environment import HUMIDITY
from tests.web.test_distribution_pages import login_as
from tests.web.test_pages import csrf_of


def _humid_batch(session, bakery, hall):  # type: ignore[no-untyped-def]  # noqa: F811
    batch = pack_a_batch(session, bakery.actor, hall, location="HALL-1")
    sensors.ingest(
        session, bakery.tenant.id, series("HALL-1-RH", T0, HUMIDITY), source="test"
    )
    session.commit()
    return batch


def _tile(html: str, level: int) -> int:
    m = re.search(rf'data-level="{level}"><b>(\d+)</b>', html)
    assert m, html
    return int(m.group(1))


def test_an_open_alert_is_counted_seen_on_the_batch_and_acknowledged(
    client,
    session,
    bakery,
    hall,  # noqa: F811
):
    batch = _humid_batch(session, bakery, hall)
    login_as(client, bakery)
    assert _tile(client.get("/").text, 1) == 1
    page = client.get(f"/batches/{batch.code}")
    assert 'id="anomalies"' in page.text and "湿度 75%，标准 ≤ 70%" in page.text
    assert "<svg" in page.text and "超标 40 分钟" in page.text

    page = client.get("/alerts")
    assert "HALL-1-RH" in page.text and "一级" in page.text
    (alert_id,) = re.findall(r'action="/alerts/([0-9a-f-]+)/acknowledge"', page.text)
    r = client.post(
        f"/alerts/{alert_id}/acknowledge",
        data={"csrf": csrf_of(page.text), "note": "开了除湿机", "back": "/alerts"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert _tile(client.get("/").text, 1) == 0
    done = client.get("/alerts?status=acknowledged").text
    assert "开了除湿机" in done and "店主" in done  # who, by name
    # a second click (another phone, stale page) says who did it first
    again = client.post(
        f"/alerts/{alert_id}/acknowledge",
        data={"csrf": csrf_of(page.text), "note": ""},
    )
    assert again.status_code == 409 and "已由 owner 确认" in again.text


def test_shop_staff_cannot_acknowledge(client, session, bakery, hall):  # noqa: F811
    _humid_batch(session, bakery, hall)
    login_as(client, bakery, "owner")
    page = client.get("/alerts")
    (alert_id,) = re.findall(r'action="/alerts/([0-9a-f-]+)/acknowledge"', page.text)
    client.post("/logout", data={"csrf": csrf_of(page.text)})
    login_as(client, bakery, "store-user")
    shop_page = client.get("/shops")
    r = client.post(
        f"/alerts/{alert_id}/acknowledge",
        data={"csrf": csrf_of(shop_page.text), "note": "x"},
    )
    assert r.status_code == 403


def test_a_range_is_set_by_form_and_the_old_one_kept(client, session, bakery, hall):  # noqa: F811
    login_as(client, bakery)
    page = client.get("/sensors")
    assert "HALL-1-RH" in page.text and "VAN-2-T" in page.text
    csrf = csrf_of(page.text)
    bad = client.post(
        "/sensors/ranges",
        data={
            "csrf": csrf,
            "kind": "humidity",
            "place_kind": "location",
            "place": "HALL-1",
            "low": "80",
            "high": "70",
        },
    )
    assert bad.status_code == 422 and "下限 80.0 必须小于上限 70.0" in bad.text
    assert 'value="80"' in bad.text  # the form keeps what was typed
    typo = client.post(
        "/sensors/ranges",
        data={
            "csrf": csrf,
            "kind": "humidity",
            "place_kind": "location",
            "place": "HALL-1",
            "high": "sixty",
        },
    )
    assert typo.status_code == 422 and "请填写数字" in typo.text
    ok = client.post(
        "/sensors/ranges",
        data={
            "csrf": csrf,
            "kind": "humidity",
            "place_kind": "location",
            "place": "HALL-1",
            "high": "65",
            "reason": "梅雨季收紧",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    rows = sensors.range_history(session, bakery.tenant.id)
    hall_rh = [r for r in rows if r.kind == "humidity"]
    assert [(r.high, r.valid_to is None) for r in hall_rh] == [
        (70.0, False),
        (65.0, True),
    ]
    assert "梅雨季收紧" in client.get("/sensors").text


def test_bad_readings_are_listed_with_the_reason(client, session, bakery, hall):  # noqa: F811
    sensors.ingest(
        session,
        bakery.tenant.id,
        [
            sensors.RawReading("HALL-1-RH", T0.isoformat(), 140.0),
            sensors.RawReading("NOPE-9", T0.isoformat(), 20.0),
        ],
        source="gateway-7",
    )
    session.commit()
    login_as(client, bakery)
    html = client.get("/sensors").text
    table = html[html.index('class="list dead"') :]
    assert table.count("gateway-7") == 2 and "NOPE-9" in table
    # the reason in the page's language (the ingest keeps it in English)
    assert "不可能的读数（可能范围 0–100 %RH）" in table and "未登记的传感器" in table
    assert "impossible humidity" not in table
    en = client.get("/sensors?lang=en").text
    assert "impossible humidity (possible: 0 to 100 %RH)" in en
    detail = client.get("/sensors/HALL-1-RH?hours=6")
    assert detail.status_code == 200 and "HALL-1-RH" in detail.text
    assert client.get("/sensors/NOPE-9").status_code == 404
