"""The API's docs pages, Swagger UI and ReDoc, with nothing fetched from
another host: a kitchen's or a shop's network often has no internet.

Their scripts and styles are the ones the fastapi-offline package ships
(installed from PyPI with bakeprint, never copied into this repository),
served from ``/api/v1/docs-assets``. A Content-Security-Policy keeps the
browser on this server: the few things the bundles would still fetch from
elsewhere (ReDoc's "powered by" logo) are not even requested.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

# The bundles run inline bootstrap code and styles and ReDoc searches in a
# blob: worker; everything else comes from this server or is a data: image.
POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'"
)


def include(app: FastAPI, prefix: str) -> None:
    """``{prefix}/docs`` (Swagger UI) and ``{prefix}/redoc`` (ReDoc) for the
    app's OpenAPI document."""
    assets = f"{prefix}/docs-assets"
    app.mount(
        assets,
        StaticFiles(directory=str(files("fastapi_offline") / "static")),
        name="docs-assets",
    )
    spec = app.openapi_url or f"{prefix}/openapi.json"

    @app.get(f"{prefix}/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return _kept_local(
            get_swagger_ui_html(
                openapi_url=spec,
                title=f"{app.title} API",
                swagger_js_url=f"{assets}/swagger-ui-bundle.js",
                swagger_css_url=f"{assets}/swagger-ui.css",
                swagger_favicon_url=f"{assets}/favicon.png",
                # no badge from the online validator
                swagger_ui_parameters={"validatorUrl": None},
            )
        )

    @app.get(f"{prefix}/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _kept_local(
            get_redoc_html(
                openapi_url=spec,
                title=f"{app.title} API",
                redoc_js_url=f"{assets}/redoc.standalone.js",
                redoc_favicon_url=f"{assets}/favicon.png",
                with_google_fonts=False,
            )
        )


def _kept_local(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = POLICY
    return page
