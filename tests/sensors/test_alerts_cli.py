"""Issue #16 as a user at the terminal: a cream range (≤ 8 °C), two trips of
VAN-2, the cabin logger uploaded after both; `sensors alerts` and `qc alerts`
name trip 1's cream batch, the traces of trip 2's batch and of the pastry
batch stay clean, and one acknowledgement settles both lists."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bakeprint.cli import app
from bakeprint.db import get_database, session_scope
from tests.factories import cli_database, make_bakery, make_catalog
from tests.packaging.conftest import pack_a_batch
from tests.production.conftest import T0
from tests.sensors.test_alerts_on_board import (
    CABIN,
    CREAM,
    DROP1,
    DROP2,
    TRIP1,
    TRIP2,
    _cream,
)


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def ok(*args: str) -> Any:
    r = run(*args, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


@pytest.fixture
def day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = cli_database(tmp_path, monkeypatch, "alerts.db")
    with session_scope() as s:
        bakery = make_bakery(s, slug="cli-alerts")
        cat = make_catalog(s, bakery.tenant.id)
        cream = {**cat, "product": _cream(s, cat)}
        a = bakery.actor
        codes = {
            "A": pack_a_batch(s, a, cream, location="HALL-1").code,
            "P": pack_a_batch(s, a, cat, minutes=10, location="HALL-1").code,
            "B": pack_a_batch(s, a, cream, minutes=30, location="HALL-1").code,
        }
    yield codes
    get_database(url).dispose()


def _trip(codes: list[str], depart: Any, drop: Any) -> None:
    trip = ok("trip", "create", "--vehicle", "VAN-2")["code"]
    for code in codes:
        loaded = (depart - timedelta(minutes=10)).isoformat()
        ok("trip", "load", trip, "--batch", code, "--qty", "30", "--at", loaded)
    ok("trip", "depart", trip, "--at", depart.isoformat())
    for code in codes:
        ok(
            "trip", "deliver", trip, "--pos", "CITY-LIB", "--batch", code,
            "--qty", "30", "--at", drop.isoformat(),
        )  # fmt: skip
    ok("trip", "arrive", trip, "--at", (drop + timedelta(minutes=20)).isoformat())


def test_the_cabin_excursion_reaches_the_batches_on_board_and_no_one_else(
    day, tmp_path: Path
):
    a, p, b = day["A"], day["P"], day["B"]
    ok("sensors", "add", "VAN-2-T", "--kind", "temperature", "--vehicle", "VAN-2")
    ok(
        "sensors", "range", "--kind", "temperature", "--category", CREAM,
        "--high", "8", "--from", (T0 - timedelta(days=1)).isoformat(),
    )  # fmt: skip
    _trip([a, p], TRIP1, DROP1)
    _trip([b], TRIP2, DROP2)
    logger = tmp_path / "van-2.jsonl"
    start = T0 + timedelta(hours=2)
    logger.write_text(
        "".join(
            json.dumps(
                {
                    "sensor": "VAN-2-T",
                    "time": (start + timedelta(minutes=i)).isoformat(),
                    "value": v,
                }
            )
            + "\n"
            for i, v in enumerate(CABIN)
        )
    )
    assert ok("sensors", "upload", str(logger))["accepted"] == len(CABIN)
    assert ok("sensors", "upload", str(logger))["duplicates"] == len(CABIN)

    (alert,) = ok("sensors", "alerts")
    assert (alert["place"], alert["category"], alert["batches"]) == (
        "VAN-2",
        CREAM,
        [a],
    )
    assert (alert["level"], alert["peak"], alert["high"], alert["minutes"]) == (
        2,
        12.0,
        8.0,
        40.0,
    )
    human = run("sensors", "alerts")
    assert human.exit_code == 0, human.output
    flat = "".join(human.output.split())  # however the terminal wraps it
    for fact in ("VAN-2", CREAM, "12 °C", "≤ 8 °C", "50%", "40 分钟", "17:00", a):
        assert "".join(fact.split()) in flat, fact
    (qc,) = ok("qc", "alerts")
    assert (qc["level"], qc["cause"], qc["batches"]) == (2, "environment", [a])

    assert [x["sensor"] for x in ok("trace", a)["alerts"]] == ["VAN-2-T"]
    for other in (p, b):
        rep = ok("trace", other)
        assert rep["alerts"] == [] and rep["anomalies"] == [], other
        assert ok("batch", "env", other)["anomalies"] == [], other
    assert ok("batch", "env", a)["anomalies"][0]["level"] == 2

    done = ok("sensors", "ack", alert["id"], "--note", "冷机已修")
    assert done["status"] == "acknowledged"
    again = run("sensors", "ack", alert["id"])
    assert again.exit_code != 0 and len(again.output.strip().splitlines()) == 1
    assert ok("qc", "alerts") == []  # open ones: the excursion was settled
    (qc,) = ok("qc", "alerts", "--status", "all")
    assert (qc["status"], qc["note"]) == ("acknowledged", "冷机已修")
