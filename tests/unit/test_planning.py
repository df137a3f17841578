"""Planning with the real catalogue, for every combination of conditions and equipment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain, combinations, pairwise

import pytest

from catalogue.loader import Catalogue
from coachbot.domain.model import PlanItem
from coachbot.domain.planning import (
    COOL_DOWN,
    WARM_UP,
    Profile,
    allowed,
    build_plan,
    items_for_day,
    next_lesson,
    relaxation_for,
    suitable_relaxation,
)
from coachbot.domain.vocabulary import Condition, Equipment
from tests.shipped import shipped_catalogue

CATALOGUE: Catalogue = shipped_catalogue()
KIND_OF = {exercise.id: exercise.kinds[0] for exercise in CATALOGUE.exercises.values()}

# None, each condition alone, every pair, and all of them: a plan's safety is decided
# per condition (`allowed`), so pairs show how they combine; 2**8 sets would add little
# but minutes.
CONDITION_SETS: list[frozenset[Condition]] = [
    *(
        frozenset(subset)
        for subset in chain.from_iterable(combinations(Condition, size) for size in range(3))
    ),
    frozenset(Condition),
]
EQUIPMENT_SETS: list[frozenset[Equipment]] = [
    frozenset(),
    frozenset(Equipment),
    *(frozenset({item}) for item in Equipment),
]
PROFILES = [
    Profile(conditions, equipment) for conditions in CONDITION_SETS for equipment in EQUIPMENT_SETS
]


def profile_id(profile: Profile) -> str:
    conditions = "+".join(sorted(profile.conditions)) or "healthy"
    equipment = "+".join(sorted(profile.equipment)) or "no-equipment"
    return f"{conditions}/{equipment}"


def plan_items(ids: Sequence[str]) -> list[PlanItem]:
    return [
        PlanItem(patient_id=1, exercise_id=exercise_id, position=position, sets=2, reps=8)
        for position, exercise_id in enumerate(ids)
    ]


def test_the_profiles_cover_every_combination() -> None:
    pairs = len(Condition) * (len(Condition) - 1) // 2
    assert len(CONDITION_SETS) == 1 + len(Condition) + pairs + 1
    assert len(PROFILES) == len(CONDITION_SETS) * (len(Equipment) + 2)


@pytest.mark.parametrize("profile", PROFILES, ids=profile_id)
def test_build_plan_is_safe_and_possible(profile: Profile) -> None:
    plan = build_plan(CATALOGUE.exercises.values(), profile)

    assert plan, "every profile gets a plan"
    assert len(plan) == len(set(plan)), "no exercise twice"
    for exercise_id in plan:
        exercise = CATALOGUE.exercises[exercise_id]
        assert not set(exercise.unsuitable) & profile.conditions, exercise_id
        assert set(exercise.equipment) <= profile.equipment, exercise_id


@pytest.mark.parametrize("profile", PROFILES, ids=profile_id)
def test_build_plan_starts_with_warm_up_and_ends_with_stretch(profile: Profile) -> None:
    plan = build_plan(CATALOGUE.exercises.values(), profile)
    usable = [e for e in CATALOGUE.exercises.values() if allowed(e, profile)]
    kinds = [KIND_OF[exercise_id] for exercise_id in plan]

    if any(e.kinds[0] == WARM_UP for e in usable):
        assert kinds[0] == WARM_UP
    if any(e.kinds[0] == COOL_DOWN for e in usable):
        assert kinds[-1] == COOL_DOWN
    # Warm-ups only at the start, stretches only at the end.
    warm = [i for i, kind in enumerate(kinds) if kind == WARM_UP]
    cool = [i for i, kind in enumerate(kinds) if kind == COOL_DOWN]
    assert warm == list(range(len(warm)))
    assert cool == list(range(len(kinds) - len(cool), len(kinds)))


def test_build_plan_prefers_equipment_the_patient_has() -> None:
    with_ball = build_plan(
        CATALOGUE.exercises.values(), Profile(frozenset(), frozenset({Equipment.EXERCISE_BALL}))
    )
    assert any("exercise_ball" in CATALOGUE.exercises[i].equipment for i in with_ball)


@pytest.mark.parametrize("profile", PROFILES, ids=profile_id)
def test_items_for_day_gives_three_to_five_varied_items(profile: Profile) -> None:
    plan = plan_items(build_plan(CATALOGUE.exercises.values(), profile))
    start = date(2026, 11, 23)
    days = [
        [item.exercise_id for item in items_for_day(plan, KIND_OF, start + timedelta(days=n))]
        for n in range(14)
    ]
    for ids in days:
        assert 3 <= len(ids) <= 5, ids
        assert len(ids) == len(set(ids)), ids
        assert set(ids) <= {item.exercise_id for item in plan}
    for today, tomorrow in pairwise(days):
        assert today != tomorrow
    # The same date always brings the same day.
    again = [i.exercise_id for i in items_for_day(plan, KIND_OF, start)]
    assert again == days[0]


def test_items_for_day_orders_warm_up_main_stretch() -> None:
    plan = plan_items(build_plan(CATALOGUE.exercises.values(), Profile(frozenset(), frozenset())))
    for n in range(14):
        items = items_for_day(plan, KIND_OF, date(2026, 11, 23) + timedelta(days=n))
        kinds = [KIND_OF[item.exercise_id] for item in items]
        assert kinds[0] == WARM_UP
        assert kinds[-1] == COOL_DOWN
        assert WARM_UP not in kinds[1:-1] and COOL_DOWN not in kinds[1:-1]


def test_items_for_day_keeps_the_dose_of_the_plan() -> None:
    ids = build_plan(CATALOGUE.exercises.values(), Profile(frozenset(), frozenset()))
    plan = [
        PlanItem(patient_id=1, exercise_id=exercise_id, position=n, sets=1 + n % 3, reps=5 + n)
        for n, exercise_id in enumerate(ids)
    ]
    dose_of = {item.exercise_id: (item.sets, item.reps) for item in plan}
    for n in range(7):
        for item in items_for_day(plan, KIND_OF, date(2026, 11, 23) + timedelta(days=n)):
            assert (item.dose.sets, item.dose.reps) == dose_of[item.exercise_id]


def test_lessons_follow_the_course_and_stop_at_its_end() -> None:
    course = ["spine", "pain", "pacing"]
    taught: list[str] = []
    for _ in range(4):
        lesson = next_lesson(taught, course)
        if lesson is not None:
            taught.append(lesson)
    assert taught == course
    assert next_lesson(taught, course) is None
    assert next_lesson([], []) is None


def test_a_reordered_course_brings_a_lesson_not_taught_and_repeats_none() -> None:
    # Taught under the old order; "doctor" has moved from the end to second place.
    taught = ["spine", "pain", "pacing"]
    course = ["spine", "doctor", "pain", "pacing", "sleep"]
    assert next_lesson(taught, course) == "doctor"
    assert next_lesson([*taught, "doctor"], course) == "sleep"


@dataclass(frozen=True)
class Technique:
    id: str
    unsuitable: tuple[Condition, ...] = ()


def test_relaxation_takes_turns_day_by_day() -> None:
    techniques = [Technique("c"), Technique("a"), Technique("b")]
    start = date(2026, 11, 23)
    picked = [relaxation_for(start + timedelta(days=n), techniques, []) for n in range(6)]
    assert set(picked) == {"a", "b", "c"}
    assert picked[:3] == picked[3:]
    assert relaxation_for(start, [], []) is None


def test_relaxation_leaves_out_techniques_unsuitable_for_the_patients_conditions() -> None:
    techniques = [
        Technique("hug_knees", (Condition.OSTEOPOROSIS, Condition.AFTER_SURGERY)),
        Technique("breathing"),
        Technique("imagery"),
    ]
    start = date(2026, 11, 23)
    for conditions in (
        [Condition.OSTEOPOROSIS],
        [Condition.AFTER_SURGERY, Condition.HERNIATED_DISC],
    ):
        picked = {
            relaxation_for(start + timedelta(days=n), techniques, conditions) for n in range(9)
        }
        assert picked == {"breathing", "imagery"}
    everyone = {relaxation_for(start + timedelta(days=n), techniques, []) for n in range(9)}
    assert everyone == {"hug_knees", "breathing", "imagery"}
    assert relaxation_for(start, techniques[:1], [Condition.OSTEOPOROSIS]) is None


def test_the_shipped_relaxation_leaves_every_condition_something_to_do() -> None:
    for conditions in CONDITION_SETS:
        suitable = suitable_relaxation(CATALOGUE.relaxation.values(), conditions)
        assert len(suitable) >= 5, sorted(conditions)
    hugs_knees = "bedtime_back_routine"
    for condition in (Condition.OSTEOPOROSIS, Condition.AFTER_SURGERY):
        assert hugs_knees not in suitable_relaxation(CATALOGUE.relaxation.values(), [condition])
    assert hugs_knees in suitable_relaxation(CATALOGUE.relaxation.values(), [])
