"""HTTP API: the trace report."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import AwareDatetime

from bakeprint.deps import CanRead, SessionDep
from bakeprint.trace import causes, scope
from bakeprint.trace import report as trace
from bakeprint.trace.pdf import response as pdf_response
from bakeprint.trace.report import TraceReport

router = APIRouter(tags=["trace"])


@router.get("/trace", response_model=TraceReport)
def get_trace(
    session: SessionDep,
    actor: CanRead,
    code: str = Query(
        ...,
        min_length=1,
        max_length=400,
        description="A unit's GS1 Digital Link URI or element string, a serial "
        "typed from the package, or a batch code.",
    ),
) -> TraceReport:
    """Everything about the batch behind a code, anomalies first (R2.2)."""
    return trace.build(session, actor.tenant_id, code, generated_by=actor.username)


@router.get("/scope", response_model=scope.ScopeResult)
def get_scope(
    session: SessionDep,
    actor: CanRead,
    lot: str | None = Query(None, description="Material lot code or supplier lot."),
    supplier: str | None = Query(None, description="Supplier code."),
    start: date | None = Query(None, alias="from", description="Made on or after."),
    end: date | None = Query(None, alias="to", description="Made on or before."),
    production_session: str | None = Query(
        None, alias="session", description="Production session, e.g. 251203-PM."
    ),
    equipment: str | None = None,
    operator: str | None = None,
    trip: str | None = None,
    location: str | None = None,
    at_from: AwareDatetime | None = Query(
        None, description="Window start at location."
    ),
    at_to: AwareDatetime | None = Query(None, description="Window end at location."),
) -> scope.ScopeResult:
    """Every batch sharing the given cause(s), with why, and per point of sale
    the units delivered, sold and still on the shelf (R2.3)."""
    return scope.find(
        session,
        actor.tenant_id,
        scope.Criteria(
            lot=lot,
            supplier=supplier,
            start=start,
            end=end,
            session=production_session,
            equipment=equipment,
            operator=operator,
            trip=trip,
            location=location,
            at_from=at_from,
            at_to=at_to,
        ),
    )


@router.get("/batches/{code}/causes", response_model=list[causes.Cause])
def get_causes(code: str, session: SessionDep, actor: CanRead) -> list[causes.Cause]:
    """Candidate causes of a complaint about this batch, each with its scope."""
    return causes.candidates(session, actor.tenant_id, code)


@router.get(
    "/trace.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def get_trace_pdf(
    session: SessionDep,
    actor: CanRead,
    code: str = Query(..., min_length=1, max_length=400),
) -> Response:
    """The trace report as an audit-ready PDF (Chinese and English)."""
    rep = trace.build(session, actor.tenant_id, code, generated_by=actor.username)
    return pdf_response(
        trace.pdf(session, rep, actor.tenant_id), f"trace-{rep.batch}.pdf"
    )


@router.get("/batches/{code}/footprint")
def get_footprint(code: str, session: SessionDep, actor: CanRead) -> dict[str, Any]:
    """The batch's carbon footprint estimate (R4.2): materials, baking and
    transport, each line with its factor and source; what lacks data is
    listed as not counted."""
    from bakeprint.trace import footprint

    return footprint.for_code(session, actor.tenant_id, code).as_dict()


@router.get("/emission-factors")
def emission_factors(actor: CanRead) -> list[dict[str, Any]]:
    """The default emission factor table shipped with bakeprint (a material
    type uses a row by its ``footprint_key``, or the bakery's own figure)."""
    from dataclasses import asdict

    from bakeprint.trace import footprint

    return [asdict(f) for f in footprint.default_factors().values()]
