"""The session message is short in both languages and names every exercise and dose."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from html import escape

import pytest

from coachbot.domain.model import Dose, Patient, Session, SessionExercise
from coachbot.domain.vocabulary import Condition, Language
from coachbot.i18n import Translator
from conversations.render import (
    MESSAGE_LIMIT,
    dose_text,
    exercise_details,
    pack,
    session_text,
)
from tests.shipped import shipped_catalogue

CATALOGUE = shipped_catalogue()

# The most a session message can carry: every caution applies.
EVERY_CONDITION = list(Condition)
PATIENT = Patient(
    telegram_user_id=1,
    chat_id=1,
    language=Language.EN,
    timezone="Europe/Berlin",
    consent_at=datetime(2026, 11, 1, tzinfo=UTC),
    created_at=datetime(2026, 11, 1, tzinfo=UTC),
    conditions=EVERY_CONDITION,
    baseline_pain=3,
    display_name="Maximiliane-Theresa",
)


def longest_session(relaxation_id: str, lesson_id: str) -> Session:
    longest = sorted(
        CATALOGUE.exercises.values(),
        key=lambda e: sum(len(step) for step in e.steps.de) + len(e.starting_position.de),
    )[-5:]
    return Session(
        patient_id=1,
        local_date=date(2026, 11, 23),
        due_at=datetime(2026, 11, 23, 17, tzinfo=UTC),
        ends_at=datetime(2026, 11, 23, 23, tzinfo=UTC),
        exercises=[SessionExercise(e.id, Dose(3, reps=12, rest_seconds=45)) for e in longest],
        relaxation_id=relaxation_id,
        lesson_id=lesson_id,
    )


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_longest_session_is_one_short_message_with_every_exercise_and_dose(
    language: str,
) -> None:
    lesson = max(CATALOGUE.lessons.values(), key=lambda entry: len(entry.title.de))
    technique = max(CATALOGUE.relaxation.values(), key=lambda r: len(r.title.de))
    session = longest_session(technique.id, lesson.id)
    _ = Translator(language)
    text = session_text(session, CATALOGUE, _, PATIENT)
    assert len(text) < 1000  # one phone screen
    for number, item in enumerate(session.exercises, start=1):
        exercise = CATALOGUE.exercises[item.exercise_id]
        assert f"{number}. {escape(exercise.title.get(language))}" in text
        assert escape(dose_text(replace(item.dose, rest_seconds=0), _, exercise.each_side)) in text
    assert escape(lesson.title.get(language)) in text
    assert escape(technique.title.get(language)) in text
    assert "⚠️" not in text  # the cautions are in the walk-through, each with its exercise


def test_the_full_instructions_of_an_earlier_session_still_fit() -> None:
    session = longest_session("body_scan", "hurt_is_not_harm")
    _ = Translator("de")
    details = exercise_details(session, CATALOGUE, _, EVERY_CONDITION)
    assert all(len(part) <= MESSAGE_LIMIT for part in details)
    for item in session.exercises:
        exercise = CATALOGUE.exercises[item.exercise_id]
        for step in exercise.steps.de:
            assert escape(step) in "\n".join(details)


def test_dose_text_in_both_languages() -> None:
    assert dose_text(Dose(2, reps=10, rest_seconds=30), Translator("en")) == (
        "2 × 10 repetitions, rest 30 s between sets"
    )
    assert "20" in dose_text(Dose(1, hold_seconds=20, rest_seconds=0), Translator("de"))


def test_pack_joins_blocks_up_to_the_limit() -> None:
    assert pack(["a" * 10, "b" * 10], limit=25) == ["a" * 10 + "\n\n" + "b" * 10]
    assert pack(["a" * 10, "b" * 10], limit=15) == ["a" * 10, "b" * 10]
