"""Login, language, today's board, look-up and the event log pages."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from bakeprint.db import utcnow
from bakeprint.deps import FormDep, SessionDep
from bakeprint.errors import BakeprintError
from bakeprint.events import repository as log
from bakeprint.events import service as events
from bakeprint.identity import login as login_service
from bakeprint.materials import repository as lots
from bakeprint.production import repository as batches
from bakeprint.quality import repository as quality_repo
from bakeprint.ratelimit import limited
from bakeprint.recall import repository as recalls
from bakeprint.sensors import repository as sensor_repo
from bakeprint.web.auth import CurrentUser, check_csrf, csrf_token, log_in, log_out
from bakeprint.web.i18n import lang_of
from bakeprint.web.templating import render

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parent.parent / "static"


def local_path(target: str) -> str:
    """``target`` if it is a path on this site, else ``/``: browsers read
    ``//host``, ``/\\host`` and ``/<tab>/host`` as another site (no open
    redirect)."""
    if any(ord(c) < 32 for c in target):
        return "/"
    if not target.startswith("/") or target[1:2] in ("/", "\\"):
        return "/"
    return target


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return render(
        request,
        "web/login.html",
        {"csrf": csrf_token(request), "next": next, "error": None, "form": {}},
    )


@router.post("/login", dependencies=[Depends(limited("login"))])
def login(request: Request, form: FormDep, session: SessionDep) -> Response:
    check_csrf(request, form)
    slug, username = str(form.get("bakery", "")), str(form.get("username", ""))
    try:
        user = login_service.log_in(
            session, slug, username, str(form.get("password", ""))
        )
    except BakeprintError as exc:
        return render(
            request,
            "web/login.html",
            {
                "csrf": csrf_token(request),
                "next": form.get("next", "/"),
                "error": exc.message(lang_of(request)),
                "form": {"bakery": slug, "username": username},
            },
            status_code=exc.status,
            headers=getattr(exc, "headers", None),
        )
    log_in(request, session, user)
    return RedirectResponse(local_path(str(form.get("next") or "/")), status_code=303)


@router.post("/logout")
def logout(request: Request, session: SessionDep, form: FormDep) -> Response:
    check_csrf(request, form)
    log_out(request, session)
    return RedirectResponse("/login", status_code=303)


@router.get("/favicon.ico")
def favicon() -> Response:
    """The icon browsers ask for by this name (pages link the SVG one)."""
    return FileResponse(
        STATIC / "favicon.ico",
        media_type="image/x-icon",
        headers={"Cache-Control": "public, max-age=604800"},
    )


@router.get("/lang/{code}")
def set_language(request: Request, code: str, back: str = "/") -> Response:
    response = RedirectResponse(local_path(back), status_code=303)
    if code in ("zh", "en"):
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="lax")
    return response


def _today(tz: str) -> date:
    return utcnow().astimezone(ZoneInfo(tz)).date()


@router.get("/")
def board(request: Request, session: SessionDep, me: CurrentUser) -> Response:
    if not me.actor.can("read") and me.actor.can("retail:write"):
        return RedirectResponse("/shops", status_code=303)  # shop staff: their shop
    me.require("read")
    t = me.tenant.id
    today = _today(me.tenant.timezone)
    todays = batches.made_on(session, t, today)
    day = today if todays else (batches.latest_day(session, t) or today)
    if day != today:
        todays = batches.made_on(session, t, day)
    counts: dict[str, int] = {}
    for b in todays:
        counts[b.status] = counts.get(b.status, 0) + 1
    waiting = batches.with_status(session, t, "completed")
    attention = batches.needing_attention(session, t, limit=20)
    open_lots = lots.search(session, t, available=True, limit=500)
    usable = [x for x in open_lots if x.qc_result != "fail"]
    expiring = [x for x in usable if day <= x.expires_on <= day + timedelta(days=3)]
    expired = [x for x in usable if x.expires_on < day]
    flagged = [x for x in open_lots if x.qc_result in ("borderline", "fail")]
    recent = log.newest(session, t, limit=12)
    return render(
        request,
        "web/board.html",
        {
            "me": me,
            "day": day,
            "is_today": day == today,
            "batches": todays,
            "counts": counts,
            "waiting": waiting,
            "attention": attention,
            "expiring": expiring,
            "expired": expired,
            "flagged": flagged,
            "recent": recent,
            "alerts_open": sensor_repo.open_alert_counts(session, t),
            "handle": quality_repo.open_counts(session, t),
            "recalls_open": recalls.open_count(session, t),
            "csrf": csrf_token(request),
        },
    )


@router.get("/lookup")
def lookup(
    request: Request, session: SessionDep, me: CurrentUser, q: str = ""
) -> Response:
    code = q.strip()
    if code and batches.by_code(session, me.tenant.id, code) is not None:
        return RedirectResponse(f"/batches/{code}", status_code=303)
    found = lots.by_either_code(session, me.tenant.id, code) if code else []
    if found:
        return RedirectResponse(f"/lots/{found[0].code}", status_code=303)
    if code:
        from bakeprint.packaging import service as packaging

        try:
            packaging.lookup(session, code, tenant_id=me.tenant.id)
        except BakeprintError:
            pass
        else:  # a package's QR link, element string or serial: its trace
            return RedirectResponse(
                f"/trace?code={quote(code, safe='')}", status_code=303
            )
    return render(
        request,
        "web/lookup.html",
        {"me": me, "q": code, "csrf": csrf_token(request)},
        status_code=404 if code else 200,
    )


@router.get("/events")
def event_log(
    request: Request,
    session: SessionDep,
    me: CurrentUser,
    subject: str = "",
    before: int = 0,
) -> Response:
    me.require("read")
    rows = log.newest(session, me.tenant.id, subject=subject, before=before)
    return render(
        request,
        "events/list.html",
        {
            "me": me,
            "rows": rows,
            "subject": subject,
            "csrf": csrf_token(request),
            "report": request.session.pop("verify", None),
        },
    )


@router.post("/events/verify")
def verify_chain(
    request: Request, form: FormDep, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("read")
    check_csrf(request, form)
    count, problems = events.verify(session, me.tenant.id)
    report: dict[str, Any] = {
        "ok": not problems,
        "count": count,
        "problems": [p.as_dict() for p in problems],
    }
    request.session["verify"] = report
    return RedirectResponse("/events", status_code=303)
