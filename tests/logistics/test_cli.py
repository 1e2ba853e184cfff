"""`bakeprint trip …`, `bakeprint pos …` and `bakeprint lookup` on a fresh SQLite file:
the brief's van run typed by hand, and the refusals a driver or shop would meet."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakeprint.cli import app
from bakeprint.db import get_database, session_scope
from bakeprint.packaging import service as packaging
from tests.factories import cli_database, make_bakery, make_catalog
from tests.packaging.conftest import pack_a_batch
from tests.production.conftest import T0

DEPART = (T0 + timedelta(hours=2, minutes=30)).isoformat()
ARRIVE = (T0 + timedelta(hours=4, minutes=20)).isoformat()
LOADED = (T0 + timedelta(hours=2, minutes=15)).isoformat()  # packed at 16:00


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = cli_database(tmp_path, monkeypatch, "cli.db")
    with session_scope() as s:
        bakery = make_bakery(s, slug="cli-trips")
        batch = pack_a_batch(s, bakery.actor, make_catalog(s, bakery.tenant.id))
        code = batch.code
        serial = packaging.units_of(s, batch)[0].serial
    yield code, serial
    get_database(url).dispose()


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def ok(*args: str):  # type: ignore[no-untyped-def]
    r = run(*args, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_a_van_run_and_a_shop_day_from_the_command_line(shipped):
    batch, serial = shipped
    trip = ok("trip", "create", "--vehicle", "VAN-2", "--departure", DEPART)["code"]
    assert trip == "T-251203-VAN-2-1"
    assert (
        ok("trip", "load", trip, "--batch", batch, "--qty", "24", "--at", LOADED)[
            "loads"
        ][0]["loaded"]
        == 24
    )
    ok("trip", "depart", trip, "--at", DEPART)
    drop = ok(
        "trip",
        "deliver",
        trip,
        "--pos",
        "CITY-LIB",
        "--batch",
        batch,
        "--qty",
        "24",
        "--at",
        ARRIVE,
    )["deliveries"][0]
    assert drop["quantity"] == 24 and drop["point_of_sale"] == "CITY-LIB"
    ok("trip", "arrive", trip, "--at", ARRIVE)
    ok(
        "pos",
        "receive",
        "CITY-LIB",
        "--delivery",
        drop["id"],
        "--qty",
        "24",
        "--at",
        ARRIVE,
    )
    ok("pos", "shelf", "CITY-LIB", "--batch", batch, "--at", ARRIVE)
    ok("pos", "sell", "CITY-LIB", "--batch", batch, "--qty", "17", "--at", ARRIVE)
    ok("pos", "sell", "CITY-LIB", "--unit", serial, "--at", ARRIVE)
    ok("pos", "waste", "CITY-LIB", "--batch", batch, "--qty", "1", "--reason", "压坏")
    (row,) = ok("pos", "stock", "CITY-LIB")
    assert (row["delivered"], row["sold"], row["wasted"], row["on_shelf"]) == (
        24,
        18,
        1,
        5,
    )
    assert [t["code"] for t in ok("trip", "list", "--status", "arrived")] == [trip]
    assert ok("trip", "list", "--status", "planned") == []
    found = ok("lookup", serial)
    assert found["batch"] == batch and found["unit"] == serial
    assert found["unit_status"] == "sold"
    # a Digital Link with a serial and no lot (URI syntax 1.4 allows it)
    no_lot = ok("lookup", f"https://id.gs1.org/01/{found['gtin']}/21/{serial}")
    assert no_lot["batch"] == batch and no_lot["unit"] == serial
    assert ok("lookup", batch)["unit"] is None
    assert run("verify").exit_code == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["trip", "create", "--vehicle", "VAN-9"], "VAN-9"),
        (["trip", "show", "T-000000-X-1"], "T-000000-X-1"),
        (["pos", "stock", "NOWHERE"], "NOWHERE"),
        (["lookup", "XXXXXXXXX"], "XXXXXXXXX"),
        (["pos", "sell", "CITY-LIB", "--qty", "1"], "批次号"),
    ],
)
def test_mistakes_are_one_line_and_a_non_zero_exit(shipped, args, words):
    r = run(*args)
    assert r.exit_code != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], r.stderr


def test_loading_more_than_was_packed_says_the_numbers_and_writes_nothing(shipped):
    batch, _ = shipped
    trip = ok("trip", "create", "--vehicle", "VAN-2", "--departure", DEPART)["code"]
    before = ok("events", "list")
    r = run("trip", "load", trip, "--batch", batch, "--qty", "31")
    assert r.exit_code == 1 and "30" in r.stderr and "31" in r.stderr
    assert ok("events", "list") == before
    assert ok("trip", "show", trip)["loads"] == []
