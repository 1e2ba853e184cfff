"""db.among: ``column IN values`` on both databases, however many values (on
PostgreSQL one array parameter instead of an IN list)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.db import among
from bakeprint.identity.models import Tenant
from tests.factories import make_bakery


def test_among_finds_exactly_the_rows_named(session: Session) -> None:
    mine = [make_bakery(session).tenant.id for _ in range(3)]
    strangers = [uuid.uuid4() for _ in range(6_000)]

    def found(values: list[uuid.UUID]) -> set[uuid.UUID]:
        return set(
            session.scalars(select(Tenant.id).where(among(session, Tenant.id, values)))
        )

    assert found([]) == set()
    assert found(mine[:1]) == {mine[0]}
    assert found(strangers) == set()
    # more values than SQLite takes in one statement is the caller's to slice;
    # PostgreSQL takes them in one parameter
    if session.get_bind().dialect.name == "postgresql":
        assert found(strangers + mine) == set(mine)
    assert found(strangers[:4_000] + mine[1:]) == set(mine[1:])
    assert found([*mine, *mine]) == set(mine)  # repeats change nothing
