"""Table-driven: every /api/v1 route refuses an anonymous caller."""

from __future__ import annotations

import re

import pytest

from bakeprint.app import API_PREFIX, create_app

PUBLIC = {
    f"{API_PREFIX}/openapi.json",
    f"{API_PREFIX}/docs",
    f"{API_PREFIX}/docs/oauth2-redirect",
    f"{API_PREFIX}/health",  # for load balancers: says up or down, nothing else
}


def _routes() -> list[tuple[str, str]]:
    spec = create_app().openapi()
    out = []
    for path, ops in spec["paths"].items():
        if not path.startswith(API_PREFIX) or path in PUBLIC:
            continue
        for method in ops:
            out.append((method.upper(), path))
    return sorted(out)


@pytest.mark.parametrize(("method", "path"), _routes())
def test_every_api_route_needs_a_login_or_token(client, method, path):
    url = re.sub(r"\{[^}]+\}", "x", path)
    r = client.request(method, url)
    assert r.status_code == 401, f"{method} {path} answered {r.status_code}"


def test_health_is_public_and_says_only_up_or_down(client):
    r = client.get(f"{API_PREFIX}/health")
    assert r.status_code == 200
    assert set(r.json()) == {"status", "version", "database", "pid"}
    assert r.json()["status"] == "ok"
