"""screening: when a patient's red-flag screen was last finished and the warning signs
said yes to; steps of single red-flag questions become their group's

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coachbot.db.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The groups of the flags asked one by one before (coachbot.domain.red_flags.GROUPS,
# copied: a migration must not change when the code does).
OLD_STEPS = {
    "ob:rf:cauda_equina": "ob:rf:nerves",
    "ob:rf:leg_weakness": "ob:rf:nerves",
    "ob:rf:fever_weight": "ob:rf:illness",
    "ob:rf:cancer": "ob:rf:illness",
    "ob:rf:trauma": "ob:rf:injury",
}


def upgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("screened_at", coachbot.db.types.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("warning_signs", sa.JSON(), nullable=False, server_default="[]")
        )
    patient = sa.table("patient", sa.column("step", sa.String))
    for old, new in OLD_STEPS.items():
        op.execute(patient.update().where(patient.c.step == old).values(step=new))


def downgrade() -> None:
    patient = sa.table("patient", sa.column("step", sa.String))
    op.execute(
        patient.update()
        .where(patient.c.step.in_(["ob:rf:nerves", "ob:rf:illness", "ob:rf:injury"]))
        .values(step="ob:rf:cauda_equina")
    )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_column("warning_signs")
        batch_op.drop_column("screened_at")
