"""lessons taught: the ids of the lessons each patient's course has sent, instead of how
many, so that reordering the course neither skips a lesson nor repeats one

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 09:00:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The sessions whose lesson went out, in the order they went out.
SENT_LESSONS = sa.text(
    "SELECT patient_id, lesson_id FROM session "
    "WHERE lesson_id IS NOT NULL AND sent_at IS NOT NULL ORDER BY patient_id, local_date"
)


def upgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lessons_taught", sa.JSON(), nullable=False, server_default="[]")
        )
    connection = op.get_bind()
    taught: dict[int, list[str]] = {}
    for patient_id, lesson_id in connection.execute(SENT_LESSONS):
        lessons = taught.setdefault(patient_id, [])
        if lesson_id not in lessons:
            lessons.append(lesson_id)
    if taught:
        connection.execute(
            sa.text("UPDATE patient SET lessons_taught = :taught WHERE id = :id").bindparams(
                sa.bindparam("taught", type_=sa.JSON())
            ),
            [{"id": patient_id, "taught": lessons} for patient_id, lessons in taught.items()],
        )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_column("lessons_sent")


def downgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lessons_sent", sa.Integer(), nullable=False, server_default="0")
        )
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, lessons_taught FROM patient")).all()
    counts = [
        {"id": patient_id, "sent": len(json.loads(taught) if isinstance(taught, str) else taught)}
        for patient_id, taught in rows
    ]
    if counts:
        connection.execute(
            sa.text("UPDATE patient SET lessons_sent = :sent WHERE id = :id"), counts
        )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.alter_column("lessons_sent", server_default=None)
        batch_op.drop_column("lessons_taught")
