"""About how long a session takes: what the patient is told before they start."""

from __future__ import annotations

from coachbot.domain.model import Dose
from coachbot.domain.timing import exercise_seconds, session_minutes


def test_an_exercise_counts_its_work_both_sides_and_rests() -> None:
    # 2 sets of 10 slow repetitions (4 s each) on each side, 30 s rest, 30 s to set up.
    assert exercise_seconds(Dose(2, reps=10, rest_seconds=30), each_side=True) == 30 + 160 + 30
    assert exercise_seconds(Dose(3, hold_seconds=20, rest_seconds=0), each_side=False) == 90
    assert exercise_seconds(Dose(1, move_seconds=45, rest_seconds=20), each_side=False) == 75


def test_a_session_is_rounded_up_to_five_minutes_with_relaxation_and_lesson() -> None:
    exercises = [(Dose(2, reps=10, rest_seconds=30), True)] * 4  # 4 × 220 s ≈ 14.7 min
    assert session_minutes(exercises, relaxation_minutes=None, lesson=False) == 15
    assert session_minutes(exercises, relaxation_minutes=5, lesson=True) == 25
    assert session_minutes([], relaxation_minutes=None, lesson=False) == 5
