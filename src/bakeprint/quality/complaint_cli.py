"""CLI: complaints (`bakeprint complaint …`): file, list, verify or reject."""

from __future__ import annotations

import typer

from bakeprint.cli_support import (
    JsonOpt,
    TenantOpt,
    UserOpt,
    cli_actor,
    emit,
    handle_errors,
)
from bakeprint.db import session_scope
from bakeprint.quality import complaints
from bakeprint.quality.complaint_endpoints import complaint_view

complaint_app = typer.Typer(
    no_args_is_help=True, help="Complaints: file, list, verify or reject."
)


@complaint_app.command("file")
@handle_errors
def file_cmd(
    code: str = typer.Argument(..., help="Unit URI, serial or batch code."),
    category: str = typer.Option(..., help=", ".join(complaints.CATEGORY_NAMES)),
    description: str = typer.Option(...),
    contact: str = "",
    shop: str | None = typer.Option(None, help="Point of sale code."),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a complaint; QC gets the task to verify it."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        actor.require("complaints:file")
        row = complaints.file(
            s,
            actor.tenant_id,
            complaints.ComplaintCreate.model_validate(
                {
                    "code": code,
                    "category": category,
                    "description": description,
                    "contact": contact,
                    "point_of_sale": shop,
                }
            ),
            channel="staff",
            actor=actor,
        )
        data = complaint_view(s, row)
    emit(data, as_json)


@complaint_app.command("list")
@handle_errors
def list_cmd(
    status: str | None = typer.Option(None, help="received, verified, rejected."),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        rows = [
            complaint_view(s, c).model_dump(
                mode="json",
                include={"code", "received_at", "batch", "category", "status"},
            )
            for c in complaints.complaints(s, actor.tenant_id, status=status)
        ]
    emit(rows, as_json)


@complaint_app.command("show")
@handle_errors
def show_cmd(
    code: str, tenant: TenantOpt = None, user: UserOpt = None, as_json: JsonOpt = False
) -> None:
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        data = complaint_view(s, complaints.get(s, actor.tenant_id, code))
    emit(data, as_json)


def _decide(
    code: str,
    verified: bool,
    verdict: str,
    tenant: str | None,
    user: str | None,
    as_json: bool,
) -> None:
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        actor.require("quality:write")
        row, alert = complaints.decide(
            s,
            code,
            complaints.ComplaintDecision(verified=verified, verdict=verdict),
            actor=actor,
        )
        data = complaint_view(s, row, alert)
    emit(data, as_json)


@complaint_app.command("verify")
@handle_errors
def verify_cmd(
    code: str,
    verdict: str = typer.Option(..., help="What the check found."),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Verified: level 3 — the impact report and a recall draft to launch."""
    _decide(code, True, verdict, tenant, user, as_json)


@complaint_app.command("reject")
@handle_errors
def reject_cmd(
    code: str,
    verdict: str = typer.Option(..., help="Why it is not founded."),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    _decide(code, False, verdict, tenant, user, as_json)
