"""pain against usual pain: the patient's usual pain as their reports show it, the
next-morning check after a report, one pain alert with its signs, and doses of continuous
movement

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coachbot.db.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MORNING_DUE = "morning_due_at IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("usual_pain", sa.Integer(), nullable=True))
    with op.batch_alter_table("plan_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("move_seconds", sa.Integer(), nullable=True))
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("morning_due_at", coachbot.db.types.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("morning", sa.String(length=8), nullable=True))
        batch_op.create_index(
            "ix_report_morning_due_at",
            ["morning_due_at"],
            unique=False,
            sqlite_where=sa.text(MORNING_DUE),
            postgresql_where=sa.text(MORNING_DUE),
        )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("usual", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("signs", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_column("signs")
        batch_op.drop_column("usual")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index("ix_report_morning_due_at")
        batch_op.drop_column("morning")
        batch_op.drop_column("morning_due_at")
    with op.batch_alter_table("plan_item", schema=None) as batch_op:
        batch_op.drop_column("move_seconds")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_column("usual_pain")
