"""What every benchmark needs: a fresh database, a server, the machine, timing."""

from __future__ import annotations

import os
import platform
import resource
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bakeprint.db import Database, make_engine
from bakeprint.migrate import upgrade

PG_ADMIN = os.environ.get(
    "BAKEPRINT_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test"
)


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gib = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    pg = ""
    try:
        eng = make_engine(PG_ADMIN)
        with eng.connect() as c:
            pg = str(c.execute(text("show server_version")).scalar())
        eng.dispose()
    except Exception:
        pg = "unreachable"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_gib, 1),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg,
        "os": platform.platform(),
    }


def _pg_database(name: str, *, keep: bool) -> str:
    """The URL of PostgreSQL database ``name``: made empty (dropped first), or
    kept as it is and created only when missing."""
    admin = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        if not keep:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        found = c.execute(
            text("select 1 from pg_database where datname = :n"), {"n": name}
        ).first()
        if found is None:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


def _migrated(url: str) -> Database:
    db = Database(url)
    upgrade(db.engine)
    return db


def fresh_database(kind: str, name: str, workdir: Path) -> Database:
    """An empty, migrated database: a SQLite file in ``workdir`` or a PG database."""
    if kind != "sqlite":
        return _migrated(_pg_database(f"bakeprint_bench_{name}", keep=False))
    path = workdir / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return _migrated(f"sqlite:///{path}")


def kept_database(kind: str, name: str) -> Database:
    """A database kept between runs (created and migrated when missing): a
    SQLite file under ``BAKEPRINT_BENCH_DIR`` (default ``bench/out``) or a
    PostgreSQL database of that name."""
    if kind != "sqlite":
        return _migrated(_pg_database(name, keep=True))
    where = Path(os.environ.get("BAKEPRINT_BENCH_DIR", "bench/out"))
    where.mkdir(parents=True, exist_ok=True)
    return _migrated(f"sqlite:///{where.resolve() / (name + '.db')}")


def database_bytes(db: Database) -> int:
    if db.dialect == "sqlite":
        path = Path(db.engine.url.database or "")
        return sum(
            Path(str(path) + s).stat().st_size
            for s in ("", "-wal")
            if Path(str(path) + s).exists()
        )
    with db.engine.connect() as c:
        return int(
            c.execute(text("select pg_database_size(current_database())")).scalar() or 0
        )


def url_of(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    db: Database,
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
    log: Path | None = None,
) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``bakeprint serve`` on a free port against ``db`` (``env``: extra
    settings; ``log``: where its stderr goes) and wait until it answers;
    returns the process and the base URL. The caller stops it."""
    port = free_port()
    env = {**os.environ, **(env or {}), "BAKEPRINT_DATABASE_URL": url_of(db)}
    command = [sys.executable, "-m", "bakeprint", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    if log is None:
        proc = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
    else:
        with log.open("wb") as to:  # the child keeps its own copy of the file
            proc = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=to
            )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            said = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"the server did not start: {said[-2000:]}")
        time.sleep(0.2)


@contextmanager
def server(
    db: Database,
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
    log: Path | None = None,
) -> Iterator[str]:
    """``bakeprint serve`` for the length of a ``with``; yields the base URL."""
    proc, base = start_server(db, workers=workers, env=env, log=log)
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50/p99/max in milliseconds from samples in seconds."""
    ms = sorted(x * 1000 for x in samples)
    q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return {
        "p50_ms": round(q[49], 2),
        "p99_ms": round(q[98], 2),
        "max_ms": round(ms[-1], 2),
        "n": len(ms),
    }


def peak_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
