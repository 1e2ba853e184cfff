"""Recall pages: open from a scope, follow each shop, close."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from bakeprint.deps import FormDep, SessionDep
from bakeprint.errors import BakeprintError, NotFound
from bakeprint.recall import progress
from bakeprint.recall import service as recalls
from bakeprint.trace.pages import FIELDS, criteria_from_form
from bakeprint.trace.pdf import response as pdf_response
from bakeprint.web.auth import CurrentUser, check_csrf, csrf_token
from bakeprint.web.forms import opt
from bakeprint.web.i18n import lang_of, t
from bakeprint.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/recalls")
def list_page(request: Request, session: SessionDep, me: CurrentUser) -> Response:
    me.require("read")
    rows = [
        progress.status(session, r) for r in recalls.list_recalls(session, me.tenant.id)
    ]
    return render(
        request,
        "recall/list.html",
        {"me": me, "rows": rows, "csrf": csrf_token(request)},
    )


@router.post("/recalls")
def open_page(
    request: Request, form: FormDep, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("recall:write")
    check_csrf(request, form)
    data = {k: opt(form.get(k)) for k in FIELDS}
    try:
        with session.begin_nested():
            crit = criteria_from_form(data, me.tenant.timezone)
            rec = recalls.open_recall(
                session, crit, reason=str(form.get("reason") or ""), actor=me.actor
            )
    except (BakeprintError, ValidationError) as exc:
        if isinstance(exc, ValidationError):
            from bakeprint.app import validation_error

            exc = validation_error(list(exc.errors()))  # type: ignore[arg-type]
        query = urlencode({k: v for k, v in data.items() if v})
        request.session["flash"] = exc.message(lang_of(request))
        return RedirectResponse(f"/scope?{query}", status_code=303)
    request.session["flash"] = t(lang_of(request), "recall_opened", code=rec.code)
    return RedirectResponse(f"/recalls/{rec.code}", status_code=303)


@router.get("/recalls/{code}")
def detail_page(
    request: Request, code: str, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("read")
    data = progress.status(session, recalls.get(session, me.tenant.id, code))
    return render(
        request,
        "recall/detail.html",
        {"me": me, "r": data, "csrf": csrf_token(request), "error": None},
    )


ACTIONS = {
    "close": lambda session, code, note, actor: recalls.close(
        session, code, note=note, actor=actor
    ),
    "launch": lambda session, code, note, actor: recalls.launch(
        session, code, actor=actor
    ),
    "discard": lambda session, code, note, actor: recalls.discard(
        session, code, note=note, actor=actor
    ),
}


@router.post("/recalls/{code}/{action}")
def act_page(
    request: Request,
    code: str,
    action: str,
    form: FormDep,
    session: SessionDep,
    me: CurrentUser,
) -> Response:
    """Close an open recall; launch or discard a draft."""
    if action not in ACTIONS:
        raise NotFound("没有这个操作", f"no such action: {action}")
    me.require("recall:write")
    check_csrf(request, form)
    try:
        with session.begin_nested():
            ACTIONS[action](session, code, str(form.get("note") or ""), me.actor)
    except BakeprintError as exc:
        data = progress.status(session, recalls.get(session, me.tenant.id, code))
        return render(
            request,
            "recall/detail.html",
            {
                "me": me,
                "r": data,
                "csrf": csrf_token(request),
                "error": exc.message(lang_of(request)),
            },
            status_code=exc.status,
        )
    return RedirectResponse(f"/recalls/{code}", status_code=303)


@router.get("/recalls/{code}/report.pdf")
def report_pdf_page(
    request: Request, code: str, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("read")
    rec = recalls.get(session, me.tenant.id, code)
    return pdf_response(
        progress.report_pdf(session, rec, generated_by=me.actor.username),
        f"recall-{rec.code}.pdf",
    )
