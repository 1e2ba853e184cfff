"""Liveness and readiness for load balancers and scripts (no login).

Ready means the database answers *and takes writes*: a read-only database
(a replica, a read-only mount, a file the server may not write, PostgreSQL's
``default_transaction_read_only``) serves pages but refuses every scan, sale
and upload, so it answers 503 with the reason, not "database ok".
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bakeprint import __version__
from bakeprint.deps import SessionDep

router = APIRouter(tags=["health"])

# a table every migrated database has and nothing else writes or locks
PROBE = "DELETE FROM alembic_version WHERE 1 = 0"


def _sqlite_file(url: URL) -> Path | None:
    name = url.database or ""
    if not name or name == ":memory:":
        return None
    if name.startswith("file:"):  # a URI filename: file:/path?mode=ro
        name = name.removeprefix("file:").split("?", 1)[0]
    return Path(name)


def _sqlite_file_problem(url: URL) -> str | None:
    """What about the database file keeps SQLite from writing it."""
    path = _sqlite_file(url)
    if path is None or not path.exists():
        return None
    folder = path.resolve().parent
    if os.statvfs(folder).f_flag & os.ST_RDONLY:
        return "the file system holding the database is mounted read-only"
    if not os.access(path, os.W_OK):
        return "the database file is read-only"
    if not os.access(folder, os.W_OK):
        # in WAL mode SQLite writes its -wal and -shm files beside the database
        return "the database's directory is read-only"
    return None


@contextmanager
def _without_waiting(session: Session, dialect: str) -> Iterator[None]:
    """A writer holding the lock proves the database takes writes: do not
    queue behind it (SQLite waits up to 30 s by default)."""
    if dialect == "sqlite":
        session.execute(text("PRAGMA busy_timeout=0"))
        try:
            yield
        finally:
            session.execute(text("PRAGMA busy_timeout=30000"))  # as db.py sets it
    else:
        session.execute(text("SET LOCAL lock_timeout = '200ms'"))
        yield


def read_only_reason(session: Session) -> str | None:
    """Why the database would refuse a write, or None when it takes them.

    A write that changes nothing, in a savepoint rolled back at once."""
    bind = session.get_bind()
    dialect = bind.dialect.name
    if dialect == "sqlite":
        problem = _sqlite_file_problem(bind.engine.url)
        if problem:
            return problem
    with _without_waiting(session, dialect):
        savepoint = session.begin_nested()
        try:
            session.execute(text(PROBE))
        except DBAPIError as exc:
            first = (str(exc.orig).strip().splitlines() or [""])[0].lower()
            if "locked" in first or "busy" in first or "lock timeout" in first:
                return None  # someone else is writing: it takes writes
            if "read-only" in first or "readonly" in first:
                return "the database is read-only"
            return "the database refuses writes"
        finally:
            savepoint.rollback()
    return None


def _unavailable(database: str, reason: str) -> JSONResponse:
    return JSONResponse(
        {"status": "unavailable", "database": database, "reason": reason},
        status_code=503,
        headers={"Retry-After": "30"},
    )


@router.get("/health")
def health(session: SessionDep) -> JSONResponse:
    """200 when the service answers and its database takes writes; 503 with
    the reason otherwise."""
    try:
        session.execute(text("select 1"))
        read_only = read_only_reason(session)
    except Exception:
        return _unavailable("unreachable", "the database does not answer")
    if read_only:
        return _unavailable("read-only", read_only)
    # the worker's process id: behind `serve --workers N`, shows which answered
    return JSONResponse(
        {"status": "ok", "version": __version__, "database": "ok", "pid": os.getpid()}
    )
