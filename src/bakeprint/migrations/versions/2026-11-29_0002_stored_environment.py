"""stored batch environments; when each sensor block was last written

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "sensor_blocks", sa.Column("written_at", sa.BigInteger(), nullable=True)
    )
    op.create_index(
        "ix_sensor_blocks_written",
        "sensor_blocks",
        ["tenant_id", "sensor_id", "written_at", "hour"],
    )
    op.create_table(
        "environment_summaries",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("computed_at", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "batch_id"],
            ["batches.tenant_id", "batches.id"],
            name=op.f("fk_environment_summaries_tenant_id_batch_id_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_environment_summaries_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "batch_id", name=op.f("pk_environment_summaries")
        ),
    )


def downgrade() -> None:
    op.drop_table("environment_summaries")
    op.drop_index("ix_sensor_blocks_written", table_name="sensor_blocks")
    op.drop_column("sensor_blocks", "written_at")
