"""Table-driven: every /api/v1 route refuses an anonymous caller, and dead
credentials (revoked, expired, deactivated, logged out)."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta

import itsdangerous
import pytest
from sqlalchemy import select

from bakeprint.app import API_PREFIX, create_app
from bakeprint.config import secret_key
from bakeprint.identity import admin, sessions
from bakeprint.identity import service as identity
from bakeprint.identity.models import ApiToken

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


def _cookie(tenant_id: object, secret: str) -> str:
    """The session cookie a browser holds for the login ``secret``."""
    payload = base64.b64encode(
        json.dumps({"tid": str(tenant_id), "sid": secret}).encode()
    )
    return itsdangerous.TimestampSigner(secret_key()).sign(payload).decode()


def test_no_api_route_takes_dead_credentials(client, session, bakery):
    """Issue 17 items 4 and 8: a revoked token, an expired one, a token of a
    deactivated user and a logged-out web login get nothing anywhere; a live
    web login only reads (writes need a token: no cross-site requests).
    One bakery for the whole table, so it stays quick."""
    past = datetime.now(UTC) - timedelta(minutes=1)
    revoked = identity.issue_token(session, bakery.owner, name="revoked")
    admin.revoke_token(
        session,
        bakery.actor,
        session.scalars(select(ApiToken).where(ApiToken.name == "revoked")).one().id,
    )
    expired = identity.issue_token(session, bakery.owner, expires_at=past)
    gone = bakery.tokens["auditor"]
    admin.deactivate(session, bakery.actor, "auditor-user")
    ended = sessions.start(session, bakery.owner)
    sessions.end(session, bakery.tenant.id, ended)
    live = sessions.start(session, bakery.owner)
    dead = {
        "revoked token": {"Authorization": f"Bearer {revoked}"},
        "expired token": {"Authorization": f"Bearer {expired}"},
        "deactivated user's token": {"Authorization": f"Bearer {gone}"},
        "logged-out cookie": {
            "Cookie": f"bp_session={_cookie(bakery.tenant.id, ended)}"
        },
    }
    alive = {"Cookie": f"bp_session={_cookie(bakery.tenant.id, live)}"}
    assert client.get(f"{API_PREFIX}/me", headers=alive).status_code == 200
    wrong = []
    for method, path in _routes():
        url = re.sub(r"\{[^}]+\}", "x", path)
        tries = dict(dead)
        if method not in ("GET", "HEAD"):
            cookie = _cookie(bakery.tenant.id, live)
            tries["live cookie on a write"] = {"Cookie": f"bp_session={cookie}"}
        for what, headers in tries.items():
            client.cookies.clear()
            status = client.request(method, url, headers=headers).status_code
            if status != 401:
                wrong.append(f"{method} {path} with a {what}: {status}")
    assert not wrong, "\n".join(wrong)
