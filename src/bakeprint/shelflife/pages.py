"""Pages: the shelf-life model's parameters per product category (R3.3),
edited as new versions."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bakeprint.deps import FormDep, SessionDep
from bakeprint.shelflife import model, views
from bakeprint.shelflife import service as shelflife
from bakeprint.web.auth import CurrentUser, PageUser, check_csrf, csrf_token
from bakeprint.web.forms import FormErrors, opt, run
from bakeprint.web.i18n import lang_of, t
from bakeprint.web.templating import render

router = APIRouter(include_in_schema=False)

NUMBERS = tuple(model.BOUNDS)


def _page(
    request: Request,
    session: SessionDep,
    me: PageUser,
    *,
    which: str = "",
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "shelflife/params.html",
        {
            "me": me,
            "rows": views.current_params(session, me.tenant.id),
            "numbers": NUMBERS,
            "packagings": model.PACKAGING_TYPES,
            "which": which,
            "form": form or {},
            "errors": errors or {},
            "message": message,
            "csrf": csrf_token(request),
        },
        status_code=status_code,
    )


@router.get("/shelflife/params")
def params_page(request: Request, session: SessionDep, me: CurrentUser) -> Response:
    me.require("read")
    return _page(request, session, me)


def _values(form: Any) -> dict[str, Any]:
    """The form's fields as parameters (blank fields keep their value)."""
    values: dict[str, Any] = {}
    for name in NUMBERS:
        if (v := opt(form.get(name))) is not None:
            values[name] = v
    packaging = {
        kind: v
        for kind in model.PACKAGING_TYPES
        if (v := opt(form.get(f"packaging.{kind}"))) is not None
    }
    if packaging:
        values["packaging"] = packaging
    if (d := opt(form.get("default_packaging"))) is not None:
        values["default_packaging"] = d
    return values


@router.post("/shelflife/params/{category}")
def save_params(
    request: Request,
    category: str,
    form: FormDep,
    session: SessionDep,
    me: CurrentUser,
) -> Response:
    me.require("quality:write")
    check_csrf(request, form)
    try:
        row = run(
            request,
            session,
            lambda: shelflife.set_params(
                session,
                me.tenant.id,
                category,
                _values(form),
                note=str(form.get("note") or "")[:200],
                actor=me.actor,
            ),
        )
    except FormErrors as exc:
        return _page(
            request,
            session,
            me,
            which=category,
            form={k: str(v) for k, v in form.items()},
            errors=exc.errors,
            message=exc.message,
            status_code=exc.status,
        )
    request.session["flash"] = t(
        lang_of(request), "saved_what", what=f"{category} v{row.version}"
    )
    return RedirectResponse(f"/shelflife/params#{quote(category)}", status_code=303)
