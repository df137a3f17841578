"""Property tests over all profiles: the week a plan gives is safe, possible and complete."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from coachbot.domain.model import PlanItem
from coachbot.domain.planning import (
    COOL_DOWN,
    MAIN_KINDS,
    WARM_UP,
    Profile,
    build_plan,
    items_for_day,
)
from coachbot.domain.vocabulary import Condition, Equipment
from tests.shipped import shipped_catalogue

CATALOGUE = shipped_catalogue()
KIND_OF = {e.id: e.kinds[0] for e in CATALOGUE.exercises.values()}

profiles = st.builds(
    Profile,
    conditions=st.frozensets(st.sampled_from(Condition)),
    equipment=st.frozensets(st.sampled_from(Equipment)),
)
training_days = st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True)
mondays = st.integers(0, 520).map(lambda n: date(2026, 1, 5) + timedelta(weeks=n))


def plan_items(ids: list[str]) -> list[PlanItem]:
    return [PlanItem(1, exercise_id, n, 1, reps=8) for n, exercise_id in enumerate(ids)]


def week(profile: Profile, days: list[int], monday: date) -> dict[int, list[str]]:
    plan = plan_items(build_plan(CATALOGUE.exercises.values(), profile))
    return {
        day: [
            item.exercise_id
            for item in items_for_day(plan, KIND_OF, monday + timedelta(days=day), days)
        ]
        for day in days
    }


@settings(max_examples=300, deadline=None)
@given(profile=profiles, days=training_days, monday=mondays)
def test_every_session_is_safe_possible_and_well_ordered(
    profile: Profile, days: list[int], monday: date
) -> None:
    for ids in week(profile, days, monday).values():
        assert 3 <= len(ids) <= 5
        assert len(set(ids)) == len(ids)
        for exercise_id in ids:
            exercise = CATALOGUE.exercises[exercise_id]
            assert not set(exercise.unsuitable) & profile.conditions
            assert set(exercise.equipment) <= profile.equipment
        assert KIND_OF[ids[0]] == WARM_UP
        assert KIND_OF[ids[-1]] == COOL_DOWN
        assert all(KIND_OF[e] in MAIN_KINDS for e in ids[1:-1])


@settings(max_examples=300, deadline=None)
@given(
    profile=profiles,
    days=st.lists(st.integers(0, 6), min_size=2, max_size=7, unique=True),
    monday=mondays,
)
def test_every_kind_the_patient_may_do_comes_every_week(
    profile: Profile, days: list[int], monday: date
) -> None:
    allowed_kinds = {
        e.kinds[0]
        for e in CATALOGUE.exercises.values()
        if not set(e.unsuitable) & profile.conditions and set(e.equipment) <= profile.equipment
    }
    trained = {KIND_OF[e] for ids in week(profile, days, monday).values() for e in ids}
    assert trained == allowed_kinds


@settings(max_examples=100, deadline=None)
@given(profile=profiles, days=training_days, monday=mondays)
def test_the_same_date_always_gives_the_same_session(
    profile: Profile, days: list[int], monday: date
) -> None:
    assert week(profile, days, monday) == week(profile, days, monday)


def test_consecutive_weeks_vary() -> None:
    profile = Profile(
        frozenset({Condition.POOR_POSTURE}),
        frozenset({Equipment.ELASTIC_BAND, Equipment.EXERCISE_BALL}),
    )
    monday = date(2026, 11, 23)
    for days in ([0, 2, 4], [0, 1, 2, 3, 4, 5, 6]):
        first = week(profile, days, monday)
        second = week(profile, days, monday + timedelta(weeks=1))
        assert first != second
