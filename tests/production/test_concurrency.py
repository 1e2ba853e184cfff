"""Two people creating batches at once never get the same code, and never leave
a gap: on SQLite (threads, one file) and PostgreSQL (separate connections)."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import select

from bakeprint.db import Database
from bakeprint.identity import service as identity
from bakeprint.production import service as production
from bakeprint.production.models import Batch
from bakeprint.production.schemas import BatchCreate
from tests.factories import make_bakery, make_catalog
from tests.production.conftest import T0

WORKERS = 8


def _setup(db: Database):  # type: ignore[no-untyped-def]
    with db.session() as s:
        bakery = make_bakery(s, slug=f"conc-{uuid.uuid4().hex[:8]}")
        make_catalog(s, bakery.tenant.id)
        return bakery.tenant.id, bakery.owner.id


def _actor(db: Database, tenant_id, user_id):  # type: ignore[no-untyped-def]
    with db.session(write=False) as s:
        return identity.actor_for(
            identity.user_by_id(s, tenant_id, user_id), via="test"
        )


def _create_many(db: Database, actor, n: int, fail_every: int = 0):  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait()
            with db.session() as s:
                production.start_batch(
                    s,
                    BatchCreate(
                        product_gtin="06901234000016",
                        planned_quantity=100,
                        operators=["WANG-03"],
                        started_at=T0,
                    ),
                    actor=actor,
                )
                if fail_every and i % fail_every == 0:
                    raise RuntimeError("simulated crash before commit")
        except RuntimeError:
            pass
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def _codes(db: Database, tenant_id) -> list[str]:  # type: ignore[no-untyped-def]
    with db.session(write=False) as s:
        return sorted(s.scalars(select(Batch.code).where(Batch.tenant_id == tenant_id)))


def test_concurrent_creation_gives_consecutive_unique_codes(db: Database):
    tenant_id, user_id = _setup(db)
    _create_many(db, _actor(db, tenant_id, user_id), WORKERS)
    assert _codes(db, tenant_id) == [
        f"251203-SS-PM-{i:03d}" for i in range(1, WORKERS + 1)
    ]


def test_a_creation_that_rolls_back_gives_its_number_back(db: Database):
    tenant_id, user_id = _setup(db)
    actor = _actor(db, tenant_id, user_id)
    _create_many(db, actor, WORKERS, fail_every=3)  # 0, 3, 6 roll back
    made = WORKERS - len(range(0, WORKERS, 3))
    assert _codes(db, tenant_id) == [
        f"251203-SS-PM-{i:03d}" for i in range(1, made + 1)
    ]
