"""Which exercises a patient's plan holds, and which of them a given day brings."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from coachbot.domain import surgery
from coachbot.domain.errors import InvalidChange
from coachbot.domain.model import Patient, PlanItem
from coachbot.domain.vocabulary import Condition, Equipment, Kind

WARM_UP = Kind.MOBILIZATION
COOL_DOWN = Kind.STRETCHING
MAIN_KINDS = (Kind.STRENGTH, Kind.COORDINATION, Kind.BALANCE, Kind.ROTATION, Kind.VIBRATION)
# How many of each the plan holds: the week's sessions are drawn from these.
PLAN_WARM_UP = 2
PLAN_PER_MAIN_KIND = 2
PLAN_COOL_DOWN = 2
# A day has a warm-up, two or three main exercises and a stretch: 3 to 5 in all.
MIN_MAIN_PER_DAY = 2
MAX_MAIN_PER_DAY = 3
MIN_PER_DAY = 3


class ExerciseFacts(Protocol):
    """What the planner needs to know of an exercise."""

    @property
    def id(self) -> str: ...
    @property
    def kinds(self) -> Sequence[Kind]: ...
    @property
    def equipment(self) -> Sequence[Equipment]: ...
    @property
    def suits(self) -> Sequence[Condition]: ...
    @property
    def care(self) -> Sequence[Condition]: ...
    @property
    def unsuitable(self) -> Sequence[Condition]: ...
    @property
    def needs_clearance(self) -> bool: ...


@dataclass(frozen=True)
class Profile:
    conditions: frozenset[Condition]
    equipment: frozenset[Equipment]
    # After an operation, until the surgeon's clearance is recorded (`surgery`).
    before_clearance: bool = False


def profile_of(patient: Patient) -> Profile:
    return Profile(
        frozenset(patient.conditions),
        frozenset(patient.equipment),
        surgery.phase(patient.conditions, patient.cleared_at) is surgery.Phase.BEFORE_CLEARANCE,
    )


def allowed(exercise: ExerciseFacts, profile: Profile) -> bool:
    """Safe for these conditions and this phase after an operation, and possible with
    the equipment at hand."""
    if profile.before_clearance and exercise.needs_clearance:
        return False
    return set(exercise.equipment) <= profile.equipment and not (
        set(exercise.unsuitable) & profile.conditions
    )


def _preference(exercise: ExerciseFacts, profile: Profile) -> tuple[int, int, int, str]:
    # Exercises meant for the patient's conditions come first and those that
    # need care with them last; then those using equipment the patient chose
    # to have; the id keeps the order stable.
    suits = len(set(exercise.suits) & profile.conditions)
    care = len(set(exercise.care) & profile.conditions)
    uses_equipment = len(set(exercise.equipment) & profile.equipment)
    return (-suits, care, -uses_equipment, exercise.id)


def part(kind: Kind | None) -> int:
    """Where a kind sits in a session: warm-up, the main kinds in order, cool-down."""
    order = [WARM_UP, *MAIN_KINDS, COOL_DOWN]
    return order.index(kind) if kind in order else len(order)


def candidates(
    exercises: Iterable[ExerciseFacts], profile: Profile, plan: Sequence[PlanItem], kind: Kind
) -> list[str]:
    """Exercises of `kind` the patient may do (conditions, equipment) and does not have."""
    present = {item.exercise_id for item in plan}
    return sorted(
        exercise.id
        for exercise in exercises
        if exercise.kinds[0] == kind and exercise.id not in present and allowed(exercise, profile)
    )


def check_addable(
    exercise: ExerciseFacts | None, profile: Profile, plan: Sequence[PlanItem]
) -> ExerciseFacts:
    """The exercise, if a therapist may put it into this plan (InvalidChange if not)."""
    if exercise is None or not allowed(exercise, profile):
        raise InvalidChange("not allowed for this patient")
    if any(item.exercise_id == exercise.id for item in plan):
        raise InvalidChange("already in the plan")
    return exercise


def replacement(
    exercises: Iterable[ExerciseFacts], profile: Profile, kind: Kind | None, taken: Collection[str]
) -> str | None:
    """The exercise of `kind` a plan would choose first in place of one no longer allowed
    (None if the profile allows none that is not `taken` already)."""
    fitting = [
        exercise
        for exercise in exercises
        if exercise.kinds[0] == kind and exercise.id not in taken and allowed(exercise, profile)
    ]
    return min(fitting, key=lambda e: _preference(e, profile)).id if fitting else None


def build_plan(exercises: Iterable[ExerciseFacts], profile: Profile) -> list[str]:
    """The ordered exercise ids of a plan: warm-ups, the main part by kind, cool-downs."""
    candidates = sorted(
        (e for e in exercises if allowed(e, profile)), key=lambda e: _preference(e, profile)
    )
    warm = [e.id for e in candidates if e.kinds[0] == WARM_UP][:PLAN_WARM_UP]
    cool = [e.id for e in candidates if e.kinds[0] == COOL_DOWN][:PLAN_COOL_DOWN]
    main = [
        e.id
        for kind in MAIN_KINDS
        for e in [c for c in candidates if c.kinds[0] == kind][:PLAN_PER_MAIN_KIND]
    ]
    return warm + main + cool


def items_for_day(
    plan: Sequence[PlanItem],
    kinds: Mapping[str, Kind],
    day: date,
    training_days: Sequence[int] = (0, 1, 2, 3, 4, 5, 6),
) -> list[PlanItem]:
    """The plan items for one day: a warm-up, the main part and a stretch.

    The main part is dealt out over the week's training days kind by kind, so
    every main kind the plan holds comes up each week (given two or more
    training days), and the exercises of a kind take turns from week to week.
    The same date always gives the same session. `kinds` maps each exercise id
    to its primary kind.
    """
    days = sorted(set(training_days)) or [day.weekday()]
    slot = days.index(day.weekday()) if day.weekday() in days else day.weekday() % len(days)
    week = day.isocalendar().week + 53 * day.isocalendar().year
    warm = [item for item in plan if kinds.get(item.exercise_id) == WARM_UP]
    cool = [item for item in plan if kinds.get(item.exercise_id) == COOL_DOWN]
    by_kind = {
        kind: [item for item in plan if kinds.get(item.exercise_id) == kind] for kind in MAIN_KINDS
    }
    present = [kind for kind in MAIN_KINDS if by_kind[kind]]
    per_day = min(MAX_MAIN_PER_DAY, max(MIN_MAIN_PER_DAY, -(-len(present) // len(days))))
    main: list[PlanItem] = []
    for position in range(slot * per_day, (slot + 1) * per_day):
        if not present:
            break
        # Position p of the week takes kind p mod K; its round decides which of
        # that kind's exercises, shifted each week.
        kind = present[(position + week) % len(present)]
        round_ = position // len(present) + week
        choice = by_kind[kind][round_ % len(by_kind[kind])]
        if choice not in main:
            main.append(choice)
    chosen: list[PlanItem] = []
    if warm:
        chosen.append(warm[(week + slot) % len(warm)])
    chosen += main
    if cool:
        chosen.append(cool[(week + slot) % len(cool)])
    # A plan short of warm-ups or stretches for this profile still gives at
    # least three exercises where it has them.
    spare = [item for kind in present for item in by_kind[kind] if item not in chosen]
    while len(chosen) < MIN_PER_DAY and spare:
        chosen.insert(len(chosen) - 1 if cool else len(chosen), spare.pop(0))
    return chosen


class RelaxationFacts(Protocol):
    """What the planner needs to know of a relaxation technique."""

    @property
    def id(self) -> str: ...
    @property
    def unsuitable(self) -> Sequence[Condition]: ...


def suitable_relaxation(
    techniques: Iterable[RelaxationFacts], conditions: Collection[Condition]
) -> list[str]:
    """The ids of the techniques that are not unsuitable for any of `conditions`, sorted."""
    return sorted(
        technique.id for technique in techniques if not set(technique.unsuitable) & set(conditions)
    )


def relaxation_for(
    day: date, techniques: Iterable[RelaxationFacts], conditions: Collection[Condition]
) -> str | None:
    """A relaxation technique for the day, taking turns through those that suit the
    patient's conditions."""
    ordered = suitable_relaxation(techniques, conditions)
    return ordered[day.toordinal() % len(ordered)] if ordered else None


def next_lesson(taught: Collection[str], lesson_ids_in_order: Sequence[str]) -> str | None:
    """The first lesson of the course not taught yet, or None once every one is.

    Chosen by id rather than by how many were taught, so that a reordered course
    neither skips a lesson a patient has not had nor repeats one they have.
    """
    return next((lesson for lesson in lesson_ids_in_order if lesson not in taught), None)
