"""Test fixtures. Every test that touches the database runs twice: on SQLite and
on PostgreSQL (127.0.0.1:5432). PostgreSQL being down fails the run, never skips.

Each test runs inside a transaction that is rolled back (services flush; the
request's commit only releases a savepoint), so tests never see each other.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from bakeprint import migrate, reactions
from bakeprint.db import Database

PG_ADMIN_URL = os.environ.get(
    "BAKEPRINT_TEST_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgresql"]

# services called straight from a test react to what they record as they do
# behind the app, the CLI and the MQTT worker (each installs them too)
reactions.install()


def _pg_database(name: str) -> str:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - environment failure
        pytest.fail(
            f"PostgreSQL is required for the DB tests and is not reachable at "
            f"{PG_ADMIN_URL}: {exc}",
            pytrace=False,
        )
    finally:
        admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _pg_drop(name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def db(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    worker_id: str,
) -> Iterator[Database]:
    """A migrated database per backend (per xdist worker)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "bakeprint-test.db"
        database = Database(f"sqlite:///{path}")
        migrate.upgrade(database.engine)
        yield database
        database.dispose()
    else:
        name = f"bp_test_{worker_id}_{uuid.uuid4().hex[:8]}"
        database = Database(_pg_database(name))
        migrate.upgrade(database.engine)
        yield database
        database.dispose()
        _pg_drop(name)


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    """A session whose every commit is rolled back at the end of the test."""
    conn = db.writer.kw["bind"].connect()
    outer = conn.begin()
    sess = Session(
        bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield sess
    finally:
        sess.close()
        outer.rollback()
        conn.close()


@pytest.fixture
def app(db: Database, session: Session):  # type: ignore[no-untyped-def]
    from bakeprint.app import create_app
    from bakeprint.deps import get_session, get_writer

    application = create_app(db)

    def _session() -> Iterator[Session]:
        # Mirror get_session: commit on success (a savepoint here), roll back on
        # error so a failed request leaves nothing behind.
        nested = session.begin_nested()
        try:
            yield session
            if nested.is_active:
                nested.commit()
        except BaseException:
            # also when a failed flush already deactivated it: otherwise the
            # shared session stays unusable for the test's next request
            nested.rollback()
            raise

    application.dependency_overrides[get_session] = _session
    # work meant for its own short transaction joins the test's session
    application.dependency_overrides[get_writer] = lambda: lambda work: work(session)
    return application


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=True) as c:
        yield c


@pytest.fixture
def bakery(session: Session):  # type: ignore[no-untyped-def]
    """A bakery with an owner and a token: the usual starting point."""
    from tests.factories import make_bakery

    return make_bakery(session)
