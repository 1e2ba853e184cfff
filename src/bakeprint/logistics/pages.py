"""Pages for the driver: trips, loading, departure, drops, return — on a phone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import PointOfSale, Vehicle
from bakeprint.deps import FormDep, SessionDep
from bakeprint.logistics import repository as trips
from bakeprint.logistics import service as logistics
from bakeprint.logistics.schemas import DeliveryCreate, LoadCreate, TripCreate
from bakeprint.logistics.views import trip_read
from bakeprint.production import repository as batches
from bakeprint.production.models import Batch
from bakeprint.web.auth import CurrentUser, PageUser, check_csrf, csrf_token
from bakeprint.web.charts import line_chart
from bakeprint.web.forms import FormErrors, form_command, opt, run
from bakeprint.web.i18n import lang_of, t
from bakeprint.web.templating import render

router = APIRouter(include_in_schema=False)
CABIN_MAX_C = 8.0  # chilled pastries in the van: 0–8 °C (shown as the band)


def local_input(value: str | None, tz: str) -> datetime | None:
    """A ``datetime-local`` form value in the bakery's time zone."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=ZoneInfo(tz))


def _rows(session: SessionDep, model: Any, tenant_id: Any) -> list[Any]:
    return catalog.rows(session, model, tenant_id, active=True)


def _ready_batches(session: SessionDep, me: PageUser) -> list[tuple[Batch, int]]:
    """Recently packed batches that still have units in the kitchen."""
    t = me.tenant.id
    recent = batches.recently_packed(session, t, limit=60)
    moved = trips.loaded(session, t, [b.id for b in recent])
    out = []
    for b in recent:
        left = trips.kitchen_stock(b.packed_quantity, *moved.get(b.id, (0, 0)))
        if left > 0:
            out.append((b, left))
    return out


@router.get("/trips")
def list_page(
    request: Request, session: SessionDep, me: CurrentUser, status: str = ""
) -> Response:
    me.require("read")
    trips = logistics.list_trips(session, me.tenant.id, status=status or None, limit=60)
    return render(
        request,
        "logistics/list.html",
        {
            "me": me,
            "trips": [trip_read(session, x) for x in trips],
            "status": status,
            "vehicles": _rows(session, Vehicle, me.tenant.id),
            "form": {},
            "errors": {},
            "csrf": csrf_token(request),
        },
    )


@router.post("/trips")
def create(
    request: Request, form: FormDep, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("logistics:write")
    check_csrf(request, form)
    data = {k: opt(form.get(k)) for k in ("vehicle", "driver", "planned_departure")}
    try:
        trip = run(
            request,
            session,
            lambda: logistics.create_trip(
                session,
                TripCreate(
                    vehicle=data["vehicle"] or "",
                    driver=data["driver"] or "",
                    planned_departure=local_input(
                        data["planned_departure"], me.tenant.timezone
                    ),
                ),
                actor=me.actor,
            ),
        )
    except FormErrors as exc:
        trips = logistics.list_trips(session, me.tenant.id, limit=60)
        return render(
            request,
            "logistics/list.html",
            {
                "me": me,
                "trips": [trip_read(session, x) for x in trips],
                "status": "",
                "vehicles": _rows(session, Vehicle, me.tenant.id),
                "form": data,
                "errors": exc.errors,
                "message": exc.message,
                "csrf": csrf_token(request),
            },
            status_code=422,
        )
    request.session["flash"] = t(lang_of(request), "saved_what", what=trip.code)
    return RedirectResponse(f"/trips/{trip.code}", status_code=303)


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
    row = logistics.get_trip(session, me.tenant.id, code)
    trip = trip_read(session, row)
    series = logistics.cabin_log(session, row)
    lang = lang_of(request)
    chart = line_chart(
        series,
        unit="°C",
        title=t(lang, "cabin_temp"),
        low=0.0,
        high=CABIN_MAX_C,
        tz=me.tenant.timezone,
    )
    return render(
        request,
        "logistics/detail.html",
        {
            "me": me,
            "trip": trip,
            "chart": chart,
            "ready": _ready_batches(session, me) if trip.status == "planned" else [],
            "shops": _rows(session, PointOfSale, me.tenant.id),
            "form": form or {},
            "errors": errors or {},
            "message": message,
            "which": which,
            "csrf": csrf_token(request),
        },
        status_code=status_code,
    )


@router.get("/trips/{code}")
def detail(
    request: Request, code: str, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("read")
    return _detail(request, session, me, code)


def _command(
    request: Request,
    session: SessionDep,
    me: PageUser,
    form: FormData,
    code: str,
    which: str,
    fields: tuple[str, ...],
    command: Callable[[dict[str, Any]], Any],
) -> Response:
    return form_command(
        request,
        session,
        me,
        form,
        permission="logistics:write",
        which=which,
        fields=fields,
        command=command,
        again=lambda **kw: _detail(request, session, me, code, **kw),
        done=f"/trips/{code}",
        flash=t(lang_of(request), f"done_{which}"),
        status=422,
    )


@router.post("/trips/{code}/load")
def load(
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
        "load",
        ("batch", "quantity"),
        lambda d: logistics.load(
            session,
            code,
            LoadCreate(batch=d["batch"] or "", quantity=d["quantity"] or 0),
            actor=me.actor,
        ),
    )


@router.post("/trips/{code}/depart")
def depart(
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
        "depart",
        ("at",),
        lambda d: logistics.depart(
            session, code, at=local_input(d["at"], me.tenant.timezone), actor=me.actor
        ),
    )


@router.post("/trips/{code}/deliver")
def deliver(
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
        "deliver",
        ("point_of_sale", "batch", "quantity", "at"),
        lambda d: logistics.deliver(
            session,
            code,
            DeliveryCreate(
                point_of_sale=d["point_of_sale"] or "",
                batch=d["batch"] or "",
                quantity=d["quantity"] or 0,
                at=local_input(d["at"], me.tenant.timezone),
            ),
            actor=me.actor,
        ),
    )


@router.post("/trips/{code}/arrive")
def arrive(
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
        "arrive",
        ("at",),
        lambda d: logistics.arrive(
            session, code, at=local_input(d["at"], me.tenant.timezone), actor=me.actor
        ),
    )
