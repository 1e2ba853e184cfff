"""dead letters grouped by sensor and reason (issue 17, item 10)

One row per refused reading let one upload write 200,000 rows; now one row
per (bakery, sensor, reason) counts them, with the first and the latest as
they came. Existing rows are grouped by their sensor and exact reason text
(older reasons could name a reading's value, so such groups stay small).
Downgrading keeps each group's first and latest reading as rows of the old
table (the count in between cannot be restored).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 10:00:00
"""

import itertools
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 1000

old_rows = sa.table(
    "sensor_dead_letters",
    sa.column("tenant_id", sa.Uuid()),
    sa.column("id", sa.Uuid()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("received_at", sa.DateTime(timezone=True)),
    sa.column("source", sa.String()),
    sa.column("sensor_code", sa.String()),
    sa.column("payload", sa.Text()),
    sa.column("reason", sa.String()),
)
groups = sa.table(
    "sensor_dead_letter_groups",
    sa.column("tenant_id", sa.Uuid()),
    sa.column("id", sa.Uuid()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("sensor_code", sa.String()),
    sa.column("reason", sa.String()),
    sa.column("count", sa.BigInteger()),
    sa.column("first_seen", sa.DateTime(timezone=True)),
    sa.column("last_seen", sa.DateTime(timezone=True)),
    sa.column("first_example", sa.JSON()),
    sa.column("last_example", sa.JSON()),
)


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    while chunk := list(itertools.islice(rows, CHUNK)):
        yield chunk


def _grouped(conn: Any) -> Iterator[dict[str, Any]]:
    """One group per (bakery, sensor, reason), streaming: a group can hold
    hundreds of thousands of rows, so only its first and last are kept."""
    # a server-side cursor on PostgreSQL: the old rows are not loaded at once
    result = conn.execute(
        sa.select(old_rows)
        .order_by(
            old_rows.c.tenant_id,
            old_rows.c.sensor_code,
            old_rows.c.reason,
            old_rows.c.received_at,
        )
        .execution_options(stream_results=True, yield_per=CHUNK)
    )
    first: Any = None
    last: Any = None
    count = 0
    for row in result:
        if first is not None and _key(row) != _key(first):
            yield _group(first, last, count)
            first = None
        if first is None:
            first, count = row, 0
        last, count = row, count + 1
    if first is not None:
        yield _group(first, last, count)


def _key(row: Any) -> tuple[Any, ...]:
    return (row.tenant_id, row.sensor_code, row.reason)


def _group(first: Any, last: Any, count: int) -> dict[str, Any]:
    return {
        "tenant_id": first.tenant_id,
        "id": uuid.uuid4(),
        "created_at": first.created_at,
        "sensor_code": first.sensor_code,
        "reason": first.reason,
        "count": count,
        "first_seen": first.received_at,
        "last_seen": last.received_at,
        "first_example": _example(first),
        "last_example": _example(last),
    }


def _example(row: Any) -> dict[str, str]:
    return {"source": row.source, "payload": row.payload, "detail": row.reason}


def upgrade() -> None:
    op.create_table(
        "sensor_dead_letter_groups",
        sa.Column("sensor_code", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_example", sa.JSON(), nullable=False),
        sa.Column("last_example", sa.JSON(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_sensor_dead_letter_groups_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "id", name=op.f("pk_sensor_dead_letter_groups")
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "sensor_code",
            "reason",
            name=op.f("uq_sensor_dead_letter_groups_tenant_id_sensor_code_reason"),
        ),
    )
    op.create_index(
        "ix_sensor_dead_letter_groups_seen",
        "sensor_dead_letter_groups",
        ["tenant_id", "last_seen"],
    )
    conn = op.get_bind()
    for chunk in _chunks(_grouped(conn)):
        conn.execute(groups.insert(), chunk)
    op.drop_index("ix_sensor_dead_letters_time", table_name="sensor_dead_letters")
    op.drop_table("sensor_dead_letters")


def downgrade() -> None:
    op.create_table(
        "sensor_dead_letters",
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("sensor_code", sa.String(length=120), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_sensor_dead_letters_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_sensor_dead_letters")),
    )
    op.create_index(
        "ix_sensor_dead_letters_time",
        "sensor_dead_letters",
        ["tenant_id", "received_at"],
    )
    conn = op.get_bind()
    rows: list[dict[str, Any]] = []
    for g in conn.execute(sa.select(groups)):
        seen = [(g.first_seen, g.first_example)]
        if g._mapping["count"] > 1:  # Row.count is the tuple method
            seen.append((g.last_seen, g.last_example))
        for at, example in seen:
            rows.append(
                {
                    "tenant_id": g.tenant_id,
                    "id": uuid.uuid4(),
                    "created_at": g.created_at,
                    "received_at": at,
                    "source": str(example.get("source", ""))[:12],
                    "sensor_code": g.sensor_code,
                    "payload": str(example.get("payload", "")),
                    "reason": str(example.get("detail") or g.reason)[:300],
                }
            )
    for chunk in _chunks(iter(rows)):
        conn.execute(old_rows.insert(), chunk)
    op.drop_index(
        "ix_sensor_dead_letter_groups_seen", table_name="sensor_dead_letter_groups"
    )
    op.drop_table("sensor_dead_letter_groups")
