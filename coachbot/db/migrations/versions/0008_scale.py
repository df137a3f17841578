"""scale: the newest report on the patient, and indexes for what the dispatcher and the
therapist's views ask

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coachbot.db.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_SESSION = "state IN ('planned', 'sending')"


def upgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_report_at", coachbot.db.types.UTCDateTime(), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_patient_therapist_id"), ["therapist_id"])
    op.execute(
        "UPDATE patient SET last_report_at = (SELECT max(report.received_at) FROM report "
        "JOIN session ON session.id = report.session_id WHERE session.patient_id = patient.id)"
    )
    op.create_index(
        "ix_session_open_patient_id",
        "session",
        ["patient_id"],
        sqlite_where=sa.text(OPEN_SESSION),
        postgresql_where=sa.text(OPEN_SESSION),
    )
    op.create_index(
        "ix_alert_unnotified_created_at",
        "alert",
        ["created_at"],
        sqlite_where=sa.text("notified_at IS NULL"),
        postgresql_where=sa.text("notified_at IS NULL"),
    )
    op.create_index(
        "ix_alert_open_patient_id",
        "alert",
        ["patient_id"],
        sqlite_where=sa.text("seen_at IS NULL"),
        postgresql_where=sa.text("seen_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_alert_open_patient_id", table_name="alert")
    op.drop_index("ix_alert_unnotified_created_at", table_name="alert")
    op.drop_index("ix_session_open_patient_id", table_name="session")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_therapist_id"))
        batch_op.drop_column("last_report_at")
