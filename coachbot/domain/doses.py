"""How far a therapist's taps move a dose, and where they stop."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from coachbot.domain.errors import InvalidChange
from coachbot.domain.model import Dose

DoseField = Literal["sets", "reps", "hold", "move"]

# Each tap moves one field one step, within limits a home exercise stays inside.
SETS = (1, 6)
REPS = (1, 30)
HOLD = (5, 120)
MOVE = (10, 600)
SETS_STEP = 1
REPS_STEP = 2
HOLD_STEP = 5
MOVE_STEP = 15


def _within(value: int, limits: tuple[int, int]) -> int:
    return min(max(value, limits[0]), limits[1])


def stepped(dose: Dose, what: DoseField, up: bool) -> Dose:
    """The dose one step more or less of `what`; InvalidChange if it has no such field
    or is at its limit already."""
    sign = 1 if up else -1
    if what == "sets":
        new = replace(dose, sets=_within(dose.sets + sign * SETS_STEP, SETS))
    elif what == "reps" and dose.reps is not None:
        new = replace(dose, reps=_within(dose.reps + sign * REPS_STEP, REPS))
    elif what == "hold" and dose.hold_seconds is not None:
        new = replace(dose, hold_seconds=_within(dose.hold_seconds + sign * HOLD_STEP, HOLD))
    elif what == "move" and dose.move_seconds is not None:
        new = replace(dose, move_seconds=_within(dose.move_seconds + sign * MOVE_STEP, MOVE))
    else:
        raise InvalidChange("this exercise has no such dose")
    if new == dose:
        raise InvalidChange("the dose is at its limit")
    return new
