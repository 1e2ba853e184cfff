"""HTTP API: the trace report."""

from __future__ import annotations

from fastapi import APIRouter, Query

from bakeprint.deps import CanRead, SessionDep
from bakeprint.trace import report as trace
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
