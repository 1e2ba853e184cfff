"""fix/alerts: an environment alert's product category, how long it lasted,
and the batches that were there

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "environment_alert_batches",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "alert_id"],
            ["environment_alerts.tenant_id", "environment_alerts.id"],
            name=op.f(
                "fk_environment_alert_batches_tenant_id_alert_id_environment_alerts"
            ),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "batch_id"],
            ["batches.tenant_id", "batches.id"],
            name=op.f("fk_environment_alert_batches_tenant_id_batch_id_batches"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id",
            "alert_id",
            "batch_id",
            name=op.f("pk_environment_alert_batches"),
        ),
    )
    op.create_index(
        "ix_environment_alert_batches_batch",
        "environment_alert_batches",
        ["tenant_id", "batch_id"],
    )
    with op.batch_alter_table("environment_alerts") as t:
        t.add_column(sa.Column("category", sa.String(length=40), nullable=True))
        t.add_column(
            sa.Column("minutes", sa.Float(), nullable=False, server_default="0")
        )
    # alerts raised before: how long they lasted, from their start and end
    # (one still open is measured again by its next reading)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "UPDATE environment_alerts SET minutes = round(CAST("
            "(julianday(ended_at) - julianday(started_at)) * 1440 AS NUMERIC), 1) "
            "WHERE ended_at IS NOT NULL"
        )
    else:
        op.execute(
            "UPDATE environment_alerts SET minutes = round(CAST("
            "extract(epoch from ended_at - started_at) / 60 AS NUMERIC), 1) "
            "WHERE ended_at IS NOT NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("environment_alerts") as t:
        t.drop_column("minutes")
        t.drop_column("category")
    op.drop_index(
        "ix_environment_alert_batches_batch", table_name="environment_alert_batches"
    )
    op.drop_table("environment_alert_batches")
