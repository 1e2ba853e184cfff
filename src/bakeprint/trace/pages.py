"""The trace view: one code in, the whole chain out, anomalies first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bakeprint.deps import SessionDep
from bakeprint.errors import BakeprintError
from bakeprint.production import repository as batches
from bakeprint.sensors import environment
from bakeprint.trace import report as trace
from bakeprint.web.auth import CurrentUser, csrf_token
from bakeprint.web.charts import line_chart
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
        rep = trace.build(session, me.tenant.id, code, generated_by=me.actor.username)
    except BakeprintError as exc:
        return render(
            request,
            "trace/report.html",
            {**ctx, "error": exc.message(lang_of(request))},
            status_code=exc.status,
        )
    batch = batches.get(session, me.tenant.id, rep.batch)
    charts = [
        (
            seg,
            x,
            line_chart(
                x.points,
                unit=x.unit,
                title=f"{seg.place_name} · {x.sensor}",
                low=x.low,
                high=x.high,
                tz=me.tenant.timezone,
            ),
        )
        for seg in environment.batch_environment(session, batch, with_points=True)
        if seg.stage in ("production", "trip")
        for x in seg.sensors
        if x.points and (seg.stage == "trip" or x.excursions or x.kind == "humidity")
    ]
    return render(
        request,
        "trace/report.html",
        {**ctx, "rep": rep, "charts": charts, "error": None},
    )
