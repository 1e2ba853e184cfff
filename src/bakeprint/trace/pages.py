"""The trace view: one code in, the whole chain out, anomalies first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from bakeprint.deps import SessionDep
from bakeprint.errors import BakeprintError
from bakeprint.logistics.pages import local_input
from bakeprint.trace import causes, scope
from bakeprint.trace import report as trace
from bakeprint.trace.pdf import response as pdf_response
from bakeprint.web.auth import CurrentUser, csrf_token
from bakeprint.web.charts import environment_charts
from bakeprint.web.i18n import lang_of
from bakeprint.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/trace")
def trace_page(
    request: Request, session: SessionDep, me: CurrentUser, code: str = ""
) -> Response:
    me.require("read")
    code = code.strip()
    ctx = {"me": me, "q": code, "csrf": csrf_token(request), "rep": None}
    if not code:
        return render(request, "trace/report.html", {**ctx, "error": None})
    try:
        rep = trace.build(
            session,
            me.tenant.id,
            code,
            generated_by=me.actor.username,
            with_points=True,
        )
    except BakeprintError as exc:
        return render(
            request,
            "trace/report.html",
            {**ctx, "error": exc.message(lang_of(request))},
            status_code=exc.status,
        )
    charts = environment_charts(
        rep.segments,
        me.tenant.timezone,
        lambda seg, x: (
            seg.stage == "trip"
            or (
                seg.stage == "production"
                and (bool(x.excursions) or x.kind == "humidity")
            )
        ),
    )
    found = causes.candidates(session, me.tenant.id, rep.batch)
    return render(
        request,
        "trace/report.html",
        {**ctx, "rep": rep, "charts": charts, "causes": found, "error": None},
    )


FIELDS = (
    "batch",
    "lot",
    "supplier",
    "from",
    "to",
    "session",
    "equipment",
    "operator",
    "trip",
    "location",
    "at_from",
    "at_to",
)


def criteria_from_form(form: Mapping[str, str | None], tz: str) -> scope.Criteria:
    """A scope from the form's fields (dates as typed, times in the bakery's
    time zone); a badly formed value raises pydantic's ValidationError."""

    def value(key: str) -> str | None:
        return (form.get(key) or "").strip() or None

    return scope.Criteria.model_validate(
        {
            "batch": value("batch"),
            "lot": value("lot"),
            "supplier": value("supplier"),
            "start": value("from"),
            "end": value("to"),
            "session": value("session"),
            "equipment": value("equipment"),
            "operator": value("operator"),
            "trip": value("trip"),
            "location": value("location"),
            "at_from": local_input(value("at_from"), tz),
            "at_to": local_input(value("at_to"), tz),
        }
    )


# the API's criteria names where the form has its own (a candidate cause links
# here with the criteria the API answered)
ALIASES = {"from": "start", "to": "end"}


def page_form(query: Mapping[str, str], tz: str) -> dict[str, str]:
    """The scope form as the query fills it: the API's names accepted too, and
    a stretch of time given with its offset shown in the bakery's time, as the
    form's time fields hold it."""
    form = {}
    for key in FIELDS:
        value = (query.get(key) or query.get(ALIASES.get(key, key)) or "").strip()
        if key in ("at_from", "at_to") and value:
            when = local_input(value, tz)
            if when is not None:
                here = when.astimezone(ZoneInfo(tz))
                value = here.strftime(
                    "%Y-%m-%dT%H:%M:%S" if here.second else "%Y-%m-%dT%H:%M"
                )
        form[key] = value
    return form


@router.get("/scope")
def scope_page(request: Request, session: SessionDep, me: CurrentUser) -> Response:
    me.require("read")
    form = page_form(request.query_params, me.tenant.timezone)
    ctx: dict[str, Any] = {
        "me": me,
        "form": form,
        "csrf": csrf_token(request),
        "res": None,
        "error": None,
        "errors": {},
    }
    if not any(form.values()):
        return render(request, "trace/scope.html", ctx)
    try:
        crit = criteria_from_form(form, me.tenant.timezone)
        ctx["res"] = scope.find(session, me.tenant.id, crit)
    except BakeprintError as exc:
        ctx["error"] = exc.message(lang_of(request))
        ctx["errors"] = {exc.field or "_": ctx["error"]}
        return render(request, "trace/scope.html", ctx, status_code=exc.status)
    except ValidationError as exc:
        from bakeprint.app import validation_error

        err = validation_error(list(exc.errors()))  # type: ignore[arg-type]
        ctx["error"] = err.message(lang_of(request))
        return render(request, "trace/scope.html", ctx, status_code=422)
    return render(request, "trace/scope.html", ctx)


@router.get("/trace.pdf")
def trace_pdf_page(
    request: Request, session: SessionDep, me: CurrentUser, code: str = ""
) -> Response:
    me.require("read")
    rep = trace.build(session, me.tenant.id, code, generated_by=me.actor.username)
    return pdf_response(trace.pdf(session, rep, me.tenant.id), f"trace-{rep.batch}.pdf")
