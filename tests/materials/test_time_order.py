"""An intake time in the future (beyond a few minutes of clock difference) is a
typo: refused naming the time given and the time now, in the bakery's zone."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from bakeprint.cli import app
from bakeprint.db import get_database, session_scope, utcnow
from tests.factories import cli_database, make_bakery, make_catalog


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = cli_database(tmp_path, monkeypatch, "cli.db")
    with session_scope() as s:
        make_catalog(s, make_bakery(s, slug="cli-lot-times").tenant.id)
    yield tmp_path
    get_database(url).dispose()


def _intake(received_at: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        app,
        [
            "lot",
            "intake",
            "--material",
            "SAKURA",
            "--supplier",
            "B",
            "--supplier-lot",
            "LOT25S-45",
            "--qty",
            "5",
            "--expires",
            "2099-12-20",
            "--qc",
            "pass",
            "--score",
            "96",
            "--received-at",
            received_at,
        ],
    )


def test_an_intake_days_ahead_is_one_line_naming_both_times(cli_db: Path):
    ahead = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    r = _intake(ahead.isoformat())
    assert r.exit_code == 2, r.output  # bad input
    (line,) = r.stderr.strip().splitlines()
    local = ahead.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"{local:%Y-%m-%d %H:%M} +08:00" in line
    assert "在将来" in line and "+08:00" in line
    lots = CliRunner().invoke(app, ["lot", "list", "--json"])
    assert json.loads(lots.stdout) == []
    # a scale whose clock runs a minute fast is fine
    assert _intake((utcnow() + timedelta(minutes=1)).isoformat()).exit_code == 0
