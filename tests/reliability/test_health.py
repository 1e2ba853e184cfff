"""Issue 17, item 11: the health check says ready only when the database
takes writes (a read-only one: tests/reliability/test_crashes.py) — and a
writer holding the lock at that moment does not make it wait or say otherwise
(SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from bakeprint.app import create_app
from bakeprint.db import Database
from tests.databases import committed_database


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with committed_database(request.param, tmp_path) as db:
        yield db


def test_a_writer_holding_the_lock_does_not_make_the_database_look_read_only(
    fresh: Database,
) -> None:
    client = TestClient(create_app(fresh), raise_server_exceptions=False)
    assert client.get("/api/v1/health").json()["database"] == "ok"
    if fresh.dialect == "sqlite":
        holder = sqlite3.connect(str(fresh.engine.url.database), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # the write lock, held
        release = holder.rollback
    else:
        url = fresh.engine.url.render_as_string(hide_password=False)
        engine = create_engine(url)
        conn = engine.connect()
        conn.execute(text("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE"))

        def release() -> None:
            conn.rollback()
            conn.close()
            engine.dispose()

    try:
        r = client.get("/api/v1/health")
    finally:
        release()
    assert r.status_code == 200, r.text
    assert r.json()["database"] == "ok"
