"""Dynamic shelf life (R3.3) — category model parameters
(versioned), the packaging a batch went into, stored predictions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"],
        ["tenants.id"],
        name=op.f(f"fk_{table}_tenant_id_tenants"),
        ondelete="CASCADE",
    )


def _batch_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", "batch_id"],
        ["batches.tenant_id", "batches.id"],
        name=op.f(f"fk_{table}_tenant_id_batch_id_batches"),
    )


def upgrade() -> None:
    op.create_table(
        "shelf_life_params",
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _tenant_fk("shelf_life_params"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_shelf_life_params")),
        sa.UniqueConstraint(
            "tenant_id",
            "category",
            "version",
            name=op.f("uq_shelf_life_params_tenant_id_category_version"),
        ),
    )
    op.create_table(
        "batch_packaging",
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("packaging", sa.String(length=16), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _tenant_fk("batch_packaging"),
        _batch_fk("batch_packaging"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_batch_packaging")),
    )
    op.create_index(
        "ix_batch_packaging_batch", "batch_packaging", ["tenant_id", "batch_id"]
    )
    op.create_table(
        "shelf_life_predictions",
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("params_version", sa.Integer(), nullable=False),
        sa.Column("packaging", sa.String(length=16), nullable=False),
        sa.Column("standard_days", sa.Integer(), nullable=False),
        sa.Column("model_days", sa.Float(), nullable=False),
        sa.Column("effective_days", sa.Float(), nullable=False),
        sa.Column("printed_best_before", sa.Date(), nullable=True),
        sa.Column("best_before", sa.Date(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("predicted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("predicted_by", sa.String(length=100), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _tenant_fk("shelf_life_predictions"),
        _batch_fk("shelf_life_predictions"),
        sa.PrimaryKeyConstraint(
            "tenant_id", "id", name=op.f("pk_shelf_life_predictions")
        ),
    )
    op.create_index(
        "ix_shelf_life_predictions_batch",
        "shelf_life_predictions",
        ["tenant_id", "batch_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_shelf_life_predictions_batch", "shelf_life_predictions")
    op.drop_table("shelf_life_predictions")
    op.drop_index("ix_batch_packaging_batch", "batch_packaging")
    op.drop_table("batch_packaging")
    op.drop_table("shelf_life_params")
