"""After an operation: the phase, and what a plan holds before and after clearance."""

from __future__ import annotations

from datetime import UTC, date, datetime

from coachbot.domain.enrolment import Question, next_step
from coachbot.domain.model import PlanItem
from coachbot.domain.planning import (
    COOL_DOWN,
    WARM_UP,
    Profile,
    allowed,
    build_plan,
    items_for_day,
)
from coachbot.domain.surgery import Ago, Phase, ago, approximate_date, phase, plausible
from coachbot.domain.vocabulary import Condition, Equipment, Kind
from tests.shipped import shipped_catalogue

CATALOGUE = shipped_catalogue()
TWISTING = ("open_book", "knee_rocking", "band_anti_rotation_press")
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
OPERATED = frozenset({Condition.AFTER_SURGERY})
BAND = frozenset({Equipment.ELASTIC_BAND})


def test_the_phase_follows_the_operation_and_its_clearance() -> None:
    assert phase([Condition.HERNIATED_DISC], None) is Phase.NONE
    assert phase([Condition.HERNIATED_DISC], NOW) is Phase.NONE
    assert phase([Condition.AFTER_SURGERY], None) is Phase.BEFORE_CLEARANCE
    assert phase([Condition.AFTER_SURGERY, Condition.HERNIATED_DISC], NOW) is Phase.CLEARED


def test_before_clearance_twisting_and_later_phase_exercises_are_not_allowed() -> None:
    waiting = Profile(OPERATED, BAND, before_clearance=True)
    cleared = Profile(OPERATED, BAND)
    for exercise_id in TWISTING:
        exercise = CATALOGUE.exercises[exercise_id]
        assert exercise.needs_clearance
        assert not allowed(exercise, waiting)
        assert allowed(exercise, cleared)
    later = CATALOGUE.exercises["knee_rocking"].model_copy(
        update={"strains": [], "later_phase": True}
    )
    assert not allowed(later, waiting) and allowed(later, cleared)
    gentle = [e for e in CATALOGUE.exercises.values() if not e.needs_clearance]
    assert all(allowed(e, waiting) == allowed(e, cleared) for e in gentle)


def test_a_fresh_post_operative_plan_still_has_a_warm_up_main_part_and_cool_down() -> None:
    ids = build_plan(CATALOGUE.exercises.values(), Profile(OPERATED, BAND, before_clearance=True))
    kinds = [CATALOGUE.exercises[e].kinds[0] for e in ids]
    assert kinds.count(WARM_UP) == 2 and kinds.count(COOL_DOWN) == 2
    assert {Kind.STRENGTH, Kind.COORDINATION, Kind.BALANCE} <= set(kinds)
    assert not any(CATALOGUE.exercises[e].needs_clearance for e in ids)
    assert not set(TWISTING) & set(ids)
    # Every day of the week still brings 3 to 5 exercises, none of them twisting.
    plan = [
        PlanItem(patient_id=1, exercise_id=e, position=n, sets=2, reps=8) for n, e in enumerate(ids)
    ]
    primary = {e.id: e.kinds[0] for e in CATALOGUE.exercises.values()}
    for offset in range(14):
        day = date.fromordinal(TODAY.toordinal() + offset)
        chosen = items_for_day(plan, primary, day)
        assert 3 <= len(chosen) <= 5
        assert not {item.exercise_id for item in chosen} & set(TWISTING)


def test_a_kind_with_nothing_allowed_has_fewer_exercises_not_a_gap() -> None:
    """With only the three twisting exercises as rotation, the plan before clearance has no
    rotation at all, and gets it back once cleared."""
    rotation = [e for e in CATALOGUE.exercises.values() if e.kinds[0] == Kind.ROTATION]
    others = [e for e in CATALOGUE.exercises.values() if e.kinds[0] != Kind.ROTATION]
    small = others + [e for e in rotation if e.id in TWISTING]
    waiting = build_plan(small, Profile(OPERATED, BAND, before_clearance=True))
    cleared = build_plan(small, Profile(OPERATED, BAND))
    kind_of = {e.id: e.kinds[0] for e in small}
    assert Kind.ROTATION not in {kind_of[e] for e in waiting}
    assert [kind_of[e] for e in cleared].count(Kind.ROTATION) == 2
    # What waits for clearance is left out, and the plan is shorter for it, not filled
    # with something else of the kind.
    assert not any(CATALOGUE.exercises[e].needs_clearance for e in waiting)
    assert len(waiting) < len(cleared)


def test_the_operation_questions_are_asked_only_after_an_operation() -> None:
    assert next_step(Question.CONDITIONS, [Condition.HERNIATED_DISC]) == Question.EQUIPMENT
    assert next_step(Question.CONDITIONS, [Condition.AFTER_SURGERY]) == Question.SURGERY
    assert next_step(Question.SURGERY, [Condition.AFTER_SURGERY]) == Question.CLEARANCE
    assert next_step(Question.CLEARANCE, [Condition.AFTER_SURGERY]) == Question.EQUIPMENT


def test_an_approximate_answer_reads_back_as_its_own_span() -> None:
    for span in Ago:
        assert ago(approximate_date(span, TODAY), TODAY) is span
    assert ago(date(2026, 10, 13), TODAY) is Ago.UNDER_6_WEEKS  # 6 weeks less a day
    assert ago(date(2026, 10, 12), TODAY) is Ago.UNDER_3_MONTHS


def test_a_typed_date_must_be_a_day_that_has_been() -> None:
    assert plausible(TODAY, TODAY) and plausible(date(2020, 1, 1), TODAY)
    assert not plausible(date(2026, 11, 24), TODAY)
    assert not plausible(date(1900, 1, 1), TODAY)
