"""Fuzzing the whole API from its OpenAPI description (issue 8, item 4):
schemathesis generates requests — valid and not — for every operation, sent
as a signed-in owner; none may answer 5xx. Bad input is a 4xx that says why."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from bakeprint.app import create_app

SPEC = "/api/v1/openapi.json"


class _Swap:
    """An ASGI app that forwards to the current test's app, so the schema is
    loaded once and every test talks to its own database session."""

    target: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.target(scope, receive, send)


APP = _Swap()


@cache
def _schema() -> Any:
    APP.target = create_app()
    return schemathesis.openapi.from_asgi(SPEC, APP)


def _operations() -> list[tuple[str, str]]:
    spec = create_app().openapi()
    return sorted(
        (method.upper(), path)
        for path, ops in spec["paths"].items()
        for method in ops
        if method in ("get", "post", "put", "patch", "delete")
    )


@pytest.mark.parametrize(("method", "path"), _operations())
def test_no_request_makes_the_api_fail(app, bakery, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    operation = _schema()[path][method]
    APP.target = app

    @given(case=operation.as_strategy())
    @settings(
        max_examples=6,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def one(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call(headers=bakery.headers)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} {case.query or ''} answered "
            f"{response.status_code}: {response.text[:300]}"
        )

    one()


def test_a_nul_character_is_refused_as_input_not_an_outage(client, bakery) -> None:  # type: ignore[no-untyped-def]
    """What the fuzzer found on PostgreSQL: text with NUL cannot be stored."""
    h = {**bakery.headers, "Accept-Language": "en"}
    r = client.post("/api/v1/tokens", json={"name": "till\x00"}, headers=h)
    assert r.status_code in (201, 422), r.text  # SQLite stores it, PostgreSQL cannot
    if r.status_code == 422:
        assert "cannot store" in r.json()["error"]["message"]
    r = client.get("/api/v1/epcis/events", params={"MATCH_anyEPC": "\x00"}, headers=h)
    assert r.status_code in (200, 422), r.text
