"""Liveness and readiness for load balancers and scripts (no login)."""

from __future__ import annotations

import os

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from bakeprint import __version__
from bakeprint.deps import SessionDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(session: SessionDep) -> JSONResponse:
    """200 when the service answers and its database does; 503 otherwise."""
    try:
        session.execute(text("select 1"))
    except Exception:
        return JSONResponse(
            {"status": "unavailable", "database": "unreachable"}, status_code=503
        )
    # the worker's process id: behind `serve --workers N`, shows which answered
    return JSONResponse(
        {"status": "ok", "version": __version__, "database": "ok", "pid": os.getpid()}
    )
