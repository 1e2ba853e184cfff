"""CLI: dynamic shelf life (`bakeprint shelflife …`, R3.3)."""

from __future__ import annotations

import json
from typing import Any

import typer
from sqlalchemy.orm import Session

from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import PointOfSale
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
)
from bakeprint.db import session_scope
from bakeprint.errors import Invalid
from bakeprint.production import repository as batch_repo
from bakeprint.production import repository as batches
from bakeprint.production.models import Batch
from bakeprint.shelflife import service as shelflife
from bakeprint.shelflife import views
from bakeprint.shelflife.models import ShelfLifePrediction
from bakeprint.shelflife.schemas import ShelfLifeRead

app = typer.Typer(no_args_is_help=True, help="Dynamic shelf life (R3.3).")
params_app = typer.Typer(no_args_is_help=True, help="Model parameters per category.")
app.add_typer(params_app, name="params")


def show(read: ShelfLifeRead) -> None:
    """A prediction in the reader's language, the reasons one per line."""
    zh = lang() == "zh"
    console.print(
        f"[bold]{read.batch}[/] "
        + (
            f"标签保质期至 {read.printed_best_before or '—'} · 预测至 "
            f"[bold]{read.best_before}[/]（模型 {read.model_days:g} 天，"
            f"标准 {read.standard_days} 天，参数第 {read.params_version} 版）"
            if zh
            else f"printed best before {read.printed_best_before or '—'} · "
            f"predicted [bold]{read.best_before}[/] (model {read.model_days:g} "
            f"days, standard {read.standard_days}, parameters v"
            f"{read.params_version})"
        )
    )
    for r in read.reasons:
        console.print(f"  {r.zh if zh else r.en}")


def _read_values(pairs: list[str]) -> dict[str, Any]:
    """NAME=VALUE pairs; packaging.TYPE=FACTOR for a packaging factor."""
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise Invalid(
                f"参数写成 名称=值，收到 {pair!r}",
                f"write parameters as NAME=VALUE, got {pair!r}",
                field="params",
            )
        if name.startswith("packaging."):
            out.setdefault("packaging", {})[name.split(".", 1)[1]] = value
        else:
            out[name] = value
    return out


def _batch(session: Session, row: ShelfLifePrediction) -> Batch:
    return batch_repo.by_id(session, row.tenant_id, row.batch_id)


@app.command("show")
@handle_errors
def show_batch(
    code: str,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The batch's predicted best-before from its history so far, with why."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        read = views.live(s, batches.get(s, actor.tenant_id, code))
    emit(read, as_json, lambda _d: show(read))


@app.command("predict")
@handle_errors
def predict(
    code: str | None = typer.Argument(None, help="A batch; none: every batch on sale."),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Predict and keep the prediction (level-2 alert when it is shorter)."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        if code:
            rows = [shelflife.predict(s, actor.tenant_id, code, actor=actor)]
        else:
            rows = shelflife.predict_on_sale(s, actor.tenant_id, actor=actor)
        reads = [views.stored(_batch(s, r), r) for r in rows]

    def render(_d: Any) -> None:
        if not reads:
            console.print("（无在售批次 / no batch on sale）")
        for r in reads:
            show(r)

    emit([r.model_dump(mode="json") for r in reads], as_json, render)


@app.command("packaging")
@handle_errors
def packaging(
    code: str,
    kind: str = typer.Argument(..., help="standard, improved or open."),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record the packaging the batch went into."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        shelflife.set_packaging(s, actor.tenant_id, code, kind, actor=actor)
        read = views.live(s, batches.get(s, actor.tenant_id, code))
    emit(read, as_json, lambda _d: show(read))


@app.command("fefo")
@handle_errors
def fefo(
    shop: str,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The shop's on-shelf stock, shortest predicted remaining life first."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        pos = catalog.get(s, PointOfSale, actor.tenant_id, shop)
        rows = [views.fefo_read(r) for r in shelflife.fefo(s, actor.tenant_id, pos.id)]
    zh = lang() == "zh"
    words = {
        "pull": ("下架", "pull"),
        "discount": ("打折", "discount"),
        "sell": ("正常销售", "sell"),
    }
    emit(
        [r.model_dump(mode="json") for r in rows],
        as_json,
        lambda _d: print_rows(
            [
                {
                    "batch": r.batch,
                    "product": r.product_zh if zh else r.product_en,
                    "on_shelf": r.on_shelf,
                    "printed": str(r.printed_best_before or "—"),
                    "predicted": str(r.best_before),
                    "days_left": r.remaining_days,
                    "action": words[r.action][0 if zh else 1],
                }
                for r in rows
            ]
        ),
    )


@params_app.command("list")
@handle_errors
def params_list(
    tenant: TenantOpt = None, user: UserOpt = None, as_json: JsonOpt = False
) -> None:
    """Each product category's current parameters."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        rows = views.current_params(s, actor.tenant_id)
    emit(
        [r.model_dump(mode="json") for r in rows],
        as_json,
        lambda _d: print_rows(
            [
                {
                    "category": r.category,
                    "version": r.version,
                    "params": json.dumps(r.params, ensure_ascii=False),
                }
                for r in rows
            ]
        ),
    )


@params_app.command("set")
@handle_errors
def params_set(
    category: str,
    values: list[str] = typer.Argument(
        ..., help="NAME=VALUE …, e.g. k_hall_per_pct=0.02 packaging.improved=0.7"
    ),
    note: str = typer.Option("", help="Why (kept with the version)."),
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set a category's parameters: a new version (old predictions keep theirs)."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        row = shelflife.set_params(
            s, actor.tenant_id, category, _read_values(values), note=note, actor=actor
        )
        read = views.params_row(row)
    emit(read, as_json)


@params_app.command("history")
@handle_errors
def params_history(
    category: str,
    tenant: TenantOpt = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every stored version of a category's parameters."""
    with session_scope() as s:
        actor = cli_actor(s, tenant, user)
        rows = [
            views.params_row(r)
            for r in shelflife.params_history(s, actor.tenant_id, category)
        ]
    emit([r.model_dump(mode="json") for r in rows], as_json)
