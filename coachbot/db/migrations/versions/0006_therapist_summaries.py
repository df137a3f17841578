"""therapist summaries, typed steps and plan locks

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coachbot.db.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("therapist", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "timezone", sa.String(length=64), nullable=False, server_default="Europe/Berlin"
            )
        )
        batch_op.add_column(
            sa.Column(
                "summary_frequency", sa.String(length=8), nullable=False, server_default="weekly"
            )
        )
        batch_op.add_column(
            sa.Column("summary_time", sa.Time(), nullable=False, server_default="07:30:00")
        )
        batch_op.add_column(
            sa.Column("summary_weekday", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("next_summary_at", coachbot.db.types.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("step", sa.String(length=40), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_therapist_next_summary_at"), ["next_summary_at"], unique=False
        )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("plan_locked", sa.Boolean(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_column("plan_locked")
    with op.batch_alter_table("therapist", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_therapist_next_summary_at"))
        batch_op.drop_column("step")
        batch_op.drop_column("next_summary_at")
        batch_op.drop_column("summary_weekday")
        batch_op.drop_column("summary_time")
        batch_op.drop_column("summary_frequency")
        batch_op.drop_column("timezone")
