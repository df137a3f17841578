"""Progression from feedback: when to make the plan harder, keep it, or make it easier.

Every rule and threshold lives here (and is documented in the README):

Pain is judged against the patient's usual pain (`pain`: the rules and their sources).

- Look at the last WINDOW reported sessions since the last change, newest first.
- REGRESS when the newest pain is `pain.MARKED_RISE` or more above usual, or a session
  in the window was followed by a morning worse than usual, or "too hard" was reported
  HARD_REPEATS times in the window. Regression is checked first: safety before progress.
- PROGRESS when all WINDOW sessions were done, each with pain at or below usual, felt
  "easy", and no morning after them was worse.
- HOLD otherwise (mixed feedback, partly done, skipped, or too few reports).
- After a change, the next one needs WINDOW new reports (no see-saw); except that a
  morning worse than usual after the session that made the plan harder takes that step
  back (`after_worse_morning`).

A dose moves one step at a time: progress adds REP_STEP repetitions (or
HOLD_STEP seconds of a hold, or MOVE_STEP seconds of continuous movement) up to the top
of the range, then a set up to MAX_SETS, then
switches to the harder variant at its starting dose; regress removes a set
first, then repetitions (or the time) down to the floor, then switches to the
easier variant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from coachbot.domain.model import Dose
from coachbot.domain.pain import MARKED_RISE
from coachbot.domain.vocabulary import Difficulty, Direction, Morning, Outcome, Reason

WINDOW = 3
HARD_REPEATS = 2

REP_STEP = 2
MAX_REPS = 15
MIN_REPS = 5
HOLD_STEP = 5
MAX_HOLD = 60
MIN_HOLD = 10
MAX_SETS = 3
# Continuous movement ("keep moving for 45 s") steps in longer strides than a hold.
MOVE_STEP = 15
MAX_MOVE = 300
MIN_MOVE = 20


@dataclass(frozen=True)
class Feedback:
    """One reported session, as the progression rules see it."""

    outcome: Outcome
    pain: int | None
    difficulty: Difficulty | None  # None: not asked (yet)
    morning: Morning | None = None  # the next-morning check's answer, once given


def decide(newest_first: Sequence[Feedback], usual: int) -> tuple[Direction, Reason]:
    """The direction for the plan, from the reports since the last change."""
    window = list(newest_first[:WINDOW])
    if window:
        newest = window[0]
        if newest.pain is not None and newest.pain - usual >= MARKED_RISE:
            return Direction.REGRESS, Reason.PAIN_RISE
        if any(f.morning is Morning.WORSE for f in window):
            return Direction.REGRESS, Reason.MORNING_WORSE
        if sum(f.difficulty == Difficulty.HARD for f in window) >= HARD_REPEATS:
            return Direction.REGRESS, Reason.TOO_HARD
    if len(window) < WINDOW:
        return Direction.HOLD, Reason.TOO_FEW
    if all(
        f.outcome == Outcome.DONE
        and f.pain is not None
        and f.pain <= usual
        and f.difficulty == Difficulty.EASY
        for f in window
    ):
        return Direction.PROGRESS, Reason.EASY_STREAK
    return Direction.HOLD, Reason.MIXED


def after_worse_morning(last_change: Direction | None) -> tuple[Direction, Reason]:
    """A morning worse than usual after a session reported before the last change: a step
    up made from that session is taken back; a step down already made stands."""
    if last_change is Direction.PROGRESS:
        return Direction.REGRESS, Reason.MORNING_WORSE
    return Direction.HOLD, Reason.MIXED


@dataclass(frozen=True)
class Step:
    """The result of moving one exercise: a new dose, or a switch to a variant."""

    dose: Dose
    variant: str | None = None  # the exercise to switch to, if any


def step(dose: Dose, direction: Direction, easier: str | None, harder: str | None) -> Step | None:
    """One step of the dose in `direction`; None if nothing can change."""
    if direction is Direction.PROGRESS:
        return _harder(dose, harder)
    if direction is Direction.REGRESS:
        return _easier(dose, easier)
    return None


def _harder(dose: Dose, harder: str | None) -> Step | None:
    if dose.reps is not None and dose.reps < MAX_REPS:
        return Step(replace(dose, reps=min(MAX_REPS, dose.reps + REP_STEP)))
    if dose.hold_seconds is not None and dose.hold_seconds < MAX_HOLD:
        return Step(replace(dose, hold_seconds=min(MAX_HOLD, dose.hold_seconds + HOLD_STEP)))
    if dose.move_seconds is not None and dose.move_seconds < MAX_MOVE:
        return Step(replace(dose, move_seconds=min(MAX_MOVE, dose.move_seconds + MOVE_STEP)))
    if dose.sets < MAX_SETS:
        return Step(replace(dose, sets=dose.sets + 1))
    if harder is not None:
        return Step(dose, variant=harder)
    return None


def _easier(dose: Dose, easier: str | None) -> Step | None:
    if dose.sets > 1:
        return Step(replace(dose, sets=dose.sets - 1))
    if dose.reps is not None and dose.reps > MIN_REPS:
        return Step(replace(dose, reps=max(MIN_REPS, dose.reps - REP_STEP)))
    if dose.hold_seconds is not None and dose.hold_seconds > MIN_HOLD:
        return Step(replace(dose, hold_seconds=max(MIN_HOLD, dose.hold_seconds - HOLD_STEP)))
    if dose.move_seconds is not None and dose.move_seconds > MIN_MOVE:
        return Step(replace(dose, move_seconds=max(MIN_MOVE, dose.move_seconds - MOVE_STEP)))
    if easier is not None:
        return Step(dose, variant=easier)
    return None
