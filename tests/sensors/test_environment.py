"""The brief's case: 75 % humidity in the hall during production (standard
≤ 70 %) — on the batch, as one level-1 alert, whatever order readings come in."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bakeprint.alerts import environment as alerts
from bakeprint.outbox.models import OutboxMessage
from bakeprint.sensors import environment
from bakeprint.sensors import service as sensors
from bakeprint.sensors.models import EnvironmentAlert
from tests.packaging.conftest import pack_a_batch
from tests.production.conftest import T0
from tests.sensors.conftest import SINCE, series

# 14:00–15:00 production; humidity 66 %, then 75 % from 14:20 to 14:59, then 66 %
HUMIDITY = [66.0] * 20 + [72.0, 74.0] + [75.0] * 38 + [66.0] * 30


def _made(session, bakery, hall):  # type: ignore[no-untyped-def]
    return pack_a_batch(session, bakery.actor, hall, location="HALL-1")


def _alerts(session, bakery):  # type: ignore[no-untyped-def]
    return list(
        session.scalars(
            select(EnvironmentAlert).where(
                EnvironmentAlert.tenant_id == bakery.tenant.id
            )
        )
    )


def test_the_batch_shows_the_humidity_excursion_against_the_standard(
    session, bakery, hall
):
    batch = _made(session, bakery, hall)
    sensors.ingest(
        session, bakery.tenant.id, series("HALL-1-RH", T0, HUMIDITY), source="test"
    )
    segs = environment.batch_environment(session, batch)
    prod = next(s for s in segs if s.stage == "production")
    rh = next(s for s in prod.sensors if s.kind == "humidity")
    assert (rh.high, rh.max, rh.min) == (70.0, 75.0, 66.0)
    assert rh.readings == 61  # 14:00 … 15:00 inclusive
    (exc,) = rh.excursions
    assert exc.start == T0 + timedelta(minutes=20)
    assert exc.end == T0 + timedelta(minutes=60)
    assert exc.peak == 75.0 and exc.level == 1
    assert rh.minutes_outside == 40.0
    top = environment.anomalies(segs)[0]
    assert top["zh"] == "湿度 75%，标准 ≤ 70%" and top["stage"] == "production"


def test_one_excursion_is_one_alert_however_its_readings_arrive(session, bakery, hall):
    batch = _made(session, bakery, hall)
    t = bakery.tenant.id
    readings = series("HALL-1-RH", T0, HUMIDITY)
    # the middle arrives first, then the start, then a late reading inside it
    sensors.ingest(session, t, readings[30:50], source="test")
    sensors.ingest(session, t, readings[:30], source="test")
    sensors.ingest(session, t, readings[50:], source="test")
    (alert,) = _alerts(session, bakery)
    assert alert.started_at == T0 + timedelta(minutes=20)
    assert alert.ended_at == T0 + timedelta(minutes=60)
    assert (alert.peak, alert.level, alert.status) == (75.0, 1, "open")
    sent = session.scalars(
        select(OutboxMessage).where(OutboxMessage.tenant_id == t)
    ).all()
    assert [(m.topic, m.recipient) for m in sent] == [
        ("alert.level1", "role:production")
    ]
    # a spike to 85 % inside the same excursion raises it to level 2, once:
    # the owner is told, and QC handles the batch made meanwhile
    spike = T0 + timedelta(minutes=40, seconds=30)
    for _ in range(2):
        sensors.ingest(
            session,
            t,
            [sensors.RawReading("HALL-1-RH", spike.isoformat(), 85.0)],
            source="test",
        )
    (alert,) = _alerts(session, bakery)
    assert (alert.peak, alert.level) == (85.0, 2)
    sent = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.tenant_id == t, OutboxMessage.topic == "alert.level2"
        )
    ).all()
    assert sorted(m.recipient for m in sent) == ["role:owner", "role:qc"]
    assert {m.payload["batches"][0] for m in sent} == {batch.code}


def test_an_alert_is_acknowledged_by_a_person_once(client, session, bakery, hall):
    _made(session, bakery, hall)
    sensors.ingest(
        session, bakery.tenant.id, series("HALL-1-RH", T0, HUMIDITY), source="test"
    )
    session.commit()
    (alert,) = client.get(
        "/api/v1/alerts?status=open", headers=bakery.auth("owner")
    ).json()
    url = f"/api/v1/alerts/{alert['id']}/acknowledge"
    assert client.post(url, json={}, headers=bakery.auth("store")).status_code == 403
    r = client.post(url, json={"note": "开除湿机"}, headers=bakery.auth("production"))
    assert r.status_code == 200 and r.json()["acknowledged_by"] == "production-user"
    again = client.post(url, json={}, headers=bakery.auth("owner"))
    assert again.status_code == 409 and "production-user" in again.text


def test_the_van_is_watched_during_the_trip_and_normal_is_reported_as_normal(
    client, session, bakery, hall
):
    batch = _made(session, bakery, hall)
    h = bakery.auth("logistics")
    depart = T0 + timedelta(hours=2, minutes=30)
    code = client.post(
        "/api/v1/trips",
        json={"vehicle": "VAN-2", "planned_departure": depart.isoformat()},
        headers=h,
    ).json()["code"]
    client.post(
        f"/api/v1/trips/{code}/loads",
        json={
            "batch": batch.code,
            "quantity": 24,
            "at": (depart - timedelta(minutes=15)).isoformat(),
        },
        headers=h,
    )
    client.post(
        f"/api/v1/trips/{code}/depart", json={"at": depart.isoformat()}, headers=h
    )
    client.post(
        f"/api/v1/trips/{code}/deliveries",
        json={
            "point_of_sale": "CITY-LIB",
            "batch": batch.code,
            "quantity": 24,
            "at": (depart + timedelta(minutes=110)).isoformat(),
        },
        headers=h,
    )
    sensors.ingest(
        session,
        bakery.tenant.id,
        series("VAN-2-T", depart - timedelta(minutes=30), [4.5] * 180),
        source="test",
    )
    session.commit()
    env = client.get(
        f"/api/v1/batches/{batch.code}/environment", headers=bakery.auth("auditor")
    ).json()
    trip = next(s for s in env["segments"] if s["stage"] == "trip")
    (cabin,) = trip["sensors"]
    assert trip["ref"] == code and cabin["readings"] == 111  # 16:30 … 18:20
    assert (cabin["low"], cabin["high"], cabin["excursions"]) == (0.0, 8.0, [])
    assert env["anomalies"] == []
    assert alerts.alerts(session, bakery.tenant.id) == []


def test_rollups_give_the_same_answer_as_every_reading(session, bakery, hall):
    """Hours wholly inside the band are summed from their rollup; the result
    must equal the one computed from every raw reading."""
    import random

    rng = random.Random(4)
    t = bakery.tenant.id
    start = T0 - timedelta(hours=30)
    values = []
    for i in range(30 * 60):  # 30 hours, a reading a minute
        hour = i // 60
        if hour in (5, 6, 17):  # humid hours, crossing 70 % now and then
            values.append(round(rng.uniform(66, 78), 1))
        else:
            values.append(round(rng.uniform(55, 69.9), 1))
    readings = series("HALL-1-RH", start, values)
    del readings[600:640]  # the sensor was silent for 40 minutes
    sensors.ingest(session, t, readings, source="test", check_alerts=False)
    for a_min, b_min in ((0, 30 * 60), (17, 1500), (301, 410), (1019, 1079)):
        a = start + timedelta(minutes=a_min, seconds=30)
        b = start + timedelta(minutes=b_min)
        fast = environment.summarise(session, hall["rh"], a, b, None)
        full = environment.summarise(session, hall["rh"], a, b, None, with_points=True)
        assert (fast.readings, fast.min, fast.max, fast.mean) == (
            full.readings,
            full.min,
            full.max,
            full.mean,
        )
        assert fast.excursions == full.excursions
        assert fast.minutes_outside == full.minutes_outside


def test_a_batch_waiting_in_the_cold_room_is_read_there(client, session, bakery, hall):
    """Made in the hall, moved to the cold room an hour later, then shipped:
    the kitchen stage is split, and the cold room's 5.5 °C (0–4) shows."""
    batch = _made(session, bakery, hall)  # 14:00–15:00, packed 16:00
    cold = sensors.register(
        session,
        code="COLD-1-T",
        kind="temperature",
        place_kind="location",
        place="COLD-1",
        actor=bakery.actor,
    )
    sensors.set_range(
        session,
        kind="temperature",
        place_kind="location",
        place="COLD-1",
        low=0.0,
        high=4.0,
        valid_from=SINCE,
        actor=bakery.actor,
    )
    session.commit()
    moved = client.post(
        f"/api/v1/batches/{batch.code}/moves",
        json={"location": "COLD-1", "at": (T0 + timedelta(hours=2)).isoformat()},
        headers=bakery.auth("production"),
    )
    assert moved.status_code == 201, moved.text
    early = client.post(
        f"/api/v1/batches/{batch.code}/moves",
        json={"location": "COLD-1", "at": (T0 + timedelta(minutes=30)).isoformat()},
        headers=bakery.auth("production"),
    )
    # put away before it was finished: refused, naming both times
    assert early.status_code == 422
    said = early.json()["error"]["message"]
    assert "2025-12-03 14:30 +08:00" in said and "2025-12-03 15:00 +08:00" in said
    nowhere = client.post(
        f"/api/v1/batches/{batch.code}/moves",
        json={"location": "NOPE"},
        headers=bakery.auth("production"),
    )
    assert nowhere.status_code == 404
    sensors.ingest(
        session,
        bakery.tenant.id,
        series("COLD-1-T", T0 + timedelta(hours=2), [3.0, 5.5, 5.5, 3.0], step_s=600),
        source="test",
    )
    session.commit()
    segs = environment.batch_environment(session, batch)
    kitchen = [(s.place, s.start, s.end) for s in segs if s.stage == "kitchen"]
    assert kitchen[0][0] == "HALL-1" and kitchen[0][2] == T0 + timedelta(hours=2)
    assert kitchen[1][0] == "COLD-1" and kitchen[1][1] == T0 + timedelta(hours=2)
    cold_seg = next(s for s in segs if s.place == "COLD-1")
    (x,) = cold_seg.sensors
    assert x.sensor == cold.code and x.max == 5.5 and x.excursions
