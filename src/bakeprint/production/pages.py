"""Pages: batches list, batch record, start a batch, record a QC check."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from bakeprint.catalog.models import Equipment, Location, Operator, Product
from bakeprint.deps import SessionDep
from bakeprint.production import repository as batches
from bakeprint.production import service as production
from bakeprint.production import views
from bakeprint.production.models import Batch
from bakeprint.production.schemas import BatchCreate
from bakeprint.quality import service as quality
from bakeprint.quality.schemas import CheckpointCreate
from bakeprint.web.auth import CurrentUser, check_csrf, csrf_token
from bakeprint.web.forms import FormErrors, opt, run
from bakeprint.web.i18n import t
from bakeprint.web.templating import render

router = APIRouter(include_in_schema=False)


def _choices(session: SessionDep, tenant_id: Any) -> dict[str, Any]:
    def rows(model: Any, key: str = "code") -> list[Any]:
        stmt = select(model).where(model.tenant_id == tenant_id, model.active.is_(True))
        return list(session.scalars(stmt.order_by(getattr(model, key))))

    return {
        "products": rows(Product, "gtin"),
        "operators": rows(Operator),
        "equipment": rows(Equipment),
        "locations": list(
            session.scalars(
                select(Location)
                .where(Location.tenant_id == tenant_id)
                .order_by(Location.code)
            )
        ),
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
async def start(request: Request, session: SessionDep, me: CurrentUser) -> Response:
    me.require("production:write")
    form = await request.form()
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
    request.session["flash"] = f"{t(_lang(request), 'saved')}：{batch.code}"
    return RedirectResponse(f"/batches/{batch.code}", status_code=303)


def _lang(request: Request) -> str:
    from bakeprint.web.i18n import lang_of

    return lang_of(request)


@router.get("/batches/{code}")
def detail(
    request: Request, code: str, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("read")
    batch = batches.get(session, me.tenant.id, code)
    return render(
        request,
        "production/detail.html",
        {
            "me": me,
            "b": views.detail(session, batch),
            **_distribution(session, batch, me.tenant.timezone),
            "csrf": csrf_token(request),
            "form": {},
            "errors": {},
            "operators": _choices(session, me.tenant.id)["operators"],
        },
    )


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
    from bakeprint.quality import attention
    from bakeprint.quality.alert_endpoints import alert_view

    return [
        alert_view(session, a)
        for a in attention.alerts(session, batch.tenant_id, batch=batch)
    ]


@router.post("/batches/{code}/checkpoints")
async def check(
    request: Request, code: str, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("quality:write")
    form = await request.form()
    check_csrf(request, form)
    data = {
        "stage": str(form.get("stage", "")),
        "passed": str(form.get("passed", "")) == "1",
        "notes": str(form.get("notes", "")),
        "inspector": opt(form.get("inspector")),
    }
    try:
        run(
            request,
            session,
            lambda: quality.record(
                session, code, CheckpointCreate(**data), actor=me.actor
            ),
        )
    except FormErrors as exc:
        batch = batches.get(session, me.tenant.id, code)
        return render(
            request,
            "production/detail.html",
            {
                "me": me,
                "b": views.detail(session, batch),
                **_distribution(session, batch, me.tenant.timezone),
                "csrf": csrf_token(request),
                "form": data,
                "errors": exc.errors,
                "message": exc.message,
                "operators": _choices(session, me.tenant.id)["operators"],
            },
            status_code=422,
        )
    request.session["flash"] = t(_lang(request), "saved")
    return RedirectResponse(f"/batches/{code}", status_code=303)
