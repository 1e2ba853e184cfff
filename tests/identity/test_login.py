"""Issue 17 item 7: guessing passwords. An account name waits after failed
logins in a row, whether the name exists or not; every refusal costs one
password hash, so the time taken tells no one which names exist; and
X-Forwarded-For moves the client address only when a configured proxy sent it."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from bakeprint.bench.common import server
from bakeprint.identity import service as identity
from bakeprint.identity.models import LoginFailure, User
from bakeprint.ratelimit import RateCounter
from tests.databases import committed_database
from tests.web.test_pages import csrf_of


def _try(client: TestClient, slug: str, username: str, password: str):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    return client.post(
        "/login",
        data={
            "csrf": csrf_of(page.text),
            "bakery": slug,
            "username": username,
            "password": password,
            "next": "/",
        },
        headers={"Accept-Language": "en"},
        follow_redirects=False,
    )


@pytest.mark.parametrize("name", ["owner", "no-such-user"])
def test_an_account_waits_after_five_failures_and_the_right_password_waits_too(
    client, session, bakery, name
):
    slug = bakery.tenant.slug
    for _ in range(5):
        assert _try(client, slug, name, "wrong-password").status_code == 401
    r = _try(client, slug, name, "correct-horse-1")
    assert r.status_code == 429  # also for a name that does not exist
    assert "too many failed logins for this account" in r.text
    assert 1 <= int(r.headers["Retry-After"]) <= 30
    # another account of the same bakery is not held back
    assert _try(client, slug, "qc-user", "correct-horse-1").status_code == 303
    # the wait doubles with each further failure
    session.execute(
        update(LoginFailure)
        .where(LoginFailure.tenant_id == bakery.tenant.id)
        .values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
    )
    assert _try(client, slug, name, "wrong-again-1").status_code == 401
    r = _try(client, slug, name, "correct-horse-1")
    assert r.status_code == 429 and 30 < int(r.headers["Retry-After"]) <= 60


def test_once_the_wait_is_over_the_right_password_logs_in_and_clears_it(
    client, session, bakery
):
    for _ in range(5):
        _try(client, bakery.tenant.slug, "owner", "wrong-password")
    session.execute(
        update(LoginFailure).values(
            locked_until=datetime.now(UTC) - timedelta(seconds=1)
        )
    )
    assert (
        _try(client, bakery.tenant.slug, "owner", "correct-horse-1").status_code == 303
    )
    left = session.scalars(
        select(LoginFailure).where(LoginFailure.tenant_id == bakery.tenant.id)
    ).all()
    assert left == []


def _hashes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count scrypt runs (with their cost n) — the expensive step of a login."""
    seen: list[int] = []
    real = hashlib.scrypt

    def counting(password: bytes, **kw: int) -> bytes:  # type: ignore[override]
        seen.append(kw["n"])
        return real(password, **kw)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return seen


def test_every_refusal_costs_the_same_password_hash(session, bakery, monkeypatch):
    nopass = identity.create_user(
        session, bakery.tenant.id, username="no-pw", display_name="x", roles=["qc"]
    )
    gone = session.scalar(
        select(User).where(
            User.tenant_id == bakery.tenant.id, User.username == "auditor-user"
        )
    )
    gone.active = False
    identity.check_password("warm", None)  # the made-up hash exists already
    seen = _hashes(monkeypatch)
    cases = [
        (bakery.tenant.slug, "owner", "wrong-password"),  # a real user
        (bakery.tenant.slug, "nobody-here", "correct-horse-1"),  # no such name
        ("no-such-bakery", "owner", "correct-horse-1"),  # no such bakery
        (bakery.tenant.slug, nopass.username, "anything-1"),  # no password
        (bakery.tenant.slug, "auditor-user", "correct-horse-1"),  # deactivated
    ]
    for slug, name, password in cases:
        seen.clear()
        with pytest.raises(identity.Unauthorized):
            identity.authenticate_password(session, slug, name, password)
        assert seen == [2**14], (slug, name, seen)


@pytest.fixture
def behind_proxy(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """The app as configured behind one reverse proxy, 10.0.0.1."""
    monkeypatch.setattr("bakeprint.config.settings.trusted_proxies", "10.0.0.1")
    return request.getfixturevalue("app")


def test_forwarded_for_moves_the_address_only_from_a_configured_proxy(
    behind_proxy, session
):
    spoof = {"X-Forwarded-For": "198.51.100.7"}
    for peer in ("10.0.0.1", "10.0.0.2"):
        TestClient(behind_proxy, client=(peer, 5000)).post(
            "/login", data={}, headers=spoof
        )
    keys = set(session.scalars(select(RateCounter.key)))
    # from the proxy: the visitor's address; from anyone else: their own
    assert "login:198.51.100.7" in keys and "login:10.0.0.2" in keys
    assert "login:10.0.0.1" not in keys


def test_a_spoofed_forwarded_for_on_loopback_does_not_escape_the_limit(
    tmp_path: Path,
) -> None:
    """`bakeprint serve` as run: three logins from 127.0.0.1, each claiming
    another address, with a limit of two a minute."""
    with (
        committed_database("sqlite", tmp_path) as db,
        server(db, env={"BAKEPRINT_PUBLIC_RATE_LIMIT": "2"}) as base,
    ):
        codes = [
            httpx.post(
                f"{base}/login",
                data={},
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
                timeout=10,
            ).status_code
            for i in range(3)
        ]
    assert codes[2] == 429, codes


def test_names_quiet_for_an_hour_are_forgotten(client, session, bakery):
    old = datetime.now(UTC) - timedelta(hours=2)
    session.add(
        LoginFailure(
            tenant_id=bakery.tenant.id, username="ghost", failures=9, last_failed_at=old
        )
    )
    session.flush()
    assert _try(client, bakery.tenant.slug, "ghost", "wrong-one").status_code == 401
    row = session.scalars(
        select(LoginFailure).where(LoginFailure.username == "ghost")
    ).one()
    session.refresh(row)
    assert row.failures == 1  # starts over: no wait for a stale count
