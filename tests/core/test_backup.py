"""`bakeprint backup` / `restore`: a consistent copy, restored whole, with every
bakery's hash chain walked afterwards (issue 8, item 5) — SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text, update
from typer.testing import CliRunner

from bakeprint.bench import dataset as ds
from bakeprint.cli import app as cli
from bakeprint.db import Database
from bakeprint.events import service as events
from bakeprint.events.models import Event
from bakeprint.production.models import Batch
from tests.databases import committed_database

TINY = ds.Size("K", shops=3, days=2, hall_sensors=1)
runner = CliRunner()


@pytest.fixture(params=["sqlite", "postgresql"])
def live(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    """A database with a small bakery in it, which the CLI commands use."""
    from bakeprint.db import _database

    with committed_database(request.param, tmp_path) as db:
        ds.build(db, TINY)
        url = db.engine.url.render_as_string(hide_password=False)
        monkeypatch.setenv("BAKEPRINT_DATABASE_URL", url)
        monkeypatch.setenv("BAKEPRINT_LANG", "en")
        monkeypatch.setattr("bakeprint.config.settings.database_url", url)
        _database.cache_clear()
        yield db
        _database.cache_clear()


def _count(db: Database, model: object) -> int:
    with db.session(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[call-overload]


def test_backup_then_restore_brings_back_exactly_what_was_there(
    live: Database, tmp_path: Path
) -> None:
    out = tmp_path / "nightly" / "bakeprint.backup"
    res = runner.invoke(cli, ["backup", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    taken = json.loads(res.output)
    assert out.is_file() and taken["bytes"] == out.stat().st_size
    assert [c["tenant"] for c in taken["chains"]] == ["bench-k"]
    events, batches = _count(live, Event), _count(live, Batch)
    # the day after: the last sale goes missing, a batch is renamed
    with live.session() as s:
        last = s.scalar(select(func.max(Event.seq)))
        s.execute(delete(Event).where(Event.seq == last))
        s.execute(update(Batch).values(notes="changed after the backup"))
    assert _count(live, Event) == events - 1
    # restoring over data needs --force, and changes nothing without it
    refused = runner.invoke(cli, ["restore", str(out)])
    assert refused.exit_code == 1
    assert "--force" in refused.output
    assert _count(live, Event) == events - 1
    done = runner.invoke(cli, ["restore", str(out), "--force", "--json"])
    assert done.exit_code == 0, done.output
    back = json.loads(done.output)
    assert back["ok"] is True
    assert back["chains"] == taken["chains"]
    assert _count(live, Batch) == batches and _count(live, Event) == events
    with live.session(write=False) as s:
        assert set(s.scalars(select(Batch.notes))) == {""}


def test_an_altered_backup_names_the_event_and_leaves_the_database_as_it_was(
    live: Database, tmp_path: Path
) -> None:
    out = tmp_path / "bakeprint.backup"
    assert runner.invoke(cli, ["backup", "--out", str(out)]).exit_code == 0
    # someone edits a sale in the database, then backs that up
    with live.session() as s:
        seq = s.scalar(select(func.min(Event.seq)).where(Event.kind == "sold"))
        ev = s.scalar(select(Event).where(Event.seq == seq))
        assert ev is not None
        s.execute(
            update(Event)
            .where(Event.tenant_id == ev.tenant_id, Event.seq == seq)
            .values(body={**ev.body, "bp:point_of_sale": "ELSEWHERE"})
        )
    altered = tmp_path / "altered.backup"
    assert runner.invoke(cli, ["backup", "--out", str(altered)]).exit_code == 0
    # the good backup repairs the database, and work goes on
    assert runner.invoke(cli, ["restore", str(out), "--force"]).exit_code == 0
    with live.session() as s:
        s.execute(update(Batch).values(notes="written after the repair"))
    # issue 17, item 11: the altered backup is refused before it replaces
    # anything — not restored, then found broken
    res = runner.invoke(cli, ["restore", str(altered), "--force"])
    assert res.exit_code == 1
    assert f"bench-k #{seq}" in res.output
    assert "not restored: the database is unchanged" in res.output
    with live.session(write=False) as s:
        assert set(s.scalars(select(Batch.notes))) == {"written after the repair"}
        tenant = s.scalar(select(Event.tenant_id).limit(1))
        assert tenant is not None
        count, problems = events.verify(s, tenant)
    assert problems == [] and count == _count(live, Event)
    # and the scratch copy it was checked in is gone
    if live.dialect == "sqlite":
        folder = Path(str(live.engine.url.database)).parent
        assert [p.name for p in folder.iterdir() if ".restore-" in p.name] == []
    else:
        with live.session(write=False) as s:
            left = s.scalars(
                text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                {"p": f"{live.engine.url.database}_restore_%"},
            ).all()
        assert left == []


def test_restore_refuses_what_is_not_a_backup_of_this_kind(
    live: Database, tmp_path: Path
) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    res = runner.invoke(cli, ["restore", str(junk), "--force"])
    assert res.exit_code == 2
    assert "not a bakeprint backup" in res.output
    missing = runner.invoke(cli, ["restore", str(tmp_path / "nope.backup")])
    assert missing.exit_code == 2 and "no backup file" in missing.output
    # a backup of the other kind of database
    other = tmp_path / "other.backup"
    other.write_bytes(
        (b"PGDMP" if live.dialect == "sqlite" else b"SQLite format 3\x00") + b"\0" * 64
    )
    res = runner.invoke(cli, ["restore", str(other), "--force"])
    assert res.exit_code == 2
    assert "cannot be restored into" in res.output
    assert _count(live, Batch) == TINY.batches_a_day * TINY.days
