"""CLI: `bakeprint sensors …` — register, ranges, upload, listen, dead letters,
alerts — and `bakeprint batch env`."""

from __future__ import annotations

import logging
import signal
import threading
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from bakeprint.alerts import environment as alerts
from bakeprint.cli_support import (
    JsonOpt,
    TenantOpt,
    UserOpt,
    cli_actor,
    console,
    emit,
    handle_errors,
    lang,
    print_rows,
    progress_bars,
)
from bakeprint.db import get_database, session_scope
from bakeprint.errors import Invalid
from bakeprint.sensors import environment, parsing, views
from bakeprint.sensors import repository as sensor_repo
from bakeprint.sensors import service as sensors

app = typer.Typer(no_args_is_help=True, help="Environment sensors and alerts.")


@app.command("add")
@handle_errors
def add(
    code: str,
    kind: str = typer.Option(..., help="temperature or humidity"),
    location: str | None = None,
    vehicle: str | None = None,
    pos: str | None = typer.Option(None, "--pos", help="Point of sale code."),
    name: str = "",
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a sensor at a location, a vehicle or a point of sale."""
    places = [
        (k, v)
        for k, v in (
            ("location", location),
            ("vehicle", vehicle),
            ("point_of_sale", pos),
        )
        if v
    ]
    if len(places) != 1:
        raise Invalid(
            "请指定且只指定一个位置：--location、--vehicle 或 --pos",
            "give exactly one of --location, --vehicle or --pos",
        )
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        sensor = sensors.register(
            s,
            code=code,
            kind=kind,
            place_kind=places[0][0],
            place=places[0][1],
            name=name,
            actor=actor,
        )
        emit(views.sensor(s, sensor), as_json)


@app.command("list")
@handle_errors
def list_(
    tenant: TenantOpt = None, user: UserOpt = None, as_json: JsonOpt = False
) -> None:
    """Every sensor and where it is."""
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        rows = [
            views.sensor(s, x).model_dump()
            for x in sensor_repo.sensors(s, actor.tenant_id)
        ]
    emit(rows, as_json)


@app.command("range")
@handle_errors
def set_range(
    kind: str = typer.Option(..., help="temperature or humidity"),
    location: str | None = None,
    vehicle: str | None = None,
    pos: str | None = typer.Option(None, "--pos"),
    category: str | None = typer.Option(None, help="A product category, e.g. 酥皮类."),
    low: float | None = None,
    high: float | None = None,
    valid_from: datetime | None = typer.Option(None, "--from"),
    reason: str = "",
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set the allowed range (the previous one is kept in the history)."""
    places = [
        (k, v)
        for k, v in (
            ("location", location),
            ("vehicle", vehicle),
            ("point_of_sale", pos),
            ("category", category),
        )
        if v
    ]
    if len(places) != 1:
        raise Invalid(
            "请指定且只指定一个：--location、--vehicle、--pos 或 --category",
            "give exactly one of --location, --vehicle, --pos or --category",
        )
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        r = sensors.set_range(
            s,
            kind=kind,
            place_kind=places[0][0],
            place=places[0][1],
            low=low,
            high=high,
            valid_from=valid_from,
            reason=reason,
            actor=actor,
        )
        emit(views.range_(s, r), as_json)


@app.command("ranges")
@handle_errors
def ranges(
    tenant: TenantOpt = None, user: UserOpt = None, as_json: JsonOpt = False
) -> None:
    """Every allowed range ever set, and when it applied."""
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        rows = [
            views.range_(s, r).model_dump()
            for r in sensors.range_history(s, actor.tenant_id)
        ]
    emit(
        rows,
        as_json,
        lambda d: print_rows(
            d, ["kind", "place_kind", "place", "low", "high", "valid_from", "valid_to"]
        ),
    )


@app.command("upload")
@handle_errors
def upload(
    file: Path,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Load readings from a file a gateway saved (.jsonl / .ndjson / .csv / .json)."""
    kinds = {
        ".jsonl": "application/x-ndjson",
        ".ndjson": "application/x-ndjson",
        ".csv": "text/csv",
        ".json": "application/json",
    }
    if file.suffix.lower() not in kinds:
        raise Invalid(
            f"不认识的文件类型 {file.suffix}：请用 .jsonl、.csv 或 .json",
            f"unknown file type {file.suffix}: use .jsonl, .csv or .json",
        )
    readings = parsing.parse_body(kinds[file.suffix.lower()], file.read_bytes())
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        result = sensors.ingest(s, actor.tenant_id, readings, source="file")
    emit(result.as_dict(), as_json, _upload_summary)


def _upload_summary(r: dict[str, Any]) -> None:
    groups = r["dead_letter_groups"]
    console.print(
        f"stored {r['accepted']:,}, duplicates {r['duplicates']:,}, "
        f"dead letters: {r['rejected']:,} (stored as {groups:,} "
        f"group{'' if groups == 1 else 's'})",
        highlight=False,
    )
    for x in r["reasons"]:
        console.print(
            f"  {x['count']:,} × {x['sensor']}: {x['reason']} (e.g. {x['example']})",
            highlight=False,
            markup=False,
        )


@app.command("listen")
@handle_errors
def listen(
    host: str = "127.0.0.1",
    port: int = 1883,
    tenant: list[str] = typer.Option(
        [], "--tenant", help="Only these bakeries (default: every bakery)."
    ),
    client_id: str = "bakeprint-listener",
) -> None:
    """Subscribe to bakeprint/<bakery>/sensors/<sensor> and store every reading."""
    from bakeprint.sensors.mqtt import Listener

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    listener = Listener(
        get_database(),
        host=host,
        port=port,
        tenants=tenant or None,
        client_id=client_id,
    )
    console.print(f"listening on mqtt://{host}:{port} {listener.topics} (Ctrl-C stops)")
    listener.run(stop)
    st = listener.stats
    console.print(
        f"stored {st.stored}, duplicates {st.duplicates}, rejected {st.rejected}, "
        f"dropped {st.dropped}"
    )


@app.command("dead-letters")
@handle_errors
def dead(
    limit: int = 50,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Readings that could not be stored, one row per sensor and reason (how
    many, first and last seen), the most recently added to first."""
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        rows = [
            views.dead_letter(d).model_dump()
            for d in sensors.dead_letters(s, actor.tenant_id, limit)
        ]
    emit(
        rows,
        as_json,
        lambda d: print_rows(
            [
                {**x, "latest": f"{x['last']['source']}: {x['last']['payload']}"}
                for x in d
            ],
            ["last_seen", "sensor", "reason", "count", "first_seen", "latest"],
        ),
    )


@app.command("alerts")
@handle_errors
def alert_list(
    status: str | None = typer.Option(None, help="open or acknowledged"),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Environment alerts, newest first: where, against which range, how far
    and how long outside, and the batches that were there."""
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        found = alerts.alerts(s, actor.tenant_id, status=status)
        rows = [a.model_dump() for a in views.alerts(s, found)]
        said = []
        for a in found:
            sensor = sensor_repo.by_id(s, a.tenant_id, a.sensor_id)
            said.append(alerts.describe(s, sensor, a))
    if as_json or not rows:
        emit(rows, as_json)
        return
    en = lang() == "en"
    for row, (zh, english) in zip(rows, said, strict=True):
        console.print(
            f"[bold]L{row['level']}[/] {row['status']} {row['id']}", highlight=False
        )
        console.print(f"  {english if en else zh}", markup=False, highlight=False)


@app.command("ack")
@handle_errors
def ack(
    alert_id: uuid.UUID,
    note: str = "",
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Acknowledge an alert (say what was done in --note)."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        a = alerts.acknowledge(s, alert_id, note=note, actor=actor)
        emit(views.alert(s, a), as_json)


@app.command("summarise")
@handle_errors
def summarise(
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Store every batch's settled environment that is missing or out of date
    (after a bulk load or an upgrade; otherwise each is stored when first
    read). Safe to run again: what is current is left alone."""
    with session_scope(write=False) as s:
        tenant_id = cli_actor(s, tenant, user).tenant_id
    with progress_bars(as_json) as progress:
        done = environment.store_all(get_database(), tenant_id, progress=progress)
    emit(done, as_json)


def batch_env(
    code: str, tenant: TenantOpt = None, user: UserOpt = None, as_json: JsonOpt = False
) -> None:
    """What the sensors read wherever the batch was, against the standard."""
    from bakeprint.production import repository as batches

    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        batch = batches.get(s, actor.tenant_id, code)
        segs = environment.batch_environment(s, batch)
        out: dict[str, Any] = {
            "batch": batch.code,
            "anomalies": environment.anomalies(segs),
            "segments": [x.as_dict() for x in segs],
        }
    if as_json:
        emit(out, True)
        return
    for a in out["anomalies"]:
        console.print(
            f"[red]⚠ L{a['level']}[/] {a['place']}: {a['zh']}", highlight=False
        )
    rows = [
        {
            "stage": seg["stage"],
            "place": seg["place_name"],
            "sensor": x["sensor"],
            "min": x["min"],
            "max": x["max"],
            "mean": x["mean"],
            "band": f"{x['low'] if x['low'] is not None else ''}–"
            f"{x['high'] if x['high'] is not None else ''}",
            "outside_min": x["minutes_outside"],
        }
        for seg in out["segments"]
        for x in seg["sensors"]
    ]
    print_rows(rows)
