"""Issue 17 item 4: tokens can be listed and revoked, users deactivated; a
token issued by a token never outlives nor outranks it; only owners issue
tokens for others. Each of these is in the security log."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bakeprint.identity.models import ApiToken, SecurityEvent, User

ME = "/api/v1/me"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _mint(client, token: str, **body):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/tokens", json=body, headers=_bearer(token))


def _expire(session, token_id) -> None:  # type: ignore[no-untyped-def]
    """The token's end comes (moved into the past: no waiting in tests)."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.id == uuid.UUID(str(token_id)))
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    session.expire_all()


def _log(session, tenant_id) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [
        (e.action, e.subject)
        for e in session.scalars(
            select(SecurityEvent)
            .where(SecurityEvent.tenant_id == tenant_id)
            .order_by(SecurityEvent.created_at)
        )
    ]


def test_a_short_lived_token_cannot_mint_one_that_outlives_it(client, session, bakery):
    soon = (datetime.now(UTC) + timedelta(seconds=20)).isoformat()
    parent = _mint(client, bakery.tokens["qc"], name="short", expires_at=soon).json()
    # asking for no end gives the parent's end; asking for a later one is refused
    child = _mint(client, parent["token"], name="child")
    assert child.status_code == 201, child.text
    assert child.json()["expires_at"] == parent["expires_at"]
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    r = _mint(client, parent["token"], name="later", expires_at=later)
    assert r.status_code == 422 and "outlive" in r.json()["error"]["message_en"]
    assert client.get(ME, headers=_bearer(child.json()["token"])).status_code == 200
    _expire(session, parent["id"])
    assert client.get(ME, headers=_bearer(parent["token"])).status_code == 401
    assert client.get(ME, headers=_bearer(child.json()["token"])).status_code == 401


def test_even_a_child_made_without_an_end_dies_with_its_parent(client, session, bakery):
    parent = _mint(client, bakery.token, name="parent").json()
    child = _mint(client, parent["token"], name="child").json()
    grandchild = _mint(client, child["token"], name="grandchild").json()
    assert grandchild["expires_at"] is None
    # the expiry of a token high up the chain reaches every token below it
    _expire(session, parent["id"])
    assert client.get(ME, headers=_bearer(grandchild["token"])).status_code == 401


def test_revoking_a_token_stops_it_and_every_token_it_issued(client, session, bakery):
    parent = _mint(client, bakery.tokens["production"], name="tablet").json()
    child = _mint(client, parent["token"], name="scale").json()
    r = client.post(
        f"/api/v1/tokens/{parent['id']}/revoke",
        headers=bakery.auth("production"),
    )
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    for token in (parent["token"], child["token"]):
        assert client.get(ME, headers=_bearer(token)).status_code == 401
    listed = client.get("/api/v1/tokens", headers=bakery.auth("production")).json()
    status = {t["id"]: t["status"] for t in listed}
    assert status[child["id"]] == "revoked"  # its issuer is
    assert ("token_revoked", f"token:{r.json()['prefix']}") in _log(
        session, bakery.tenant.id
    )


def test_a_token_may_do_no_more_than_the_token_that_issues_it(client, session, bakery):
    both = _mint(client, bakery.token, username="qc-user", name="qc").json()
    session.execute(
        update(User)
        .where(User.tenant_id == bakery.tenant.id, User.username == "qc-user")
        .values(roles=["qc", "production"])
    )
    narrow = _mint(client, both["token"], name="qc only", roles=["qc"]).json()
    assert client.get(ME, headers=_bearer(narrow["token"])).json()["roles"] == ["qc"]
    r = _mint(client, narrow["token"], name="wider")
    assert r.status_code == 403 and "production:write" in r.json()["error"]["message"]
    r = _mint(client, narrow["token"], name="other role", roles=["owner"])
    assert r.status_code == 422
    # a narrowed token is refused what its role-less parent could do
    r = client.post("/api/v1/batches", json={}, headers=_bearer(narrow["token"]))
    assert r.status_code == 403


def test_only_an_owner_issues_tokens_for_someone_else(client, session, bakery):
    r = _mint(client, bakery.tokens["production"], username="owner", name="grab")
    assert r.status_code == 403
    assert "users:admin" in r.json()["error"]["message_en"]
    r = _mint(client, bakery.tokens["qc"], username="production-user", name="x")
    assert r.status_code == 403
    before = session.scalar(select(ApiToken).where(ApiToken.name == "grab"))
    assert before is None
    r = _mint(client, bakery.token, username="logistics-user", name="van tablet")
    assert r.status_code == 201 and r.json()["username"] == "logistics-user"
    me = client.get(ME, headers=_bearer(r.json()["token"])).json()
    assert me["username"] == "logistics-user" and me["roles"] == ["logistics"]
    issued = r.json()["token"]
    assert ("token_issued", f"token:bp_…{issued[-6:]}") in _log(
        session, bakery.tenant.id
    )


def test_token_lists_show_no_secret_and_staff_see_only_their_own(client, bakery):
    mine = client.get("/api/v1/tokens", headers=bakery.auth("qc")).json()
    assert {t["username"] for t in mine} == {"qc-user"}
    every = client.get("/api/v1/tokens", headers=bakery.headers).json()
    assert {"owner", "qc-user", "store-user"} <= {t["username"] for t in every}
    text = str(every)
    for token in bakery.tokens.values():
        random_part = token[len("bp_") + 32 + 1 :]
        assert token not in text and random_part not in text
    assert all(set(t) >= {"id", "prefix", "status", "expires_at"} for t in every)
    assert not any("hash" in key for t in every for key in t)
    # staff cannot revoke someone else's token: it is not found for them
    owners = next(t for t in every if t["username"] == "owner")
    r = client.post(
        f"/api/v1/tokens/{owners['id']}/revoke", headers=bakery.auth("production")
    )
    assert r.status_code == 404
    assert client.get(ME, headers=bakery.headers).status_code == 200


def test_deactivating_a_user_stops_their_tokens_at_once_for_good(
    client, session, bakery
):
    h = bakery.auth("logistics")
    extra = _mint(client, bakery.tokens["logistics"], name="second").json()
    assert client.get(ME, headers=h).status_code == 200
    r = client.post("/api/v1/users/logistics-user/deactivate", headers=bakery.headers)
    assert r.status_code == 200 and r.json()["active"] is False
    for headers in (h, _bearer(extra["token"])):
        assert client.get(ME, headers=headers).status_code == 401
    # activated again, the user needs new tokens: the old ones stay revoked
    r = client.post("/api/v1/users/logistics-user/activate", headers=bakery.headers)
    assert r.json()["active"] is True
    assert client.get(ME, headers=h).status_code == 401
    log = _log(session, bakery.tenant.id)
    assert ("user_deactivated", "user:logistics-user") in log
    assert ("user_activated", "user:logistics-user") in log


def test_staff_cannot_deactivate_and_the_last_owner_cannot_be(client, session, bakery):
    r = client.post("/api/v1/users/qc-user/deactivate", headers=bakery.auth("qc"))
    assert r.status_code == 403
    r = client.post(
        "/api/v1/users/owner/deactivate",
        headers={**bakery.headers, "Accept-Language": "en"},
    )
    assert r.status_code == 409 and "last active owner" in r.json()["error"]["message"]
    assert client.get(ME, headers=bakery.headers).status_code == 200
    r = client.post("/api/v1/users/nobody/deactivate", headers=bakery.headers)
    assert r.status_code == 404
