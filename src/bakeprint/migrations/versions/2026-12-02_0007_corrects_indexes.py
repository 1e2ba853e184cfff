"""w3/read: bake records and checkpoints indexed by the row they correct

A row is in force unless another row corrects it; that is now asked in SQL
(``production.repository.corrected``) for bakes and checkpoints as it already
was for consumptions, so each table gets the (tenant, corrects) index the
consumptions have.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 16:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_bake_records_corrects", "bake_records", ["tenant_id", "corrects_id"]
    )
    op.create_index(
        "ix_checkpoints_corrects", "checkpoints", ["tenant_id", "corrects_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_checkpoints_corrects", table_name="checkpoints")
    op.drop_index("ix_bake_records_corrects", table_name="bake_records")
