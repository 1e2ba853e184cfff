"""Table-driven over every route that takes a body (issue #17, items 1, 2, 6):
the body arrives whole before any route runs, and no route does database
work on the event loop.

- a body that stops arriving is answered 408 once ``body_timeout_s`` has
  passed, and nothing — no dependency, no transaction — ran meanwhile;
- a body larger than the route's cap is refused with 413 before it is read
  (the public forms and the login form: 32 KB);
- JSON nested deeper than ``max_json_depth`` is answered 400 (it used to be
  a ``RecursionError``: a 500, a traceback and a reset connection), and
  JSON over ``max_json_bytes`` 413 — except by the two routes that read large
  bodies raw and check them once the caller is known;
- no endpoint is a coroutine, and no coroutine dependency reaches the
  database: FastAPI runs them in worker threads, so a request waiting on the
  database never holds up the event loop (and every other request with it).

The app runs on a database that fails the test if anything touches it.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

try:  # FastAPI keeps included routers nested since 0.16x
    from fastapi.routing import iter_route_contexts
except ImportError:  # pragma: no cover - older FastAPI lists routes flat
    iter_route_contexts = None  # type: ignore[assignment]

from bakeprint.app import create_app
from bakeprint.config import settings
from bakeprint.deps import get_db, get_session, get_writer

WRITING = {"POST", "PUT", "PATCH", "DELETE"}
DEEP = b"[" * 5000


class Untouchable:
    """A database nothing may use: the middleware answers before routing."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the database was used ({name}) before the body")


@pytest.fixture(scope="module")
def app() -> Any:
    return create_app(Untouchable())  # type: ignore[arg-type]


def _api_routes(app: Any) -> list[Any]:
    """Every route of the app with its full path, methods, endpoint and
    dependencies (routers' own dependencies included)."""
    if iter_route_contexts is None:  # pragma: no cover
        return [r for r in app.routes if isinstance(r, APIRoute)]
    return [
        c
        for c in iter_route_contexts(app.routes)
        if isinstance(c.original_route, APIRoute)
    ]


def _writing_routes() -> list[tuple[str, str]]:
    out = set()
    for route in _api_routes(create_app(Untouchable())):  # type: ignore[arg-type]
        for method in set(route.methods or ()) & WRITING:
            out.add((method, re.sub(r"\{[^}]+\}", "X1", route.path)))
    return sorted(out)


ROUTES = _writing_routes()


def test_the_table_covers_the_api_the_pages_and_the_public_forms() -> None:
    paths = {p for _, p in ROUTES}
    assert "/api/v1/epcis/capture" in paths and "/api/v1/sensors/readings" in paths
    assert "/u/X1/report" in paths and "/login" in paths
    assert "/shops/X1/sell" in paths and "/lots/new" in paths
    assert len(ROUTES) > 60


def _scope(method: str, path: str, headers: dict[str, str]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def _trickled(app: Any, method: str, path: str) -> dict[str, Any]:
    """Send headers promising 10 kB (within every cap) and 24 bytes of it,
    then nothing."""
    first = True
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": b"x" * 24, "more_body": True}
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = {
        "host": "testserver",
        "content-length": "10000",
        "content-type": "application/x-www-form-urlencoded",
        "authorization": "Bearer bp_x_y",
    }
    with anyio.fail_after(10):  # the failure mode: the request waits on
        await app(_scope(method, path, headers), receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(
        m.get("body", b"") for m in sent if m["type"] == "http.response.body"
    )
    return {"status": start["status"], "headers": dict(start["headers"]), "body": body}


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_body_that_stops_arriving_is_answered_408_and_nothing_ran(
    app: Any, method: str, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "body_timeout_s", 0.02)
    answer = anyio.run(_trickled, app, method, path)
    assert answer["status"] == 408, f"{method} {path} answered {answer['status']}"
    assert answer["headers"][b"connection"] == b"close"
    assert b"0.02" in answer["body"]  # says how long it waited


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


# read raw and large, and checked once the caller is known: a 400 for them in
# tests/sensors/test_deep_json.py, tests/interop/test_capture.py and
# tests/reliability/test_slow_clients.py (against a real server)
RAW_JSON = {"/api/v1/sensors/readings", "/api/v1/epcis/capture"}


@pytest.mark.parametrize(
    ("method", "path"), [(m, p) for m, p in ROUTES if p not in RAW_JSON]
)
def test_json_nested_5000_deep_is_answered_400_by_every_route(
    client: TestClient, method: str, path: str
) -> None:
    r = client.request(
        method,
        path,
        content=DEEP,
        headers={"Content-Type": "application/json", "Accept-Language": "en"},
    )
    assert r.status_code == 400, f"{method} {path} answered {r.status_code}"
    error = r.json()["error"]
    assert error["code"] == "json_too_deep"
    assert "deeper than 64 levels" in error["message"]


def test_json_over_the_cap_is_refused_before_it_is_scanned(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "max_json_bytes", 4096)
    r = client.post(
        "/api/v1/catalog/product-lines",
        content=b"[" * 5000,
        headers={"Content-Type": "application/json", "Accept-Language": "en"},
    )
    assert r.status_code == 413 and "at most 4 KB" in r.json()["error"]["message"]


@pytest.mark.parametrize("path", ["/u/X1/report", "/u/X1/claim", "/login"])
def test_the_public_forms_refuse_a_large_body_before_reading_it(
    client: TestClient, path: str
) -> None:
    r = client.post(
        path,
        content=b"description=" + b"x" * 40_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 413 and "32 KB" in r.text


def test_an_api_body_over_the_cap_is_refused_by_its_declared_length(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "max_upload_bytes", 1000)
    r = client.post(
        "/api/v1/catalog/product-lines",
        content=b"{" + b" " * 70_000 + b"}",
        headers={"Content-Type": "application/json", "Accept-Language": "en"},
    )
    assert r.status_code == 413
    assert "at most" in r.json()["error"]["message"]


def _calls(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub
        yield from _calls(sub)


def _uses_database(dependant: Any) -> bool:
    database = {get_session, get_writer, get_db}
    return any(d.call in database for d in _calls(dependant))


def _is_async(call: Callable[..., Any] | None) -> bool:
    return inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call)


def test_no_route_does_database_work_on_the_event_loop(app: Any) -> None:
    on_loop = []
    routes = _api_routes(app)
    assert len(routes) > 150
    for route in routes:
        if _is_async(route.endpoint):
            on_loop.append(f"{route.path}: {route.endpoint.__name__}")
        for dep in _calls(route.dependant):
            if _is_async(dep.call) and _uses_database(dep):
                on_loop.append(f"{route.path}: dependency {dep.call.__name__}")
    assert on_loop == []
