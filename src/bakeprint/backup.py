"""Backup and restore of the whole database, with the hash chains checked.

SQLite: an online backup through SQLite's backup API (a consistent copy while
the server keeps serving), written to a temporary file and renamed when done.
PostgreSQL: ``pg_dump`` in its custom format; restore with ``pg_restore`` in one
transaction. The password, if the URL has one, goes to the tools in their
environment, never on a command line or in the output.

After a restore every bakery's event log is walked (``events.verify``): a
backup that was altered, or a restore that lost rows, fails with the bakery and
the event named.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.engine import URL

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
    """Replace the database with a backup, then walk every chain."""
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
    if kind == "sqlite":
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            check = src.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise Invalid(
                    f"备份文件已损坏：{check}", f"the backup file is damaged: {check}"
                )
            db.dispose()
            dst = sqlite3.connect(str(db.engine.url.database))
            try:
                with dst:
                    src.backup(dst, pages=4096)
            finally:
                dst.close()
        finally:
            src.close()
    else:
        dsn, env = _libpq(db.engine.url)
        db.dispose()
        done = subprocess.run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
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
    found = chains(db, walk=True)
    return {
        "file": str(source),
        "database": db.dialect,
        "ok": all(not c.problems for c in found),
        "chains": [c.as_dict() for c in found],
    }
