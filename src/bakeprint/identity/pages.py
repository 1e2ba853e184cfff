"""Pages: the owner's users and tokens, and everyone's own account
(changing one's password)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import PointOfSale
from bakeprint.db import utcnow
from bakeprint.deps import FormDep, SessionDep
from bakeprint.errors import Invalid
from bakeprint.identity import admin
from bakeprint.identity import repository as tenants
from bakeprint.identity.models import ROLES
from bakeprint.identity.permissions import ROLE_NAMES
from bakeprint.web.auth import CurrentUser, PageUser, check_csrf, csrf_token
from bakeprint.web.forms import FormErrors, opt, run
from bakeprint.web.i18n import lang_of, t
from bakeprint.web.templating import render

router = APIRouter(include_in_schema=False)


def _users_page(
    request: Request,
    session: SessionDep,
    me: PageUser,
    *,
    which: str = "",
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    issued: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    me.require("users:admin")
    t_id = me.tenant.id
    shops = catalog.rows(session, PointOfSale, t_id)
    users = tenants.users(session, t_id)
    lang = lang_of(request)
    return render(
        request,
        "identity/users.html",
        {
            "me": me,
            "users": users,
            "shops": shops,
            "shop_code": {p.id: p.code for p in shops},
            "roles": [(r, ROLE_NAMES[r][1 if lang == "en" else 0]) for r in ROLES],
            "tokens": admin.tokens(session, me.actor),
            "log": admin.security_log(session, t_id, limit=30),
            "which": which,
            "form": form or {},
            "errors": errors or {},
            "message": message,
            "issued": issued,
            "csrf": csrf_token(request),
        },
        status_code=status_code,
    )


@router.get("/users")
def users_page(request: Request, session: SessionDep, me: CurrentUser) -> Response:
    return _users_page(request, session, me)


def _post(
    request: Request,
    session: SessionDep,
    me: PageUser,
    form: FormData,
    which: str,
    command: Any,
) -> Response:
    """One form of the users page: on success back to it with a note, else
    the page again with the refusal next to the form."""
    me.require("users:admin")
    check_csrf(request, form)
    data: dict[str, Any] = {k: opt(v) for k, v in form.items() if k != "csrf"}
    data["roles"] = [str(r) for r in form.getlist("roles")]
    try:
        result = run(request, session, lambda: command(data))
    except FormErrors as exc:
        return _users_page(
            request,
            session,
            me,
            which=which,
            form=data,
            errors=exc.errors,
            message=exc.message,
            status_code=exc.status,
        )
    if which == "token":  # the secret is shown on this answer, and never again
        secret, token = result
        return _users_page(
            request,
            session,
            me,
            issued={"secret": secret, "name": token.name},
            status_code=201,
        )
    request.session["flash"] = t(lang_of(request), f"done_{which}")
    return RedirectResponse("/users", status_code=303)


@router.post("/users/new")
def add_user(
    request: Request, session: SessionDep, me: CurrentUser, form: FormDep
) -> Response:
    return _post(
        request,
        session,
        me,
        form,
        "user",
        lambda d: admin.add_user(
            session,
            me.actor,
            username=d.get("username") or "",
            display_name=d.get("display_name") or d.get("username") or "",
            roles=d["roles"],
            password=d.get("password"),
            point_of_sale=d.get("point_of_sale"),
        ),
    )


@router.post("/users/{username}/shop")
def set_shop(
    request: Request, username: str, session: SessionDep, me: CurrentUser, form: FormDep
) -> Response:
    return _post(
        request,
        session,
        me,
        form,
        "user",
        lambda d: admin.update_user(
            session, me.actor, username, {"point_of_sale": d.get("point_of_sale")}
        ),
    )


@router.post("/users/{username}/deactivate")
def deactivate(
    request: Request, username: str, session: SessionDep, me: CurrentUser, form: FormDep
) -> Response:
    return _post(
        request,
        session,
        me,
        form,
        "user",
        lambda d: admin.deactivate(session, me.actor, username),
    )


@router.post("/users/{username}/activate")
def activate(
    request: Request, username: str, session: SessionDep, me: CurrentUser, form: FormDep
) -> Response:
    return _post(
        request,
        session,
        me,
        form,
        "user",
        lambda d: admin.activate(session, me.actor, username),
    )


def _days(value: str | None) -> Any:
    if not value:
        return None
    try:
        days = float(value)
    except ValueError:
        days = -1
    if not 0 < days <= 3650:
        raise Invalid("有效天数应在 0–3650 之间", "give 0–3650 days", field="days")
    return utcnow() + timedelta(days=days)


@router.post("/tokens/new")
def issue_token(
    request: Request, session: SessionDep, me: CurrentUser, form: FormDep
) -> Response:
    return _post(
        request,
        session,
        me,
        form,
        "token",
        lambda d: admin.mint(
            session,
            me.actor,
            name=d.get("name") or "api",
            username=d.get("username"),
            expires_at=_days(d.get("days")),
        ),
    )


@router.post("/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, token_id: str, session: SessionDep, me: CurrentUser, form: FormDep
) -> Response:
    def revoke(d: dict[str, Any]) -> Any:
        try:
            key = uuid.UUID(token_id)
        except ValueError:
            raise Invalid("令牌编号不对", "not a token id") from None
        return admin.revoke_token(session, me.actor, key)

    return _post(request, session, me, form, "revoke", revoke)


def _account_page(
    request: Request,
    me: PageUser,
    *,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "identity/account.html",
        {
            "me": me,
            "errors": errors or {},
            "message": message,
            "csrf": csrf_token(request),
        },
        status_code=status_code,
    )


@router.get("/account")
def account_page(request: Request, me: CurrentUser) -> Response:
    return _account_page(request, me)


@router.post("/account/password")
def change_password(
    request: Request, session: SessionDep, me: CurrentUser, form: FormDep
) -> Response:
    check_csrf(request, form)
    old, new = str(form.get("old_password", "")), str(form.get("new_password", ""))
    lang = lang_of(request)
    if new != str(form.get("new_password_again", "")):
        msg = t(lang, "passwords_differ")
        return _account_page(
            request,
            me,
            errors={"new_password_again": msg},
            message=msg,
            status_code=422,
        )
    try:
        run(
            request, session, lambda: admin.change_password(session, me.actor, old, new)
        )
    except FormErrors as exc:
        return _account_page(
            request, me, errors=exc.errors, message=exc.message, status_code=exc.status
        )
    request.session["flash"] = t(lang, "password_changed")
    return RedirectResponse("/account", status_code=303)
