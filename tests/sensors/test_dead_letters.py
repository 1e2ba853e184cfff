"""Issue 17, item 10: refused readings cannot fill the disk. They are counted
in one row per sensor and reason — how many, first and last seen, the first
and the latest as they came — and an upload keeps at most a hundred groups
apart; every refused reading is still counted, in the row and in the answer."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from typer.testing import CliRunner

from bakeprint import migrate
from bakeprint.cli import app as cli
from bakeprint.db import Database, _database
from bakeprint.sensors import rejects
from bakeprint.sensors import service as sensors
from bakeprint.sensors.models import DeadLetterGroup
from tests.factories import make_bakery, make_catalog
from tests.production.conftest import T0

URL = "/api/v1/sensors/readings"
NDJSON = {"Content-Type": "application/x-ndjson"}


def _ghost_lines(n: int, sensor: str = "GHOST-1", start: int = 0) -> str:
    return "\n".join(
        json.dumps({"sensor": sensor, "time": at.isoformat(), "value": 20 + i % 7})
        for i in range(start, start + n)
        for at in [T0 + timedelta(seconds=i)]
    )


def _rows(session) -> list[DeadLetterGroup]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(DeadLetterGroup)))


def test_one_sensors_repeated_mistake_is_one_row_that_counts_them(
    client, bakery, hall, session
):
    h = {**bakery.auth("production"), **NDJSON}
    r = client.post(URL, content=_ghost_lines(20_000), headers=h)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["accepted"], out["rejected"], out["dead_letter_groups"]) == (
        0,
        20_000,
        1,
    )
    assert out["reasons"] == [
        {
            "sensor": "GHOST-1",
            "reason": "unknown sensor 'GHOST-1'",
            "count": 20_000,
            "example": "unknown sensor 'GHOST-1'",
        }
    ]
    (row,) = _rows(session)
    assert row.count == 20_000
    assert json.loads(row.first_example["payload"])["time"] == T0.isoformat()
    last = (T0 + timedelta(seconds=19_999)).isoformat()
    assert json.loads(row.last_example["payload"])["time"] == last

    # the gateway sends the next lot: the same row counts on
    again = client.post(URL, content=_ghost_lines(500, start=20_000), headers=h)
    assert again.json()["rejected"] == 500
    (row,) = _rows(session)
    assert row.count == 20_500
    assert json.loads(row.first_example["payload"])["time"] == T0.isoformat()
    assert row.last_seen >= row.first_seen
    listed = client.get(
        "/api/v1/sensors/dead-letters", headers=bakery.auth("auditor")
    ).json()
    assert [(d["sensor"], d["count"]) for d in listed] == [("GHOST-1", 20_500)]
    assert listed[0]["last"]["source"] == "http"


def test_the_same_mistake_with_different_values_is_still_one_row(
    client, bakery, hall, session
):
    body = "\n".join(
        json.dumps(
            {
                "sensor": "HALL-1-RH",
                "time": (T0 + timedelta(minutes=m)).isoformat(),
                "value": 101 + m,  # impossible humidity, each one different
            }
        )
        for m in range(300)
    )
    out = client.post(
        URL, content=body, headers={**bakery.auth("production"), **NDJSON}
    ).json()
    assert (out["rejected"], out["dead_letter_groups"]) == (300, 1)
    (row,) = _rows(session)
    assert row.count == 300 and row.reason.startswith("impossible humidity")
    assert "101 %RH is impossible" in row.first_example["detail"]
    assert "400 %RH is impossible" in row.last_example["detail"]


def test_an_upload_keeps_a_hundred_groups_apart_and_counts_the_rest_together(
    client, bakery, hall, session
):
    body = "\n".join(
        json.dumps({"sensor": f"NOPE-{i}", "time": T0.isoformat(), "value": 1})
        for i in range(1_000)
    )
    out = client.post(
        URL, content=body, headers={**bakery.auth("production"), **NDJSON}
    ).json()
    assert out["rejected"] == 1_000
    assert out["dead_letter_groups"] == rejects.MAX_GROUPS + 1
    rows = _rows(session)
    assert len(rows) == rejects.MAX_GROUPS + 1
    assert sum(r.count for r in rows) == 1_000  # nothing refused goes uncounted
    (rest,) = [r for r in rows if r.sensor_code == rejects.OVERFLOW_SENSOR]
    assert rest.count == 1_000 - rejects.MAX_GROUPS
    assert rest.first_example["detail"].startswith("NOPE-100: unknown sensor")
    assert rest.last_example["detail"].startswith("NOPE-999: unknown sensor")


KEYS = st.tuples(
    st.sampled_from(["A", "B", "C", "", "x" * 130]),
    st.sampled_from(["no time", "no value", "unknown sensor"]),
)


@given(st.lists(KEYS, max_size=400), st.integers(1, 6))
def test_every_refused_reading_is_counted_once(keys, cap):  # type: ignore[no-untyped-def]
    dead = rejects.DeadLetters("http", cap=cap)
    for sensor, reason in keys:
        dead.add(sensor, rejects.Rejected(reason), "{}")
    assert dead.total == len(keys)
    assert sum(g.count for g in dead.groups.values()) == len(keys)
    assert len(dead.groups) <= cap + 1
    assert sum(x["count"] for x in dead.summary(limit=1000)) == len(keys)


def test_uploading_a_file_says_how_many_and_in_how_many_rows(  # type: ignore[no-untyped-def]
    tmp_path: Path, monkeypatch
) -> None:
    url = f"sqlite:///{tmp_path / 'dead.db'}"
    db = Database(url)
    migrate.upgrade(db.engine)
    with db.session() as s:
        bakery = make_bakery(s, slug="dead-cli")
        make_catalog(s, bakery.tenant.id)
    monkeypatch.setenv("BAKEPRINT_DATABASE_URL", url)
    monkeypatch.setattr("bakeprint.config.settings.database_url", url)
    _database.cache_clear()
    try:
        readings = tmp_path / "gateway.jsonl"
        readings.write_text(_ghost_lines(2_500))
        run = CliRunner().invoke(cli, ["sensors", "upload", str(readings)])
        assert run.exit_code == 0, run.output
        assert "dead letters: 2,500 (stored as 1 group)" in run.output
        listed = CliRunner().invoke(cli, ["sensors", "dead-letters", "--json"])
        rows = json.loads(listed.output)
        assert [(r["sensor"], r["count"]) for r in rows] == [("GHOST-1", 2_500)]
        with db.session(write=False) as s:
            assert s.scalar(select(func.count()).select_from(DeadLetterGroup)) == 1
    finally:
        _database.cache_clear()
        db.dispose()


def test_refused_values_for_a_stored_time_are_grouped_too(
    client, bakery, hall, session
):
    h = {**bakery.auth("production"), **NDJSON}
    first = [
        {"sensor": "HALL-1-T", "time": (T0 + timedelta(minutes=m)).isoformat()}
        | {"value": 21.0}
        for m in range(50)
    ]
    client.post(URL, content="\n".join(map(json.dumps, first)), headers=h)
    changed = [{**x, "value": 30.0} for x in first]
    out = client.post(URL, content="\n".join(map(json.dumps, changed)), headers=h)
    assert (out.json()["rejected"], out.json()["dead_letter_groups"]) == (50, 1)
    (row,) = _rows(session)
    assert row.count == 50 and "already stored" in row.reason
    assert "30 offered, 21 already stored" in row.last_example["detail"]
    s = sensors.get(session, bakery.tenant.id, "HALL-1-T")
    stored = sensors.readings(session, s, T0, T0 + timedelta(hours=1))
    assert {v for _, v in stored} == {21.0}
