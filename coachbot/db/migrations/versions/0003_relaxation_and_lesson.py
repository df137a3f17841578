"""Every session brings a relaxation technique and the next lesson (not one or the other)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("relaxation_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("lesson_id", sa.String(length=40), nullable=True))
    op.execute("UPDATE session SET relaxation_id = extra_id WHERE extra_kind = 'relaxation'")
    op.execute("UPDATE session SET lesson_id = extra_id WHERE extra_kind = 'lesson'")
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.drop_column("extra_kind")
        batch_op.drop_column("extra_id")


def downgrade() -> None:
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extra_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("extra_id", sa.String(length=40), nullable=True))
    op.execute(
        "UPDATE session SET extra_kind = 'lesson', extra_id = lesson_id WHERE lesson_id IS NOT NULL"
    )
    op.execute(
        "UPDATE session SET extra_kind = 'relaxation', extra_id = relaxation_id "
        "WHERE lesson_id IS NULL AND relaxation_id IS NOT NULL"
    )
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.drop_column("relaxation_id")
        batch_op.drop_column("lesson_id")
