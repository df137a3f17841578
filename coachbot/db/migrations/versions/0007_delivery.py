"""delivery: attempts and retries for sessions, the outbox, leases and the send budget

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coachbot.db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("retry_at", coachbot.db.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("failure", sa.String(length=200), nullable=True))
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=True),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("buttons", sa.JSON(), nullable=True),
        sa.Column("photo", sa.LargeBinary(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("retry_at", coachbot.db.types.UTCDateTime(), nullable=True),
        sa.Column("lease_until", coachbot.db.types.UTCDateTime(), nullable=True),
        sa.Column("failure", sa.String(length=200), nullable=True),
        sa.Column("created_at", coachbot.db.types.UTCDateTime(), nullable=False),
        sa.Column("sent_at", coachbot.db.types.UTCDateTime(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_outbox_alert_id_alert"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["therapist_id"],
            ["therapist.id"],
            name=op.f("fk_outbox_therapist_id_therapist"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index("ix_outbox_state_chat_id", "outbox", ["state", "chat_id"], unique=False)
    lease = op.create_table(
        "lease",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=True),
        sa.Column("expires_at", coachbot.db.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_lease")),
    )
    budget = op.create_table(
        "send_budget",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("tat", sa.Float(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_send_budget")),
    )
    op.bulk_insert(lease, [{"name": "updates"}, {"name": "housekeeping"}])
    op.bulk_insert(budget, [{"name": "bot", "tat": 0.0}])
    # Alerts claimed before this version were sent or given up at once; nothing to move.


def downgrade() -> None:
    op.drop_table("send_budget")
    op.drop_table("lease")
    op.drop_index("ix_outbox_state_chat_id", table_name="outbox")
    op.drop_table("outbox")
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.drop_column("failure")
        batch_op.drop_column("retry_at")
        batch_op.drop_column("attempts")
