"""Trip codes under concurrency: drivers planning trips for the same van on
the same day at the same moment each get their own number — no duplicate, no
refusal."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

from bakeprint.db import Database
from bakeprint.identity import service as identity
from bakeprint.logistics import service as logistics
from bakeprint.logistics.schemas import TripCreate
from tests.factories import make_bakery, make_catalog
from tests.production.conftest import T0


def test_concurrent_trips_get_distinct_consecutive_codes(db: Database):
    with db.session() as s:
        bakery = make_bakery(s, slug=f"trips-{uuid.uuid4().hex[:8]}")
        make_catalog(s, bakery.tenant.id)
        owner_id, tenant_id = bakery.owner.id, bakery.tenant.id
    codes: list[str] = []
    errors: list[str] = []
    start = threading.Barrier(6)

    def plan() -> None:
        try:
            start.wait(10)
            with db.session() as s:
                user = identity.user_by_id(s, tenant_id, owner_id)
                actor = identity.actor_for(user, via="test")
                trip = logistics.create_trip(
                    s,
                    TripCreate(
                        vehicle="VAN-2", planned_departure=T0 + timedelta(hours=2)
                    ),
                    actor=actor,
                )
                codes.append(trip.code)
        except Exception as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=plan) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert errors == []
    assert sorted(codes, key=lambda c: int(c.rsplit("-", 1)[1])) == [
        f"T-251203-VAN-2-{n}" for n in range(1, 7)
    ]
