"""CLI: production batches (`bakeprint batch …`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer
from rich.markup import escape

from bakeprint.catalog import repository as catalog
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
from bakeprint.db import session_scope
from bakeprint.production import codes, consumption, views
from bakeprint.production import repository as batches
from bakeprint.production import service as production
from bakeprint.production.schemas import (
    BakeCreate,
    BatchComplete,
    BatchCreate,
    ConsumptionCreate,
    PackCreate,
)

app = typer.Typer(no_args_is_help=True, help="Production batches.")

When = typer.Option(None, help="ISO time with offset, e.g. 2025-12-03T14:05+08:00.")


def _show(data: Any) -> None:
    console.print(
        f"[bold]{data['code']}[/]  {escape(data['product'])}  "
        + escape(f"[{data['status']}]")
    )
    for k in (
        "production_date",
        "session",
        "planned_quantity",
        "produced_quantity",
        "packed_quantity",
        "best_before",
        "location",
    ):
        console.print(f"  {k}: {data.get(k)}")
    console.print(f"  operators: {', '.join(o['code'] for o in data['operators'])}")
    console.print(f"  equipment: {', '.join(e['code'] for e in data['equipment'])}")
    for b in data["bakes"]:
        console.print(
            f"  bake: {b['actual_temp_c']} °C / {b['actual_minutes']} min "
            f"(target {b['target_temp_c']} / {b['target_minutes']}) "
            f"{'✓' if b['within_tolerance'] else '✗'}"
        )
    for c in data["consumptions"]:
        mark = " (superseded)" if c["superseded"] else ""
        console.print(
            f"  material: {c['lot']} {c['material']} {c['quantity']} "
            f"{c['unit']} — {c['supplier_code']} {c['supplier_lot']} "
            + escape(f"[{c['lot_qc_result']}]{mark}")
        )
    for c in data["checkpoints"]:
        console.print(
            f"  check: {c['stage']} {'pass' if c['passed'] else 'FAIL'} "
            f"{c['checked_at']}"
        )
    for w in data["warnings"]:
        console.print(f"  [yellow]! {w}[/]")


@app.command("start")
@handle_errors
def start(
    product: str = typer.Option(..., "--product", help="Product GTIN."),
    qty: int = typer.Option(..., "--qty", help="Planned quantity."),
    operator: list[str] = typer.Option(
        ...,
        "--operator",
        help="Operator code (repeat; the first is the main operator).",
    ),
    equipment: list[str] = typer.Option([], "--equipment", help="Equipment code."),
    variant: str | None = typer.Option(None, help="Recipe variant, e.g. F1."),
    day: datetime | None = typer.Option(None, "--date", formats=["%Y-%m-%d"]),
    session_code: str | None = typer.Option(None, "--session", help="AM or PM."),
    location: str | None = typer.Option(None, help="Production location code."),
    started_at: datetime | None = When,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Start a batch; prints its new code."""
    data = BatchCreate(
        product_gtin=product,
        planned_quantity=qty,
        operators=operator,
        equipment=equipment,
        variant=variant,
        production_date=day.date() if day else None,
        session=session_code.upper() if session_code else None,
        location=location,
        started_at=started_at,
    )
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        batch = production.start_batch(s, data, actor=actor)
        emit(views.detail(s, batch), as_json, _show)


@app.command("list")
@handle_errors
def list_(
    day: datetime | None = typer.Option(None, "--date", formats=["%Y-%m-%d"]),
    line: str | None = None,
    status: str | None = None,
    limit: int = typer.Option(50, min=1, max=1000),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List batches, newest first."""
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        rows = production.list_batches(
            s,
            actor=actor,
            limit=limit,
            day=day.date() if day else None,
            line=line,
            status=status,
        )
        emit([views.summary(s, b) for b in rows], as_json, print_rows)


@app.command("show")
@handle_errors
def show(
    code: str, tenant: TenantOpt = None, user: UserOpt = None, as_json: JsonOpt = False
) -> None:
    """Show a batch's full production record."""
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        emit(views.detail(s, batches.get(s, actor.tenant_id, code)), as_json, _show)


@app.command("parse")
@handle_errors
def parse(
    code: str, tenant: TenantOpt = None, user: UserOpt = None, as_json: JsonOpt = False
) -> None:
    """Explain a batch code's parts, or say exactly what is wrong with it."""
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        c = codes.parse(code, known_lines=catalog.line_codes(s, actor.tenant_id))
    emit(
        {
            "code": c.format(),
            "date": c.day,
            "line": c.line,
            "session": c.session,
            "sequence": c.seq,
            "variant": c.variant,
        },
        as_json,
    )


@app.command("consume")
@handle_errors
def consume(
    code: str,
    lot: str = typer.Option(..., "--lot"),
    qty: float = typer.Option(..., "--qty"),
    unit: str | None = None,
    at: datetime | None = When,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Bind a material lot to a batch with the quantity used."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        row, found = consumption.consume(
            s,
            code,
            ConsumptionCreate(lot=lot, quantity=qty, unit=unit, recorded_at=at),
            actor=actor,
        )
        out = {
            "batch": code,
            "lot": found.code,
            "quantity": row.quantity,
            "unit": row.unit,
            "lot_remaining": round(found.quantity - found.consumed, 6),
            "warning": row.warning,
        }
    emit(out, as_json)


@app.command("bake")
@handle_errors
def bake(
    code: str,
    temp: float = typer.Option(..., "--temp", help="Actual °C."),
    minutes: float = typer.Option(..., "--minutes"),
    equipment: str | None = None,
    at: datetime | None = When,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record the oven's actual temperature and time."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        production.record_bake(
            s,
            code,
            BakeCreate(
                actual_temp_c=temp,
                actual_minutes=minutes,
                equipment=equipment,
                recorded_at=at,
            ),
            actor=actor,
        )
        emit(views.detail(s, batches.get(s, actor.tenant_id, code)).bakes[-1], as_json)


@app.command("complete")
@handle_errors
def complete(
    code: str,
    qty: int = typer.Option(..., "--qty"),
    at: datetime | None = When,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Close production with the quantity produced."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        b = production.complete_batch(
            s, code, BatchComplete(produced_quantity=qty, ended_at=at), actor=actor
        )
        emit(views.detail(s, b), as_json, _show)


@app.command("pack")
@handle_errors
def pack(
    code: str,
    qty: int = typer.Option(..., "--qty"),
    at: datetime | None = When,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Pack a batch (refused until its post-cooling check has passed)."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        b = production.pack_batch(
            s, code, PackCreate(quantity=qty, packed_at=at), actor=actor
        )
        emit(views.detail(s, b), as_json, _show)


@app.command("use")
@handle_errors
def use(
    code: str,
    input_batch: str = typer.Option(..., "--input", help="The intermediate batch."),
    qty: float = typer.Option(..., "--qty", help="Portions of it used."),
    at: datetime | None = When,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record that a batch was made with part of an intermediate batch."""
    from bakeprint.production import genealogy
    from bakeprint.production.schemas import BatchInputCreate

    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        row = genealogy.use_batch(
            s,
            code,
            BatchInputCreate(batch=input_batch, quantity=qty, recorded_at=at),
            actor=actor,
        )
        out = {"batch": code, "input": input_batch, "quantity": row.quantity}
    emit(out, as_json)


@app.command("genealogy")
@handle_errors
def genealogy_cmd(
    code: str, tenant: TenantOpt = None, user: UserOpt = None, as_json: JsonOpt = False
) -> None:
    """What the batch was made of, level by level, and what was made of it."""
    from bakeprint.production import genealogy

    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        tree = genealogy.tree(s, batches.get(s, actor.tenant_id, code))
    if as_json:
        emit(tree, True)
        return

    def show_up(node: dict[str, object], depth: int) -> None:
        pad = "  " * depth
        console.print(
            f"{pad}{node['batch']} {node.get('product', '')}", highlight=False
        )
        for lot in node.get("lots", []):  # type: ignore[attr-defined]
            console.print(
                f"{pad}  ← {lot['lot']} {lot['material']} ({lot['supplier']})",
                highlight=False,
            )
        for sub in node.get("inputs", []):  # type: ignore[attr-defined]
            show_up(sub, depth + 1)

    def show_down(nodes: list[dict[str, object]], depth: int) -> None:
        for n in nodes:
            console.print(
                f"{'  ' * depth}→ {n['batch']} {n.get('product', '')}", highlight=False
            )
            show_down(n.get("used_by", []), depth + 1)  # type: ignore[arg-type]

    show_up(tree["made_from"], 0)
    show_down(tree["used_by"], 0)
    for p in tree["problems"]:
        console.print(f"[red]⚠ {p}[/]", highlight=False)


@app.command("store")
@handle_errors
def store(
    code: str,
    location: str = typer.Option(..., help="Where it now waits, e.g. COLD-1."),
    at: datetime | None = When,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record that a finished batch was put in a cold room (or elsewhere)."""
    from bakeprint.production import genealogy
    from bakeprint.production.schemas import MoveCreate

    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        row = genealogy.move(s, code, MoveCreate(location=location, at=at), actor=actor)
        out = {"batch": code, "location": location, "moved_at": row.moved_at}
    emit(out, as_json)
