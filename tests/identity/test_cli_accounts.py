"""Issue 17 items 4 and 9 from the command line: shop staff are created with
their shop, tokens are listed and revoked, users deactivated."""

from __future__ import annotations

import json

import pytest

from bakeprint.catalog.models import PointOfSale
from bakeprint.db import session_scope
from bakeprint.identity import service as identity
from tests.core.test_cli import cli_db, run  # noqa: F401


def test_accounts_are_administered_from_the_cli(cli_db, monkeypatch):  # noqa: F811
    monkeypatch.setenv("BAKEPRINT_LANG", "en")
    assert run("db", "upgrade").exit_code == 0
    r = run("tenant", "create", "cli-b", "--name", "B", "--password", "long-enough-1")
    assert r.exit_code == 0, r.output
    with session_scope() as s:
        t = identity.tenant_by_slug(s, "cli-b")
        s.add(
            PointOfSale(tenant_id=t.id, code="CITY-LIB", name="城市书房", kind="shop")
        )
    r = run("user", "create", "till", "--role", "store")
    assert r.exit_code == 2 and "--shop" in r.output
    r = run("user", "create", "till", "--role", "store", "--shop", "CITY-LIB")
    assert r.exit_code == 0, r.output
    users = json.loads(run("user", "list", "--json").stdout)
    assert {"username": "till", "shop": "CITY-LIB"}.items() <= next(
        u for u in users if u["username"] == "till"
    ).items()
    secret = json.loads(run("token", "issue", "--user", "till", "--json").stdout)[
        "token"
    ]
    listed = json.loads(run("token", "list", "--json").stdout)
    assert secret not in json.dumps(listed)
    mine = next(t for t in listed if t["username"] == "till")
    r = run("token", "revoke", mine["id"][:8], "--json")
    assert r.exit_code == 0, r.output
    with session_scope() as s, pytest.raises(identity.Unauthorized):
        identity.authenticate_token(s, secret)
    r = run("user", "deactivate", "till", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["active"] is False
    r = run("user", "deactivate", "owner")
    assert r.exit_code == 1 and "last active owner" in r.output
