"""Backup and restore of the whole database, with the hash chains checked.

SQLite: an online backup through SQLite's backup API (a consistent copy while
the server keeps serving), written to a temporary file and renamed when done.
PostgreSQL: ``pg_dump`` in its custom format; restore with ``pg_restore`` in one
transaction. The password, if the URL has one, goes to the tools in their
environment, never on a command line or in the output.

A restore is checked before it replaces anything (issue 17, item 11): the
backup is restored into a scratch copy (a file beside the SQLite database, a
scratch PostgreSQL database), every bakery's event log is walked there
(``events.verify``), and only if every chain holds is it put in place, in one
transaction (SQLite's backup API into the database; ``pg_restore
--single-transaction``). A backup that was altered fails with the bakery and
the event named, and the database is left exactly as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psycopg import sql
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DBAPIError

from bakeprint.db import Database
from bakeprint.errors import Conflict, Invalid

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


@dataclass
class Chain:
    tenant: str
    events: int
    head_hash: str | None
    problems: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "events": self.events,
            "head_hash": self.head_hash,
            "ok": not self.problems,
            "problems": self.problems,
        }


def chains(db: Database, *, walk: bool) -> list[Chain]:
    """Every bakery's chain head; ``walk``: each chain checked from its first
    event (after a restore), else only its head read (a backup's record)."""
    from bakeprint.events import service as events
    from bakeprint.identity.models import Tenant

    out = []
    with db.session(write=False) as s:
        for t in s.scalars(select(Tenant).order_by(Tenant.slug)):
            head = events.head(s, t.id)
            if walk:
                count, problems = events.verify(s, t.id)
            else:
                count, problems = (head.last_seq if head else 0), []
            out.append(
                Chain(
                    tenant=t.slug,
                    events=count,
                    head_hash=head.last_hash if head else None,
                    problems=[p.as_dict() for p in problems],
                )
            )
    return out


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment
    that carries it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise Invalid(
            f"找不到 {name}：请安装 PostgreSQL 客户端工具",
            f"{name} not found: install the PostgreSQL client tools",
        )
    return found


def backup(db: Database, out: Path) -> dict[str, Any]:
    """Write a consistent copy of the database to ``out``."""
    out = out.expanduser()
    if out.is_dir():
        raise Invalid(f"{out} 是一个目录", f"{out} is a directory", field="out")
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    part.unlink(missing_ok=True)
    try:
        if db.dialect == "sqlite":
            src = sqlite3.connect(str(db.engine.url.database))
            dst = sqlite3.connect(str(part))
            try:
                with dst:
                    src.backup(dst, pages=4096)
            finally:
                dst.close()
                src.close()
        else:
            dsn, env = _libpq(db.engine.url)
            done = subprocess.run(
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "-f",
                    str(part),
                    dsn,
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise Invalid(
                    "pg_dump 失败：" + done.stderr.strip()[-300:],
                    "pg_dump failed: " + done.stderr.strip()[-300:],
                )
        part.replace(out)
    finally:
        part.unlink(missing_ok=True)
    return {
        "file": str(out),
        "bytes": out.stat().st_size,
        "database": db.dialect,
        "chains": [c.as_dict() for c in chains(db, walk=False)],
    }


def _kind_of(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise Invalid(
        f"{path.name} 不是 bakeprint 的备份文件（既不是 SQLite 也不是 pg_dump）",
        f"{path.name} is not a bakeprint backup (neither SQLite nor a pg_dump file)",
        field="file",
    )


def _has_data(db: Database) -> bool:
    from bakeprint.identity.models import Tenant

    if not inspect(db.engine).has_table("tenants"):
        return False
    with db.session(write=False) as s:
        return s.scalar(select(Tenant.id).limit(1)) is not None


def restore(db: Database, source: Path, *, force: bool = False) -> dict[str, Any]:
    """Replace the database with a backup whose every chain holds; a backup
    that fails the check changes nothing."""
    if not source.is_file():
        raise Invalid(f"找不到备份文件 {source}", f"no backup file at {source}")
    kind = _kind_of(source)
    if kind != db.dialect:
        raise Invalid(
            f"这是 {kind} 的备份，不能恢复到 {db.dialect} 数据库",
            f"this is a {kind} backup; it cannot be restored into {db.dialect}",
        )
    if not force and _has_data(db):
        raise Conflict(
            "目标数据库里已有数据：确认要整体替换请加 --force",
            "the database already holds data: add --force to replace all of it",
        )
    restore_checked = _restore_sqlite if kind == "sqlite" else _restore_postgresql
    found, restored = restore_checked(db, source)
    return {
        "file": str(source),
        "database": db.dialect,
        "ok": restored,
        "restored": restored,
        "chains": [c.as_dict() for c in found],
    }


def _intact(found: list[Chain]) -> bool:
    return all(not c.problems for c in found)


def _restore_sqlite(db: Database, source: Path) -> tuple[list[Chain], bool]:
    target = Path(str(db.engine.url.database))
    scratch = target.with_name(f".{target.name}.restore-{uuid.uuid4().hex[:8]}")
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            check = src.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise Invalid(
                    f"备份文件已损坏：{check}", f"the backup file is damaged: {check}"
                )
            _copy(src, scratch)
        finally:
            src.close()
        copy = Database(f"sqlite:///{scratch}")
        try:
            found = chains(copy, walk=True)
        finally:
            copy.dispose()
        if not _intact(found):
            return found, False
        db.dispose()
        checked = sqlite3.connect(f"file:{scratch}?mode=ro", uri=True)
        try:
            # one write transaction on the database: it holds the old content
            # or the new, never a mix, even if this process dies half-way
            _copy(checked, target)
        finally:
            checked.close()
        return found, True
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)


def _copy(src: sqlite3.Connection, dst_path: Path) -> None:
    dst = sqlite3.connect(str(dst_path))
    try:
        with dst:
            src.backup(dst)  # every page in one step: one transaction
    finally:
        dst.close()


def _pg_restore(url: URL, source: Path, *, clean: bool) -> None:
    dsn, env = _libpq(url)
    done = subprocess.run(
        [
            _tool("pg_restore"),
            *(["--clean", "--if-exists"] if clean else []),
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "-d",
            dsn,
            str(source),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise Invalid(
            "pg_restore 失败（数据库未改动）：" + done.stderr.strip()[-300:],
            "pg_restore failed (nothing changed): " + done.stderr.strip()[-300:],
        )


def _restore_postgresql(db: Database, source: Path) -> tuple[list[Chain], bool]:
    url = db.engine.url
    base = re.sub(r"[^a-z0-9_]", "_", (url.database or "bakeprint").lower())[:30]
    scratch = f"{base}_restore_{uuid.uuid4().hex[:8]}"
    try:
        with _autocommit(db) as c:
            encoding = c.execute(
                text(
                    "SELECT pg_encoding_to_char(encoding) FROM pg_database "
                    "WHERE datname = current_database()"
                )
            ).scalar()
            c.exec_driver_sql(
                _pg_sql(
                    c,
                    "CREATE DATABASE {} TEMPLATE template0 ENCODING {}",
                    sql.Identifier(scratch),
                    sql.Literal(encoding),
                )
            )
    except DBAPIError as exc:
        raise Invalid(
            "恢复前需要一个临时数据库来检查备份：请给数据库用户 CREATEDB 权限"
            "（数据库未改动）",
            "checking a backup before it replaces the database needs a scratch "
            "database: give the database user the CREATEDB privilege (nothing "
            f"changed; {str(exc.orig).strip()[:120]})",
        ) from None
    try:
        copy_url = url.set(database=scratch)
        _pg_restore(copy_url, source, clean=False)
        copy = Database(copy_url.render_as_string(hide_password=False))
        try:
            found = chains(copy, walk=True)
        finally:
            copy.dispose()
        if not _intact(found):
            return found, False
        db.dispose()
        _pg_restore(url, source, clean=True)  # one transaction: all or nothing
        return found, True
    finally:
        with _autocommit(db) as c:
            c.exec_driver_sql(
                _pg_sql(c, "DROP DATABASE IF EXISTS {}", sql.Identifier(scratch))
            )


def _pg_sql(c: Connection, template: str, *parts: sql.Composable) -> str:
    """A statement with names and values quoted by psycopg (CREATE and DROP
    DATABASE take no parameters)."""
    raw: Any = c.connection.dbapi_connection
    return sql.SQL(template).format(*parts).as_string(raw)


def _autocommit(db: Database) -> Connection:
    """A connection outside any transaction (CREATE/DROP DATABASE need one)."""
    return db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
