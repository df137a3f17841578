"""walkthrough: where each session's step-by-step walk-through stands (its message and
step), and the Telegram file id of every picture uploaded once, by its content's digest

Revision ID: 0017_walkthrough
Revises: 0016
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coachbot.db.types

revision: str = "0017_walkthrough"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("walk_message_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("walk_step", sa.Integer(), nullable=True))
    op.create_table(
        "telegram_file",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("file_id", sa.String(length=255), nullable=False),
        sa.Column("stored_at", coachbot.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_telegram_file")),
    )


def downgrade() -> None:
    op.drop_table("telegram_file")
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.drop_column("walk_step")
        batch_op.drop_column("walk_message_id")
