"""who entered a registry change: the staff account and their office on each 変更の登記

Revision ID: corporations_0004
Revises: corporations_0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "corporations_0004"
down_revision: str | Sequence[str] | None = "corporations_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("corporations_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entered_by", sa.String(length=32), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("entered_by_organization", sa.String(length=32), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("corporations_events", schema=None) as batch_op:
        batch_op.drop_column("entered_by_organization")
        batch_op.drop_column("entered_by")
