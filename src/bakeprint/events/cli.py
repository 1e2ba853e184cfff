"""CLI: read the event log."""

from __future__ import annotations

import typer

from bakeprint.cli_support import (
    JsonOpt,
    TenantOpt,
    emit,
    handle_errors,
    print_rows,
    resolve_tenant,
)
from bakeprint.db import session_scope
from bakeprint.events import repository as log

app = typer.Typer(help="The hash-chained event log.", no_args_is_help=True)


@app.command("list")
@handle_errors
def list_events(
    subject: str | None = typer.Option(None, help='e.g. "batch:251203-SS-PM-002".'),
    limit: int = typer.Option(50, min=1, max=10000),
    tenant: TenantOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the latest events (optionally for one subject)."""
    with session_scope(write=False) as session:
        t = resolve_tenant(session, tenant)
        rows = log.newest(session, t.id, subject=subject, limit=limit)
        data = [
            {
                "seq": e.seq,
                "time": e.event_time,
                "kind": e.kind,
                "type": e.event_type,
                "biz_step": e.biz_step,
                "subject": e.subject,
                "actor": e.actor,
                "corrects": e.corrects_seq,
                "hash": e.hash if as_json else e.hash[:12],
            }
            for e in reversed(rows)
        ]
    emit(data, as_json, print_rows)
