"""Which exercises a patient's plan holds, and which of them a given day brings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from coachbot.domain.model import ExtraKind, PlanItem

WARM_UP = "mobilization"
COOL_DOWN = "stretching"
MAIN_KINDS = ("strength", "coordination", "balance", "rotation", "vibration")
# How many of each part the plan holds; a day takes one warm-up, two main
# exercises and one stretch from them, rotating so the week is varied.
PLAN_WARM_UP = 2
PLAN_MAIN = 6
PLAN_COOL_DOWN = 2
DAY_MAIN = 2
MIN_PER_DAY = 3


class ExerciseFacts(Protocol):
    """What the planner needs to know of an exercise."""

    @property
    def id(self) -> str: ...
    @property
    def kinds(self) -> Sequence[str]: ...
    @property
    def equipment(self) -> Sequence[str]: ...
    @property
    def suits(self) -> Sequence[str]: ...
    @property
    def unsuitable(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class Profile:
    conditions: frozenset[str]
    equipment: frozenset[str]


def allowed(exercise: ExerciseFacts, profile: Profile) -> bool:
    """Safe for these conditions and possible with the equipment at hand."""
    return set(exercise.equipment) <= profile.equipment and not (
        set(exercise.unsuitable) & profile.conditions
    )


def _preference(exercise: ExerciseFacts, profile: Profile) -> tuple[int, int, str]:
    # Exercises meant for the patient's conditions come first, then those using
    # equipment they chose to have; the id keeps the order stable.
    suits = len(set(exercise.suits) & profile.conditions)
    uses_equipment = len(set(exercise.equipment) & profile.equipment)
    return (-suits, -uses_equipment, exercise.id)


def build_plan(exercises: Iterable[ExerciseFacts], profile: Profile) -> list[str]:
    """The ordered exercise ids of a plan: warm-ups, main part, cool-downs."""
    candidates = sorted(
        (e for e in exercises if allowed(e, profile)), key=lambda e: _preference(e, profile)
    )
    warm = [e.id for e in candidates if e.kinds[0] == WARM_UP][:PLAN_WARM_UP]
    cool = [e.id for e in candidates if e.kinds[0] == COOL_DOWN][:PLAN_COOL_DOWN]
    main: list[str] = []
    # Round-robin over the main kinds so strength does not crowd out balance.
    by_kind = {kind: [e.id for e in candidates if e.kinds[0] == kind] for kind in MAIN_KINDS}
    while len(main) < PLAN_MAIN and any(by_kind.values()):
        for kind in MAIN_KINDS:
            if by_kind[kind] and len(main) < PLAN_MAIN:
                main.append(by_kind[kind].pop(0))
    return warm + main + cool


def items_for_day(plan: Sequence[PlanItem], kinds: Mapping[str, str], day: date) -> list[PlanItem]:
    """The plan items for one day: a warm-up, the main part and a stretch.

    `kinds` maps each exercise id to its primary kind. The choice rotates by
    date so consecutive days differ and the same date always gives the same day.
    """
    n = day.toordinal()
    warm = [item for item in plan if kinds.get(item.exercise_id) == WARM_UP]
    cool = [item for item in plan if kinds.get(item.exercise_id) == COOL_DOWN]
    main = [item for item in plan if item not in warm and item not in cool]
    chosen: list[PlanItem] = []
    if warm:
        chosen.append(warm[n % len(warm)])
    for offset in range(min(DAY_MAIN, len(main))):
        chosen.append(main[(n * DAY_MAIN + offset) % len(main)])
    if cool:
        chosen.append(cool[n % len(cool)])
    # A small catalogue for a profile (few warm-ups or stretches allowed) still
    # gives at least three exercises where the plan has them.
    spare = [item for item in main if item not in chosen]
    while len(chosen) < MIN_PER_DAY and spare:
        chosen.insert(-1 if cool else len(chosen), spare.pop(0))
    return chosen


def extra_for_session(previous: str | None, lessons_sent: int, lesson_count: int) -> ExtraKind:
    """Alternate lessons and relaxation from one session to the next (whatever the
    training days); relaxation only once the course is done."""
    if lessons_sent < lesson_count and previous != ExtraKind.LESSON:
        return ExtraKind.LESSON
    return ExtraKind.RELAXATION
