"""Bulk readings over HTTP: stored once, bad ones kept with the reason."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from bakeprint.sensors import service as sensors
from bakeprint.sensors.models import DeadLetterGroup, SensorBlock
from tests.factories import make_bakery
from tests.production.conftest import T0

URL = "/api/v1/sensors/readings"
NDJSON = {"Content-Type": "application/x-ndjson"}


def lines(*objs) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(o if isinstance(o, str) else json.dumps(o) for o in objs)


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def test_json_lines_are_stored_and_read_back_in_time_order(
    client, bakery, hall, session
):
    body = lines(
        *[
            {"sensor": "HALL-1-RH", "time": at(m), "value": 60 + m / 10, "unit": "%"}
            for m in (3, 1, 2, 0)  # out of order
        ]
    )
    r = client.post(URL, content=body, headers={**bakery.auth("production"), **NDJSON})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "accepted": 4,
        "duplicates": 0,
        "rejected": 0,
        "dead_letter_groups": 0,
        "reasons": [],
    }
    got = client.get(
        "/api/v1/sensors/HALL-1-RH/readings",
        params={"from": at(-1), "to": at(10)},
        headers=bakery.auth("auditor"),
    ).json()
    assert [x["value"] for x in got["readings"]] == [60.0, 60.1, 60.2, 60.3]


def test_a_retried_upload_is_stored_once(client, bakery, hall, session):
    body = lines(
        *[{"sensor": "HALL-1-T", "time": at(m), "value": 22.5} for m in range(50)]
    )
    h = {**bakery.auth("production"), **NDJSON}
    assert client.post(URL, content=body, headers=h).json()["accepted"] == 50
    again = client.post(URL, content=body, headers=h).json()
    assert again["accepted"] == 0 and again["duplicates"] == 50
    s = sensors.get(session, bakery.tenant.id, "HALL-1-T")
    assert len(sensors.readings(session, s, T0, T0 + timedelta(hours=1))) == 50


def test_csv_with_a_header_is_accepted(client, bakery, hall):
    body = "sensor,time,value,unit\n" + "\n".join(
        f"HALL-1-RH,{at(m)},{65 + m},%RH" for m in range(3)
    )
    r = client.post(
        URL,
        content=body,
        headers={**bakery.auth("production"), "Content-Type": "text/csv"},
    )
    assert r.json()["accepted"] == 3


def test_bad_readings_go_to_the_dead_letters_with_the_reason(
    client, bakery, hall, session
):
    body = lines(
        {"sensor": "HALL-1-RH", "time": at(0), "value": 140, "unit": "%"},
        {"sensor": "NOPE-9", "time": at(0), "value": 20},
        "{not json",
        {"sensor": "HALL-1-RH", "time": "2025-12-03 14:00", "value": 60},
        {"sensor": "HALL-1-RH", "time": "2099-01-01T00:00:00+00:00", "value": 60},
        {"sensor": "HALL-1-T", "time": at(0), "value": 20, "unit": "°F"},
        {"sensor": "HALL-1-T", "time": at(0), "value": "warm"},
        {"sensor": "HALL-1-T", "time": at(1), "value": 21},
    )
    r = client.post(URL, content=body, headers={**bakery.auth("production"), **NDJSON})
    out = r.json()
    assert (out["accepted"], out["rejected"]) == (1, 7)
    reasons = " | ".join(f"{x['reason']}: {x['example']}" for x in out["reasons"])
    for words in (
        "humidity 140 %RH is impossible",
        "unknown sensor 'NOPE-9'",
        "not JSON",
        "without a time zone",
        "in the future",
        "unit '°F'",
        "not a number",
    ):
        assert words in reasons, words
    listed = client.get(
        "/api/v1/sensors/dead-letters", headers=bakery.auth("owner")
    ).json()
    assert len(listed) == 7 and any(d["last"]["payload"] == "{not json" for d in listed)
    assert {d["count"] for d in listed} == {1}


def test_a_different_value_for_a_stored_time_keeps_the_first(client, bakery, hall):
    h = {**bakery.auth("production"), **NDJSON}
    first = {"sensor": "HALL-1-T", "time": at(0), "value": 21.0}
    client.post(URL, content=lines(first), headers=h)
    r = client.post(URL, content=lines({**first, "value": 35.0}), headers=h).json()
    assert r["rejected"] == 1 and "already stored" in r["reasons"][0]["reason"]


def test_a_body_that_is_not_an_upload_is_refused_whole(client, bakery, hall, session):
    h = bakery.auth("production")
    r = client.post(URL, content="a,b\n1,2", headers={**h, "Content-Type": "text/csv"})
    assert r.status_code == 422 and "sensor,time,value" in r.text
    r = client.post(URL, content="x", headers={**h, "Content-Type": "text/plain"})
    assert r.status_code == 422 and "内容类型" in r.text
    assert session.scalar(select(func.count()).select_from(SensorBlock)) == 0
    assert session.scalar(select(func.count()).select_from(DeadLetterGroup)) == 0


def test_who_may_upload_and_whose_sensors_they_reach(client, bakery, hall, session):
    body = lines({"sensor": "HALL-1-T", "time": at(0), "value": 20})
    r = client.post(URL, content=body, headers={**bakery.auth("store"), **NDJSON})
    assert r.status_code == 403
    other = make_bakery(session)
    r = client.post(URL, content=body, headers={**other.auth("owner"), **NDJSON})
    assert r.json()["rejected"] == 1  # not their sensor: unknown to them
    s = sensors.get(session, bakery.tenant.id, "HALL-1-T")
    assert (
        sensors.readings(session, s, T0 - timedelta(hours=1), T0 + timedelta(hours=1))
        == []
    )
    assert (
        client.get(
            "/api/v1/sensors/HALL-1-T/readings",
            params={"from": at(-5), "to": at(5)},
            headers=other.auth("owner"),
        ).status_code
        == 404
    )


def test_registering_sensors_and_ranges_keeps_the_history(client, bakery, cat):
    h = bakery.auth("owner")
    r = client.post(
        "/api/v1/sensors",
        json={
            "code": "COLD-1-T",
            "kind": "temperature",
            "place_kind": "location",
            "place": "COLD-1",
        },
        headers=h,
    )
    assert r.status_code == 201 and r.json()["unit"] == "°C"
    dup = client.post(
        "/api/v1/sensors",
        json={
            "code": "COLD-1-T",
            "kind": "temperature",
            "place_kind": "location",
            "place": "COLD-1",
        },
        headers=h,
    )
    assert dup.status_code == 409
    for low, high, when in ((0, 4, at(-600)), (0, 5, at(-60))):
        r = client.post(
            "/api/v1/environment/ranges",
            json={
                "kind": "temperature",
                "place_kind": "location",
                "place": "COLD-1",
                "low": low,
                "high": high,
                "valid_from": when,
                "reason": "HACCP",
            },
            headers=h,
        )
        assert r.status_code == 201, r.text
    bad = client.post(
        "/api/v1/environment/ranges",
        json={
            "kind": "temperature",
            "place_kind": "location",
            "place": "COLD-1",
            "low": 5,
            "high": 4,
        },
        headers=h,
    )
    assert bad.status_code == 422 and "5" in bad.json()["error"]["message"]
    hist = client.get("/api/v1/environment/ranges", headers=h).json()
    assert [(x["high"], x["valid_to"] is None) for x in hist] == [(4, False), (5, True)]
