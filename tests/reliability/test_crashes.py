"""Crashes and a failing database (issue 8, item 3), on SQLite and PostgreSQL:

- the server killed with SIGKILL in the middle of a sensor upload: what it
  acknowledged is there after the restart, and sending the rest again stores
  every reading once;
- the notice dispatcher killed in the middle of a recall: after the restart
  every shop is notified, and a shop that deduplicates on the delivery id sees
  each notice as new exactly once;
- the database dropping every connection under load (what a PostgreSQL restart
  looks like from the app): requests in flight fail with 503, the next ones
  succeed without restarting anything;
- a read-only or full database: a 503 that says so, nothing half-written,
  and the health check says it is not ready.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select, text

from bakeprint import migrate
from bakeprint.bench import dataset as ds
from bakeprint.bench import sensors as sb
from bakeprint.bench.common import start_server
from bakeprint.catalog.models import PointOfSale
from bakeprint.db import Database
from bakeprint.demo.loader import actor
from bakeprint.identity import service as identity
from bakeprint.outbox.models import OutboxMessage
from bakeprint.recall import service as recalls
from bakeprint.recall import webhooks
from bakeprint.trace import scope
from tests.conftest import PG_ADMIN_URL, _pg_database, _pg_drop
from tests.databases import committed_database

TINY = ds.Size("R", shops=5, days=2, hall_sensors=1)


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with committed_database(request.param, tmp_path) as db:
        yield db


def test_a_killed_server_loses_nothing_it_acknowledged(fresh: Database) -> None:
    b = sb.setup_bakery(fresh, 4, slug="crash-ingest")
    start = datetime.now(UTC) - timedelta(days=2)
    start_ms = sb.sensors.ms(start) - sb.sensors.ms(start) % 3_600_000
    lines = sb._lines(b["codes"], start_ms, 3_000)  # 12,000 readings
    chunks = [lines[i : i + 1_000] for i in range(0, len(lines), 1_000)]
    headers = {
        "Authorization": f"Bearer {b['token']}",
        "Content-Type": "application/x-ndjson",
    }
    proc, base = start_server(fresh)
    acked: list[int] = []
    try:
        with httpx.Client(base_url=base, timeout=30) as c:
            for i, chunk in enumerate(chunks[:6]):
                if i == 5:  # this upload is in flight when the server dies
                    threading.Timer(0.005, proc.send_signal, [signal.SIGKILL]).start()
                try:
                    r = c.post(
                        "/api/v1/sensors/readings",
                        content="\n".join(chunk) + "\n",
                        headers=headers,
                    )
                except httpx.HTTPError:
                    break
                if r.status_code == 200:
                    acked.append(i)
    finally:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:  # never left running
            proc.kill()
            proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert len(acked) >= 5
    # after the restart every acknowledged reading is there
    assert sb.stored(fresh, b["tenant_id"]) >= 1_000 * len(acked)
    proc, base = start_server(fresh)
    try:
        with httpx.Client(base_url=base, timeout=30) as c:
            # the client sends again everything not acknowledged
            for i, chunk in enumerate(chunks):
                if i in acked:
                    continue
                r = c.post(
                    "/api/v1/sensors/readings",
                    content="\n".join(chunk) + "\n",
                    headers=headers,
                )
                assert r.status_code == 200, r.text
    finally:
        proc.terminate()
        proc.wait(30)
    assert sb.stored(fresh, b["tenant_id"]) == len(lines)


class _Shop(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    lock = threading.Lock()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(0.4)  # a slow till: the dispatcher is killed meanwhile
        with self.lock:
            self.received.append(
                {
                    "delivery": self.headers["X-Bakeprint-Delivery"],
                    "path": self.path,
                    "body": json.loads(body),
                }
            )
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_a_killed_dispatcher_notifies_every_shop_once(
    fresh: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the shops' receiver runs on this machine: the operator allows it
    monkeypatch.setenv("BAKEPRINT_WEBHOOK_ALLOW", "127.0.0.1")
    monkeypatch.setattr("bakeprint.config.settings.webhook_allow", "127.0.0.1")
    ds.build(fresh, TINY)
    _Shop.received = []
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Shop)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{receiver.server_address[1]}"
    with fresh.session() as s:
        tenant = identity.tenant_by_slug(s, TINY.slug)
        assert tenant is not None
        for pos in s.scalars(
            select(PointOfSale).where(PointOfSale.tenant_id == tenant.id)
        ):
            pos.webhook_url = f"{hook}/{pos.code}"
            pos.webhook_secret = "s3cret"
        lot = s.execute(
            text("select code from material_lots order by code limit 1")
        ).scalar()
        recalls.open_recall(
            s,
            scope.Criteria(lot=lot),
            reason="樱花蜜饯供应商通报异物 / supplier reports foreign matter",
            actor=actor(s, tenant.id, "owner"),
        )
    with fresh.session(write=False) as s:
        notices = {
            str(m.id): m.recipient
            for m in s.scalars(
                select(OutboxMessage).where(OutboxMessage.topic == "recall.notice")
            )
        }
    assert len(notices) >= 3
    env = {
        **os.environ,
        "BAKEPRINT_DATABASE_URL": fresh.engine.url.render_as_string(
            hide_password=False
        ),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bakeprint", "outbox", "dispatch", "--interval", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while len(_Shop.received) < 1:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    assert len(_Shop.received) < len(notices)  # killed half-way
    # the dispatcher starts again; a lease outlives a dead dispatcher by a minute
    later = datetime.now(UTC) + webhooks.LEASE + timedelta(seconds=1)
    for _ in range(5):
        webhooks.dispatch_once(fresh, now=later)
    time.sleep(0.5)
    receiver.shutdown()
    seen: dict[str, list[dict[str, Any]]] = {}
    for r in _Shop.received:
        seen.setdefault(r["delivery"], []).append(r)
    assert set(seen) == set(notices)  # every shop, by its notice's id
    for delivery, copies in seen.items():
        # a repeat (the one in flight at the kill) carries the same id and body
        assert len({json.dumps(c["body"], sort_keys=True) for c in copies}) == 1
        assert copies[0]["path"] == "/" + notices[delivery].removeprefix("pos:")
    assert sum(len(c) for c in seen.values()) <= len(notices) + 1
    with fresh.session(write=False) as s:
        left = s.scalars(
            select(OutboxMessage).where(
                OutboxMessage.topic == "recall.notice",
                OutboxMessage.delivered_at.is_(None),
            )
        ).all()
    assert left == []


def test_connections_dropped_under_load_then_the_service_recovers(
    tmp_path: Path,
) -> None:
    """What a PostgreSQL restart looks like from the app: every connection is
    cut. Requests in flight get 503; the next ones work, nothing restarted."""
    name = f"bp_drop_{uuid.uuid4().hex[:10]}"
    db = Database(_pg_database(name))
    migrate.upgrade(db.engine)
    proc = None
    try:
        ds.build(db, ds.Size("D", shops=2, days=1, hall_sensors=0))
        log = tmp_path / "server.log"
        proc, base = start_server(db, log=log)
        codes: list[int] = []
        stop = threading.Event()

        def load() -> None:
            with httpx.Client(base_url=base, timeout=30) as c:
                while not stop.is_set():
                    try:
                        codes.append(c.get("/api/v1/health").status_code)
                    except httpx.HTTPError:
                        codes.append(0)  # the server hung up: must not happen

        threads = [threading.Thread(target=load) for _ in range(4)]
        try:
            for th in threads:
                th.start()
            time.sleep(1)
            from sqlalchemy import create_engine

            admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                cut = c.execute(
                    text(
                        "select count(pg_terminate_backend(pid)) from pg_stat_activity "
                        "where datname = :n"
                    ),
                    {"n": name},
                ).scalar()
            admin.dispose()
            assert cut and cut >= 1
            before = len(codes)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and codes[-20:] != [200] * 20:
                time.sleep(0.1)
            time.sleep(0.5)
        finally:
            stop.set()
            for th in threads:
                th.join()
        after = codes[before:]
        errors = [
            line
            for line in log.read_text(errors="replace").splitlines()
            if "Error" in line or "error" in line
        ]
        summary = {c: codes.count(c) for c in set(codes)}, errors[-6:]
        assert set(codes) <= {200, 503}, summary  # never a 500 or a hang-up
        assert after[-20:] == [200] * 20, summary  # back by itself
        assert proc.poll() is None
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(30)
        db.dispose()
        _pg_drop(name)


def _intake(client: TestClient, token: str) -> httpx.Response:
    return client.post(
        "/api/v1/lots",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "material": "FLOUR",
            "supplier": "A",
            "supplier_lot": f"LOT-{uuid.uuid4().hex[:6]}",
            "quantity": 25,
            "unit": "kg",
            "expires_on": "2031-01-01",
            "qc_result": "pass",
            "quality_score": 90,
        },
    )


def _token(db: Database, slug: str) -> str:
    from bakeprint.identity.models import User

    with db.session() as s:
        tenant = identity.tenant_by_slug(s, slug)
        assert tenant is not None
        owner = s.scalar(
            select(User).where(User.tenant_id == tenant.id, User.username == "owner")
        )
        assert owner is not None
        return identity.issue_token(s, owner, name=f"t-{uuid.uuid4().hex[:6]}")


def _admin(sql: str) -> None:
    from sqlalchemy import create_engine

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(sql))
    admin.dispose()


def _lots(db: Database) -> int:
    with db.session(write=False) as s:
        return int(s.execute(text("select count(*) from material_lots")).scalar() or 0)


def test_a_read_only_database_says_so_and_changes_nothing(fresh: Database) -> None:
    from bakeprint.app import create_app

    size = ds.Size("O", shops=2, days=1, hall_sensors=0)
    ds.build(fresh, size)
    token = _token(fresh, size.slug)
    before = _lots(fresh)
    assert _intake(TestClient(create_app(fresh)), token).status_code == 201
    if fresh.dialect == "sqlite":
        ro = Database(f"sqlite:///file:{fresh.engine.url.database}?mode=ro&uri=true")
    else:
        name = fresh.engine.url.database
        _admin(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        fresh.dispose()
        ro = fresh
    client = TestClient(create_app(ro), raise_server_exceptions=False)
    r = _intake(client, token)
    assert r.status_code == 503, r.text
    assert r.headers["Retry-After"]
    assert "read-only" in r.json()["error"]["message_en"]
    # ready means taking writes too (issue 17, item 11): a load balancer must
    # not send scans and sales here; the answer says why, and nothing more
    health = client.get("/api/v1/health")
    assert health.status_code == 503, health.text
    assert health.json() == {
        "status": "unavailable",
        "database": "read-only",
        "reason": "the database is read-only",
    }
    assert health.headers["Retry-After"]
    if fresh.dialect == "postgresql":
        name = fresh.engine.url.database
        _admin(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
        fresh.dispose()
    assert _lots(fresh) == before + 1


def test_a_full_disk_says_so_and_changes_nothing(tmp_path: Path) -> None:
    from bakeprint.app import create_app

    db = Database(f"sqlite:///{tmp_path / 'full.db'}")
    migrate.upgrade(db.engine)
    size = ds.Size("F", shops=2, days=1, hall_sensors=0)
    ds.build(db, size)
    token = _token(db, size.slug)
    before = _lots(db)
    full = Database(f"sqlite:///{tmp_path / 'full.db'}")

    @event.listens_for(full.engine, "connect")
    def _no_more_pages(conn: Any, _record: Any) -> None:
        cur = conn.cursor()
        cur.execute("PRAGMA page_count")
        cur.execute(f"PRAGMA max_page_count = {cur.fetchone()[0]}")
        cur.close()

    client = TestClient(create_app(full), raise_server_exceptions=False)
    bodies = []
    for _ in range(40):  # until a page is needed
        r = _intake(client, token)
        bodies.append(r)
        if r.status_code != 201:
            break
    assert bodies[-1].status_code == 503, bodies[-1].text
    assert "full" in bodies[-1].json()["error"]["message_en"]
    full.dispose()
    assert _lots(db) == before + len(bodies) - 1
    with db.session(write=False) as s:
        n = s.execute(
            text("select count(*) from events where kind = 'intake'")
        ).scalar()
        assert n == _lots(db)  # every lot has its event, no event without a lot
    db.dispose()
