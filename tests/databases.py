"""An empty, migrated database that code under test may commit to (the
builders, servers in other processes, backups) — SQLite or PostgreSQL — and
that is dropped afterwards. The usual ``session`` fixture rolls back instead."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bakeprint import migrate
from bakeprint.db import Database
from tests.conftest import _pg_database, _pg_drop


@contextmanager
def committed_database(kind: str, where: Path) -> Iterator[Database]:
    name = f"bp_commit_{uuid.uuid4().hex[:10]}"
    if kind == "sqlite":
        url = f"sqlite:///{where / f'{name}.db'}"
    else:
        url = _pg_database(name)
    db = Database(url)
    migrate.upgrade(db.engine)
    try:
        yield db
    finally:
        db.dispose()
        if kind != "sqlite":
            _pg_drop(name)
