"""CLI: `bakeprint export epcis …`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from bakeprint.bodies import check_depth
from bakeprint.cli_support import (
    JsonOpt,
    TenantOpt,
    UserOpt,
    cli_actor,
    console,
    emit,
    handle_errors,
)
from bakeprint.db import get_database, refresh_statistics, session_scope
from bakeprint.errors import Invalid
from bakeprint.identity import repository as tenants
from bakeprint.interop import epcis

export_app = typer.Typer(no_args_is_help=True, help="Export for partners and auditors.")


def _when(
    text: str | None, tz: str, name: str, *, end: bool = False
) -> datetime | None:
    """A date (the bakery's day; ``--to`` includes it) or an ISO time."""
    if not text:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text) + timedelta(days=1 if end else 0)
            return datetime.combine(day, time.min, ZoneInfo(tz))
        when = datetime.fromisoformat(text)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise Invalid(
            f"{name} 应为日期（2025-12-03）或带时区的时间",
            f"{name} must be a date (2025-12-03) or a time with its offset",
            field=name,
        )
    return when


@export_app.command("epcis")
@handle_errors
def epcis_cmd(
    out: Path = typer.Option(..., "--out", help="The EPCIS 2.0 JSON-LD file to write."),
    batch: str | None = typer.Option(
        None, help="A batch with everything it was made from."
    ),
    start: str | None = typer.Option(None, "--from", help="Date or ISO time."),
    end: str | None = typer.Option(None, "--to", help="Date (inclusive) or ISO time."),
    event_type: list[str] = typer.Option([], "--event-type"),
    biz_step: list[str] = typer.Option([], "--biz-step"),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the event log (or a batch's part of it) as an EPCISDocument."""
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        tz = tenants.get(s, actor.tenant_id).timezone
        q = epcis.Query(
            event_types=event_type,
            biz_steps=biz_step,
            ge_time=_when(start, tz, "--from"),
            lt_time=_when(end, tz, "--to", end=True),
            subjects=epcis.batch_subjects(s, actor.tenant_id, batch) if batch else None,
        )
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=as_json,
        ) as bar:
            task = bar.add_task("events: 0", total=None)
            n = epcis.export_file(
                s,
                actor.tenant_id,
                q,
                out,
                progress=lambda k: bar.update(task, description=f"events: {k:,}"),
            )
    emit({"file": str(out), "events": n}, as_json)


@export_app.command("kde")
@handle_errors
def kde_cmd(
    out: Path = typer.Option(..., "--out", help="A .csv or .xlsx file."),
    product: str | None = typer.Option(None, help="Product GTIN or material code."),
    lot: str | None = typer.Option(
        None, help="Batch code, our lot code or the supplier's."
    ),
    start: str | None = typer.Option(None, "--from", help="First day, 2025-12-01."),
    end: str | None = typer.Option(None, "--to", help="Last day (inclusive)."),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The FSMA-204-style sortable spreadsheet: one row per critical tracking
    event with its key data elements."""
    from bakeprint.cli_support import lang
    from bakeprint.interop import kde

    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise Invalid(
            "输出文件应以 .csv 或 .xlsx 结尾",
            "the output file must end in .csv or .xlsx",
            field="out",
        )

    def day(text: str | None, name: str) -> date | None:
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise Invalid(
                f"{name} 应为日期，例如 2025-12-03",
                f"{name} must be a date such as 2025-12-03",
                field=name,
            ) from None

    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        rows = kde.rows(
            s,
            actor.tenant_id,
            kde.Filter(
                product=product,
                lot=lot,
                start=day(start, "--from"),
                end=day(end, "--to"),
            ),
        )
    data = (
        kde.to_csv(rows, lang())
        if out.suffix.lower() == ".csv"
        else kde.to_xlsx(rows, lang())
    )
    out.write_bytes(data)
    emit({"file": str(out), "rows": len(rows)}, as_json)


import_app = typer.Typer(no_args_is_help=True, help="Import partners' data.")


@import_app.command("epcis")
@handle_errors
def import_epcis_cmd(
    file: Path = typer.Argument(..., help="An EPCIS 2.0 JSON / JSON-LD document."),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Capture an EPCIS 2.0 document into the event log (idempotent)."""
    import json

    from bakeprint.interop import capture

    try:
        text = file.read_text("utf-8")
        check_depth(text)
        doc = json.loads(text)
    except OSError as exc:
        raise Invalid(
            f"读不到文件 {file}", f"cannot read {file}: {exc.strerror}"
        ) from None
    except ValueError as exc:
        raise Invalid(
            f"{file} 不是有效的 JSON", f"{file} is not valid JSON: {exc}"
        ) from None
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        actor.require("epcis:capture")
        result = capture.capture(s, actor.tenant_id, doc, actor=actor.ref)
    refresh_statistics(get_database().engine)
    emit(result.as_dict(), as_json)
