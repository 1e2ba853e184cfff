"""Mount the server-rendered pages and their error handling."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from bakeprint.catalog import forms as catalog_forms
from bakeprint.catalog import pages as catalog_pages
from bakeprint.identity import pages as identity_pages
from bakeprint.logistics import pages as logistics_pages
from bakeprint.materials import pages as materials_pages
from bakeprint.production import pages as production_pages
from bakeprint.quality import pages as quality_pages
from bakeprint.recall import pages as recall_pages
from bakeprint.retail import pages as retail_pages
from bakeprint.sensors import pages as sensor_pages
from bakeprint.shelflife import pages as shelflife_pages
from bakeprint.trace import pages as trace_pages
from bakeprint.web import routes
from bakeprint.web.auth import CsrfFailed, LoginRequired, PageForbidden
from bakeprint.web.i18n import label, lang_of, t
from bakeprint.web.templating import render

STATIC = Path(__file__).resolve().parent.parent / "static"


def include(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for router in (
        routes.router,
        production_pages.router,
        materials_pages.router,
        catalog_pages.router,
        catalog_forms.router,
        logistics_pages.router,
        retail_pages.router,
        sensor_pages.router,
        shelflife_pages.router,
        trace_pages.router,
        recall_pages.router,
        quality_pages.router,
        identity_pages.router,
    ):
        app.include_router(router)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        nxt = request.url.path
        return RedirectResponse(f"/login?next={nxt}", status_code=303)

    @app.exception_handler(PageForbidden)
    async def _forbidden(request: Request, exc: PageForbidden) -> Response:
        lang = lang_of(request)
        what = label(lang, "permission", exc.action)
        return error_page(request, 403, t(lang, "forbidden_to", what=what))

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, exc: CsrfFailed) -> Response:
        return error_page(request, 403, t(lang_of(request), "csrf"))


def error_page(request: Request, status: int, message: str) -> Response:
    return render(
        request,
        "web/error.html",
        {"status": status, "message": message, "me": None},
        status_code=status,
    )
