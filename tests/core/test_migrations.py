"""The Alembic migrations and the SQLAlchemy models describe the same schema."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select

from bakeprint import migrate
from bakeprint.db import Database
from bakeprint.migrate import compare_type
from bakeprint.models import metadata
from bakeprint.sensors.models import DeadLetterGroup
from tests.conftest import _pg_database, _pg_drop

UTC_T = sa.DateTime(timezone=True)


def test_an_empty_database_reaches_head_and_matches_the_models(db: Database):
    # `db` was created empty and upgraded with `bakeprint.migrate.upgrade`.
    assert migrate.current(db.engine) == migrate.head()
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": compare_type, "target_metadata": metadata}
        )
        diff = compare_metadata(ctx, metadata)
    assert diff == []


def test_every_tenant_table_leads_its_primary_key_with_tenant_id():
    for table in metadata.sorted_tables:
        # the bakeries themselves, and the public pages' rate counters (a
        # visitor belongs to no bakery): Citus reference/local tables
        if table.name in ("tenants", "rate_counters"):
            continue
        pk = [c.name for c in table.primary_key.columns]
        assert pk[0] == "tenant_id", f"{table.name} primary key starts with {pk[0]}"
        for uc in table.constraints:
            cols = [c.name for c in getattr(uc, "columns", [])]
            if uc.__class__.__name__ == "UniqueConstraint":
                assert cols[0] == "tenant_id", f"{table.name} unique {cols}"
        for ix in table.indexes:
            cols = [c.name for c in ix.columns]
            if ix.name == "ix_units_serial":  # the public scan: bakery unknown
                continue
            assert cols[0] == "tenant_id", f"{table.name} index {ix.name}: {cols}"


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_dead_letters_of_an_older_version_become_groups_that_keep_every_count(
    kind: str, tmp_path: Path
) -> None:
    """Issue 17, item 10: one row per refused reading becomes one row per
    sensor and reason, counting them, with the first and the latest kept."""
    name = f"bp_mig_{uuid.uuid4().hex[:10]}"
    url = f"sqlite:///{tmp_path / name}.db" if kind == "sqlite" else _pg_database(name)
    db = Database(url)
    try:
        migrate.upgrade(db.engine, "0003")
        tenant = uuid.uuid4()
        t0 = datetime(2025, 12, 3, 6, 0, tzinfo=UTC)
        rows = [
            ("GHOST-1", "unknown sensor 'GHOST-1'", i, f'{{"n": {i}}}')
            for i in range(5)
        ] + [("HALL-1-T", "no time", 9, "{}")]
        tenants = sa.table(
            "tenants",
            sa.column("id", sa.Uuid()),
            *(sa.column(c) for c in ("slug", "name", "timezone", "tier")),
            sa.column("created_at", UTC_T),
        )
        old = sa.table(
            "sensor_dead_letters",
            *(sa.column(c, sa.Uuid()) for c in ("tenant_id", "id")),
            *(sa.column(c, UTC_T) for c in ("created_at", "received_at")),
            *(sa.column(c) for c in ("source", "sensor_code", "payload", "reason")),
        )
        with db.engine.begin() as conn:
            conn.execute(
                tenants.insert(),
                {
                    "id": tenant,
                    "slug": "old",
                    "name": "old",
                    "timezone": "Asia/Shanghai",
                    "tier": "free",
                    "created_at": t0,
                },
            )
            conn.execute(
                old.insert(),
                [
                    {
                        "tenant_id": tenant,
                        "id": uuid.uuid4(),
                        "created_at": t0,
                        "received_at": t0 + timedelta(minutes=m),
                        "source": "mqtt",
                        "sensor_code": sensor,
                        "payload": payload,
                        "reason": reason,
                    }
                    for sensor, reason, m, payload in rows
                ],
            )
        migrate.upgrade(db.engine)
        with db.session(write=False) as s:
            groups = {
                g.sensor_code: g
                for g in s.scalars(
                    select(DeadLetterGroup).where(DeadLetterGroup.tenant_id == tenant)
                )
            }
        assert {k: g.count for k, g in groups.items()} == {"GHOST-1": 5, "HALL-1-T": 1}
        ghost = groups["GHOST-1"]
        assert (ghost.first_seen, ghost.last_seen) == (t0, t0 + timedelta(minutes=4))
        assert ghost.first_example["payload"] == '{"n": 0}'
        assert ghost.last_example == {
            "source": "mqtt",
            "payload": '{"n": 4}',
            "detail": "unknown sensor 'GHOST-1'",
        }
        assert not inspect(db.engine).has_table("sensor_dead_letters")
        # and back: each group's first and latest reading, as rows again
        cfg = migrate.alembic_config(db.engine)
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0003")
        with db.engine.connect() as conn:
            back = conn.execute(
                sa.select(old.c.sensor_code, old.c.payload).order_by(
                    old.c.sensor_code, old.c.received_at
                )
            ).all()
        assert back == [
            ("GHOST-1", '{"n": 0}'),
            ("GHOST-1", '{"n": 4}'),
            ("HALL-1-T", "{}"),
        ]
    finally:
        db.dispose()
        if kind != "sqlite":
            _pg_drop(name)
