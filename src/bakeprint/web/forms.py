"""Turning form posts into service calls, and domain errors into field errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from bakeprint.errors import BakeprintError
from bakeprint.web.auth import check_csrf
from bakeprint.web.i18n import lang_of

T = TypeVar("T")


class FormErrors(Exception):
    def __init__(self, errors: dict[str, str], message: str, status: int = 422) -> None:
        self.errors, self.message, self.status = errors, message, status


def run(request: Request, session: Session, fn: Callable[[], T]) -> T:
    """Run one command in a savepoint; map its failure onto the form's fields."""
    lang = lang_of(request)
    try:
        with session.begin_nested():
            return fn()
    except BakeprintError as exc:
        msg = exc.message(lang)
        raise FormErrors({exc.field or "_": msg}, msg, exc.status) from exc
    except ValidationError as exc:
        from bakeprint.app import validation_error

        err = validation_error(list(exc.errors()))  # type: ignore[arg-type]
        fields = {
            f["field"]: f["en" if lang == "en" else "zh"]
            for f in err.details.get("fields", [])
        }
        raise FormErrors(fields, err.message(lang)) from exc


def opt(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def form_command(
    request: Request,
    session: Session,
    me: Any,
    form: Any,
    *,
    permission: str,
    which: str,
    fields: tuple[str, ...],
    command: Callable[[dict[str, Any]], Any],
    again: Callable[..., Response],
    done: str,
    flash: str,
    status: int | None = None,
) -> Response:
    """One of a page's forms: check who and the CSRF token, run the command
    in a savepoint, then go to ``done`` with ``flash`` — or draw the page
    again (``again(form=, errors=, message=, which=, status_code=)``) with
    the errors next to their fields (HTTP ``status``, else the error's own)."""
    me.require(permission)
    check_csrf(request, form)
    data = {k: opt(form.get(k)) for k in fields}
    try:
        run(request, session, lambda: command(data))
    except FormErrors as exc:
        return again(
            form=data,
            errors=exc.errors,
            message=exc.message,
            which=which,
            status_code=status or exc.status,
        )
    request.session["flash"] = flash
    return RedirectResponse(done, status_code=303)
