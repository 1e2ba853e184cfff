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
from tests.factories import make_catalog

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


# Every request field that makes the server send a request of its own (issue
# 17, item 5: SSRF), with a body that is valid apart from it. A new field whose
# name says it holds a URL fails the first test until it is listed here.
URL_FIELDS: dict[tuple[str, str, str], dict[str, str]] = {
    ("POST", f"{API_PREFIX}/catalog/points-of-sale", "webhook_url"): {
        "code": "NEW-1",
        "name": "新店",
        "kind": "shop",
    },
    ("PATCH", f"{API_PREFIX}/catalog/points-of-sale/{{code}}", "webhook_url"): {},
}
INSIDE_URLS = (
    "http://127.0.0.1:8000/api/v1/health",
    "http://2130706433/",
    "http://localhost/",
    "http://[::ffff:10.0.0.1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "gopher://shop.example/_x",
    "https://till:pw@shop.example/hook",
)


def _url_fields() -> set[tuple[str, str, str]]:
    spec = create_app().openapi()
    schemas = spec["components"]["schemas"]
    out = set()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for content in op.get("requestBody", {}).get("content", {}).values():
                schema = content.get("schema", {})
                ref = schema.get("$ref", "")
                props = schemas[ref.rsplit("/", 1)[1]] if ref else schema
                out |= {
                    (method.upper(), path, name)
                    for name in props.get("properties", {})
                    if "url" in name.lower() or "uri" in name.lower()
                }
    return out


def test_every_field_that_takes_a_url_is_in_the_table():
    assert _url_fields() == set(URL_FIELDS)


@pytest.mark.parametrize(("method", "path", "field"), sorted(URL_FIELDS))
def test_no_url_field_takes_an_address_inside_the_servers_network(
    client, session, bakery, method, path, field
):
    make_catalog(session, bakery.tenant.id)
    session.commit()
    url = path.replace("{code}", "CITY-LIB")
    for bad in INSIDE_URLS:
        body = {**URL_FIELDS[(method, path, field)], field: bad}
        r = client.request(method, url, json=body, headers=bakery.headers)
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["error"]["field"] == field, bad


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
