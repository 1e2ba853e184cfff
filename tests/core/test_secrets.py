"""Secrets never reach a log (issue 8, item 4): passwords, API tokens and
database passwords, whatever happens to the request."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.engine import make_url

from bakeprint.backup import _libpq
from bakeprint.identity.models import ApiToken
from tests.web.test_distribution_pages import csrf_of


def test_passwords_and_tokens_stay_out_of_the_logs(client, session, bakery, caplog):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    token = bakery.tokens["owner"]
    assert (
        client.get(
            "/api/v1/batches", headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 200
    )
    bad = token[:-4] + "AAAA"
    assert (
        client.get(
            "/api/v1/batches", headers={"Authorization": f"Bearer {bad}"}
        ).status_code
        == 401
    )
    for password in ("correct-horse-1", "hunter2-wrong"):
        page = client.get("/login")
        client.post(
            "/login",
            data={
                "csrf": csrf_of(page.text),
                "bakery": bakery.tenant.slug,
                "username": "owner",
                "password": password,
                "next": "/",
            },
        )
    text = caplog.text
    for secret in (
        token,
        bad,
        token.rsplit("_", 1)[-1],
        "correct-horse-1",
        "hunter2-wrong",
    ):
        assert secret not in text
    # and the database keeps only the token's hash
    stored = session.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored and all(len(h) == 64 for h in stored)


def test_a_database_password_goes_to_pg_dump_in_its_environment_only() -> None:
    dsn, env = _libpq(
        make_url("postgresql+psycopg://baker:s3cr3t-pw@db.local:5432/prod")
    )
    assert "s3cr3t-pw" not in dsn
    assert dsn == "postgresql://baker@db.local:5432/prod"
    assert env["PGPASSWORD"] == "s3cr3t-pw"
