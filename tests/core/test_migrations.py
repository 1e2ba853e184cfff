"""The Alembic migrations and the SQLAlchemy models describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bakeprint import migrate
from bakeprint.db import Database
from bakeprint.migrate import compare_type
from bakeprint.models import metadata


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
