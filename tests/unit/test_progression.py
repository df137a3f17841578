"""The progression rules: each branch, each threshold, and an 8-week patient."""

from __future__ import annotations

from itertools import pairwise

import pytest

from coachbot.domain.model import Dose
from coachbot.domain.pain import MARKED_RISE
from coachbot.domain.progression import (
    HARD_REPEATS,
    MAX_REPS,
    MAX_SETS,
    WINDOW,
    Feedback,
    Step,
    after_worse_morning,
    decide,
    step,
)
from coachbot.domain.vocabulary import Difficulty, Direction, Morning, Outcome, Reason

EASY = Feedback(Outcome.DONE, 2, Difficulty.EASY)


def test_three_easy_sessions_progress() -> None:
    assert decide([EASY] * WINDOW, usual=3) == (Direction.PROGRESS, Reason.EASY_STREAK)


def test_too_few_reports_hold() -> None:
    assert decide([EASY] * (WINDOW - 1), usual=3) == (Direction.HOLD, Reason.TOO_FEW)
    assert decide([], usual=0) == (Direction.HOLD, Reason.TOO_FEW)


@pytest.mark.parametrize(
    "odd_one",
    [
        Feedback(Outcome.PARTLY, 2, Difficulty.EASY),
        Feedback(Outcome.SKIPPED, 2, None),
        Feedback(Outcome.DONE, 4, Difficulty.EASY),  # above the usual 3
        Feedback(Outcome.DONE, 2, Difficulty.RIGHT),
        Feedback(Outcome.DONE, None, Difficulty.EASY),
    ],
)
def test_mixed_feedback_holds(odd_one: Feedback) -> None:
    assert decide([EASY, odd_one, EASY], usual=3) == (Direction.HOLD, Reason.MIXED)


@pytest.mark.parametrize("usual", [0, 3, 6, 8])
def test_progress_needs_pain_at_or_below_usual_and_easy(usual: int) -> None:
    at_usual = Feedback(Outcome.DONE, usual, Difficulty.EASY)
    assert decide([at_usual] * WINDOW, usual=usual) == (Direction.PROGRESS, Reason.EASY_STREAK)
    if usual < 10:
        above = Feedback(Outcome.DONE, usual + 1, Difficulty.EASY)
        assert decide([at_usual, above, at_usual], usual=usual)[0] is Direction.HOLD


@pytest.mark.parametrize("usual", [0, 3, 6, 8])
def test_a_rise_of_three_over_usual_regresses_two_does_not(usual: int) -> None:
    two = Feedback(Outcome.DONE, min(10, usual + MARKED_RISE - 1), Difficulty.RIGHT)
    assert decide([two, EASY, EASY], usual=usual)[0] is Direction.HOLD
    if usual + MARKED_RISE <= 10:
        three = Feedback(Outcome.DONE, usual + MARKED_RISE, Difficulty.RIGHT)
        assert decide([three], usual=usual) == (Direction.REGRESS, Reason.PAIN_RISE)


def test_pain_at_a_high_usual_level_is_no_reason_to_ease() -> None:
    """Usual pain 6: reports of 6 neither regress (the old fixed rule did) nor block
    progress."""
    six = Feedback(Outcome.DONE, 6, Difficulty.RIGHT)
    assert decide([six, six, six], usual=6) == (Direction.HOLD, Reason.MIXED)


@pytest.mark.parametrize(
    ("morning", "direction"),
    [
        (Morning.BETTER, Direction.PROGRESS),
        (Morning.SAME, Direction.PROGRESS),
        (Morning.WORSE, Direction.REGRESS),
    ],
)
def test_the_next_morning_decides_whether_easy_sessions_progress(
    morning: Morning, direction: Direction
) -> None:
    first = Feedback(Outcome.DONE, 2, Difficulty.EASY, morning)
    assert decide([EASY, EASY, first], usual=3)[0] is direction
    # A worse morning eases the plan at once, without waiting for a full window.
    if morning is Morning.WORSE:
        assert decide([first], usual=3) == (Direction.REGRESS, Reason.MORNING_WORSE)


def test_a_worse_morning_after_a_step_up_takes_it_back_but_not_a_step_down() -> None:
    assert after_worse_morning(Direction.PROGRESS) == (Direction.REGRESS, Reason.MORNING_WORSE)
    assert after_worse_morning(Direction.REGRESS)[0] is Direction.HOLD
    assert after_worse_morning(None)[0] is Direction.HOLD


def test_only_the_newest_pain_counts_an_old_spike_was_dealt_with() -> None:
    assert (
        decide([EASY, Feedback(Outcome.DONE, 8, Difficulty.EASY), EASY], usual=2)[0]
        is Direction.HOLD
    )


def test_too_hard_repeated_regresses() -> None:
    hard = Feedback(Outcome.DONE, 2, Difficulty.HARD)
    window = [hard] * HARD_REPEATS + [EASY] * (WINDOW - HARD_REPEATS)
    assert decide(window, usual=3) == (Direction.REGRESS, Reason.TOO_HARD)
    assert decide([hard, EASY, EASY], usual=3) == (Direction.HOLD, Reason.MIXED)


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
            direction, _reason = decide(since_change, usual=3)
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
        ("glute_bridge", 1, 10),  # week 3: pain 7, four above the usual 3 -> easier at once
        # then pain 5 (two above usual: acceptable) and one "too hard" hold;
        # week 4: "just right" with pain 3 holds
        ("glute_bridge", 1, 12),  # week 5: easy again
        ("glute_bridge", 1, 14),  # week 6
        ("glute_bridge", 1, 15),  # week 7: the top of the repetition range
        ("glute_bridge", 2, 15),  # week 8: then a second set
    ]


def test_an_eight_week_patient_with_usual_pain_6_progresses_when_things_go_well() -> None:
    """Usual pain 6, three sessions a week: pain at the usual level with easy sessions and
    settled mornings moves the plan up; one bad week (pain 9, a worse morning) steps it
    back once; the old fixed thresholds would have made it easier every three reports."""
    good = Feedback(Outcome.DONE, 6, Difficulty.EASY, Morning.SAME)
    calm = Feedback(Outcome.DONE, 5, Difficulty.EASY, Morning.BETTER)
    flare = Feedback(Outcome.DONE, 9, Difficulty.HARD)
    weeks = [
        [good] * 3,
        [good, calm, good],
        [flare, Feedback(Outcome.PARTLY, 7, Difficulty.RIGHT, Morning.WORSE), good],
        [good] * 3,
        [calm] * 3,
        [good] * 3,
        [calm, good, calm],
        [good] * 3,
    ]
    dose = Dose(1, reps=8)
    since_change: list[Feedback] = []
    path = [(dose.sets, dose.reps)]
    for week in weeks:
        for feedback in week:
            since_change.insert(0, feedback)
            direction, _reason = decide(since_change, usual=6)
            moved = step(dose, direction, None, None)
            if moved is not None:
                dose = moved.dose
                path.append((dose.sets, dose.reps))
                since_change = []
    ups = sum(after > before for before, after in pairwise(path))
    downs = len(path) - 1 - ups
    assert path[-1] > path[0]  # harder after eight weeks
    assert downs == 2  # pain 9 (three above usual), then the worse morning
    assert ups >= 6
