"""The options of a lesson's check question, in an order of each patient's own."""

from __future__ import annotations

from coachbot.domain.quiz import option_order
from tests.shipped import shipped_catalogue


def test_the_order_is_a_stable_arrangement_of_every_option() -> None:
    for count in (2, 3, 4):
        order = option_order(7, "pacing", count)
        assert sorted(order) == list(range(count))
        assert option_order(7, "pacing", count) == order


def test_people_see_the_right_answer_in_different_places() -> None:
    catalogue = shipped_catalogue()
    for lesson in catalogue.lessons.values():
        count = len(lesson.check.options)
        right = next(n for n, option in enumerate(lesson.check.options) if option.correct)
        places = {option_order(patient, lesson.id, count).index(right) for patient in range(1, 40)}
        assert places == set(range(count)), lesson.id


def test_one_person_sees_different_orders_across_lessons() -> None:
    orders = {tuple(option_order(1, lesson, 3)) for lesson in ("a", "b", "c", "d", "e", "f")}
    assert len(orders) > 1
