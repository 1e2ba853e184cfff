"""Gateways uploading the same sensor's readings at once (issue 8, item 3):
two uploads opening the same new hour block must queue, not fail — found by
`make soak` as a 500 (duplicate key on the block) on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bakeprint.bench import sensors as sb
from bakeprint.db import Database
from bakeprint.sensors import service as sensors
from bakeprint.sensors.service import RawReading
from tests.databases import committed_database

GATEWAYS = 6


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with committed_database(request.param, tmp_path) as db:
        yield db


def test_uploads_opening_the_same_hour_at_once_all_store(fresh: Database) -> None:
    b = sb.setup_bakery(fresh, 2, slug="gateways")
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(
        hours=5
    )
    # each gateway: its own readings (every GATEWAYS-th 10 s slot) of both
    # sensors, in the same few new hours
    plans = [
        [
            RawReading(code, (hour + timedelta(seconds=10 * k)).isoformat(), 50 + k % 7)
            for k in range(g, 3 * 360, GATEWAYS)
            for code in b["codes"]
        ]
        for g in range(GATEWAYS)
    ]
    barrier = threading.Barrier(GATEWAYS)
    failed: list[BaseException] = []

    def gateway(raws: list[RawReading]) -> None:
        barrier.wait()
        try:
            with fresh.session() as s:
                r = sensors.ingest(s, b["tenant_id"], raws, source="test")
                assert r.accepted == len(raws)
        except BaseException as exc:  # pragma: no cover - reported below
            failed.append(exc)

    threads = [threading.Thread(target=gateway, args=(p,)) for p in plans]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert failed == [], [repr(x)[:200] for x in failed]
    assert sb.stored(fresh, b["tenant_id"]) == sum(len(p) for p in plans)
