"""What anyone can reach without signing in is rate-limited per client address
(issue 8, item 4): the scan page, its forms and the login form. The count is in
the database, so several worker processes share it (item 6)."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bakeprint.bench import dataset as ds
from bakeprint.bench.common import server
from bakeprint.packaging.models import Unit
from bakeprint.ratelimit import RateCounter, hit
from tests.databases import committed_database
from tests.trace.test_scope import chain  # noqa: F401


def test_the_scan_page_answers_429_past_the_limit_per_address(
    app,  # type: ignore[no-untyped-def]
    session,
    chain,  # noqa: F811
    monkeypatch,
):
    monkeypatch.setattr("bakeprint.config.settings.public_rate_limit", 3)
    unit = session.scalar(select(Unit).where(Unit.batch_id == chain["b"][1].id))
    phone = TestClient(app, client=("10.0.0.7", 5000))
    assert [phone.get(f"/u/{unit.serial}").status_code for _ in range(3)] == [200] * 3
    over = phone.get(f"/u/{unit.serial}", headers={"Accept-Language": "en"})
    assert over.status_code == 429
    assert 1 <= int(over.headers["Retry-After"]) <= 61
    assert "too many requests" in over.text
    json_over = phone.get(
        f"/u/{unit.serial}?format=json", headers={"Accept": "application/json"}
    )
    assert json_over.status_code == 429
    assert json_over.json()["error"]["code"] == "rate_limited"
    # the report form counts too; another visitor is not held back
    assert phone.post(f"/u/{unit.serial}/report", data={}).status_code == 429
    other = TestClient(app, client=("10.0.0.8", 5000))
    assert other.get(f"/u/{unit.serial}").status_code == 200
    # the limit is off at 0
    monkeypatch.setattr("bakeprint.config.settings.public_rate_limit", 0)
    assert phone.get(f"/u/{unit.serial}").status_code == 200


def test_login_attempts_are_limited(app, bakery, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("bakeprint.config.settings.public_rate_limit", 2)
    c = TestClient(app, client=("10.0.0.9", 5000))
    form = {"bakery": bakery.tenant.slug, "username": "owner", "password": "wrong"}
    codes = [c.post("/login", data=form).status_code for _ in range(3)]
    assert codes[:2] != [429, 429] and codes[2] == 429


def test_old_windows_are_forgotten(session):  # type: ignore[no-untyped-def]
    assert hit(session, "public:1.2.3.4", 100) == 1
    assert hit(session, "public:1.2.3.4", 100) == 2
    assert hit(session, "public:5.6.7.8", 101) == 1
    assert hit(session, "public:1.2.3.4", 102) == 1  # opens 102: 100 goes
    windows = sorted(session.scalars(select(RateCounter.window)))
    assert windows == [101, 102]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_two_worker_processes_share_one_count(kind: str, tmp_path: Path) -> None:
    """`bakeprint serve --workers 2`: each request may land on either process;
    the limit holds for the sum, and every scan is counted once."""
    with (
        committed_database(kind, tmp_path) as db,
        server(db, workers=2, env={"BAKEPRINT_PUBLIC_RATE_LIMIT": "20"}) as base,
    ):
        size = ds.Size("W", shops=2, days=1, hall_sensors=0)
        tenant = ds.build(db, size)["tenant_id"]
        with db.session(write=False) as s:
            serial = s.scalars(
                select(Unit.serial).where(Unit.tenant_id == uuid.UUID(tenant))
            ).first()
        pids = set()
        codes = []
        for _ in range(30):
            # a new connection each time, so both processes take requests
            with httpx.Client(base_url=base) as c:
                r = c.get(f"/u/{serial}?format=json")
                codes.append(r.status_code)
                pids.add(c.get("/api/v1/health").json().get("pid"))
        window_rolled = codes.count(200) > 20
        if not window_rolled:
            assert codes.count(200) == 20 and codes.count(429) == 10
        with db.session(write=False) as s:
            unit = s.scalar(select(Unit).where(Unit.serial == serial))
            assert unit is not None
            assert unit.scan_count == codes.count(200)
        assert len(pids) == 2, pids
