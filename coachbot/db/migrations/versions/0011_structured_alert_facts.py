"""structured alert facts: an alert keeps the pain reported, the days without a report and
the red flag answered as values that each language words, not an English fragment in
`detail` ("pain 8", "3 days", "cauda_equina")

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:00:00
"""

import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

alert = sa.table(
    "alert",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("detail", sa.String),
    sa.column("pain", sa.Integer),
    sa.column("days", sa.Integer),
    sa.column("red_flag", sa.String),
)

# What the code wrote into `detail` until now, kind by kind; copied here (not imported)
# so that this revision reads the same whatever the code becomes.
PAIN = re.compile(r"(?:pain )?(\d{1,2})")
DAYS = re.compile(r"(\d{1,4}) days?")
RED_FLAGS = frozenset({"cauda_equina", "leg_weakness", "fever_weight", "cancer", "trauma"})


def upgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pain", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("red_flag", sa.String(length=24), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(alert.c.id, alert.c.kind, alert.c.detail).where(alert.c.detail.is_not(None))
    ).all()
    facts = [{"alert": row.id, **_facts(row.kind, row.detail)} for row in rows]
    if facts:
        bind.execute(alert.update().where(alert.c.id == sa.bindparam("alert")), facts)
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_column("detail")


def downgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("detail", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(alert.c.id, alert.c.pain, alert.c.days, alert.c.red_flag)).all()
    details = [
        {"alert": row.id, "detail": detail}
        for row in rows
        if (detail := _detail(row.pain, row.days, row.red_flag)) is not None
    ]
    if details:
        bind.execute(alert.update().where(alert.c.id == sa.bindparam("alert")), details)
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_column("red_flag")
        batch_op.drop_column("days")
        batch_op.drop_column("pain")


def _facts(kind: str, detail: str) -> dict[str, Any]:
    """The facts in an old `detail`; none where it reads as nothing the code wrote."""
    facts: dict[str, Any] = {"pain": None, "days": None, "red_flag": None}
    if kind in ("pain_high", "pain_rise") and (match := PAIN.fullmatch(detail)):
        if 0 <= int(match[1]) <= 10:
            facts["pain"] = int(match[1])
    elif kind == "silent" and (match := DAYS.fullmatch(detail)):
        facts["days"] = int(match[1])
    elif kind == "red_flag" and detail in RED_FLAGS:
        facts["red_flag"] = detail
    return facts


def _detail(pain: int | None, days: int | None, red_flag: str | None) -> str | None:
    if pain is not None:
        return f"pain {pain}"
    if days is not None:
        return f"{days} days"
    return red_flag
