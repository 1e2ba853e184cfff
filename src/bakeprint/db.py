"""Engine, declarative base and transaction scopes.

One command is one transaction: the web request (``get_session``) or the CLI/worker
(``session_scope``) owns it; services only flush.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar
from weakref import WeakSet

from sqlalchemy import (
    DateTime,
    Engine,
    ForeignKey,
    ForeignKeyConstraint,
    MetaData,
    Uuid,
    create_engine,
    event,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    declared_attr,
    mapped_column,
    sessionmaker,
)
from sqlalchemy.types import TypeDecorator

from bakeprint.config import settings

T = TypeVar("T")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every backend, stored in UTC.

    SQLite has no time zone type, so a naive value would silently lose its offset;
    here naive input is refused and every value read back is aware UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: give a time zone")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


IN_CHUNK = 5_000  # ids per IN list (PostgreSQL takes at most 65,535 parameters)


def slices(items: Sequence[T], size: int | None = None) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of ``size`` (default ``IN_CHUNK``), for
    statements that would otherwise pass more parameters than a database takes."""
    n = size or IN_CHUNK
    for i in range(0, len(items), n):
        yield items[i : i + n]


def among(session: Session, column: Any, values: Iterable[Any]) -> Any:
    """``column IN values``. On PostgreSQL written ``IN (SELECT unnest(array))``:
    one parameter however many values — an IN list of a thousand ids is a
    30 KB statement that psycopg parses again each time (~10 ms) — and planned
    as index look-ups (``= ANY(array)`` of 1,100 ids made the planner scan
    whole tables: 25 ms instead of 4 for batches, 38 instead of 7 for trip
    loads). On SQLite an IN list (``slices`` keeps it under its limit)."""
    from sqlalchemy import bindparam, func, select
    from sqlalchemy.dialects.postgresql import ARRAY

    wanted = list(values)
    if session.get_bind().dialect.name == "postgresql":
        array = bindparam(None, wanted, type_=ARRAY(column.type))
        return column.in_(select(func.unnest(array)))
    return column.in_(wanted)


def upsert_insert(session: Session) -> Any:
    """The dialect's ``insert`` (it has ``on_conflict_do_update/nothing``)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def new_id() -> uuid.UUID:
    return uuid.uuid4()


# What ``utcnow`` answers in this context when set. The demo records its
# history on its own calendar (December 2025): what happened on a demo day —
# a complaint, an alert, its acknowledgement, the record itself — is dated
# that day, not the moment the demo was loaded.
_CLOCK: ContextVar[datetime | None] = ContextVar("bakeprint_clock", default=None)


def utcnow() -> datetime:
    fixed = _CLOCK.get()
    return datetime.now(UTC) if fixed is None else fixed


@contextmanager
def clock_at(when: datetime) -> Iterator[None]:
    """Inside the block, "now" is ``when`` (aware) for everything this
    context records."""
    if when.tzinfo is None:
        raise ValueError("naive datetime refused: give a time zone")
    token = _CLOCK.set(when.astimezone(UTC))
    try:
        yield
    finally:
        _CLOCK.reset(token)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _rec: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (pysqlite's implicit transactions
        # would otherwise run SELECTs outside the transaction).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # A writing transaction takes the write lock up front so two writers
        # queue on busy_timeout instead of failing on a stale WAL snapshot.
        if conn.get_execution_options().get("bp_write", False):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def make_engine(url: str | None = None, **kw: Any) -> Engine:
    url = url or settings.database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(
            url, echo=settings.sql_echo, connect_args={"timeout": 30}, **kw
        )
        _sqlite_setup(engine)
    else:
        engine = create_engine(url, echo=settings.sql_echo, pool_pre_ping=True, **kw)
    return engine


class Database:
    """An engine plus the two session factories (reading, writing)."""

    def __init__(self, url: str | None = None) -> None:
        self.engine = make_engine(url)
        self.url = str(self.engine.url)
        write_engine = self.engine.execution_options(bp_write=True)
        self.reader = sessionmaker(self.engine, expire_on_commit=False)
        self.writer = sessionmaker(write_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        factory = self.writer if write else self.reader
        session = factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def get_database(url: str | None = None) -> Database:
    """The process-wide Database for a URL (default: the configured one)."""
    return _database(url or settings.database_url)


_made: WeakSet[Database] = WeakSet()  # every process-wide Database still alive


@lru_cache(maxsize=8)
def _database(url: str) -> Database:
    database = Database(url)
    _made.add(database)
    return database


def close_all() -> None:
    """Close every process-wide engine's connections (a command's end).
    SQLite checkpoints its WAL into the database file when the last
    connection closes, so nothing is left in a ``-wal`` file beside it."""
    alive = list(_made)  # before the cache lets go of them
    _database.cache_clear()
    for database in alive:
        database.dispose()


@contextmanager
def session_scope(*, write: bool = True, url: str | None = None) -> Iterator[Session]:
    """One CLI command or worker step = one transaction."""
    with get_database(url).session(write=write) as session:
        yield session


class TenantScoped:
    """Mixin: primary key (tenant_id, id), tenant first so the schema can be
    distributed by tenant (Citus) and every lookup starts from the tenant."""

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(
            Uuid,
            ForeignKey("tenants.id", ondelete="CASCADE"),
            primary_key=True,
        )

    @declared_attr
    def id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(Uuid, primary_key=True, default=new_id)

    @declared_attr
    def created_at(cls) -> Mapped[datetime]:
        return mapped_column(UTCDateTime, default=utcnow, nullable=False)


def tenant_fk(column: str, target: str, **kw: Any) -> Any:
    """A composite foreign key (tenant_id, column) -> target(tenant_id, id):
    a row can only ever point at a row of its own tenant."""
    return ForeignKeyConstraint(
        ["tenant_id", column], [f"{target}.tenant_id", f"{target}.id"], **kw
    )


def refresh_statistics(engine: Engine) -> None:
    """Planner statistics for the data now in the database (issue #22 item
    6): run after `db upgrade`, the demo load and imports, so a user's
    database gets the plans the benchmarks measure — without them SQLite walks
    a bakery's whole event log for a scan page's timeline. SQLite samples at
    most ~1000 rows an index (`analysis_limit`) rather than reading them all."""
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA analysis_limit=1000")
            conn.exec_driver_sql("ANALYZE")
            conn.exec_driver_sql("PRAGMA optimize")
        else:
            conn.exec_driver_sql("ANALYZE")
