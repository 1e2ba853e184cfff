"""`bakeprint shelflife …` and the trace line on a fresh SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakeprint.cli import app
from bakeprint.db import get_database, session_scope
from tests.factories import cli_database, make_bakery, make_catalog
from tests.sensors.conftest import make_hall
from tests.shelflife.conftest import make_humid_late


@pytest.fixture
def humid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = cli_database(tmp_path, monkeypatch, "cli.db")
    with session_scope() as s:
        bakery = make_bakery(s, slug="cli-shelf")
        hall = make_hall(s, bakery, make_catalog(s, bakery.tenant.id))
        code = make_humid_late(s, bakery, hall).code
    yield code
    get_database(url).dispose()


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def ok(*args: str):  # type: ignore[no-untyped-def]
    r = run(*args, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_predict_show_fefo_and_parameters_from_the_command_line(humid, monkeypatch):
    shown = ok("shelflife", "show", humid)
    assert (shown["best_before"], shown["printed_best_before"]) == (
        "2025-12-08",
        "2025-12-10",
    )
    monkeypatch.setenv("BAKEPRINT_LANG", "zh")
    text = run("shelflife", "show", humid).output
    assert "湿度 75% 生产 −1.2 天" in text and "配送延迟 2 h −0.6 天" in text
    (kept,) = ok("shelflife", "predict")  # every batch on a shelf
    assert kept["batch"] == humid and kept["params_version"] == 0
    (alert,) = ok("qc", "alerts", "--level", "2")
    assert alert["cause"] == "shelf_life" and alert["batches"] == [humid]
    (row,) = ok("shelflife", "fefo", "CITY-LIB")
    assert row["batch"] == humid and row["action"] == "pull"

    bad = run("shelflife", "params", "set", "酥皮类", "late_exposure=0.1")
    assert bad.exit_code != 0 and "late_exposure=0.1" in bad.output
    assert len(bad.output.strip().splitlines()) == 1
    assert run("shelflife", "params", "set", "酥皮类", "nonsense").exit_code != 0
    assert ok("shelflife", "params", "history", "酥皮类") == []
    saved = ok(
        "shelflife", "params", "set", "酥皮类", "k_hall_per_pct=0.03",
        "packaging.improved=0.7", "--note", "梅雨季",
    )  # fmt: skip
    assert saved["version"] == 1 and saved["params"]["packaging"]["improved"] == 0.7
    (listed,) = ok("shelflife", "params", "list")
    assert (listed["category"], listed["version"]) == ("酥皮类", 1)
    again = ok("shelflife", "predict", humid)
    assert again[0]["params_version"] == 1 and again[0]["model_days"] < 5.2

    assert run("shelflife", "packaging", humid, "foil").exit_code != 0
    packed = ok("shelflife", "packaging", humid, "improved")
    assert packed["packaging"] == "improved"

    monkeypatch.setenv("BAKEPRINT_LANG", "en")
    trace = run("trace", humid).output
    assert "best before 2025-12-10 · predicted" in trace
