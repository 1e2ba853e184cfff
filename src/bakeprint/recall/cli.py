"""CLI: `bakeprint recall …` and `bakeprint outbox dispatch`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from bakeprint.cli_support import (
    JsonOpt,
    TenantOpt,
    UserOpt,
    cli_actor,
    console,
    emit,
    handle_errors,
    print_rows,
)
from bakeprint.db import get_database, session_scope
from bakeprint.recall import progress, webhooks
from bakeprint.recall import service as recalls
from bakeprint.recall.schemas import RecallStatus
from bakeprint.trace import scope

app = typer.Typer(no_args_is_help=True, help="Recalls: open, follow, confirm, close.")
outbox_app = typer.Typer(no_args_is_help=True, help="Deliver queued notices.")


def _emit(data: RecallStatus, as_json: bool) -> None:
    # the table shows the times inside the sections as people read them too
    emit(data if as_json else data.model_dump(), as_json, _show)


def _show(data: dict[str, Any]) -> None:
    eff = data["effectiveness"]
    console.print(
        f"[bold]{data['code']}[/] L{data['level']} {data['status']} · "
        f"{data['reason']}\n"
        f"pulled {eff['pulled']} of {eff['on_shelf_at_notice']} on shelves at the "
        f"notice ({eff['rate']:.0%}); {eff['shops_confirmed']}/{eff['shops']} shops "
        "confirmed",
        highlight=False,
    )
    print_rows(
        [
            {
                k: r[k]
                for k in (
                    "point_of_sale",
                    "batch",
                    "on_shelf_at_notice",
                    "pulled",
                    "on_shelf_now",
                    "confirmed_at",
                )
            }
            for r in data["shops"]
        ]
    )
    print_rows(
        [
            {k: n[k] for k in ("point_of_sale", "state", "attempts", "last_error")}
            for n in data["notices"]
        ]
    )


@app.command("open")
@handle_errors
def open_cmd(
    reason: str = typer.Option(..., help="Why: what was found, by whom."),
    batch: str | None = typer.Option(None, help="Recall just this batch."),
    lot: str | None = None,
    supplier: str | None = None,
    start: str | None = typer.Option(None, "--from"),
    end: str | None = typer.Option(None, "--to"),
    production_session: str | None = typer.Option(None, "--session"),
    equipment: str | None = None,
    operator: str | None = None,
    trip: str | None = None,
    level: int = typer.Option(3, min=1, max=3),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Freeze the scope's batches and notify the shops that hold them."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        crit = scope.Criteria.model_validate(
            {
                "batch": batch,
                "lot": lot,
                "supplier": supplier,
                "start": start,
                "end": end,
                "session": production_session,
                "equipment": equipment,
                "operator": operator,
                "trip": trip,
            }
        )
        rec = recalls.open_recall(s, crit, reason=reason, actor=actor, level=level)
        data = progress.status(s, rec)
    _emit(data, as_json)


@app.command("list")
@handle_errors
def list_cmd(
    tenant: TenantOpt = None, user: UserOpt = None, as_json: JsonOpt = False
) -> None:
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        rows = [
            {
                "code": r.code,
                "level": r.level,
                "status": r.status,
                "opened_at": r.opened_at,
                "reason": r.reason,
            }
            for r in recalls.list_recalls(s, actor.tenant_id)
        ]
    emit(rows, as_json)


@app.command("show")
@handle_errors
def show_cmd(
    code: str, tenant: TenantOpt = None, user: UserOpt = None, as_json: JsonOpt = False
) -> None:
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        data = progress.status(s, recalls.get(s, actor.tenant_id, code))
    _emit(data, as_json)


@app.command("confirm")
@handle_errors
def confirm_cmd(
    code: str,
    pos: str = typer.Option(..., "--pos", help="Point of sale code."),
    batch: str = typer.Option(...),
    pulled: int = typer.Option(..., min=0),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record how many units a shop took off the shelf."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        row = recalls.confirm_pulled(
            s, code, pos, batch_code=batch, pulled=pulled, actor=actor
        )
        out = {
            "recall": code,
            "point_of_sale": pos,
            "batch": batch,
            "pulled": row.pulled,
        }
    emit(out, as_json)


@app.command("report")
@handle_errors
def report_cmd(
    code: str,
    pdf: Path | None = typer.Option(None, "--pdf", help="Write the PDF here."),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The recall report (JSON, or a PDF with --pdf)."""
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        rec = recalls.get(s, actor.tenant_id, code)
        if pdf is not None:
            pdf.write_bytes(progress.report_pdf(s, rec, generated_by=actor.username))
            console.print(f"wrote {pdf}", highlight=False)
            return
        data = progress.report(s, rec, generated_by=actor.username)
    _emit(data, as_json)


@app.command("close")
@handle_errors
def close_cmd(
    code: str,
    note: str = "",
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        data = progress.status(s, recalls.close(s, code, note=note, actor=actor))
    _emit(data, as_json)


@app.command("launch")
@handle_errors
def launch_cmd(
    code: str, tenant: TenantOpt = None, user: UserOpt = None, as_json: JsonOpt = False
) -> None:
    """Launch a recall draft: freeze its batches, notify its shops."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        actor.require("recall:write")
        data = progress.status(s, recalls.launch(s, code, actor=actor))
    _emit(data, as_json)


@app.command("discard")
@handle_errors
def discard_cmd(
    code: str,
    note: str = typer.Option(..., help="Why no recall is needed."),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Drop a recall draft that is not needed."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        actor.require("recall:write")
        data = progress.status(s, recalls.discard(s, code, note=note, actor=actor))
    _emit(data, as_json)


@outbox_app.command("dispatch")
@handle_errors
def dispatch_cmd(
    once: bool = typer.Option(False, help="One pass, then exit."),
    interval: float = typer.Option(2.0, help="Seconds between passes."),
    as_json: JsonOpt = False,
) -> None:
    """POST due recall notices to the shops' webhooks (signed, retried)."""
    db = get_database()
    while True:
        st = webhooks.dispatch_once(db)
        if once:
            emit(
                {
                    "delivered": st.delivered,
                    "retried": st.retried,
                    "failed": st.failed,
                    "shop_page_only": st.ui_only,
                    "errors": st.errors,
                },
                as_json,
            )
            return
        if st.delivered or st.retried or st.failed:
            console.print(
                f"delivered {st.delivered}, retrying {st.retried}, gave up {st.failed}",
                highlight=False,
            )
        time.sleep(interval)
