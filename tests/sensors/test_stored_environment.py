"""A batch's environment is stored once its segments have ended and reused
while nothing it was computed from has changed; a late reading, a new range,
a new sensor or a later move make it be computed again — the answer is always
the one computed from the readings."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, event, update
from sqlalchemy.orm import Session

from bakeprint.db import Database, utcnow
from bakeprint.production import genealogy
from bakeprint.production import repository as batches
from bakeprint.production.schemas import MoveCreate
from bakeprint.sensors import environment
from bakeprint.sensors import service as sensors
from bakeprint.sensors.models import EnvironmentSummary, SensorBlock
from tests.factories import make_bakery, make_catalog
from tests.packaging.conftest import pack_a_batch
from tests.production.conftest import T0
from tests.sensors.conftest import make_hall, series

HUMIDITY = [66.0] * 20 + [75.0] * 40 + [66.0] * 30  # 14:00–15:30, 75 % 14:20–15:00


def _env(session: Session, batch: Any) -> list[dict[str, Any]]:
    return [s.as_dict() for s in environment.batch_environment(session, batch)]


def _fresh(session: Session, batch: Any) -> list[dict[str, Any]]:
    """Computed from the readings, whatever is stored."""
    return [s.as_dict() for s in environment.from_readings(session, batch)]


@contextmanager
def _blocks_read(session: Session) -> Iterator[list[str]]:
    """Statements that read readings (the blocks' data) while inside."""
    seen: list[str] = []

    def spy(conn, cursor, statement, *_: Any) -> None:  # type: ignore[no-untyped-def]
        if "sensor_blocks.data" in statement:
            seen.append(statement)

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", spy)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", spy)


def _stored(session: Session, batch: Any) -> dict[str, Any] | None:
    session.expire_all()
    row = session.get(EnvironmentSummary, (batch.tenant_id, batch.id))
    return json.loads(row.body) if row else None


class Clock:
    """The time ingest and the environment read (moved forward by hand)."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(environment, "utcnow", c)
    monkeypatch.setattr(sensors, "utcnow", c)
    return c


def _made(session, bakery, hall, clock):  # type: ignore[no-untyped-def]
    """The brief's batch, its readings uploaded an hour ago."""
    batch = pack_a_batch(session, bakery.actor, hall, location="HALL-1")
    sensors.ingest(
        session, bakery.tenant.id, series("HALL-1-RH", T0, HUMIDITY), source="test"
    )
    clock.advance(hours=1)
    return batch


def test_a_closed_batch_is_stored_and_read_back_without_the_readings(
    session, bakery, hall, clock
):
    batch = _made(session, bakery, hall, clock)
    first = _env(session, batch)
    stored = _stored(session, batch)
    assert stored is not None and len(stored) == 2  # production, kitchen
    with _blocks_read(session) as reads:
        again = _env(session, batch)
    assert reads == []  # the stored summary answered
    assert again == first == _fresh(session, batch)
    (rh,) = [s for s in again[0]["sensors"] if s["kind"] == "humidity"]
    assert (rh["max"], rh["high"], rh["minutes_outside"]) == (75.0, 70.0, 40.0)
    assert rh["excursions"][0]["level"] == 1


def test_a_late_reading_updates_the_stored_environment(session, bakery, hall, clock):
    batch = _made(session, bakery, hall, clock)
    _env(session, batch)
    # the gateway was offline: a spike to 85 % at 14:40 arrives now
    spike = T0 + timedelta(minutes=40, seconds=30)
    sensors.ingest(
        session,
        bakery.tenant.id,
        [sensors.RawReading("HALL-1-RH", spike.isoformat(), 85.0)],
        source="test",
    )
    with _blocks_read(session) as reads:
        after = _env(session, batch)
    assert reads  # computed again from the readings
    (rh,) = [s for s in after[0]["sensors"] if s["kind"] == "humidity"]
    assert rh["max"] == 85.0 and rh["excursions"][0]["level"] == 2
    assert after == _fresh(session, batch)
    # computed again while the late reading settles, then stored for good
    clock.advance(hours=1)
    assert _env(session, batch) == after
    with _blocks_read(session) as reads:
        assert _env(session, batch) == after
    assert reads == []


def test_a_late_reading_elsewhere_keeps_it(session, bakery, hall, clock):
    batch = _made(session, bakery, hall, clock)
    before = _env(session, batch)
    t = bakery.tenant.id
    # a week later in the same hall, and the van's sensor on the same day
    sensors.ingest(
        session,
        t,
        series("HALL-1-RH", T0 + timedelta(days=7), [60.0] * 5)
        + series("VAN-2-T", T0, [20.0] * 5),
        source="test",
    )
    with _blocks_read(session) as reads:
        assert _env(session, batch) == before
    assert reads == []


def test_a_new_range_recomputes_it(session, bakery, hall, clock):
    batch = _made(session, bakery, hall, clock)
    _env(session, batch)
    sensors.set_range(  # the standard was relaxed to 80 % from before the batch
        session,
        kind="humidity",
        place_kind="location",
        place="HALL-1",
        low=None,
        high=80.0,
        valid_from=T0 - timedelta(days=1),
        actor=bakery.actor,
    )
    after = _env(session, batch)
    (rh,) = [s for s in after[0]["sensors"] if s["kind"] == "humidity"]
    assert (rh["high"], rh["excursions"]) == (80.0, [])
    assert after == _fresh(session, batch)


def test_a_new_sensor_at_the_place_recomputes_it(session, bakery, hall, clock):
    batch = _made(session, bakery, hall, clock)
    _env(session, batch)
    sensors.register(
        session,
        code="HALL-1-RH2",
        kind="humidity",
        place_kind="location",
        place="HALL-1",
        actor=bakery.actor,
    )
    sensors.ingest(
        session,
        bakery.tenant.id,
        series("HALL-1-RH2", T0, [68.0] * 30),
        source="test",
    )
    after = _env(session, batch)
    codes = {s["sensor"] for s in after[0]["sensors"]}
    assert "HALL-1-RH2" in codes and after == _fresh(session, batch)


def test_a_move_after_the_summary_changes_the_kitchen_segments(
    session, bakery, hall, clock
):
    batch = _made(session, bakery, hall, clock)
    before = _env(session, batch)
    genealogy.move(
        session,
        batch.code,
        MoveCreate(location="COLD-1", at=T0 + timedelta(hours=2)),
        actor=bakery.actor,
    )
    after = _env(session, batch)

    def kitchen(segs: list[dict[str, Any]]) -> list[Any]:
        return [(s["place"], s["end"]) for s in segs if s["stage"] == "kitchen"]

    assert kitchen(after) != kitchen(before)
    assert kitchen(after)[0] == ("HALL-1", T0 + timedelta(hours=2))
    assert after == _fresh(session, batch)


def test_only_segments_that_have_settled_are_stored(session, bakery, hall, clock):
    batch = _made(session, bakery, hall, clock)
    t = batch.tenant_id  # as if never read, its readings loaded long ago:
    session.execute(delete(EnvironmentSummary).where(EnvironmentSummary.tenant_id == t))
    session.execute(
        update(SensorBlock).where(SensorBlock.tenant_id == t).values(written_at=None)
    )
    # a minute after production ended: nothing has settled yet
    clock.now = batch.ended_at + timedelta(minutes=1)
    segs = _env(session, batch)
    assert [s["stage"] for s in segs] == ["production", "kitchen"]
    assert _stored(session, batch) is None
    # an hour later production has; the kitchen stage runs on until it leaves
    clock.now = batch.ended_at + timedelta(hours=1)
    segs = _env(session, batch)
    stored = _stored(session, batch)
    assert stored is not None and len(stored) == 1
    assert segs == _fresh(session, batch)


def test_readings_still_settling_are_not_stored(session, bakery, hall, clock):
    """Readings written a moment ago may belong to a transaction other
    readers cannot see yet: what they fall in is computed, not stored, until
    they have settled — then stored once."""
    batch = _made(session, bakery, hall, clock)
    t = batch.tenant_id
    session.execute(delete(EnvironmentSummary).where(EnvironmentSummary.tenant_id == t))
    sensors.ingest(  # a late reading, uploaded just now
        session,
        t,
        [
            sensors.RawReading(
                "HALL-1-RH", (T0 + timedelta(seconds=330)).isoformat(), 67
            )
        ],
        source="test",
    )
    for _ in range(2):  # production holds it: only the kitchen is stored
        assert _env(session, batch) == _fresh(session, batch)
        stored = _stored(session, batch)
        assert stored is not None and len(stored) == 1
    clock.advance(minutes=3)
    _env(session, batch)
    stored = _stored(session, batch)
    assert stored is not None and len(stored) == 2
    with _blocks_read(session) as reads:
        again = _env(session, batch)
    assert reads == [] and again == _fresh(session, batch)


# --- a reading session stores it in a short transaction of its own --------------


def _committed_batch(db: Database, clock: Clock) -> tuple[uuid.UUID, str]:
    with db.session() as s:
        bakery = make_bakery(s, slug=f"env-{uuid.uuid4().hex[:8]}")
        hall = make_hall(s, bakery, make_catalog(s, bakery.tenant.id))
        batch = _made(s, bakery, hall, clock)
        return bakery.tenant.id, batch.code


def _batch(s: Session, tenant_id: uuid.UUID, code: str) -> Any:
    return batches.get(s, tenant_id, code)


def test_a_reader_stores_it_for_the_next_reader(db: Database, clock: Clock):
    tenant_id, code = _committed_batch(db, clock)
    with db.session(write=False) as s:
        first = _env(s, _batch(s, tenant_id, code))
    with db.session(write=False) as s:
        batch = _batch(s, tenant_id, code)
        assert _stored(s, batch) is not None
        with _blocks_read(s) as reads:
            assert _env(s, batch) == first
        assert reads == []


def test_a_reader_does_not_wait_for_a_busy_writer(db: Database, clock: Clock):
    """While another transaction holds the lock, the reader answers from the
    readings and leaves the stored summary as it was (it does not wait half a
    minute for the lock)."""
    tenant_id, code = _committed_batch(db, clock)
    with db.session(write=False) as s:
        before = s.get(EnvironmentSummary, (tenant_id, _batch(s, tenant_id, code).id))
        before_at = before.computed_at if before else None
    with db.session() as w:  # a writer holding the lock on this batch's row
        environment.save(w, _batch(w, tenant_id, code), 1, {})
        w.flush()
        with db.session(write=False) as s:
            segs = _env(s, _batch(s, tenant_id, code))
            assert segs[0]["sensors"]  # answered all the same
        w.rollback()
    with db.session(write=False) as s:
        after = s.get(EnvironmentSummary, (tenant_id, _batch(s, tenant_id, code).id))
        assert (after.computed_at if after else None) == before_at


def test_the_summarise_command_stores_what_is_missing_once(
    tmp_path, monkeypatch, clock
):  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from bakeprint.cli import app
    from bakeprint.db import get_database, session_scope
    from tests.factories import cli_database

    url = cli_database(tmp_path, monkeypatch)
    with session_scope() as s:
        bakery = make_bakery(s, slug="cli-env")
        hall = make_hall(s, bakery, make_catalog(s, bakery.tenant.id))
        batch = _made(s, bakery, hall, clock)
        t = bakery.tenant.id
        s.execute(delete(EnvironmentSummary).where(EnvironmentSummary.tenant_id == t))
    args = ["sensors", "summarise", "--tenant", "cli-env", "--user", "owner"]
    first = CliRunner().invoke(app, [*args, "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == {"batches": 1, "stored": 1}
    again = CliRunner().invoke(app, [*args, "--json"])
    assert json.loads(again.stdout) == {"batches": 1, "stored": 0}
    with session_scope(write=False) as s:
        assert _stored(s, batches.get(s, t, batch.code)) is not None
    nobody = CliRunner().invoke(app, ["sensors", "summarise", "--tenant", "nope"])
    assert nobody.exit_code != 0 and len(nobody.output.strip().splitlines()) == 1
    get_database(url).dispose()
