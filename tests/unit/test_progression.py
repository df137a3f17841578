"""The progression rules: each branch, each threshold, and an 8-week patient."""

from __future__ import annotations

import pytest

from coachbot.domain.model import Dose
from coachbot.domain.progression import (
    HARD_REPEATS,
    MAX_REPS,
    MAX_SETS,
    PAIN_LOW,
    PAIN_STOP,
    WINDOW,
    Feedback,
    Step,
    decide,
    step,
)
from coachbot.domain.vocabulary import Difficulty, Direction, Outcome, Reason

EASY = Feedback(Outcome.DONE, 2, Difficulty.EASY)


def test_three_easy_sessions_progress() -> None:
    assert decide([EASY] * WINDOW, baseline=3) == (Direction.PROGRESS, Reason.EASY_STREAK)


def test_too_few_reports_hold() -> None:
    assert decide([EASY] * (WINDOW - 1), baseline=3) == (Direction.HOLD, Reason.TOO_FEW)
    assert decide([], baseline=None) == (Direction.HOLD, Reason.TOO_FEW)


@pytest.mark.parametrize(
    "odd_one",
    [
        Feedback(Outcome.PARTLY, 2, Difficulty.EASY),
        Feedback(Outcome.SKIPPED, 2, None),
        Feedback(Outcome.DONE, PAIN_LOW + 1, Difficulty.EASY),
        Feedback(Outcome.DONE, 2, Difficulty.RIGHT),
        Feedback(Outcome.DONE, None, Difficulty.EASY),
    ],
)
def test_mixed_feedback_holds(odd_one: Feedback) -> None:
    assert decide([EASY, odd_one, EASY], baseline=3) == (Direction.HOLD, Reason.MIXED)


def test_pain_at_the_stop_threshold_regresses_first() -> None:
    high = Feedback(Outcome.DONE, PAIN_STOP, Difficulty.EASY)
    assert decide([high, EASY, EASY], baseline=5) == (Direction.REGRESS, Reason.PAIN_HIGH)
    below = Feedback(Outcome.DONE, PAIN_STOP - 1, Difficulty.EASY)
    assert decide([below, EASY, EASY], baseline=5)[0] is Direction.HOLD


def test_pain_two_above_baseline_regresses() -> None:
    assert decide([Feedback(Outcome.DONE, 4, Difficulty.RIGHT)], baseline=2) == (
        Direction.REGRESS,
        Reason.PAIN_RISE,
    )
    assert decide([Feedback(Outcome.DONE, 3, Difficulty.RIGHT)], baseline=2)[0] is Direction.HOLD
    # Only the newest report counts for pain: an old spike has been dealt with.
    assert (
        decide([EASY, Feedback(Outcome.DONE, 8, Difficulty.EASY), EASY], baseline=2)[0]
        is Direction.HOLD
    )


def test_too_hard_repeated_regresses() -> None:
    hard = Feedback(Outcome.DONE, 2, Difficulty.HARD)
    window = [hard] * HARD_REPEATS + [EASY] * (WINDOW - HARD_REPEATS)
    assert decide(window, baseline=3) == (Direction.REGRESS, Reason.TOO_HARD)
    assert decide([hard, EASY, EASY], baseline=3) == (Direction.HOLD, Reason.MIXED)


def test_progress_adds_reps_then_sets_then_the_harder_variant() -> None:
    assert step(Dose(1, reps=8), Direction.PROGRESS, None, "next") == Step(Dose(1, reps=10))
    assert step(Dose(1, reps=MAX_REPS), Direction.PROGRESS, None, "next") == Step(
        Dose(2, reps=MAX_REPS)
    )
    top = Dose(MAX_SETS, reps=MAX_REPS)
    assert step(top, Direction.PROGRESS, None, "next") == Step(top, variant="next")
    assert step(top, Direction.PROGRESS, None, None) is None
    assert step(Dose(1, hold_seconds=20), Direction.PROGRESS, None, None) == Step(
        Dose(1, hold_seconds=25)
    )


def test_regress_removes_sets_then_reps_then_the_easier_variant() -> None:
    assert step(Dose(3, reps=12), Direction.REGRESS, "easier", None) == Step(Dose(2, reps=12))
    assert step(Dose(1, reps=12), Direction.REGRESS, "easier", None) == Step(Dose(1, reps=10))
    assert step(Dose(1, reps=5), Direction.REGRESS, "easier", None) == Step(
        Dose(1, reps=5), variant="easier"
    )
    assert step(Dose(1, hold_seconds=10), Direction.REGRESS, None, None) is None
    assert step(Dose(2, reps=10), Direction.HOLD, "e", "h") is None


def test_an_eight_week_patient_follows_the_expected_dose_path() -> None:
    """Three sessions a week: two easy weeks, a flare-up, then steady progress."""
    weeks = [
        [EASY] * 3,
        [EASY] * 3,
        [
            Feedback(Outcome.DONE, 7, Difficulty.HARD),
            Feedback(Outcome.PARTLY, 5, Difficulty.HARD),
            Feedback(Outcome.DONE, 4, Difficulty.RIGHT),
        ],
        [Feedback(Outcome.DONE, 3, Difficulty.RIGHT)] * 3,
        [EASY] * 3,
        [EASY] * 3,
        [EASY] * 3,
        [EASY] * 3,
    ]
    dose = Dose(1, reps=8)
    exercise = "glute_bridge"
    since_change: list[Feedback] = []
    path = [(exercise, dose.sets, dose.reps)]
    for week in weeks:
        for feedback in week:
            since_change.insert(0, feedback)
            direction, _reason = decide(since_change, baseline=3)
            moved = step(dose, direction, "pelvic_tilt", "side_plank_knees")
            if moved is not None:
                dose = moved.dose
                exercise = moved.variant or exercise
                path.append((exercise, dose.sets, dose.reps))
                since_change = []
    assert path == [
        ("glute_bridge", 1, 8),
        ("glute_bridge", 1, 10),  # week 1: three easy sessions
        ("glute_bridge", 1, 12),  # week 2
        ("glute_bridge", 1, 10),  # week 3: pain 7 -> easier at once
        ("glute_bridge", 1, 8),  # pain 5, two above the baseline of 3 -> easier again
        # week 4: "just right" with pain 3 holds
        ("glute_bridge", 1, 10),  # week 5: easy again
        ("glute_bridge", 1, 12),  # week 6
        ("glute_bridge", 1, 14),  # week 7
        ("glute_bridge", 1, 15),  # week 8: the top of the repetition range
    ]
