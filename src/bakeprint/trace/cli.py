"""CLI: `bakeprint trace CODE` — the whole chain of the batch behind a code."""

from __future__ import annotations

from bakeprint.cli_support import (
    JsonOpt,
    TenantOpt,
    UserOpt,
    cli_actor,
    console,
    emit,
    print_rows,
)
from bakeprint.db import session_scope
from bakeprint.trace import report as trace


def trace_cmd(
    code: str, tenant: TenantOpt = None, user: UserOpt = None, as_json: JsonOpt = False
) -> None:
    """Trace a unit's QR link, element string, serial or a batch code."""
    with session_scope(write=False) as s:
        actor = cli_actor(s, tenant, user)
        rep = trace.build(s, actor.tenant_id, code, generated_by=actor.username)
    if as_json:
        emit(rep, True)
        return
    console.print(
        f"[bold]{rep.batch}[/] {rep.product} · {rep.made_on} {rep.session} · "
        f"{rep.status}" + (f" · unit {rep.unit}" if rep.unit else ""),
        highlight=False,
    )
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
                "received": m.received_at.date().isoformat(),
                "qc": m.qc_result,
            }
            for m in rep.materials
        ]
    )
    p = rep.production
    console.print(
        f"[bold]生产 / production[/] {p['location']} · "
        + ", ".join(f"{o['name']} ({o['code']})" for o in p["operators"])
        + " · "
        + ", ".join(e["name"] for e in p["equipment"]),
        highlight=False,
    )
    console.print("[bold]配送 / distribution[/]")
    print_rows(
        [
            {
                "trip": d["trip"],
                "vehicle": d["vehicle"],
                "departed": d["departed_at"],
                "loaded": d["loaded"],
                "drops": ", ".join(
                    f"{x['point_of_sale']} {x['quantity']}" for x in d["drops"]
                ),
            }
            for d in rep.distribution
        ]
    )
    console.print("[bold]门店 / points of sale[/]")
    print_rows(
        [
            {
                "shop": r["point_of_sale"],
                "delivered": r["delivered"],
                "sold": r["sold"],
                "on_shelf": r["on_shelf"],
                "wasted": r["wasted"],
                "received_at": r["received_at"],
            }
            for r in rep.points_of_sale
        ]
    )
    console.print(
        f"event log head #{rep.log['head_seq']} {rep.log['head_hash'][:16]}…",
        highlight=False,
    )
