"""first pain: the day of each patient's first pain answer, so that the first week's pain
is read from a week of rows, not from a whole history

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_pain_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE patient SET first_pain_on = (SELECT min(session.local_date) FROM session "
        "JOIN report ON report.session_id = session.id "
        "WHERE session.patient_id = patient.id AND report.pain_after IS NOT NULL)"
    )


def downgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_column("first_pain_on")
