"""CLI: QC checkpoints (`bakeprint qc …`)."""

from __future__ import annotations

from datetime import datetime

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
from bakeprint.production import repository as batches
from bakeprint.production import views
from bakeprint.quality import service as quality
from bakeprint.quality.schemas import CheckpointCreate

app = typer.Typer(no_args_is_help=True, help="QC checkpoints.")


@app.command("check")
@handle_errors
def check(
    code: str,
    stage: str = typer.Option(
        ..., help="pre_bake, post_bake, post_cooling, pre_pack, release."
    ),
    passed: bool = typer.Option(..., "--pass/--fail", help="The result."),
    notes: str = "",
    inspector: str | None = typer.Option(None, help="Operator code."),
    at: datetime | None = typer.Option(None, help="ISO time with offset."),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a QC checkpoint on a batch."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        cp = quality.record(
            s,
            code,
            CheckpointCreate(
                stage=stage,
                passed=passed,
                notes=notes,
                inspector=inspector,
                checked_at=at,
            ),
            actor=actor,
        )
        read = next(
            c
            for c in views.detail(s, batches.get(s, actor.tenant_id, code)).checkpoints
            if c.id == cp.id
        )
    emit(read, as_json)
