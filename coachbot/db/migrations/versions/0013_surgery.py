"""surgery: the day of a patient's operation (perhaps approximate), and when and by whom
the surgeon's clearance for full exercise was recorded

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coachbot.db.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("surgery_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("surgery_date_approximate", sa.Boolean(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("cleared_at", coachbot.db.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("cleared_by", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_column("cleared_by")
        batch_op.drop_column("cleared_at")
        batch_op.drop_column("surgery_date_approximate")
        batch_op.drop_column("surgery_on")
