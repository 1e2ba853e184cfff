"""The `bakeprint` command on a fresh SQLite file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakeprint.cli import app
from bakeprint.db import get_database


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    url = f"sqlite:///{path}"
    monkeypatch.setenv("BAKEPRINT_DATABASE_URL", url)
    monkeypatch.setattr("bakeprint.config.settings.database_url", url)
    monkeypatch.delenv("BAKEPRINT_TENANT", raising=False)
    yield path
    get_database(url).dispose()


def run(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), input=input)


def test_db_upgrade_creates_the_schema_and_reports_the_revision(cli_db: Path):
    r = run("db", "upgrade", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["from"] is None and out["to"]
    again = json.loads(run("db", "upgrade", "--json").stdout)
    assert again["from"] == again["to"] == out["to"]


def test_verify_names_the_event_that_was_edited_in_the_database(cli_db: Path):
    from datetime import UTC, datetime

    from bakeprint.db import session_scope
    from bakeprint.events import service as events

    assert run("db", "upgrade").exit_code == 0
    r = run(
        "tenant",
        "create",
        "cli-bakery",
        "--name",
        "CLI 面包坊",
        "--password",
        "long-enough-1",
        "--json",
    )
    assert r.exit_code == 0, r.output
    with session_scope() as s:
        from bakeprint.identity.service import tenant_by_slug

        t = tenant_by_slug(s, "cli-bakery")
        assert t is not None
        for i in range(4):
            events.append(
                s,
                tenant_id=t.id,
                kind="test",
                subject=f"x:{i}",
                event_type="ObjectEvent",
                biz_step="inspecting",
                event_time=datetime(2026, 3, 3, 8, i, tzinfo=UTC),
            )
    ok = run("verify", "--json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["events_checked"] == 4

    con = sqlite3.connect(cli_db)
    con.execute("UPDATE events SET kind = 'forged' WHERE seq = 2")
    con.commit()
    con.close()
    bad = run("verify", "--json")
    assert bad.exit_code == 1
    report = json.loads(bad.stdout)
    assert report["ok"] is False
    assert [(p["seq"], p["problem"]) for p in report["problems"]] == [(2, "altered")]
    human = run("verify")
    assert human.exit_code == 1 and "#2" in human.stdout


def test_bad_input_is_one_readable_line_and_a_non_zero_exit(cli_db: Path):
    assert run("db", "upgrade").exit_code == 0
    r = run(
        "tenant", "create", "Not Valid!", "--name", "x", "--password", "long-enough-1"
    )
    assert r.exit_code == 2
    assert len(r.stderr.strip().splitlines()) == 1
    assert "error:" in r.stderr
    # Nothing was created.
    r = run("tenant", "list", "--json")
    assert json.loads(r.stdout) == []


def test_commands_that_need_a_bakery_say_how_to_get_one(cli_db: Path):
    assert run("db", "upgrade").exit_code == 0
    r = run("whoami")
    assert r.exit_code == 1
    assert "demo load" in r.stderr


def test_a_token_issued_on_the_cli_authenticates_on_the_api(cli_db: Path):
    from fastapi.testclient import TestClient

    from bakeprint.app import create_app

    assert run("db", "upgrade").exit_code == 0
    assert (
        run(
            "tenant",
            "create",
            "tok-bakery",
            "--name",
            "T",
            "--password",
            "long-enough-1",
        ).exit_code
        == 0
    )
    r = run("token", "issue", "--json")
    token = json.loads(r.stdout)["token"]
    with TestClient(create_app()) as c:
        me = c.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["tenant_slug"] == "tok-bakery"
