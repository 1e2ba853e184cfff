"""`bakeprint batch …` and `bakeprint qc …` on a fresh SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakeprint.cli import app
from bakeprint.db import get_database, session_scope
from tests.factories import cli_database, make_bakery, make_catalog
from tests.production.conftest import T0, make_lot


@pytest.fixture
def cli_bakery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = cli_database(tmp_path, monkeypatch, "cli.db")
    with session_scope() as s:
        bakery = make_bakery(s, slug="cli-bakery")
        make_lot(s, make_catalog(s, bakery.tenant.id), quantity=2)
    yield
    get_database(url).dispose()


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def test_a_batch_made_from_the_command_line(cli_bakery):
    r = run(
        "batch",
        "start",
        "--product",
        "06901234000016",
        "--qty",
        "100",
        "--operator",
        "WANG-03",
        "--equipment",
        "OVEN-3",
        "--started-at",
        T0.isoformat(),
        "--json",
    )
    assert r.exit_code == 0, r.output
    code = json.loads(r.stdout)["code"]
    assert code == "251203-SS-PM-001"
    assert run("batch", "consume", code, "--lot", "RM-1", "--qty", "0.5").exit_code == 0
    assert run("batch", "complete", code, "--qty", "98").exit_code == 0
    assert run("qc", "check", code, "--stage", "post_cooling", "--pass").exit_code == 0
    r = run("batch", "pack", code, "--qty", "98", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["status"] == "packed"
    human = run("batch", "show", code)
    assert code in human.stdout and "LOT25S-45" in human.stdout
    assert run("verify").exit_code == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["batch", "parse", "251303-SS-PM-001"], "13"),
        (["batch", "show", "251203-SS-PM-009"], "251203-SS-PM-009"),
        (
            [
                "batch",
                "start",
                "--product",
                "06901234000011",
                "--qty",
                "5",
                "--operator",
                "WANG-03",
            ],
            "06901234000011",
        ),
        (["qc", "check", "X", "--stage", "nonsense", "--pass"], "stage"),
    ],
)
def test_mistakes_are_one_line_and_a_non_zero_exit(cli_bakery, args, words):
    r = run(*args)
    assert r.exit_code != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], r.stderr


def test_over_consuming_a_lot_says_the_numbers_and_writes_nothing(cli_bakery):
    code = json.loads(
        run(
            "batch",
            "start",
            "--product",
            "06901234000016",
            "--qty",
            "100",
            "--operator",
            "WANG-03",
            "--started-at",
            T0.isoformat(),
            "--json",
        ).stdout
    )["code"]
    before = json.loads(run("events", "list", "--json").stdout)
    r = run("batch", "consume", code, "--lot", "RM-1", "--qty", "3")
    assert r.exit_code == 1 and "2" in r.stderr and "3" in r.stderr
    assert json.loads(run("events", "list", "--json").stdout) == before
