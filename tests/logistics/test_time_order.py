"""A trip's history cannot contradict itself: nothing is loaded before it was
packed, a van does not leave before it was loaded, drop off before it left or
come back before its last drop-off. Each refusal names both times in the
bakery's time zone and writes nothing."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from bakeprint.cli import app
from bakeprint.db import get_database, session_scope
from bakeprint.errors import Invalid
from bakeprint.events.models import Event
from bakeprint.logistics import service as logistics
from bakeprint.logistics.models import Delivery, Trip, TripLoad
from bakeprint.logistics.schemas import DeliveryCreate, LoadCreate, TripCreate
from bakeprint.production.models import Batch
from tests.factories import cli_database, make_bakery, make_catalog
from tests.packaging.conftest import pack_a_batch


def at(hhmm: str) -> datetime:
    """A wall-clock time in Shanghai on 2025-12-03 (the batch is packed 16:00)."""
    return datetime.fromisoformat(f"2025-12-03T{hhmm}:00+08:00")


def _counts(session: Session, tenant_id: Any) -> tuple[int, ...]:
    return tuple(
        session.scalar(
            select(func.count()).select_from(model).where(model.tenant_id == tenant_id)
        )
        or 0
        for model in (Event, TripLoad, Delivery)
    )


def refused(session: Session, bakery: Any, call: Any, mine: str, other: str) -> Invalid:
    before = _counts(session, bakery.tenant.id)
    with pytest.raises(Invalid) as exc:
        call()
    for text in (mine, other):
        assert text in exc.value.zh and text in exc.value.en
    # the refused time comes first, the fact it contradicts second
    assert exc.value.zh.index(mine) < exc.value.zh.index(other)
    assert exc.value.field == "at"
    assert _counts(session, bakery.tenant.id) == before
    return exc.value


def _trip(session: Session, bakery: Any) -> Trip:
    return logistics.create_trip(
        session, TripCreate(vehicle="VAN-2"), actor=bakery.actor
    )


def _load(session: Session, bakery: Any, trip: Trip, batch: Batch, when: datetime):
    return logistics.load(
        session,
        trip.code,
        LoadCreate(batch=batch.code, quantity=10, at=when),
        actor=bakery.actor,
    )


def _drop(session: Session, bakery: Any, trip: Trip, batch: Batch, when: datetime):
    return logistics.deliver(
        session,
        trip.code,
        DeliveryCreate(point_of_sale="CITY-LIB", batch=batch.code, quantity=4, at=when),
        actor=bakery.actor,
    )


def test_a_batch_is_not_loaded_before_it_was_packed(session, bakery, packed):
    trip = _trip(session, bakery)
    err = refused(
        session,
        bakery,
        lambda: _load(session, bakery, trip, packed, at("15:50")),
        "2025-12-03 15:50 +08:00",
        "2025-12-03 16:00 +08:00",
    )
    assert err.zh.startswith("装车时间 2025-12-03 15:50 +08:00 早于批次")
    assert "packing time" in err.en


def test_a_van_does_not_leave_before_it_was_loaded(session, bakery, packed):
    trip = _trip(session, bakery)
    _load(session, bakery, trip, packed, at("16:20"))
    err = refused(
        session,
        bakery,
        lambda: logistics.depart(
            session, trip.code, at=at("16:10"), actor=bakery.actor
        ),
        "2025-12-03 16:10 +08:00",
        "2025-12-03 16:20 +08:00",
    )
    assert "最后一次装车时间" in err.zh
    assert trip.status == "planned" and trip.departed_at is None
    # another trip's later load does not count against this one
    other = _trip(session, bakery)
    _load(session, bakery, other, packed, at("17:00"))
    logistics.depart(session, trip.code, at=at("16:30"), actor=bakery.actor)


def test_no_drop_off_before_departure_and_no_return_before_the_last_drop_off(
    session, bakery, packed
):
    trip = _trip(session, bakery)
    _load(session, bakery, trip, packed, at("16:10"))
    logistics.depart(session, trip.code, at=at("16:30"), actor=bakery.actor)
    refused(
        session,
        bakery,
        lambda: _drop(session, bakery, trip, packed, at("16:20")),
        "2025-12-03 16:20 +08:00",
        "2025-12-03 16:30 +08:00",
    )
    _drop(session, bakery, trip, packed, at("17:15"))
    err = refused(
        session,
        bakery,
        lambda: logistics.arrive(
            session, trip.code, at=at("17:00"), actor=bakery.actor
        ),
        "2025-12-03 17:00 +08:00",
        "2025-12-03 17:15 +08:00",
    )
    assert "最后一次送达时间" in err.zh
    assert trip.status == "departed" and trip.arrived_at is None


def test_a_planned_arrival_before_the_planned_departure_is_refused(
    session, bakery, cat
):
    before = _counts(session, bakery.tenant.id)
    with pytest.raises(Invalid) as exc:
        logistics.create_trip(
            session,
            TripCreate(
                vehicle="VAN-2",
                planned_departure=at("16:30"),
                planned_arrival=at("15:00"),
            ),
            actor=bakery.actor,
        )
    assert "2025-12-03 15:00 +08:00" in exc.value.en
    assert "2025-12-03 16:30 +08:00" in exc.value.en
    assert exc.value.field == "planned_arrival"
    assert _counts(session, bakery.tenant.id) == before
    trips = (
        select(func.count()).select_from(Trip).where(Trip.tenant_id == bakery.tenant.id)
    )
    assert session.scalar(trips) == 0


@pytest.fixture
def packed_on_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = cli_database(tmp_path, monkeypatch, "cli.db")
    with session_scope() as s:
        bakery = make_bakery(s, slug="cli-time-order")
        code = pack_a_batch(s, bakery.actor, make_catalog(s, bakery.tenant.id)).code
    yield code
    get_database(url).dispose()


def test_the_command_line_says_both_times_in_one_line_and_writes_nothing(
    packed_on_cli,
):
    def run(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(app, list(args))

    trip = json.loads(run("trip", "create", "--vehicle", "VAN-2", "--json").stdout)
    events = run("events", "list", "--json").stdout
    r = run(
        "trip",
        "load",
        trip["code"],
        "--batch",
        packed_on_cli,
        "--qty",
        "5",
        "--at",
        "2025-12-03T15:30:00+08:00",
    )
    assert r.exit_code != 0
    (line,) = r.stderr.strip().splitlines()
    assert "2025-12-03 15:30 +08:00" in line and "2025-12-03 16:00 +08:00" in line
    assert run("events", "list", "--json").stdout == events
    shown = json.loads(run("trip", "show", trip["code"], "--json").stdout)
    assert shown["loads"] == []
