"""``make soak-slow``: slow and busy clients against a real server (issue #17).

A ``bakeprint serve`` process on its own SQLite database (``--db postgresql``
for PostgreSQL), two bakeries. Two phases, timed:

1. 120 consumers report a problem on the public scan page, 6 at a time from
   one address (within its rate limit), while a prober asks
   ``/api/v1/health`` every 0.2 s. Before the fix: 653 s, 30 answers
   ``503 database is locked``, client timeouts, a health check taking 90 s.
2. 20 signed-in clients of bakery A (its supplier's API token, its shop
   clerk's web login) each promise a 100 kB body and trickle it a byte a
   second, while bakery B's owner makes 100 writes through the API. Before
   the fix every one of B's writes waited 30 s and failed ``database is
   locked``. Each slow client must end with 408 once the body timeout passed.

Exit 0 when every report was filed, every health check and every write of
bakery B answered (no 503, no client timeout) and every slow client got 408;
prints the figures. ``--against /work/main/src`` serves another source tree
(to measure before and after).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bakeprint.bench import common
from bakeprint.bench import slowclients as sc

TIMEOUT = 60  # seconds a client waits for an answer
BODY_TIMEOUT = 10  # the server's body timeout for this run (default 30 s)


def _status(call: Any) -> int | str:
    """The answer's status, or the client's error (a timeout) by name."""
    try:
        answer = call()
    except httpx.HTTPError as exc:
        return type(exc).__name__
    return answer if isinstance(answer, int) else int(answer.status_code)


def _prober(base: str, stop: threading.Event, out: list[tuple[Any, float]]) -> None:
    with httpx.Client(base_url=base, timeout=TIMEOUT) as c:
        while not stop.is_set():
            t0 = time.perf_counter()
            status = _status(lambda: c.get("/api/v1/health"))
            out.append((status, time.perf_counter() - t0))
            stop.wait(0.2)


def reports(base: str, serials: list[str]) -> dict[str, Any]:
    health: list[tuple[Any, float]] = []
    stop = threading.Event()
    probe = threading.Thread(target=_prober, args=(base, stop, health))
    probe.start()
    local = threading.local()

    def one(serial: str) -> tuple[Any, float]:
        if not hasattr(local, "c"):
            local.c = httpx.Client(base_url=base, timeout=TIMEOUT)
        t0 = time.perf_counter()
        status = _status(lambda: sc.report(local.c, serial))
        return status, time.perf_counter() - t0

    t0 = time.perf_counter()
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(one, serials))
    wall = time.perf_counter() - t0
    stop.set()
    probe.join()
    return {
        "reports": len(serials),
        "wall_s": round(wall, 1),
        "answers": dict(Counter(str(s) for s, _ in answers)),
        "report_latency": common.percentiles([d for _, d in answers]),
        "health_answers": dict(Counter(str(s) for s, _ in health)),
        "health_latency": common.percentiles([d for _, d in health]),
    }


def slow_bodies(
    base: str, b: sc.Bakeries, holders: int = 20, count: int = 100
) -> dict[str, Any]:
    clerk = sc.web_login(base, b.slug_a, sc.CLERK)
    slow = []
    for k in range(holders):
        if k % 2:
            path, headers = (
                f"/shops/{sc.SHOP}/sell",
                {
                    "Cookie": sc.cookie_header(clerk),
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            first = b"csrf=x&unit=&batch=&quant"
        else:
            path = "/api/v1/epcis/capture"
            headers = {
                "Authorization": f"Bearer {b.supplier_token_a}",
                "Content-Type": "application/json",
            }
            first = b'{"type": "EPCISDocument",'
        slow.append(sc.SlowBody(base, path, headers, first=first, pace=1.0).start())
    writes: list[tuple[Any, float]] = []
    auth = {"Authorization": f"Bearer {b.owner_token_b}"}
    with httpx.Client(base_url=base, timeout=TIMEOUT, headers=auth) as c:
        for i in range(count):
            t0 = time.perf_counter()
            code = f"{chr(65 + i // 26)}{chr(65 + i % 26)}"  # AA, AB, …
            status = _status(
                lambda code=code: c.post(
                    "/api/v1/catalog/product-lines",
                    json={"code": code, "name_zh": "慢客户", "name_en": "Soak"},
                )
            )
            writes.append((status, time.perf_counter() - t0))
    still_open = sum(not s.answered() for s in slow)
    ends = Counter(str(s.status(BODY_TIMEOUT + 15)) for s in slow)
    for s in slow:
        s.close()
    clerk.close()
    return {
        "slow_clients": holders,
        "slow_open_while_b_wrote": still_open,
        "slow_clients_ended_with": dict(ends),
        "b_writes": dict(Counter(str(s) for s, _ in writes)),
        "b_write_latency": common.percentiles([d for _, d in writes]),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--against", help="serve this source tree (PYTHONPATH)")
    ap.add_argument("--reports", type=int, default=120)
    ap.add_argument("--writes", type=int, default=100, help="bakery B's writes")
    ap.add_argument("--holders", type=int, default=20, help="slow clients")
    args = ap.parse_args()
    workdir = Path("/tmp/bakeprint-soak-slow")
    workdir.mkdir(exist_ok=True)
    db = common.fresh_database(args.db, "soak_slow", workdir)
    b = sc.two_bakeries(db, per_batch=(args.reports + 7) // 8)
    env = {
        "BAKEPRINT_FILES_DIR": str(workdir / "files"),
        "BAKEPRINT_BODY_TIMEOUT_S": str(BODY_TIMEOUT),
    }
    if args.against:
        env["PYTHONPATH"] = args.against
    log = workdir / "server.log"
    with common.server(db, env=env, log=log) as base:
        first = reports(base, b.serials_a[: args.reports])
        second = slow_bodies(base, b, args.holders, args.writes)
    db.dispose()
    said = log.read_text(errors="replace")
    report = {
        "database": args.db,
        "served": args.against or "this tree",
        "public_reports": first,
        "slow_bodies": second,
        "tracebacks_logged": said.count("Traceback"),
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    good = (
        first["answers"] == {"201": args.reports}
        and set(first["health_answers"]) == {"200"}
        and second["b_writes"] == {"201": args.writes}
        and second["slow_clients_ended_with"] == {"408": second["slow_clients"]}
        and report["tracebacks_logged"] == 0
    )
    print("soak-slow: OK" if good else "soak-slow: FAILED")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
