"""Pages: batches list, start a batch, and the batch record with what is done
to it on the kitchen floor — bind lots (scanned or typed), oven actuals, QC
checks, close production, pack."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from bakeprint.alerts import attention
from bakeprint.alerts.endpoints import alert_view
from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import Equipment, Location, Operator, Product
from bakeprint.deps import FormDep, SessionDep
from bakeprint.materials import repository as lots_repo
from bakeprint.materials.models import MaterialLot
from bakeprint.production import consumption, views
from bakeprint.production import repository as batches
from bakeprint.production import service as production
from bakeprint.production.models import Batch
from bakeprint.production.schemas import (
    BakeCreate,
    BatchComplete,
    BatchCreate,
    ConsumptionCreate,
    PackCreate,
)
from bakeprint.quality import service as quality
from bakeprint.quality.schemas import CheckpointCreate
from bakeprint.web.auth import CurrentUser, PageUser, check_csrf, csrf_token
from bakeprint.web.forms import FormErrors, form_command, opt, run
from bakeprint.web.i18n import lang_of, t
from bakeprint.web.templating import render

router = APIRouter(include_in_schema=False)


def _choices(session: SessionDep, tenant_id: Any) -> dict[str, Any]:
    def rows(model: Any) -> list[Any]:
        return catalog.rows(session, model, tenant_id, active=True)

    return {
        "products": rows(Product),
        "operators": rows(Operator),
        "equipment": rows(Equipment),
        "locations": catalog.rows(session, Location, tenant_id),
    }


@router.get("/batches")
def list_page(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    day: date | None = None,
    status: str = "",
    line: str = "",
) -> Response:
    me.require("read")
    rows = production.list_batches(
        session,
        actor=me.actor,
        limit=200,
        day=day,
        status=status or None,
        line=line or None,
    )
    return render(
        request,
        "production/list.html",
        {
            "me": me,
            "rows": [views.summary(session, b) for b in rows],
            "day": day,
            "status": status,
            "line": line,
            "csrf": csrf_token(request),
        },
    )


@router.get("/batches/new")
def new_form(request: Request, session: SessionDep, me: CurrentUser) -> Response:
    me.require("production:write")
    return render(
        request,
        "production/new.html",
        {
            "me": me,
            "csrf": csrf_token(request),
            "form": {},
            "errors": {},
            **_choices(session, me.tenant.id),
        },
    )


@router.post("/batches/new")
def start(
    request: Request, form: FormDep, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("production:write")
    check_csrf(request, form)
    data = {
        "product_gtin": str(form.get("product_gtin", "")),
        "variant": opt(form.get("variant")),
        "planned_quantity": form.get("planned_quantity") or 0,
        "operators": [str(v) for v in form.getlist("operators") if v],
        "equipment": [str(v) for v in form.getlist("equipment") if v],
        "location": opt(form.get("location")),
    }
    try:
        batch = run(
            request,
            session,
            lambda: production.start_batch(
                session, BatchCreate(**data), actor=me.actor
            ),
        )
    except FormErrors as exc:
        return render(
            request,
            "production/new.html",
            {
                "me": me,
                "csrf": csrf_token(request),
                "form": data,
                "errors": exc.errors,
                "message": exc.message,
                **_choices(session, me.tenant.id),
            },
            status_code=422,
        )
    request.session["flash"] = t(lang_of(request), "saved_what", what=batch.code)
    return RedirectResponse(f"/batches/{batch.code}", status_code=303)


@router.get("/batches/{code}")
def detail(
    request: Request, code: str, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("read")
    return _detail(request, session, me, code)


def _detail(
    request: Request,
    session: SessionDep,
    me: PageUser,
    code: str,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    which: str = "",
    status_code: int = 200,
) -> Response:
    batch = batches.get(session, me.tenant.id, code)
    return render(
        request,
        "production/detail.html",
        {
            "me": me,
            "b": views.detail(session, batch),
            **_distribution(session, batch, me.tenant.timezone),
            "csrf": csrf_token(request),
            "form": form or {},
            "errors": errors or {},
            "message": message,
            "which": which,
            "operators": _choices(session, me.tenant.id)["operators"],
            "lots": _lots_in_stock(session, me.tenant.id)
            if batch.status == "in_progress"
            else [],
            "ovens": [
                e for e in production.equipment_of(session, batch) if e.kind == "oven"
            ],
        },
        status_code=status_code,
    )


def _lots_in_stock(session: SessionDep, tenant_id: Any) -> list[MaterialLot]:
    """Lots with something left, newest first — the binding form's suggestions."""
    return lots_repo.usable_in_stock(session, tenant_id, limit=40)


def _distribution(session: SessionDep, batch: Batch, tz: str) -> dict[str, Any]:
    """Where the batch went: its trips and, per shop, delivered / sold / on shelf."""
    from bakeprint.logistics import service as logistics
    from bakeprint.retail import service as retail
    from bakeprint.sensors import environment
    from bakeprint.web.charts import environment_charts

    segs = environment.batch_environment(session, batch, with_points=True)
    charts = environment_charts(segs, tz)
    return {
        "anomalies": environment.anomalies(segs),
        "env_charts": charts,
        "trips": logistics.trips_of_batch(session, batch),
        "kitchen": logistics.kitchen_stock(session, batch)
        if batch.status in ("packed", "recalled", "on_hold")
        else None,
        "shop_rows": retail.stock_rows(session, batch.tenant_id, batch=batch),
        "batch_alerts": _batch_alerts(session, batch),
    }


def _batch_alerts(session: SessionDep, batch: Batch) -> list[Any]:
    return [
        alert_view(session, a)
        for a in attention.alerts(session, batch.tenant_id, batch=batch)
    ]


def _command(
    request: Request,
    session: SessionDep,
    me: PageUser,
    form: FormData,
    code: str,
    which: str,
    permission: str,
    fields: tuple[str, ...],
    command: Callable[[dict[str, Any]], Any],
) -> Response:
    """One form on the batch page: run it, or show it again with its errors."""
    return form_command(
        request,
        session,
        me,
        form,
        permission=permission,
        which=which,
        fields=fields,
        command=command,
        again=lambda **kw: _detail(request, session, me, code, **kw),
        done=f"/batches/{code}#{which}",
        flash=t(lang_of(request), "saved"),
    )


@router.post("/batches/{code}/checkpoints")
def check(
    request: Request,
    code: str,
    form: FormDep,
    session: SessionDep,
    me: CurrentUser,
) -> Response:
    return _command(
        request,
        session,
        me,
        form,
        code,
        "check",
        "quality:write",
        ("stage", "passed", "notes", "inspector"),
        lambda d: quality.record(
            session,
            code,
            CheckpointCreate(
                stage=d["stage"] or "",
                passed=d["passed"] == "1",
                notes=d["notes"] or "",
                inspector=d["inspector"],
            ),
            actor=me.actor,
        ),
    )


@router.post("/batches/{code}/consume")
def consume(
    request: Request,
    code: str,
    form: FormDep,
    session: SessionDep,
    me: CurrentUser,
) -> Response:
    return _command(
        request,
        session,
        me,
        form,
        code,
        "consume",
        "production:write",
        ("lot", "quantity"),
        lambda d: consumption.consume(
            session,
            code,
            ConsumptionCreate(lot=d["lot"] or "", quantity=d["quantity"] or 0),
            actor=me.actor,
        ),
    )


@router.post("/batches/{code}/bake")
def bake(
    request: Request,
    code: str,
    form: FormDep,
    session: SessionDep,
    me: CurrentUser,
) -> Response:
    return _command(
        request,
        session,
        me,
        form,
        code,
        "bake",
        "production:write",
        ("equipment", "actual_temp_c", "actual_minutes"),
        lambda d: production.record_bake(
            session,
            code,
            BakeCreate(
                equipment=d["equipment"],
                actual_temp_c=d["actual_temp_c"] or "",
                actual_minutes=d["actual_minutes"] or "",
            ),
            actor=me.actor,
        ),
    )


@router.post("/batches/{code}/complete")
def complete(
    request: Request,
    code: str,
    form: FormDep,
    session: SessionDep,
    me: CurrentUser,
) -> Response:
    return _command(
        request,
        session,
        me,
        form,
        code,
        "complete",
        "production:write",
        ("produced_quantity",),
        lambda d: production.complete_batch(
            session,
            code,
            BatchComplete(produced_quantity=d["produced_quantity"] or ""),
            actor=me.actor,
        ),
    )


@router.post("/batches/{code}/pack")
def pack(
    request: Request,
    code: str,
    form: FormDep,
    session: SessionDep,
    me: CurrentUser,
) -> Response:
    return _command(
        request,
        session,
        me,
        form,
        code,
        "pack",
        "production:write",
        ("quantity",),
        lambda d: production.pack_batch(
            session, code, PackCreate(quantity=d["quantity"] or ""), actor=me.actor
        ),
    )
