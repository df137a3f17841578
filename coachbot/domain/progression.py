"""Progression from feedback: when to make the plan harder, keep it, or make it easier.

Every rule and threshold lives here (and is documented in the README):

- Look at the last WINDOW reported sessions, newest first.
- REGRESS when the newest pain is PAIN_STOP or more, or it is PAIN_RISE or more
  above the patient's baseline, or "too hard" was reported HARD_REPEATS times
  in the window. Regression is checked first: safety before progress.
- PROGRESS when all WINDOW sessions were done, each with pain at most PAIN_LOW
  and felt "easy".
- HOLD otherwise (mixed feedback, partly done, skipped, or too few reports).
- After a change, the next one needs WINDOW new reports (no see-saw).

A dose moves one step at a time: progress adds REP_STEP repetitions (or
HOLD_STEP seconds) up to the top of the range, then a set up to MAX_SETS, then
switches to the harder variant at its starting dose; regress removes a set
first, then repetitions (or hold time) down to the floor, then switches to the
easier variant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from coachbot.domain.model import Dose
from coachbot.domain.vocabulary import Difficulty, Direction, Outcome, Reason

WINDOW = 3
PAIN_LOW = 3
PAIN_STOP = 6
PAIN_RISE = 2
HARD_REPEATS = 2

REP_STEP = 2
MAX_REPS = 15
MIN_REPS = 5
HOLD_STEP = 5
MAX_HOLD = 60
MIN_HOLD = 10
MAX_SETS = 3


@dataclass(frozen=True)
class Feedback:
    """One reported session, as the progression rules see it."""

    outcome: Outcome
    pain: int | None
    difficulty: Difficulty | None  # None: not asked (yet)


def decide(newest_first: Sequence[Feedback], baseline: int | None) -> tuple[Direction, Reason]:
    """The direction for the plan, from the reports since the last change."""
    window = list(newest_first[:WINDOW])
    if window:
        newest = window[0]
        if newest.pain is not None and newest.pain >= PAIN_STOP:
            return Direction.REGRESS, Reason.PAIN_HIGH
        if newest.pain is not None and baseline is not None and newest.pain - baseline >= PAIN_RISE:
            return Direction.REGRESS, Reason.PAIN_RISE
        if sum(f.difficulty == Difficulty.HARD for f in window) >= HARD_REPEATS:
            return Direction.REGRESS, Reason.TOO_HARD
    if len(window) < WINDOW:
        return Direction.HOLD, Reason.TOO_FEW
    if all(
        f.outcome == Outcome.DONE
        and f.pain is not None
        and f.pain <= PAIN_LOW
        and f.difficulty == Difficulty.EASY
        for f in window
    ):
        return Direction.PROGRESS, Reason.EASY_STREAK
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
    if easier is not None:
        return Step(dose, variant=easier)
    return None
