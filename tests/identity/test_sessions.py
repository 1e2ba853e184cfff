"""Issue 17 item 8: a web login ends on the server (logout, password change,
deactivation, its end), cookies are Secure over HTTPS, and every answer
carries headers against framing, sniffing and leaking referrers, with a
Content-Security-Policy the pages keep to (tests/e2e/test_csp.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from bakeprint.identity.models import SecurityEvent, WebSession
from tests.web.test_pages import csrf_of


def _login(client: TestClient, bakery, username: str = "owner") -> None:  # type: ignore[no-untyped-def]
    page = client.get("/login")
    r = client.post(
        "/login",
        data={
            "csrf": csrf_of(page.text),
            "bakery": bakery.tenant.slug,
            "username": username,
            "password": "correct-horse-1",
            "next": "/",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def _logged_in(client: TestClient, cookie: str | None = None) -> bool:
    if cookie is not None:
        client.cookies.set("bp_session", cookie)
    page = client.get("/account", follow_redirects=False).status_code == 200
    api = client.get("/api/v1/me").status_code == 200
    assert page == api
    return page


def test_a_cookie_kept_from_before_logout_no_longer_works(client, bakery):
    _login(client, bakery)
    kept = client.cookies["bp_session"]
    assert _logged_in(client)
    page = client.get("/batches")
    r = client.post(
        "/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert r.status_code == 303
    assert not _logged_in(client, kept)


def test_logging_out_on_one_phone_leaves_the_other_logged_in(app, bakery):
    phone, till = TestClient(app), TestClient(app)
    _login(phone, bakery, "store-user")
    _login(till, bakery, "store-user")
    phone.post("/logout", data={"csrf": csrf_of(phone.get("/account").text)})
    assert not _logged_in(phone) and _logged_in(till)


def test_changing_the_password_needs_the_old_one_and_ends_other_logins(
    app, session, bakery
):
    here, elsewhere = TestClient(app), TestClient(app)
    _login(here, bakery)
    _login(elsewhere, bakery)
    csrf = csrf_of(here.get("/account").text)
    wrong = here.post(
        "/account/password",
        data={
            "csrf": csrf,
            "old_password": "not-it-at-all",
            "new_password": "a-new-password-1",
            "new_password_again": "a-new-password-1",
        },
        headers={"Accept-Language": "en"},
    )
    assert wrong.status_code == 422 and "current password is wrong" in wrong.text
    assert _logged_in(elsewhere)
    r = here.post(
        "/account/password",
        data={
            "csrf": csrf,
            "old_password": "correct-horse-1",
            "new_password": "a-new-password-1",
            "new_password_again": "a-new-password-1",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert _logged_in(here) and not _logged_in(elsewhere)
    actions = session.scalars(
        select(SecurityEvent.action).where(SecurityEvent.tenant_id == bakery.tenant.id)
    ).all()
    assert "password_changed" in actions


def test_the_api_changes_a_password_only_with_the_old_one(client, bakery):
    url = "/api/v1/me/password"
    new = {"old_password": "guess-guess", "new_password": "brand-new-pass-1"}
    r = client.post(url, json=new, headers=bakery.auth("qc"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "old_password"
    new["old_password"] = "correct-horse-1"
    assert client.post(url, json=new, headers=bakery.auth("qc")).status_code == 204


def test_a_deactivated_users_logins_end_at_once(app, client, bakery):
    staff = TestClient(app)
    _login(staff, bakery, "production-user")
    assert _logged_in(staff)
    r = client.post("/api/v1/users/production-user/deactivate", headers=bakery.headers)
    assert r.status_code == 200
    assert not _logged_in(staff)


def test_a_login_ends_when_its_time_is_up(client, session, bakery):
    _login(client, bakery)
    session.execute(
        update(WebSession)
        .where(WebSession.tenant_id == bakery.tenant.id)
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    assert not _logged_in(client)


def test_the_server_keeps_only_a_hash_of_the_login_secret(client, session, bakery):
    _login(client, bakery)
    rows = session.scalars(
        select(WebSession).where(WebSession.tenant_id == bakery.tenant.id)
    ).all()
    assert len(rows) == 1 and len(rows[0].token_hash) == 64
    assert rows[0].token_hash not in client.cookies["bp_session"]


@pytest.mark.parametrize("path", ["/login", "/api/v1/health", "/static/app.css"])
def test_every_answer_refuses_framing_sniffing_and_foreign_referrers(client, path):
    h = client.get(path).headers
    assert h["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert "script-src 'self'" in h["content-security-policy"]
    assert "unsafe-inline" not in h["content-security-policy"]
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in h  # plain HTTP: no HSTS


def test_cookies_are_secure_over_https_and_hsts_is_sent(app, bakery):
    plain = TestClient(app)
    _login(plain, bakery)
    assert all(
        "secure" not in c.lower()
        for c in plain.get("/login").headers.get_list("set-cookie")
    )
    tls = TestClient(app, base_url="https://testserver")
    page = tls.get("/login")
    assert "max-age=" in page.headers["strict-transport-security"]
    r = tls.post(
        "/login",
        data={
            "csrf": csrf_of(page.text),
            "bakery": bakery.tenant.slug,
            "username": "owner",
            "password": "correct-horse-1",
        },
        follow_redirects=False,
    )
    cookies = r.headers.get_list("set-cookie")
    assert cookies and all("; Secure" in c for c in cookies)


@pytest.fixture
def behind_tls_proxy(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("bakeprint.config.settings.trusted_proxies", "10.0.0.1")
    return request.getfixturevalue("app")


def test_https_at_a_trusted_proxy_makes_cookies_secure_and_only_there(
    session, behind_tls_proxy
):
    proto = {"X-Forwarded-Proto": "https"}
    proxy = TestClient(behind_tls_proxy, client=("10.0.0.1", 4000))
    stranger = TestClient(behind_tls_proxy, client=("10.0.0.9", 4000))
    assert "; Secure" in proxy.get("/login", headers=proto).headers["set-cookie"]
    assert "Secure" not in stranger.get("/login", headers=proto).headers["set-cookie"]
