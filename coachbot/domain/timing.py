"""About how long a session takes, to tell the patient before they start.

An estimate, rounded up to whole five minutes: the patient plans the time, nobody
times them. A repetition done slowly and with control, as the exercises ask, takes
about two seconds each way (the tempo of 2 s concentric / 2 s eccentric commonly
advised for beginners, e.g. ACSM's Guidelines for Exercise Testing and Prescription,
11th ed., 2021); getting into position and reading the steps takes about half a minute
per exercise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from coachbot.domain.model import Dose

SECONDS_PER_REPETITION = 4
SETUP_SECONDS = 30
# Reading a back-school lesson (about 1,000 characters) and its question.
LESSON_MINUTES = 3
ROUND_TO_MINUTES = 5


def exercise_seconds(dose: Dose, each_side: bool) -> int:
    """One exercise at this dose: its work, both sides where it has two, and its rests."""
    if dose.reps is not None:
        work = dose.reps * SECONDS_PER_REPETITION
    else:
        work = dose.hold_seconds or dose.move_seconds or 0
    sides = 2 if each_side else 1
    return SETUP_SECONDS + dose.sets * work * sides + max(dose.sets - 1, 0) * dose.rest_seconds


def session_minutes(
    exercises: Iterable[tuple[Dose, bool]], relaxation_minutes: int | None, lesson: bool
) -> int:
    """The whole session in minutes (exercises as (dose, each side)), rounded up to five."""
    seconds = sum(exercise_seconds(dose, each_side) for dose, each_side in exercises)
    minutes = seconds / 60 + (relaxation_minutes or 0) + (LESSON_MINUTES if lesson else 0)
    return max(ROUND_TO_MINUTES, math.ceil(minutes / ROUND_TO_MINUTES) * ROUND_TO_MINUTES)
