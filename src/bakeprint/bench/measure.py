"""Figures measured on a built dataset: trace, impact scope by breadth, EPCIS
export and capture, and HTTP under concurrent clients. Used by
``bakeprint bench run`` and by ``make bench``.

Each call that a user would make in one request is timed in its own session,
as the server would run it; samples are spread over the dataset's batches and
lots (picked with a fixed seed), never the same few rows again and again.
"""

from __future__ import annotations

import asyncio
import json
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import delete, func, select

from bakeprint.bench.common import peak_rss_mib, percentiles, server
from bakeprint.db import Database, slices
from bakeprint.materials.models import MaterialLot
from bakeprint.packaging.models import Unit
from bakeprint.production.models import Batch, Consumption

Progress = Callable[[str, int, int], None]
CAPTURE_DOCUMENT = 5_000  # events per capture request (the API takes 10,000)


def _noop(_what: str, _done: int, _total: int) -> None:
    pass


def samples(db: Database, tenant_id: uuid.UUID, n: int) -> dict[str, Any]:
    """Batch codes and unit serials spread over the dataset, and its most used
    lot (the widest scope a supplier problem can have)."""
    rng = random.Random(20251203)
    with db.session(write=False) as s:
        codes = list(
            s.scalars(
                select(Batch.code)
                .where(Batch.tenant_id == tenant_id)
                .order_by(Batch.code)
            )
        )
        step = max(1, len(codes) // n)
        picked = codes[::step][:n]
        unit_rows = list(
            s.execute(
                select(Unit.serial)
                .join(
                    Batch,
                    (Batch.tenant_id == Unit.tenant_id) & (Batch.id == Unit.batch_id),
                )
                .where(Unit.tenant_id == tenant_id, Batch.code.in_(picked))
                .where(Unit.number == 1)
            ).scalars()
        )
        uses = (
            select(
                Consumption.lot_id,
                func.count(func.distinct(Consumption.batch_id)).label("n"),
            )
            .where(Consumption.tenant_id == tenant_id)
            .group_by(Consumption.lot_id)
            .subquery()
        )
        widest = s.execute(
            select(MaterialLot.code, uses.c.n)
            .join(uses, uses.c.lot_id == MaterialLot.id)
            .where(MaterialLot.tenant_id == tenant_id)
            .order_by(uses.c.n.desc(), MaterialLot.code)
            .limit(1)
        ).one()
        days = s.execute(
            select(
                func.min(Batch.production_date), func.max(Batch.production_date)
            ).where(Batch.tenant_id == tenant_id)
        ).one()
    rng.shuffle(picked)
    return {
        "batches": picked,
        "serials": unit_rows,
        "widest_lot": widest[0],
        "widest_lot_batches": int(widest[1]),
        "first_day": days[0],
        "last_day": days[1],
    }


def trace_figures(
    db: Database, tenant_id: uuid.UUID, codes: list[str], progress: Progress = _noop
) -> dict[str, Any]:
    """The whole trace report of a batch (what the trace page and API show),
    twice per batch: first with nothing stored for it (its environment is
    computed from the readings, then stored: ``first_read``), then as any
    later reader finds it (the main figures)."""
    from bakeprint.sensors.models import EnvironmentSummary
    from bakeprint.trace import report

    with db.session() as s:  # forget what an earlier run stored
        ids = select(Batch.id).where(
            Batch.tenant_id == tenant_id, Batch.code.in_(codes)
        )
        s.execute(
            delete(EnvironmentSummary).where(
                EnvironmentSummary.tenant_id == tenant_id,
                EnvironmentSummary.batch_id.in_(ids),
            )
        )
    passes = []
    for label in ("trace, first read", "trace"):
        took = []
        for i, code in enumerate(codes):
            t0 = time.perf_counter()
            with db.session(write=False) as s:
                rep = report.build(s, tenant_id, code, generated_by="bench")
            took.append(time.perf_counter() - t0)
            assert rep.batch == code
            progress(label, i + 1, len(codes))
        passes.append(percentiles(took))
    return {**passes[1], "first_read": passes[0]}


def scope_figures(
    db: Database, tenant_id: uuid.UUID, pick: dict[str, Any], repeat: int = 5
) -> list[dict[str, Any]]:
    """Impact scope from narrow to wide: one batch, one lot, a supplier for a
    week, everything made in a week."""
    from bakeprint.trace import scope

    week_from = pick["last_day"] - timedelta(days=13)
    week_to = week_from + timedelta(days=6)
    cases = [
        ("one batch (a complaint)", scope.Criteria(batch=pick["batches"][0])),
        (
            f"one lot, the most used ({pick['widest_lot']})",
            scope.Criteria(lot=pick["widest_lot"]),
        ),
        (
            "supplier B, one week",
            scope.Criteria(supplier="B", start=week_from, end=week_to),
        ),
        ("everything made in one week", scope.Criteria(start=week_from, end=week_to)),
    ]
    out = []
    for label, criteria in cases:
        took = []
        found = 0
        for _ in range(repeat):
            t0 = time.perf_counter()
            with db.session(write=False) as s:
                res = scope.find(s, tenant_id, criteria)
            took.append(time.perf_counter() - t0)
            found = len(res.batches)
        took.sort()
        out.append(
            {
                "scope": label,
                "batches": found,
                "median_ms": round(took[len(took) // 2] * 1000, 1),
                "max_ms": round(took[-1] * 1000, 1),
            }
        )
    return out


def export_figures(db: Database, tenant_id: uuid.UUID, limit: int) -> dict[str, Any]:
    """EPCIS export of the first ``limit`` days' worth of events to a file, then
    capture of that document into a fresh bakery."""
    from bakeprint.identity import service as identity
    from bakeprint.interop import capture, epcis

    with db.session(write=False) as s:
        first = s.scalar(
            select(func.min(Batch.started_at)).where(Batch.tenant_id == tenant_id)
        )
    assert first is not None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "export.jsonld"
        window = timedelta(days=1)
        while True:
            q = epcis.Query(lt_time=first + window)
            t0 = time.perf_counter()
            with db.session(write=False) as s:
                n = epcis.export_file(s, tenant_id, q, out)
            export_s = time.perf_counter() - t0
            if n >= limit or window > timedelta(days=400):
                break
            window *= 2
        doc = json.loads(out.read_text("utf-8"))
        size = out.stat().st_size
    slug = f"capture-{uuid.uuid4().hex[:8]}"
    with db.session() as s:
        tenant = identity.create_tenant(s, slug=slug, name="EPCIS capture benchmark")
        target = tenant.id
    events = doc["epcisBody"]["eventList"]
    captured = 0
    t0 = time.perf_counter()
    for some in slices(events, CAPTURE_DOCUMENT):
        part = {**doc, "epcisBody": {"eventList": some}}
        with db.session() as s:  # one request, one transaction
            captured += capture.capture(s, target, part, actor="bench").received
    capture_s = time.perf_counter() - t0
    with db.session() as s:
        from bakeprint.identity.models import Tenant

        gone = s.get(Tenant, target)
        if gone is not None:
            s.delete(gone)
    return {
        "events": n,
        "export_seconds": round(export_s, 2),
        "export_events_per_s": round(n / export_s),
        "document_mib": round(size / 2**20, 1),
        "capture_seconds": round(capture_s, 2),
        "capture_events_per_s": round(captured / capture_s),
        "captured": captured,
        "capture_document_events": CAPTURE_DOCUMENT,
    }


async def _load(
    base: str,
    paths: list[str],
    *,
    clients: int,
    seconds: float,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    took: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    async def client(k: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as c:
            i = k
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                try:
                    r = await c.get(paths[i % len(paths)])
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                took.append(time.perf_counter() - t0)
                errors += not ok
                i += clients

    t0 = time.perf_counter()
    await asyncio.gather(*(client(k) for k in range(clients)))
    elapsed = time.perf_counter() - t0
    return {
        "clients": clients,
        "requests": len(took),
        "errors": errors,
        "requests_per_s": round(len(took) / elapsed, 1),
        **percentiles(took),
    }


def http_figures(
    db: Database,
    tenant_id: uuid.UUID,
    pick: dict[str, Any],
    *,
    clients: int = 8,
    seconds: float = 10,
    workers: int = 1,
) -> dict[str, Any]:
    """The public scan page and the trace API under ``clients`` concurrent
    clients on loopback, for ``seconds`` each, against ``bakeprint serve``."""
    from bakeprint.identity import service as identity
    from bakeprint.identity.models import User

    with db.session() as s:
        owner = s.scalar(
            select(User).where(User.tenant_id == tenant_id, User.username == "owner")
        )
        assert owner is not None
        token = identity.issue_token(s, owner, name=f"bench-{uuid.uuid4().hex[:6]}")
    scan = [f"/u/{serial}" for serial in pick["serials"]]
    trace = [f"/api/v1/trace?code={code}" for code in pick["batches"]]
    # the per-address limit would answer most of one machine's load with 429:
    # this measures the pages, so the limit is off for this server
    with server(db, workers=workers, env={"BAKEPRINT_PUBLIC_RATE_LIMIT": "0"}) as base:
        httpx.get(base + scan[0], timeout=30)  # warm the process up
        return {
            "workers": workers,
            "scan_page": asyncio.run(
                _load(base, scan, clients=clients, seconds=seconds)
            ),
            "trace_api": asyncio.run(
                _load(
                    base,
                    trace,
                    clients=clients,
                    seconds=seconds,
                    headers={"Authorization": f"Bearer {token}"},
                )
            ),
        }


def tenant_of(built: dict[str, Any]) -> uuid.UUID:
    return uuid.UUID(built["tenant_id"])


def all_figures(
    db: Database,
    built: dict[str, Any],
    *,
    progress: Progress = _noop,
    trace_calls: int = 200,
    export_events: int = 20_000,
    http_seconds: float = 10,
    http_workers: tuple[int, ...] = (1,),
) -> dict[str, Any]:
    """Every figure on one built dataset; HTTP once per worker count (keys
    ``http`` for one worker, ``http_<n>_workers`` for more)."""
    import gc

    tenant_id = tenant_of(built)
    pick = samples(db, tenant_id, trace_calls)
    # as a server worker does once it has started (bakeprint/asgi.py): what
    # is loaded by now stays out of the collector's full passes
    gc.collect()
    gc.freeze()
    figures: dict[str, Any] = {
        "database": db.dialect,
        "dataset": {"size": built["size"], **built["counts"]},
        "trace_report": trace_figures(db, tenant_id, pick["batches"], progress),
        "scope": scope_figures(db, tenant_id, pick),
        "widest_lot_batches": pick["widest_lot_batches"],
        "epcis": export_figures(db, tenant_id, export_events),
    }
    for n in http_workers:
        key = "http" if n == 1 else f"http_{n}_workers"
        figures[key] = http_figures(
            db, tenant_id, pick, seconds=http_seconds, workers=n
        )
    figures["peak_rss_mib"] = peak_rss_mib()
    return figures
