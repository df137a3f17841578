"""continuous doses: exercises done in continuous movement ("keep moving for 45 s") are
dosed in seconds of movement, in plans and in sessions still to be sent

The catalogue now doses thirteen exercises as continuous movement. Nine of them were
dosed as a hold: the time stays, as seconds of movement. Four were counted repetitions:
they take the catalogue's new dose for the patient's level. The lists and doses are
frozen here as the catalogue had them when this migration was written.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 16:00:00
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WERE_HOLDS = (
    "ball_bouncing",
    "ball_bouncing_arm_swing",
    "heel_drops",
    "rowing_machine_interval",
    "shake_out",
    "vibration_plate_calf_raise",
    "vibration_plate_mini_squat",
    "vibration_plate_seated",
    "vibration_plate_stance",
)
# (sets, seconds of movement, rest) by level.
WERE_COUNTED: dict[str, dict[str, tuple[int, int, int]]] = {
    "ball_seated_march": {
        "beginner": (1, 30, 20),
        "intermediate": (2, 45, 20),
        "advanced": (3, 60, 20),
    },
    "heel_toe_walk": {
        "beginner": (2, 30, 20),
        "intermediate": (3, 45, 20),
        "advanced": (3, 60, 20),
    },
    "rowing_machine_row": {
        "beginner": (2, 60, 60),
        "intermediate": (3, 90, 60),
        "advanced": (4, 120, 60),
    },
    "standing_arm_swings": {
        "beginner": (1, 30, 20),
        "intermediate": (2, 45, 20),
        "advanced": (3, 60, 20),
    },
}
# Sessions not yet sent show the new doses; those sent stay the record of what went out.
UNSENT = ("planned", "sending")


def _moving(exercise_id: str, dose: dict[str, Any], level: str) -> dict[str, Any]:
    """A dose of `exercise_id` as continuous movement (unchanged if it already is)."""
    if exercise_id in WERE_HOLDS and dose.get("hold_seconds") is not None:
        return dose | {"move_seconds": dose["hold_seconds"], "hold_seconds": None}
    if exercise_id in WERE_COUNTED and dose.get("reps") is not None:
        sets, seconds, rest = WERE_COUNTED[exercise_id].get(
            level, WERE_COUNTED[exercise_id]["beginner"]
        )
        return dose | {"sets": sets, "reps": None, "move_seconds": seconds, "rest_seconds": rest}
    return dose


def upgrade() -> None:
    connection = op.get_bind()
    moving = (*WERE_HOLDS, *WERE_COUNTED)
    items = connection.execute(
        sa.text(
            "SELECT plan_item.id, plan_item.exercise_id, sets, reps, hold_seconds, rest_seconds, "
            "level FROM plan_item JOIN patient ON patient.id = plan_item.patient_id "
            "WHERE plan_item.exercise_id IN :ids"
        ).bindparams(sa.bindparam("ids", expanding=True)),
        {"ids": list(moving)},
    ).all()
    for item_id, exercise_id, sets, reps, hold, rest, level in items:
        before = {"sets": sets, "reps": reps, "hold_seconds": hold, "rest_seconds": rest}
        after = _moving(exercise_id, before, level)
        if after != before:
            connection.execute(
                sa.text(
                    "UPDATE plan_item SET sets = :sets, reps = :reps, hold_seconds = :hold, "
                    "move_seconds = :move, rest_seconds = :rest WHERE id = :id"
                ),
                {
                    "sets": after["sets"],
                    "reps": after["reps"],
                    "hold": after["hold_seconds"],
                    "move": after["move_seconds"],
                    "rest": after["rest_seconds"],
                    "id": item_id,
                },
            )
    sessions = connection.execute(
        sa.text(
            "SELECT session.id, session.exercises, level FROM session "
            "JOIN patient ON patient.id = session.patient_id WHERE session.state IN :states"
        ).bindparams(sa.bindparam("states", expanding=True)),
        {"states": list(UNSENT)},
    ).all()
    for session_id, exercises, level in sessions:
        rows = json.loads(exercises) if isinstance(exercises, str) else exercises
        changed = [row | _moving(row["id"], row, level) for row in rows]
        if changed != rows:
            connection.execute(
                sa.text("UPDATE session SET exercises = :exercises WHERE id = :id"),
                {"exercises": json.dumps(changed), "id": session_id},
            )


def downgrade() -> None:
    # A dose of movement reads back as a hold of the same time: the closest the old model
    # could say it ("3 × hold 45 s" was how these were shown before).
    connection = op.get_bind()
    connection.execute(
        sa.text(
            "UPDATE plan_item SET hold_seconds = move_seconds "
            "WHERE move_seconds IS NOT NULL AND hold_seconds IS NULL AND reps IS NULL"
        )
    )
    sessions = connection.execute(
        sa.text("SELECT id, exercises FROM session WHERE state IN :states").bindparams(
            sa.bindparam("states", expanding=True)
        ),
        {"states": list(UNSENT)},
    ).all()
    for session_id, exercises in sessions:
        rows = json.loads(exercises) if isinstance(exercises, str) else exercises
        changed = [
            row | {"hold_seconds": row["move_seconds"], "move_seconds": None}
            if row.get("move_seconds") is not None
            else row
            for row in rows
        ]
        if changed != rows:
            connection.execute(
                sa.text("UPDATE session SET exercises = :exercises WHERE id = :id"),
                {"exercises": json.dumps(changed), "id": session_id},
            )
