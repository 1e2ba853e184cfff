"""Pages: level-2/3 alerts and QC tasks ("需处理"), complaints, the public
"report a problem" form, and the alert thresholds."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from bakeprint.alerts import attention
from bakeprint.alerts.endpoints import alert_view, task_views
from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import PointOfSale
from bakeprint.deps import FormDep, SessionDep
from bakeprint.errors import NotFound
from bakeprint.quality import complaints
from bakeprint.quality import repository as quality_repo
from bakeprint.quality.complaint_endpoints import complaint_view
from bakeprint.trace import causes
from bakeprint.web.auth import CurrentUser, PageUser, check_csrf, csrf_token
from bakeprint.web.forms import FormErrors, opt, run
from bakeprint.web.i18n import lang_of, t
from bakeprint.web.public_forms import report_token_ok
from bakeprint.web.templating import render

router = APIRouter(include_in_schema=False)


def _uuid(text: str, what: tuple[str, str]) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound(*what) from None


def _back(form: Any, default: str) -> str:
    back = str(form.get("back") or default)
    return back if back.startswith("/") and not back.startswith("//") else default


def _attention_page(
    request: Request,
    session: SessionDep,
    me: PageUser,
    status: str,
    *,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    t_id = me.tenant.id
    rows = attention.alerts(session, t_id, status=status or None)
    return render(
        request,
        "quality/attention.html",
        {
            "me": me,
            "status": status,
            "alerts": [alert_view(session, a) for a in rows],
            "tasks": task_views(session, attention.tasks(session, t_id)),
            "counts": quality_repo.open_counts(session, t_id),
            "limits": attention.thresholds(session, t_id),
            "errors": errors or {},
            "message": message,
            "csrf": csrf_token(request),
        },
        status_code=status_code,
    )


@router.get("/attention")
def attention_page(
    request: Request, session: SessionDep, me: CurrentUser, status: str = "open"
) -> Response:
    me.require("read")
    status = status if status in ("open", "acknowledged") else ""
    return _attention_page(request, session, me, status)


def _post(
    request: Request,
    form: FormData,
    session: SessionDep,
    me: PageUser,
    action: str,
    key: str,
    fn: Any,
    done: str,
) -> Response:
    me.require(action)
    check_csrf(request, form)
    try:
        run(request, session, lambda: fn(form))
    except FormErrors as exc:
        return _attention_page(
            request,
            session,
            me,
            "open",
            errors={key: exc.message},
            message=exc.message,
            status_code=exc.status,
        )
    request.session["flash"] = t(lang_of(request), done)
    return RedirectResponse(_back(form, "/attention"), status_code=303)


@router.post("/batch-alerts/{alert_id}/acknowledge")
def acknowledge(
    request: Request, alert_id: str, form: FormDep, session: SessionDep, me: CurrentUser
) -> Response:
    aid = _uuid(alert_id, ("找不到这条预警", "alert not found"))
    return _post(
        request,
        form,
        session,
        me,
        "alerts:ack",
        alert_id,
        lambda form: attention.acknowledge(
            session, aid, note=opt(form.get("note")) or "", actor=me.actor
        ),
        "acknowledged",
    )


@router.post("/qc-tasks/{task_id}/done")
def task_done(
    request: Request, task_id: str, form: FormDep, session: SessionDep, me: CurrentUser
) -> Response:
    tid = _uuid(task_id, ("找不到这项质检任务", "QC task not found"))
    return _post(
        request,
        form,
        session,
        me,
        "quality:write",
        task_id,
        lambda form: attention.complete_task(
            session, tid, result=str(form.get("result") or ""), actor=me.actor
        ),
        "task_done",
    )


@router.post("/alert-settings")
def settings(
    request: Request, form: FormDep, session: SessionDep, me: CurrentUser
) -> Response:
    def save(form: Any) -> None:
        def number(name: str, cast: Any) -> Any:
            value = opt(form.get(name))
            if value is None:
                return None
            try:
                return cast(value)
            except ValueError:
                from bakeprint.errors import Invalid

                raise Invalid("请输入数字", "enter a number", field=name) from None

        rate = number("raised_sampling_pct", float)
        attention.set_thresholds(
            session,
            minor_anomalies=number("minor_anomalies", int),
            raised_sampling_rate=rate / 100 if rate is not None else None,
            actor=me.actor,
        )

    return _post(request, form, session, me, "quality:write", "settings", save, "saved")


# --- complaints -------------------------------------------------------------


def _shops(session: SessionDep, tenant_id: uuid.UUID) -> list[PointOfSale]:
    return catalog.rows(session, PointOfSale, tenant_id)


def _complaints_page(
    request: Request,
    session: SessionDep,
    me: PageUser,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    rows = complaints.complaints(session, me.tenant.id) if me.actor.can("read") else []
    mine = None
    if me.user.point_of_sale_id is not None:
        mine = catalog.code_of(
            session, PointOfSale, me.tenant.id, me.user.point_of_sale_id
        )
    return render(
        request,
        "quality/complaints.html",
        {
            "me": me,
            "complaints": [complaint_view(session, c) for c in rows],
            "categories": complaints.CATEGORY_NAMES,
            "shops": _shops(session, me.tenant.id),
            "form": form
            or {"point_of_sale": mine, "code": request.query_params.get("code")},
            "errors": errors or {},
            "message": message,
            "csrf": csrf_token(request),
        },
        status_code=status_code,
    )


@router.get("/complaints")
def complaints_page(request: Request, session: SessionDep, me: CurrentUser) -> Response:
    if not me.actor.can("read"):
        me.require("complaints:file")
    return _complaints_page(request, session, me)


@router.post("/complaints")
def file_complaint(
    request: Request, form: FormDep, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("complaints:file")
    check_csrf(request, form)
    values = {
        k: str(form.get(k) or "").strip()
        for k in ("code", "category", "description", "contact", "point_of_sale")
    }
    try:
        row = run(
            request,
            session,
            lambda: complaints.file(
                session,
                me.tenant.id,
                complaints.ComplaintCreate(
                    **{**values, "point_of_sale": values["point_of_sale"] or None}
                ),
                channel="staff" if me.actor.can("read") else "shop",
                actor=me.actor,
            ),
        )
    except FormErrors as exc:
        return _complaints_page(
            request,
            session,
            me,
            form=values,
            errors=exc.errors,
            message=exc.message,
            status_code=422,
        )
    request.session["flash"] = t(lang_of(request), "complaint_filed", code=row.code)
    if not me.actor.can("read"):
        return RedirectResponse("/complaints", status_code=303)
    return RedirectResponse(f"/complaints/{row.code}", status_code=303)


def _complaint_page(
    request: Request,
    session: SessionDep,
    me: PageUser,
    code: str,
    *,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    row = complaints.get(session, me.tenant.id, code)
    view = complaint_view(session, row)
    alert = (
        alert_view(session, attention.get(session, me.tenant.id, view.alert), full=True)
        if view.alert
        else None
    )
    shop = (
        catalog.by_id(session, PointOfSale, me.tenant.id, row.point_of_sale_id)
        if row.point_of_sale_id
        else None
    )
    # what QC checks first: the batch's anomalies lead the candidate causes
    found = causes.candidates(session, me.tenant.id, view.batch)
    return render(
        request,
        "quality/complaint.html",
        {
            "me": me,
            "c": view,
            "shop": shop,
            "alert": alert,
            "causes": found,
            "categories": complaints.CATEGORY_NAMES,
            "errors": errors or {},
            "message": message,
            "csrf": csrf_token(request),
        },
        status_code=status_code,
    )


@router.get("/complaints/{code}")
def complaint_page(
    request: Request, code: str, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("read")
    return _complaint_page(request, session, me, code)


@router.post("/complaints/{code}/decision")
def decide(
    request: Request, code: str, form: FormDep, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("quality:write")
    check_csrf(request, form)
    try:
        run(
            request,
            session,
            lambda: complaints.decide(
                session,
                code,
                complaints.ComplaintDecision(
                    verified=form.get("verified") == "yes",
                    verdict=str(form.get("verdict") or "").strip(),
                ),
                actor=me.actor,
            ),
        )
    except FormErrors as exc:
        return _complaint_page(
            request,
            session,
            me,
            code,
            errors=exc.errors,
            message=exc.message,
            status_code=exc.status,
        )
    request.session["flash"] = t(lang_of(request), "saved")
    return RedirectResponse(f"/complaints/{code}", status_code=303)


@router.get("/batch-alerts/{alert_id}")
def alert_page(
    request: Request, alert_id: str, session: SessionDep, me: CurrentUser
) -> Response:
    me.require("read")
    aid = _uuid(alert_id, ("找不到这条预警", "alert not found"))
    view = alert_view(session, attention.get(session, me.tenant.id, aid), full=True)
    return render(
        request,
        "quality/alert.html",
        {"me": me, "a": view, "csrf": csrf_token(request), "errors": {}},
    )


# --- the public "report a problem" form ---------------------------------------


def public_report(
    request: Request, session: SessionDep, serial: str, form: Any
) -> Response:
    """A consumer's report from the scan page: no login; the complaint goes
    to the bakery's QC. The answer shows only the complaint's number."""
    from bakeprint.packaging import service as packaging
    from bakeprint.resolver import public_view

    found = packaging.lookup(session, serial, tenant_id=None)
    lang = lang_of(request)
    values = {
        k: str(form.get(k) or "").strip()
        for k in ("category", "description", "contact")
    }
    errors: dict[str, str] = {}
    status, filed = 201, None
    shown = found.unit.serial if found.unit else serial
    try:
        if not report_token_ok(shown, form.get("report_token")):
            # not from a scan page this package drew lately: nothing is filed
            errors, status = {"_": t(lang, "report_form_expired")}, 403
        else:
            data = complaints.ComplaintCreate(code=serial, **values)
            filed = run(
                request,
                session,
                lambda: complaints.file(
                    session, found.batch.tenant_id, data, channel="scan"
                ),
            )
    except ValidationError as exc:
        status = 422
        for e in exc.errors():
            field = str(e["loc"][0]) if e["loc"] else "_"
            errors[field] = t(lang, "report_" + field + "_invalid")
    except FormErrors as exc:
        errors, status = exc.errors, exc.status
    return render(
        request,
        "public/scan.html",
        {
            "v": public_view(session, found, lang),
            "me": None,
            "categories": complaints.CATEGORY_NAMES,
            "report": values if errors else {},
            "report_errors": errors,
            "filed": filed.code if filed else None,
        },
        status_code=status,
    )
