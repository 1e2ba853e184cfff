"""Sensor benchmarks: bulk ingest over HTTP, MQTT end to end, and a batch's
environment with a year of 30 sensors every 10 s (~95 M readings) stored.

Each function builds what it needs in a database it is given and returns plain
figures; bench/run.py runs them on SQLite and PostgreSQL and writes the report.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, insert, select

from bakeprint.bench.common import percentiles, server, url_of
from bakeprint.db import Database
from bakeprint.sensors import blocks
from bakeprint.sensors import service as sensors
from bakeprint.sensors.models import SensorBlock

Progress = Callable[[str, int, int], None]

YEAR_SENSORS = 30
STEP_S = 10
HOURS_A_YEAR = 24 * 365


def _noop(_what: str, _done: int, _total: int) -> None:
    pass


def setup_bakery(
    db: Database, sensor_count: int, slug: str = "bench"
) -> dict[str, Any]:
    """A bakery with the demo's places and ``sensor_count`` sensors in the hall."""
    from bakeprint.demo.loader import build_catalog, build_users
    from bakeprint.identity import service as identity

    with db.session() as s:
        tenant = identity.create_tenant(s, slug=slug, name="基准测试烘焙坊")
        catalog = build_catalog(s, tenant.id)
        users = build_users(s, tenant.id, catalog)
        owner = identity.actor_for(users["owner"], via="bench")
        codes = []
        for i in range(sensor_count):
            kind = "humidity" if i % 2 == 0 else "temperature"
            code = f"B{i:02d}-{'RH' if kind == 'humidity' else 'T'}"
            sensors.register(
                s,
                code=code,
                kind=kind,
                place_kind="location",
                place="HALL-1",
                actor=owner,
            )
            codes.append(code)
        sensors.set_range(
            s,
            kind="humidity",
            place_kind="location",
            place="HALL-1",
            low=None,
            high=70.0,
            valid_from=datetime(2000, 1, 1, tzinfo=UTC),
            actor=owner,
        )
        token = identity.issue_token(s, users["owner"], name="bench")
        return {"tenant_id": tenant.id, "slug": slug, "token": token, "codes": codes}


def _value(code: str, ts: int) -> float:
    day = 2 * math.pi * (ts % 86_400_000) / 86_400_000
    if code.endswith("RH"):
        return round(60 + 5 * math.sin(day) + (ts // 10_000 % 7) * 0.1, 1)
    return round(22 + 3 * math.sin(day) + (ts // 10_000 % 5) * 0.1, 2)


def _lines(codes: list[str], start_ms: int, per_sensor: int) -> list[str]:
    out = []
    for i in range(per_sensor):
        ts = start_ms + i * STEP_S * 1000
        at = datetime.fromtimestamp(ts / 1000, UTC).isoformat().replace("+00:00", "Z")
        for code in codes:
            out.append(
                json.dumps({"sensor": code, "time": at, "value": _value(code, ts)})
            )
    return out


def stored(db: Database, tenant_id: uuid.UUID) -> int:
    with db.session(write=False) as s:
        return int(
            s.scalar(
                select(func.coalesce(func.sum(SensorBlock.count), 0)).where(
                    SensorBlock.tenant_id == tenant_id
                )
            )
            or 0
        )


def bulk_ingest(
    db: Database,
    *,
    readings: int = 300_000,
    chunk: int = 50_000,
    progress: Progress = _noop,
) -> dict[str, Any]:
    """Readings/s through ``POST /api/v1/sensors/readings`` (JSON lines), end to
    end: HTTP, parsing, validation, block merge, alert scan, commit."""
    b = setup_bakery(db, 30, slug="bench-bulk")
    per_sensor = readings // len(b["codes"])
    start = datetime.now(UTC) - timedelta(days=5)
    start_ms = sensors.ms(start) - sensors.ms(start) % 3_600_000
    lines = _lines(b["codes"], start_ms, per_sensor)
    bodies = [
        ("\n".join(lines[i : i + chunk]) + "\n").encode()
        for i in range(0, len(lines), chunk)
    ]
    headers = {
        "Authorization": f"Bearer {b['token']}",
        "Content-Type": "application/x-ndjson",
    }
    with server(db) as base, httpx.Client(base_url=base, timeout=600) as http:
        t0 = time.perf_counter()
        accepted = 0
        for i, body in enumerate(bodies):
            r = http.post("/api/v1/sensors/readings", content=body, headers=headers)
            r.raise_for_status()
            accepted += r.json()["accepted"]
            progress("bulk ingest", i + 1, len(bodies))
        elapsed = time.perf_counter() - t0
        # the same again: every reading is recognised as a duplicate
        t1 = time.perf_counter()
        dup = http.post("/api/v1/sensors/readings", content=bodies[0], headers=headers)
        dup_elapsed = time.perf_counter() - t1
    assert accepted == len(lines) == stored(db, b["tenant_id"])
    assert dup.json()["duplicates"] == len(bodies[0].splitlines())
    return {
        "readings": len(lines),
        "requests": len(bodies),
        "seconds": round(elapsed, 2),
        "readings_per_s": round(len(lines) / elapsed),
        "duplicate_readings_per_s": round(len(bodies[0].splitlines()) / dup_elapsed),
    }


def mqtt_end_to_end(
    db: Database,
    *,
    readings: int = 60_000,
    progress: Progress = _noop,
) -> dict[str, Any]:
    """Readings/s from ``publish`` (QoS 1) to committed rows, through a private
    Mosquitto with deploy/mosquitto.conf and a ``bakeprint sensors listen``
    process."""
    from bakeprint.sensors.broker import Broker

    broker = Broker()
    broker.start()
    try:
        return _mqtt_run(db, "127.0.0.1", broker.port, readings, progress)
    finally:
        broker.remove()


def _publish(host: str, port: int, by_topic: dict[str, list[str]]) -> str:
    """Publish every payload at QoS 1, one gateway per sensor, and return when
    the broker has acknowledged them all. Gateways are ``mosquitto_pub``
    processes (C, like a real gateway's client) when installed, so the figure
    measures the listener rather than a Python publisher; paho otherwise."""
    tool = shutil.which("mosquitto_pub")
    if tool:
        procs = [
            subprocess.Popen(
                [
                    tool,
                    "-h",
                    host,
                    "-p",
                    str(port),
                    "-q",
                    "1",
                    "-t",
                    topic,
                    "-l",
                    "-i",
                    f"bench-gw-{uuid.uuid4().hex[:8]}",
                ],
                stdin=subprocess.PIPE,
            )
            for topic in by_topic
        ]
        for proc, lines in zip(procs, by_topic.values(), strict=True):
            assert proc.stdin is not None
            proc.stdin.write(("\n".join(lines) + "\n").encode())
            proc.stdin.close()
        for proc in procs:
            if proc.wait(300) != 0:
                raise RuntimeError("mosquitto_pub failed")
        return "mosquitto_pub (one per sensor)"
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    pub = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=f"bench-pub-{uuid.uuid4().hex[:8]}",
    )
    pub.max_inflight_messages_set(1000)
    pub.max_queued_messages_set(0)
    pub.connect(host, port)
    pub.loop_start()
    try:
        infos = [
            pub.publish(topic, payload, qos=1)
            for topic, payloads in by_topic.items()
            for payload in payloads
        ]
        for info in infos:
            info.wait_for_publish(60)
    finally:
        pub.loop_stop()
        pub.disconnect()
    return "paho (one client)"


def _mqtt_run(
    db: Database, host: str, port: int, readings: int, progress: Progress
) -> dict[str, Any]:
    b = setup_bakery(db, 30, slug=f"bench-mqtt-{uuid.uuid4().hex[:6]}")
    client_id = f"bench-listener-{uuid.uuid4().hex[:8]}"
    listener = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bakeprint",
            "sensors",
            "listen",
            "--host",
            host,
            "--port",
            str(port),
            "--tenant",
            b["slug"],
            "--client-id",
            client_id,
        ],
        env={**__import__("os").environ, "BAKEPRINT_DATABASE_URL": url_of(db)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        time.sleep(3.0)  # the listener subscribes
        if listener.poll() is not None:
            raise RuntimeError(
                listener.stderr.read().decode()[-2000:] if listener.stderr else ""
            )
        per_sensor = readings // len(b["codes"])
        start = datetime.now(UTC) - timedelta(days=2)
        start_ms = sensors.ms(start) - sensors.ms(start) % 3_600_000
        by_topic = {
            f"bakeprint/{b['slug']}/sensors/{code}": [
                json.dumps({"time": ts, "value": _value(code, ts)})
                for ts in (start_ms + i * STEP_S * 1000 for i in range(per_sensor))
            ]
            for code in b["codes"]
        }
        total = sum(len(v) for v in by_topic.values())
        t0 = time.perf_counter()
        publisher = _publish(host, port, by_topic)
        published = time.perf_counter() - t0
        deadline = time.monotonic() + 300
        done = 0
        while time.monotonic() < deadline:
            done = stored(db, b["tenant_id"])
            progress("mqtt stored", done, total)
            if done >= total:
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - t0
    finally:
        listener.terminate()
        listener.wait(30)
    if done != total:
        raise RuntimeError(f"MQTT: {done} of {total} readings stored")
    return {
        "readings": total,
        "publisher": publisher,
        "publish_seconds": round(published, 2),
        "seconds": round(elapsed, 2),
        "readings_per_s": round(total / elapsed),
    }


def _variants(code: str, year_start_ms: int) -> list[tuple[bytes, int, int, int, int]]:
    """24 hour blocks (one per hour of the day) of 360 readings each:
    (blob, v_min, v_max, v_sum, count)."""
    out = []
    for h in range(24):
        hour = year_start_ms + h * 3_600_000
        pts = [
            (
                hour + i * STEP_S * 1000,
                blocks.to_milli(_value(code, hour + i * STEP_S * 1000)),
            )
            for i in range(3600 // STEP_S)
        ]
        vals = [v for _, v in pts]
        out.append(
            (blocks.encode(hour, pts), min(vals), max(vals), sum(vals), len(pts))
        )
    return out


def year_of_readings(
    db: Database,
    tenant_id: uuid.UUID,
    *,
    end: datetime,
    extra_sensors: int,
    hours: int = HOURS_A_YEAR,
    progress: Progress = _noop,
) -> dict[str, Any]:
    """Fill ``hours`` (a year unless told) up to ``end`` for every sensor of the
    tenant, adding ``extra_sensors`` sensors in the hall first; hours that
    already hold readings are left as they are. Written straight into hour
    blocks."""
    from bakeprint.demo.loader import actor
    from bakeprint.sensors.models import Sensor

    with db.session() as s:
        owner = actor(s, tenant_id, "owner")
        have = s.scalars(select(Sensor).where(Sensor.tenant_id == tenant_id)).all()
        for i in range(extra_sensors):
            kind = "humidity" if i % 2 == 0 else "temperature"
            sensors.register(
                s,
                code=f"Y{i:02d}-{'RH' if kind == 'humidity' else 'T'}",
                kind=kind,
                place_kind="location",
                place="HALL-1",
                actor=owner,
            )
        all_sensors = [
            (x.id, x.code)
            for x in s.scalars(select(Sensor).where(Sensor.tenant_id == tenant_id))
        ]
        taken = {
            (sid, hour)
            for sid, hour in s.execute(
                select(SensorBlock.sensor_id, SensorBlock.hour).where(
                    SensorBlock.tenant_id == tenant_id
                )
            )
        }
    del have
    end_ms = sensors.ms(end) - sensors.ms(end) % 3_600_000
    start_ms = end_ms - hours * 3_600_000
    day0 = start_ms - start_ms % 86_400_000
    total_rows = len(all_sensors) * hours
    done = 0
    readings = 0
    for sid, code in all_sensors:
        variants = _variants(code, day0)
        rows = []
        for k in range(hours):
            hour = start_ms + k * 3_600_000
            if (sid, hour) in taken:
                continue
            blob, vmin, vmax, vsum, count = variants[(hour - day0) // 3_600_000 % 24]
            rows.append(
                {
                    "tenant_id": tenant_id,
                    "sensor_id": sid,
                    "hour": hour,
                    "count": count,
                    "t_min": hour,
                    "t_max": hour + 3_590_000,
                    "v_min": vmin,
                    "v_max": vmax,
                    "v_sum": vsum,
                    "data": blob,
                }
            )
            readings += count
        with db.engine.begin() as c:
            for i in range(0, len(rows), 2000):
                c.execute(insert(SensorBlock), rows[i : i + 2000])
        done += hours
        progress("a year of readings", done, total_rows)
    return {"sensors": len(all_sensors), "readings_added": readings}


def environment_query(
    db: Database, tenant_id: uuid.UUID, batch_codes: list[str], *, repeat: int = 30
) -> dict[str, Any]:
    """Time of a batch's environment summary (every place it was, min/max/mean,
    minutes outside, excursions), warm, over several batches: as readers get
    it once the readings have settled (``environment.SETTLE`` after the last
    was written; stored by the first reader; the main figures) and computed
    from the readings each time (``from_readings``)."""
    from bakeprint.production import repository as batches
    from bakeprint.sensors import environment

    samples: list[float] = []
    computed: list[float] = []
    with db.session(write=False) as s:  # readers after the readings settled
        last = s.scalar(
            select(func.max(SensorBlock.written_at)).where(
                SensorBlock.tenant_id == tenant_id
            )
        )
    if last is not None:
        settled = last / 1000 + environment.SETTLE.total_seconds() + 1
        time.sleep(max(0.0, min(settled - time.time(), 300)))
    with db.session(write=False) as s:
        rows = [batches.get(s, tenant_id, c) for c in batch_codes]
        for b in rows:  # warm the caches once (and store what has settled)
            environment.batch_environment(s, b)
        for _ in range(repeat):
            for b in rows:
                t0 = time.perf_counter()
                environment.batch_environment(s, b)
                samples.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                environment.from_readings(s, b)
                computed.append(time.perf_counter() - t0)
        total = int(
            s.scalar(
                select(func.sum(SensorBlock.count)).where(
                    SensorBlock.tenant_id == tenant_id
                )
            )
            or 0
        )
        block_rows = int(
            s.scalar(
                select(func.count())
                .select_from(SensorBlock)
                .where(SensorBlock.tenant_id == tenant_id)
            )
            or 0
        )
    return {
        "readings_stored": total,
        "block_rows": block_rows,
        "batches": len(batch_codes),
        **percentiles(samples),
        "from_readings": percentiles(computed),
    }


def window_query(
    db: Database, tenant_id: uuid.UUID, code: str, days: int = 3, repeat: int = 20
) -> dict[str, Any]:
    """Raw readings of one 10 s sensor over ``days`` (a trip's or a shelf life's
    window), decoded from its blocks."""
    from bakeprint.sensors.models import Sensor

    samples = []
    with db.session(write=False) as s:
        sensor = s.scalar(
            select(Sensor).where(Sensor.tenant_id == tenant_id, Sensor.code == code)
        )
        assert sensor is not None
        last = s.scalar(
            select(func.max(SensorBlock.hour)).where(
                SensorBlock.tenant_id == tenant_id, SensorBlock.sensor_id == sensor.id
            )
        )
        rng = random.Random(7)
        n = 0
        for _ in range(repeat):
            end = sensors.from_ms(int(last or 0) - rng.randrange(0, 300) * 3_600_000)
            t0 = time.perf_counter()
            n = len(sensors.raw_points(s, sensor, end - timedelta(days=days), end))
            samples.append(time.perf_counter() - t0)
    return {"days": days, "readings": n, **percentiles(samples)}
