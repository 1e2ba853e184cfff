"""Every page of the app, found from its router and reached by following its
links: each GET route outside the API is a page, and the crawl must render
each one (a new page without a link to it fails until it is given a seed).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from fastapi import routing
from fastapi.routing import APIRoute
from starlette.routing import compile_path

# GET routes that are not pages a person reads, each with its reason.
NOT_PAGES: dict[str, str] = {
    "/lang/{code}": "sets the language cookie and redirects",
    "/trace.pdf": "a PDF (its own language test is in tests/trace)",
    "/recalls/{code}/report.pdf": "a PDF",
    "/favicon.ico": "an icon",
    "/01/{rest:path}": "the GS1 resolver: redirects to /u/… and /p/… (pages)",
    "/.well-known/gs1resolver": "the resolver description file (JSON)",
}

HREF = re.compile(r'<a\b[^>]*\bhref="([^"]+)"')


@dataclass
class Page:
    status: int
    content_type: str
    text: str
    location: str = ""


Get = Callable[[str, str], Page]


@dataclass
class Route:
    path: str
    regex: re.Pattern[str]
    rendered: list[str] = field(default_factory=list)


def page_routes(app: Any) -> list[Route]:
    """The app's GET page routes (the API and static files are not pages)."""
    out = []
    # FastAPI ≥ 0.120 keeps included routers as such; this walks into them
    for r in routing.iter_route_contexts(app.routes):
        if not isinstance(r.original_route, APIRoute) or "GET" not in r.methods:
            continue
        if r.path.startswith("/api/") or r.path in NOT_PAGES:
            continue
        out.append(Route(r.path, compile_path(r.path)[0]))
    return out


def with_lang(url: str, lang: str) -> str:
    """The URL asking for a language (``?lang=`` wins over the cookie)."""
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


def links(text: str) -> Iterable[str]:
    for href in HREF.findall(text):
        url = html.unescape(href).split("#", 1)[0]
        if url.startswith("/") and not url.startswith("//"):
            yield url


def crawl(
    get: Get,
    routes: list[Route],
    seeds: list[str],
    check: Callable[[str, str, Page], None],
    per_route: int = 2,
) -> None:
    """Render up to ``per_route`` URLs of every route in zh and en (``check``
    sees each), following links from the seeds."""
    queue, seen = list(seeds), set()
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        route = next((r for r in routes if r.regex.match(urlsplit(url).path)), None)
        if route is None or len(route.rendered) >= per_route:
            continue
        for lang in ("zh", "en"):
            page = get(url, lang)
            if page.location:  # a redirect is not a page; where it leads may be
                queue.append(page.location)
                break
            assert page.status in (200, 404), f"{url} ({lang}): {page.status}"
            if "text/html" not in page.content_type:
                break
            check(url, lang, page)
            if lang == "zh":
                route.rendered.append(url)
                queue.extend(u for u in links(page.text) if u not in seen)
