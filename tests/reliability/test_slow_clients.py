"""Slow clients against a real server (issue #17, items 1 and 2).

A ``bakeprint serve`` process on a database of its own, two bakeries. A
signed-in account of bakery A (its supplier's API token, its shop clerk's web
login) sends headers promising 100 kB and then trickles the body: bakery B's
owner must still be able to write at once. Six consumers reporting problems on
the public scan page at the same time must not stall the server: the health
check answers throughout and every report is filed.

A client that times out after a few seconds is the failure mode: before the
fix the trickled body held SQLite's write lock (every other write waited 30 s
for ``database is locked``), and the reports ran their database work on the
event loop, which froze the whole server.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest

from bakeprint.bench import common
from bakeprint.bench import slowclients as sc
from tests.databases import committed_database

CLIENT_TIMEOUT = 5  # seconds: far above a write's few ms, far below 30 s


class Served(NamedTuple):
    base: str
    bakeries: sc.Bakeries
    log: Path  # the server's stderr


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    where = tmp_path_factory.mktemp("slow")
    with committed_database(request.param, where) as db:
        bakeries = sc.two_bakeries(db)
        env = {"BAKEPRINT_FILES_DIR": str(where / "files")}
        log = where / "server.log"
        with common.server(db, env=env, log=log) as base:
            yield Served(base, bakeries, log)


def _bakery_b_writes(base: str, bakeries: sc.Bakeries, code: str) -> int:
    r = httpx.post(
        f"{base}/api/v1/catalog/product-lines",
        json={"code": code, "name_zh": "慢客户测试", "name_en": "Slow client"},
        headers={"Authorization": f"Bearer {bakeries.owner_token_b}"},
        timeout=CLIENT_TIMEOUT,
    )
    return r.status_code


def test_a_trickled_capture_does_not_hold_up_another_bakerys_writes(
    served: Served,
) -> None:
    base, bakeries, _ = served
    slow = sc.SlowBody(
        base,
        "/api/v1/epcis/capture",
        {
            "Authorization": f"Bearer {bakeries.supplier_token_a}",
            "Content-Type": "application/json",
        },
    ).start()
    try:
        slow.wait_sent(5)
        assert _bakery_b_writes(base, bakeries, "QA") == 201
        assert _bakery_b_writes(base, bakeries, "QB") == 201
        # the slow request is still open: the writes went through beside it
        assert not slow.answered()
    finally:
        slow.close()


def test_a_trickled_shop_sale_form_does_not_hold_up_another_bakerys_writes(
    served: Served,
) -> None:
    base, bakeries, _ = served
    clerk = sc.web_login(base, bakeries.slug_a, sc.CLERK)
    slow = sc.SlowBody(
        base,
        f"/shops/{sc.SHOP}/sell",
        {
            "Cookie": sc.cookie_header(clerk),
            "Content-Type": "application/x-www-form-urlencoded",
        },
        first=b"csrf=x&unit=&batch=&quant",
    ).start()
    try:
        slow.wait_sent(5)
        assert _bakery_b_writes(base, bakeries, "QC") == 201
        assert not slow.answered()
    finally:
        slow.close()
        clerk.close()


def test_health_answers_while_six_consumers_report_problems_at_once(
    served: Served,
) -> None:
    base, bakeries, _ = served
    serials = bakeries.serials_a[:18]
    answers: list[Any] = []
    health: list[Any] = []
    done = threading.Event()

    def consumer(mine: list[str]) -> None:
        with httpx.Client(base_url=base, timeout=CLIENT_TIMEOUT) as c:
            for serial in mine:
                try:
                    answers.append(sc.report(c, serial))
                except httpx.HTTPError as exc:
                    answers.append(type(exc).__name__)

    def prober() -> None:
        with httpx.Client(base_url=base, timeout=CLIENT_TIMEOUT) as c:
            while not done.is_set():
                try:
                    health.append(c.get("/api/v1/health").status_code)
                except httpx.HTTPError as exc:
                    health.append(type(exc).__name__)

    probe = threading.Thread(target=prober)
    probe.start()
    phones = [
        threading.Thread(target=consumer, args=(serials[k::6],)) for k in range(6)
    ]
    for th in phones:
        th.start()
    for th in phones:
        th.join()
    done.set()
    probe.join()
    assert answers == [201] * len(serials)
    assert health and set(health) == {200}


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/v1/sensors/readings", "application/json"),
        ("/api/v1/sensors/readings", "application/x-ndjson"),
        ("/api/v1/epcis/capture", "application/ld+json"),
        ("/api/v1/epcis/capture", "text/plain"),
    ],
)
def test_json_nested_5000_deep_is_a_400_not_a_crash(
    served: Served, path: str, content_type: str
) -> None:
    base, bakeries, log = served
    r = httpx.post(
        f"{base}{path}",
        content=b"[" * 5000 + b"]" * 5000,
        headers={
            "Authorization": f"Bearer {bakeries.owner_token_b}",
            "Content-Type": content_type,
            "Accept-Language": "en",
        },
        timeout=CLIENT_TIMEOUT,
    )
    assert r.status_code == 400
    assert "nests deeper than 64 levels" in r.json()["error"]["message"]
    said = log.read_text(errors="replace")
    assert "RecursionError" not in said and "Traceback" not in said
