"""Pages for environment monitoring: alerts to acknowledge, sensors and ranges."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bakeprint.alerts import environment as alerting
from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import Location, PointOfSale, Vehicle
from bakeprint.db import utcnow
from bakeprint.deps import FormDep, SessionDep
from bakeprint.errors import NotFound
from bakeprint.sensors import repository as sensor_repo
from bakeprint.sensors import service as sensors
from bakeprint.sensors import views
from bakeprint.web.auth import CurrentUser, PageUser, check_csrf, csrf_token
from bakeprint.web.charts import line_chart
from bakeprint.web.forms import FormErrors, opt, run
from bakeprint.web.i18n import lang_of, t
from bakeprint.web.templating import render

router = APIRouter(include_in_schema=False)
STATUSES = ("open", "acknowledged")


def _alerts_page(
    request: Request,
    session: SessionDep,
    me: PageUser,
    status: str,
    *,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    rows = alerting.alerts(session, me.tenant.id, status=status or None, limit=200)
    return render(
        request,
        "sensors/alerts.html",
        {
            "me": me,
            "status": status,
            "alerts": views.alerts(session, rows),
            "counts": sensor_repo.open_alert_counts(session, me.tenant.id),
            "errors": errors or {},
            "message": message,
            "csrf": csrf_token(request),
        },
        status_code=status_code,
    )


@router.get("/alerts")
def alerts_page(
    request: Request, session: SessionDep, me: CurrentUser, status: str = "open"
) -> Response:
    me.require("read")
    return _alerts_page(request, session, me, status if status in STATUSES else "")


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(
    request: Request, alert_id: str, form: FormDep, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("alerts:ack")
    check_csrf(request, form)
    try:
        aid = uuid.UUID(alert_id)
    except ValueError:
        raise NotFound("找不到这条告警", "alert not found") from None
    note = opt(form.get("note")) or ""
    try:
        run(
            request,
            session,
            lambda: alerting.acknowledge(session, aid, note=note, actor=me.actor),
        )
    except FormErrors as exc:
        return _alerts_page(
            request,
            session,
            me,
            "open",
            errors={alert_id: exc.message},
            message=exc.message,
            status_code=409,
        )
    request.session["flash"] = t(lang_of(request), "acknowledged")
    back = str(form.get("back") or "/alerts")
    if not back.startswith("/") or back.startswith("//"):
        back = "/alerts"
    return RedirectResponse(back, status_code=303)


def _places(session: SessionDep, tenant_id: uuid.UUID) -> dict[str, list[Any]]:
    def rows(model: Any) -> list[Any]:
        return catalog.rows(session, model, tenant_id, active=True)

    return {
        "location": rows(Location),
        "vehicle": rows(Vehicle),
        "point_of_sale": rows(PointOfSale),
    }


def _sensors_page(
    request: Request,
    session: SessionDep,
    me: PageUser,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    t_id = me.tenant.id
    rows = sensor_repo.sensors(session, t_id)
    latest = sensor_repo.latest_hours(session, t_id)
    return render(
        request,
        "sensors/list.html",
        {
            "me": me,
            "sensors": [
                (
                    views.sensor(session, s),
                    sensors.from_ms(latest[s.id]) if s.id in latest else None,
                )
                for s in rows
            ],
            "ranges": [
                views.range_(session, r) for r in sensors.range_history(session, t_id)
            ],
            "dead": [
                views.dead_letter(d) for d in sensors.dead_letters(session, t_id, 50)
            ],
            "places": _places(session, t_id),
            "form": form or {},
            "errors": errors or {},
            "message": message,
            "csrf": csrf_token(request),
        },
        status_code=status_code,
    )


@router.get("/sensors")
def sensors_page(request: Request, session: SessionDep, me: CurrentUser) -> Response:
    me.require("read")
    return _sensors_page(request, session, me)


def _number(
    value: str | None, field: str, errors: dict[str, str], lang: str
) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        errors[field] = t(lang, "not_a_number")
        return None


@router.post("/sensors/ranges")
def set_range(
    request: Request, form: FormDep, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("catalog:write")
    check_csrf(request, form)
    lang = lang_of(request)
    data = {
        k: opt(form.get(k))
        for k in ("kind", "place_kind", "place", "low", "high", "reason")
    }
    errors: dict[str, str] = {}
    low = _number(data["low"], "low", errors, lang)
    high = _number(data["high"], "high", errors, lang)
    if data["place_kind"] not in ("location", "vehicle", "point_of_sale", "category"):
        errors["place_kind"] = t(lang, "choose_one")
    if errors:
        return _sensors_page(
            request,
            session,
            me,
            form=data,
            errors=errors,
            message=next(iter(errors.values())),
            status_code=422,
        )
    try:
        row = run(
            request,
            session,
            lambda: sensors.set_range(
                session,
                kind=data["kind"] or "",
                place_kind=data["place_kind"] or "",
                place=data["place"] or "",
                low=low,
                high=high,
                reason=data["reason"] or "",
                actor=me.actor,
            ),
        )
    except FormErrors as exc:
        return _sensors_page(
            request,
            session,
            me,
            form=data,
            errors=exc.errors,
            message=exc.message,
            status_code=422,
        )
    request.session["flash"] = t(
        lang, "saved_what", what=f"{t(lang, 'kind_' + row.kind)} {data['place']}"
    )
    return RedirectResponse("/sensors", status_code=303)


@router.get("/sensors/{code}")
def sensor_page(
    request: Request, code: str, session: SessionDep, me: CurrentUser, hours: int = 24
) -> Response:
    me.require("read")
    s = sensors.get(session, me.tenant.id, code)
    hours = max(1, min(hours, 24 * 14))
    last = sensor_repo.latest_hour(session, s)
    end = sensors.from_ms(last) + timedelta(hours=1) if last is not None else utcnow()
    end = min(end, utcnow())
    start = end - timedelta(hours=hours)
    points = sensors.readings(session, s, start, end)
    kind, pid = sensors.place_of(s)
    ranges = sensors.ranges_for(
        session,
        me.tenant.id,
        s.kind,
        place_kind=kind,
        place_id=pid,
        start=start,
        end=end,
    )
    low, high = sensors.limits_at(ranges, end)
    chart = line_chart(
        points,
        unit=s.unit,
        title=f"{s.code} · {s.name}",
        low=low,
        high=high,
        tz=me.tenant.timezone,
    )
    rows = alerting.alerts(session, me.tenant.id, sensor_ids=[s.id], limit=50)
    return render(
        request,
        "sensors/detail.html",
        {
            "me": me,
            "sensor": views.sensor(session, s),
            "chart": chart,
            "hours": hours,
            "start": start,
            "end": end,
            "count": len(points),
            "alerts": views.alerts(session, rows),
            "errors": {},
            "csrf": csrf_token(request),
        },
    )
