"""Readings over MQTT from a real Mosquitto: nothing lost across a broker
restart at QoS 1, nothing stored twice, and bad payloads never stop the
listener. Each test runs its own broker (persistence on) on a free port, so it
can be restarted without touching the machine's broker."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from bakeprint.db import Database
from bakeprint.identity import service as identity
from bakeprint.sensors import service as sensors
from bakeprint.sensors.broker import Broker
from bakeprint.sensors.mqtt import Listener
from tests.factories import make_bakery, make_catalog
from tests.production.conftest import T0


@pytest.fixture
def broker() -> Iterator[Broker]:
    b = Broker()
    b.start()
    yield b
    b.remove()


@pytest.fixture
def bakery_with_sensor(db: Database) -> str:
    with db.session() as s:
        bakery = make_bakery(s, slug=f"mqtt-{uuid.uuid4().hex[:8]}")
        make_catalog(s, bakery.tenant.id)
        sensors.register(
            s,
            code="HALL-1-T",
            kind="temperature",
            place_kind="location",
            place="HALL-1",
            actor=bakery.actor,
        )
        return bakery.tenant.slug


@pytest.fixture
def listening(db: Database, broker: Broker, bakery_with_sensor: str):  # type: ignore[no-untyped-def]
    listener = Listener(
        db,
        port=broker.port,
        tenants=[bakery_with_sensor],
        client_id=f"test-{uuid.uuid4().hex[:8]}",
        flush_s=0.05,
    )
    stop = threading.Event()
    thread = threading.Thread(target=listener.run, args=(stop,), daemon=True)
    thread.start()
    assert listener.connected.wait(10), "the listener did not connect"
    yield listener
    stop.set()
    thread.join(10)


def _publisher(port: int) -> mqtt.Client:
    c = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=f"pub-{uuid.uuid4().hex[:8]}",
        clean_session=False,
    )
    c.reconnect_delay_set(min_delay=1, max_delay=2)
    c.connect(host="127.0.0.1", port=port)
    c.loop_start()
    return c


def _stored(db: Database, slug: str) -> int:
    with db.session(write=False) as s:
        from bakeprint.identity import service as identity

        tenant = identity.tenant_by_slug(s, slug)
        assert tenant is not None
        sensor = sensors.get(s, tenant.id, "HALL-1-T")
        return len(sensors.readings(s, sensor, T0, T0 + timedelta(days=1)))


def _wait_for(fn, expected, timeout=30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = fn()
        if got == expected:
            return got
        time.sleep(0.1)
    return fn()


def test_a_broker_restart_mid_stream_loses_nothing_and_stores_nothing_twice(
    db, broker, bakery_with_sensor, listening
):
    slug = bakery_with_sensor
    topic = f"bakeprint/{slug}/sensors/HALL-1-T"
    pub = _publisher(broker.port)
    n = 400

    def payload(i: int) -> str:
        when = T0 + timedelta(seconds=10 * i)
        return json.dumps({"time": when.isoformat(), "value": 20 + i % 7, "unit": "°C"})

    for i in range(n // 2):
        pub.publish(topic, payload(i), qos=1)
    time.sleep(0.3)
    broker.stop()  # mid-stream: some readings are in flight, some not yet sent
    for i in range(n // 2, n):
        pub.publish(topic, payload(i), qos=1)  # queued by the publisher
    time.sleep(0.5)
    broker.start()
    # the same readings sent once more, as a gateway retrying would
    for i in range(0, n, 10):
        pub.publish(topic, payload(i), qos=1)
    assert _wait_for(lambda: _stored(db, slug), n) == n
    assert listening.stats.connects >= 2  # it came back by itself
    assert listening.stats.stored == n
    pub.loop_stop()
    pub.disconnect()


def test_bad_payloads_are_dead_letters_and_the_listener_carries_on(
    db, broker, bakery_with_sensor, listening
):
    slug = bakery_with_sensor
    pub = _publisher(broker.port)
    base = f"bakeprint/{slug}/sensors"
    for topic, body in (
        (f"{base}/HALL-1-T", b"\xff\xfe"),
        (f"{base}/HALL-1-T", b"{oops"),
        (f"{base}/HALL-1-T", b"[1, 2]"),
        (f"{base}/HALL-1-T", json.dumps({"time": T0.isoformat(), "value": 999})),
        (f"{base}/GHOST", json.dumps({"time": T0.isoformat(), "value": 20})),
        (f"bakeprint/{slug}x/sensors/HALL-1-T", b"{}"),  # not a bakery it serves
        (f"{base}/HALL-1-T", json.dumps({"time": T0.isoformat(), "value": 21.5})),
    ):
        pub.publish(topic, body, qos=1)
    assert _wait_for(lambda: _stored(db, slug), 1) == 1
    assert _wait_for(lambda: listening.stats.rejected, 5) == 5
    with db.session(write=False) as s:
        from bakeprint.identity import service as identity

        tenant = identity.tenant_by_slug(s, slug)
        assert tenant is not None
        reasons = sorted(d.reason for d in sensors.dead_letters(s, tenant.id))
    assert any("not UTF-8" in r for r in reasons)
    assert any(r == "not JSON" for r in reasons)
    assert any("not a JSON object" in r for r in reasons)
    assert any("impossible" in r for r in reasons)
    assert any("unknown sensor 'GHOST'" in r for r in reasons)
    pub.loop_stop()
    pub.disconnect()


def test_a_gateway_repeating_one_mistake_makes_one_row_that_counts_it(
    db, broker, bakery_with_sensor, listening
):
    """Issue 17, item 10, over MQTT: the listener stores in small batches, and
    each batch adds to the same row instead of a row per message."""
    slug = bakery_with_sensor
    pub = _publisher(broker.port)
    n = 120
    for i in range(n):
        when = (T0 + timedelta(seconds=i)).isoformat()
        pub.publish(
            f"bakeprint/{slug}/sensors/GHOST",
            json.dumps({"time": when, "value": 20}),
            qos=1,
        )
    assert _wait_for(lambda: listening.stats.rejected, n) == n
    with db.session(write=False) as s:
        tenant = identity.tenant_by_slug(s, slug)
        assert tenant is not None
        groups = sensors.dead_letters(s, tenant.id)
    assert [(g.sensor_code, g.count) for g in groups] == [("GHOST", n)]
    assert groups[0].first_example["source"] == "mqtt"
    assert json.loads(groups[0].first_example["payload"])["time"] == T0.isoformat()
    pub.loop_stop()
    pub.disconnect()
