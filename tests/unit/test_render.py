"""Session messages fit Telegram's limit in both languages and show every exercise."""

from __future__ import annotations

from datetime import UTC, date, datetime
from html import escape

import pytest

from catalogue.loader import load_catalogue
from coachbot.domain.model import Dose, Session, SessionExercise
from coachbot.i18n import Translator
from conversations.render import MESSAGE_LIMIT, dose_text, pack, session_messages

CATALOGUE = load_catalogue()


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
def test_the_longest_session_fits_and_shows_everything(language: str) -> None:
    lesson = max(CATALOGUE.lessons.values(), key=lambda entry: len(entry.body.de))
    technique = max(CATALOGUE.relaxation.values(), key=lambda r: sum(map(len, r.steps.de)))
    session = longest_session(technique.id, lesson.id)
    _ = Translator(language)
    messages = session_messages(session, CATALOGUE, _)
    assert all(len(text) <= MESSAGE_LIMIT for text in messages)
    joined = "\n".join(messages)
    for item in session.exercises:
        exercise = CATALOGUE.exercises[item.exercise_id]
        assert escape(exercise.title.get(language)) in joined
        for caution in exercise.cautions.get(language):
            assert escape(caution) in joined
    assert escape(technique.title.get(language)) in joined
    assert escape(lesson.body.get(language)) in joined
    assert messages[-1].endswith("</b>")  # the closing question carries the buttons


def test_dose_text_in_both_languages() -> None:
    assert dose_text(Dose(2, reps=10, rest_seconds=30), Translator("en")) == (
        "2 × 10 repetitions, rest 30 s between sets"
    )
    assert "20" in dose_text(Dose(1, hold_seconds=20, rest_seconds=0), Translator("de"))


def test_pack_joins_blocks_up_to_the_limit() -> None:
    assert pack(["a" * 10, "b" * 10], limit=25) == ["a" * 10 + "\n\n" + "b" * 10]
    assert pack(["a" * 10, "b" * 10], limit=15) == ["a" * 10, "b" * 10]
