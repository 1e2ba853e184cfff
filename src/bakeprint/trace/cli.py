"""CLI: `bakeprint trace CODE` — the whole chain of the batch behind a code."""

from __future__ import annotations

from pathlib import Path

import typer

from bakeprint import localtime
from bakeprint.cli_support import (
    JsonOpt,
    TenantOpt,
    UserOpt,
    cli_actor,
    console,
    emit,
    lang,
    print_rows,
)
from bakeprint.db import session_scope
from bakeprint.trace import causes, scope
from bakeprint.trace import report as trace


def trace_cmd(
    code: str,
    pdf: Path | None = typer.Option(None, "--pdf", help="Write the PDF report here."),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Trace a unit's QR link, element string, serial or a batch code."""
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        rep = trace.build(s, actor.tenant_id, code, generated_by=actor.username)
        if pdf is not None:
            pdf.write_bytes(trace.pdf(s, rep, actor.tenant_id))
            console.print(f"wrote {pdf}", highlight=False)
            return
    if as_json:
        emit(rep, True)
        return
    console.print(
        f"[bold]{rep.batch}[/] {rep.product} · {rep.made_on} {rep.session} · "
        f"{rep.status}" + (f" · unit {rep.unit}" if rep.unit else ""),
        highlight=False,
    )
    if rep.shelf_life:
        sl = rep.shelf_life
        en = lang() == "en"
        why = [r.en if en else r.zh for r in sl.reasons]
        console.print(
            (
                f"  best before {rep.best_before} · predicted {sl.best_before}"
                + (f" ({'; '.join(why)})" if why else "")
                if en
                else f"  保质期至 {rep.best_before} · 预测至 {sl.best_before}"
                + (f"（{'；'.join(why)}）" if why else "")
            ),
            highlight=False,
        )
    if rep.unit_state:
        note = rep.unit_state.en if lang() == "en" else rep.unit_state.zh
        console.print(f"  {note}", highlight=False)
    for a in rep.anomalies:
        console.print(f"[red]⚠ L{a.level} {a.section}[/] {a.zh}", highlight=False)
    console.print("[bold]原料 / materials[/]")
    print_rows(
        [
            {
                "lot": m.lot,
                "material": m.material,
                "supplier": m.supplier,
                "supplier_lot": m.supplier_lot,
                # the bakery's day: 01:00 in Shanghai is the UTC day before
                "received": localtime.day(m.received_at).isoformat(),
                "qc": m.qc_result,
            }
            for m in rep.materials
        ]
    )
    p = rep.production
    console.print(
        f"[bold]生产 / production[/] {p.location} · "
        + ", ".join(f"{o.name} ({o.code})" for o in p.operators)
        + " · "
        + ", ".join(e.name for e in p.equipment),
        highlight=False,
    )
    console.print("[bold]配送 / distribution[/]")
    print_rows(
        [
            {
                "trip": d.trip,
                "vehicle": d.vehicle,
                "departed": d.departed_at,
                "loaded": d.loaded,
                "drops": ", ".join(f"{x.point_of_sale} {x.quantity}" for x in d.drops),
            }
            for d in rep.distribution
        ]
    )
    console.print("[bold]门店 / points of sale[/]")
    print_rows(
        [
            {
                "shop": r.point_of_sale,
                "delivered": r.delivered,
                "sold": r.sold,
                "on_shelf": r.on_shelf,
                "wasted": r.wasted,
                "received_at": r.received_at,
            }
            for r in rep.points_of_sale
        ]
    )
    console.print(
        f"event log head #{rep.log.head_seq} {rep.log.head_hash[:16]}…",
        highlight=False,
    )


def scope_cmd(
    lot: str | None = typer.Option(None, help="Material lot (or supplier lot)."),
    supplier: str | None = typer.Option(None, help="Supplier code."),
    start: str | None = typer.Option(None, "--from", help="Made on or after (date)."),
    end: str | None = typer.Option(None, "--to", help="Made on or before (date)."),
    production_session: str | None = typer.Option(
        None, "--session", help="Production session, e.g. 251203-PM."
    ),
    equipment: str | None = None,
    operator: str | None = None,
    trip: str | None = None,
    location: str | None = None,
    at_from: str | None = typer.Option(None, help="Window start at --location."),
    at_to: str | None = typer.Option(None, help="Window end at --location."),
    causes_of: str | None = typer.Option(
        None, "--causes-of", help="A batch code: propose the candidate causes."
    ),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Which batches share a cause, why, and where their units are now."""
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        if causes_of:
            found = causes.candidates(s, actor.tenant_id, causes_of)
            emit([c.model_dump(mode="json") for c in found], as_json, _causes)
            return
        crit = scope.Criteria.model_validate(
            {
                "lot": lot,
                "supplier": supplier,
                "start": start,
                "end": end,
                "session": production_session,
                "equipment": equipment,
                "operator": operator,
                "trip": trip,
                "location": location,
                "at_from": at_from,
                "at_to": at_to,
            }
        )
        result = scope.find(s, actor.tenant_id, crit)
    emit(result, as_json, _scope)


def _causes(rows: list[dict[str, object]]) -> None:
    print_rows(
        [
            {"cause": r["zh"], "batches": r["batches"], "on_shelf": r["on_shelf"]}
            for r in rows
        ]
    )


def _scope(res: dict[str, object]) -> None:
    batches = res["batches"]
    assert isinstance(batches, list)
    print_rows(
        [
            {
                "batch": b["batch"],
                "product": b["product"],
                "why": "; ".join(r["zh"] for r in b["reasons"]),
                "delivered": b["delivered"],
                "sold": b["sold"],
                "on_shelf": b["on_shelf"],
                "kitchen": b["in_kitchen"],
            }
            for b in batches
        ]
    )
    shops = res["shops"]
    assert isinstance(shops, list)
    print_rows(
        [
            {
                "shop": x["point_of_sale"],
                "delivered": x["delivered"],
                "sold": x["sold"],
                "on_shelf": x["on_shelf"],
            }
            for x in shops
        ]
    )
    console.print(f"totals: {res['totals']}", highlight=False)
