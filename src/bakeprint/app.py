"""create_app(): API routers under /api/v1, pages, error handlers."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, PendingRollbackError
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from bakeprint import __version__, apidocs, localtime, reactions
from bakeprint.bodies import WholeBody
from bakeprint.config import secret_key, settings
from bakeprint.db import Database, get_database
from bakeprint.errors import BakeprintError, Invalid, database_problem
from bakeprint.interop import endpoints as interop_endpoints
from bakeprint.sensors import endpoints as sensor_endpoints
from bakeprint.web.headers import SecurityHeaders
from bakeprint.web.lang import lang_of

log = logging.getLogger("bakeprint")

API_PREFIX = "/api/v1"

_FIELD_MSG = {
    "missing": ("必填", "is required"),
    "string_too_short": ("太短", "is too short"),
    "string_too_long": ("太长", "is too long"),
    "string_pattern_mismatch": ("格式不对", "has the wrong format"),
    "greater_than": ("太小", "is too small"),
    "greater_than_equal": ("太小", "is too small"),
    "less_than": ("太大", "is too large"),
    "less_than_equal": ("太大", "is too large"),
    "int_parsing": ("应为整数", "must be a whole number"),
    "float_parsing": ("应为数字", "must be a number"),
    "datetime_parsing": ("日期时间格式不对", "is not a valid date-time"),
    "datetime_from_date_parsing": ("日期时间格式不对", "is not a valid date-time"),
    "date_from_datetime_parsing": ("日期格式不对", "is not a valid date"),
    "timezone_aware": ("需要带时区", "needs a time zone"),
    "enum": ("不是可选值之一", "is not one of the allowed values"),
    "literal_error": ("不是可选值之一", "is not one of the allowed values"),
    "json_invalid": ("不是有效的 JSON", "is not valid JSON"),
}


def wants_html(request: Request) -> bool:
    """Pages get an HTML error; the API (and API clients) get JSON."""
    if request.url.path.startswith(API_PREFIX):
        return False
    return "text/html" in request.headers.get("accept", "")


def validation_error(errors: list[dict[str, Any]]) -> BakeprintError:
    from bakeprint.errors import Invalid

    parts_zh, parts_en, fields = [], [], []
    for err in errors:
        loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path")]
        name = ".".join(loc) or "请求"
        zh, en = _FIELD_MSG.get(
            err.get("type", ""), ("无效", err.get("msg", "invalid"))
        )
        if err.get("type") in ("value_error", "assertion_error"):
            msg = str(err.get("msg", "")).removeprefix("Value error, ")
            zh, en = msg, msg
        parts_zh.append(f"{name}：{zh}")
        parts_en.append(f"{name} {en}")
        fields.append({"field": name, "type": err.get("type"), "zh": zh, "en": en})
    return Invalid(
        "；".join(parts_zh),
        "; ".join(parts_en),
        field=fields[0]["field"] if fields else None,
        details={"fields": fields},
    )


class BakeryTime:
    """Each request gets its own ``localtime.scope``: the caller's bakery,
    once known, sets the zone its answer is written in (and no other's)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with localtime.scope():
            await self.app(scope, receive, send)


def error_response(request: Request, exc: BakeprintError) -> Response:
    """A domain error as a page (a browser on a page) or as JSON (the API)."""
    if wants_html(request):
        from bakeprint.web.pages import error_page

        response = error_page(request, exc.status, exc.message(lang_of(request)))
    else:
        response = JSONResponse(
            {"error": exc.as_dict(lang_of(request))}, status_code=exc.status
        )
    response.headers.update(getattr(exc, "headers", {}))
    return response


# the public forms and the login form: small, and anyone can post them
_PUBLIC_FORMS = re.compile(r"/login|/u/[^/]+/(report|claim)")
# a file upload's form: the file plus a few short fields
_FORM_ROOM = 64 * 1024


def json_cap(path: str) -> int | None:
    """The most JSON a request to ``path`` may send, checked for depth before
    routing (FastAPI parses a route's JSON body before its dependencies know
    the caller); None for the routes that read their large body raw and check
    its depth themselves once they know who sends it."""
    if path in (f"{API_PREFIX}/sensors/readings", f"{API_PREFIX}/epcis/capture"):
        return None
    return settings.max_json_bytes


def body_cap(path: str) -> int:
    """The most a request to ``path`` may send (413 beyond, before it is
    read): the route's own limit where it has a larger one."""
    if path == f"{API_PREFIX}/sensors/readings":
        return sensor_endpoints.MAX_UPLOAD
    if path == f"{API_PREFIX}/epcis/capture":
        return interop_endpoints.MAX_DOCUMENT
    if _PUBLIC_FORMS.fullmatch(path):
        return settings.max_public_form_bytes
    return settings.max_upload_bytes + _FORM_ROOM


def create_app(db: Database | None = None) -> FastAPI:
    reactions.install()  # before the first request records anything
    app = FastAPI(
        title="bakeprint",
        version=__version__,
        description="Batch traceability and precise recall for short-life pastries.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        # served by apidocs, from assets installed with bakeprint (no CDN)
        docs_url=None,
        redoc_url=None,
    )
    apidocs.include(app, API_PREFIX)
    app.state.db = db or get_database(settings.database_url)
    # inside the session middleware: an error page it answers can use the session
    app.add_middleware(
        WholeBody, cap_for=body_cap, json_cap_for=json_cap, answer=error_response
    )
    # the cookie is signed; the login it names must also be live on the
    # server (identity.sessions), so logging out really ends it
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(),
        session_cookie="bp_session",
        same_site="lax",
        https_only=False,  # Secure is added per request when it came over HTTPS
        max_age=settings.session_hours * 3600,
    )
    app.add_middleware(BakeryTime)
    app.add_middleware(SecurityHeaders)
    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    if proxies:
        # outermost: the client address (rate limits) and the scheme (Secure
        # cookies) come from X-Forwarded-* only when a listed proxy sent them
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)

    @app.exception_handler(BakeprintError)
    async def _domain_error(request: Request, exc: BakeprintError) -> Response:
        return error_response(request, exc)

    async def _database(request: Request, exc: Exception) -> Response:
        # the transaction was rolled back: a clear 503, never a stack trace;
        # a constraint violation that reaches here is a bug, not an outage
        if isinstance(exc, IntegrityError):
            raise exc
        if isinstance(exc, DataError):
            # a value the database cannot hold (a NUL character, a number out
            # of range): the caller's input, not an outage
            return await _domain_error(
                request,
                Invalid(
                    "输入里有数据库无法保存的字符或数值（例如空字符 \\0）",
                    "the input holds a character or number the database cannot "
                    "store (such as a NUL \\0)",
                ),
            )
        log.warning("database unavailable: %s", str(exc).splitlines()[0][:300])
        return await _domain_error(request, database_problem(exc))

    # DBAPIError: connection cut, read-only, disk full…; PendingRollbackError:
    # a session whose connection died mid-transaction
    app.add_exception_handler(DBAPIError, _database)
    app.add_exception_handler(PendingRollbackError, _database)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        err = validation_error(list(exc.errors()))
        return JSONResponse({"error": err.as_dict(lang_of(request))}, status_code=422)

    from bakeprint import routes

    routes.include_all(app)
    return app
