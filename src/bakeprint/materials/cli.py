"""CLI: material lots (`bakeprint lot …`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from bakeprint.cli_support import (
    JsonOpt,
    TenantOpt,
    UserOpt,
    cli_actor,
    emit,
    handle_errors,
    print_rows,
)
from bakeprint.db import session_scope
from bakeprint.materials import repository as lots
from bakeprint.materials import service as materials
from bakeprint.materials import views
from bakeprint.materials.schemas import LotCreate, LotRegrade
from bakeprint.storage import service as storage

app = typer.Typer(no_args_is_help=True, help="Material lots (intake).")

COLUMNS = [
    "code",
    "material",
    "supplier_code",
    "supplier_lot",
    "remaining",
    "unit",
    "expires_on",
    "qc_result",
    "quality_score",
]


@app.command("intake")
@handle_errors
def intake(
    material: str = typer.Option(..., help="Material type code."),
    supplier: str = typer.Option(..., help="Supplier code."),
    supplier_lot: str = typer.Option(..., "--supplier-lot"),
    qty: float = typer.Option(..., "--qty"),
    unit: str | None = typer.Option(None, help="kg, g, L, mL or pcs."),
    expires: datetime = typer.Option(..., formats=["%Y-%m-%d"]),
    qc: str = typer.Option(..., help="pass, borderline or fail."),
    score: int = typer.Option(..., help="Quality score 0–100."),
    received_at: datetime | None = typer.Option(None, help="ISO time with offset."),
    location: str | None = None,
    report: Path | None = typer.Option(None, help="QC report (PDF/JPEG/PNG/WebP)."),
    notes: str = "",
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a delivered material lot with its QC result (and report)."""
    data_bytes = report.read_bytes() if report else None
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        file_id = None
        if data_bytes is not None and report is not None:
            file_id = storage.save(s, actor.tenant_id, data_bytes, report.name).id
        lot = materials.receive(
            s,
            LotCreate(
                material=material,
                supplier=supplier,
                supplier_lot=supplier_lot,
                quantity=qty,
                unit=unit,
                expires_on=expires.date(),
                qc_result=qc,
                quality_score=score,
                received_at=received_at,
                location=location,
                qc_report_file_id=file_id,
                notes=notes,
            ),
            actor=actor,
        )
        emit(views.lot(s, lot), as_json)


@app.command("list")
@handle_errors
def list_(
    material: str | None = None,
    supplier: str | None = None,
    qc: str | None = typer.Option(None, help="pass, borderline or fail."),
    available: bool | None = typer.Option(None, "--available/--used-up"),
    limit: int = typer.Option(50, min=1, max=1000),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List material lots, newest first."""
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        rows = [
            views.lot(s, r)
            for r in lots.search(
                s,
                actor.tenant_id,
                material=material,
                supplier=supplier,
                qc_result=qc,
                available=available,
                limit=limit,
            )
        ]
    emit(rows, as_json, lambda d: print_rows(d, COLUMNS))


@app.command("show")
@handle_errors
def show(
    code: str, tenant: TenantOpt = None, user: UserOpt = None, as_json: JsonOpt = False
) -> None:
    """Show a lot and the batches it went into."""
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        emit(
            views.lot(s, lots.get_by_code(s, actor.tenant_id, code), with_batches=True),
            as_json,
        )


@app.command("qc")
@handle_errors
def regrade(
    code: str,
    result: str = typer.Option(..., help="pass, borderline, fail."),
    score: int = typer.Option(...),
    reason: str = typer.Option(...),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Correct a lot's QC result (the earlier grading stays in the history)."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        lot = materials.regrade(
            s,
            code,
            LotRegrade(qc_result=result, quality_score=score, reason=reason),
            actor=actor,
        )
        emit(views.lot(s, lot, with_batches=True), as_json)
