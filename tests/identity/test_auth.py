"""Who may call the API: tokens, roles, tenants."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.errors import Conflict, Invalid, Unauthorized
from bakeprint.identity import admin
from bakeprint.identity import service as identity
from bakeprint.identity.models import ApiToken, User
from tests.factories import make_bakery


def test_tokens_are_stored_only_as_their_sha256(session: Session, bakery):
    stored = session.scalars(
        select(ApiToken).where(ApiToken.tenant_id == bakery.tenant.id)
    ).all()
    hashes = {t.token_hash for t in stored}
    assert hashlib.sha256(bakery.token.encode()).hexdigest() in hashes
    for t in stored:
        assert bakery.token not in (t.token_hash, t.prefix)


def test_me_tells_the_caller_their_bakery_and_what_they_may_do(client, bakery):
    r = client.get("/api/v1/me", headers=bakery.auth("qc"))
    assert r.status_code == 200
    body = r.json()
    assert body["tenant_slug"] == bakery.tenant.slug
    assert body["roles"] == ["qc"]
    assert "quality:write" in body["actions"] and "users:admin" not in body["actions"]


@pytest.mark.parametrize(
    "header",
    [None, "Bearer nonsense", "Basic abc", "Bearer bp_" + "0" * 32 + "_" + "x" * 30],
)
def test_an_unknown_or_missing_token_gets_401(client: TestClient, header):
    headers = {"Authorization": header} if header else {}
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401
    assert r.json()["error"]["message_en"]


def test_errors_speak_chinese_by_default_and_english_on_request(client):
    zh = client.get("/api/v1/me").json()["error"]["message"]
    en = client.get("/api/v1/me", headers={"Accept-Language": "en-GB,en;q=0.9"}).json()
    assert zh == "需要登录或 API 令牌"
    assert en["error"]["message"] == "log in or send an API token"


def test_a_revoked_token_no_longer_works(client, session: Session, bakery):
    token = session.scalars(
        select(ApiToken).where(
            ApiToken.tenant_id == bakery.tenant.id, ApiToken.user_id == bakery.owner.id
        )
    ).first()
    admin.revoke_token(session, bakery.actor, token.id)
    assert client.get("/api/v1/me", headers=bakery.headers).status_code == 401


def test_only_an_owner_may_add_users(client, bakery):
    new = {
        "username": "li",
        "display_name": "李",
        "roles": ["production"],
        "password": "long-enough-1",
    }
    r = client.post("/api/v1/users", json=new, headers=bakery.auth("production"))
    assert r.status_code == 403
    assert "users:admin" in r.json()["error"]["message_en"]
    r = client.post("/api/v1/users", json=new, headers=bakery.headers)
    assert r.status_code == 201 and r.json()["roles"] == ["production"]
    r = client.post("/api/v1/users", json=new, headers=bakery.headers)
    assert r.status_code == 409


def test_a_user_with_an_unknown_role_is_refused_and_not_created(
    client, session, bakery
):
    bad = {"username": "zh", "display_name": "x", "roles": ["baker"]}
    r = client.post("/api/v1/users", json=bad, headers=bakery.headers)
    assert r.status_code == 422
    assert "baker" in r.json()["error"]["message"]
    assert session.scalar(select(User).where(User.username == "zh")) is None


def test_another_bakerys_token_sees_only_its_own_bakery(client, session, bakery):
    other = make_bakery(session)
    r = client.get("/api/v1/me", headers=other.headers)
    assert r.json()["tenant_id"] == str(other.tenant.id)
    users = client.get("/api/v1/users", headers=other.headers).json()
    assert {u["id"] for u in users}.isdisjoint({str(bakery.owner.id)})


def test_password_login_checks_bakery_user_and_password(session: Session, bakery):
    user = identity.authenticate_password(
        session, bakery.tenant.slug, "owner", "correct-horse-1"
    )
    assert user.id == bakery.owner.id
    for slug, name, pw in [
        (bakery.tenant.slug, "owner", "wrong-password"),
        (bakery.tenant.slug, "nobody", "correct-horse-1"),
        ("no-such-bakery", "owner", "correct-horse-1"),
    ]:
        with pytest.raises(Unauthorized):
            identity.authenticate_password(session, slug, name, pw)


def test_passwords_are_salted_scrypt_hashes():
    a, b = (
        identity.hash_password("same-password"),
        identity.hash_password("same-password"),
    )
    assert a != b and a.startswith("scrypt$")
    assert identity.check_password("same-password", a)
    assert not identity.check_password("other-password", a)


def test_bakery_codes_are_validated_and_unique(session: Session):
    with pytest.raises(Invalid):
        identity.create_tenant(session, slug="Bad Slug!", name="x")
    identity.create_tenant(session, slug="taken-one", name="x")
    with pytest.raises(Conflict):
        identity.create_tenant(session, slug="taken-one", name="y")
