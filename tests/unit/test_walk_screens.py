"""Every step of the walk-through fits a caption in both languages, and nothing of the
content is lost to the limit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from html import unescape

import pytest

from catalogue.schema import Exercise
from coachbot.domain.model import Dose, Patient, Session, SessionExercise
from coachbot.domain.vocabulary import Condition, Language, Outcome
from coachbot.i18n import Translator
from conversations.walk import screens
from tests.shipped import shipped_catalogue

CATALOGUE = shipped_catalogue()
LANGUAGES = ["en", "de"]


def patient(conditions: list[Condition]) -> Patient:
    return Patient(
        telegram_user_id=1,
        chat_id=1,
        language=Language.EN,
        timezone="Europe/Berlin",
        consent_at=datetime(2026, 11, 1, tzinfo=UTC),
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
        conditions=conditions,
        baseline_pain=3,
    )


def session(
    exercises: list[Exercise], relaxation_id: str | None = None, lesson_id: str | None = None
) -> Session:
    return Session(
        patient_id=1,
        local_date=date(2026, 11, 23),
        due_at=datetime(2026, 11, 23, 17, tzinfo=UTC),
        ends_at=datetime(2026, 11, 23, 23, tzinfo=UTC),
        exercises=[SessionExercise(e.id, Dose(3, reps=12, rest_seconds=45)) for e in exercises],
        relaxation_id=relaxation_id,
        lesson_id=lesson_id,
        id=7,
    )


def text_of(caption: str) -> str:
    """A caption as the patient reads it (what Telegram counts against the limit)."""
    return unescape(
        caption.replace("<b>", "").replace("</b>", "").replace("<i>", "").replace("</i>", "")
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_exercise_fits_a_caption_with_every_caution_it_may_show(language: str) -> None:
    _ = Translator(language)
    everyone = patient(list(Condition))
    for exercise in CATALOGUE.exercises.values():
        walk = session([exercise])
        steps = screens.screen(walk, CATALOGUE, _, everyone, 0).caption
        more = screens.screen(walk, CATALOGUE, _, everyone, 0, more=True).caption
        assert len(steps) <= screens.CAPTION_LIMIT and len(more) <= screens.CAPTION_LIMIT
        for step in exercise.steps.get(language):
            assert step in text_of(steps)
        for caution in exercise.cautions:  # safety first: never cut
            assert caution.get(language) in text_of(more)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_lesson_and_relaxation_is_paged_whole_within_the_caption_limit(
    language: str,
) -> None:
    _ = Translator(language)
    someone = patient([])
    techniques = list(CATALOGUE.relaxation.values())
    for number, lesson in enumerate(CATALOGUE.lessons.values()):
        technique = techniques[number % len(techniques)]
        walk = session([], technique.id, lesson.id)
        steps = screens.steps(walk, CATALOGUE, _)
        assert steps[-1].part is screens.Part.REPORT
        captions = [
            screens.screen(walk, CATALOGUE, _, someone, index).caption
            for index in range(len(steps))
        ]
        assert all(len(caption) <= screens.CAPTION_LIMIT for caption in captions)
        read = " ".join(text_of(caption) for caption in captions)
        # A page may end between paragraphs, lines or sentences, never within one.
        for line in lesson.body.get(language).split("\n"):
            for sentence in line.split(". "):
                assert sentence.strip() in read
        for step in technique.steps.get(language):
            assert step in read


def test_the_report_step_offers_the_report_until_it_is_given() -> None:
    _ = Translator("en")
    exercise = next(iter(CATALOGUE.exercises.values()))
    walk = session([exercise], lesson_id=CATALOGUE.lessons_in_order()[0].id)
    last = len(screens.steps(walk, CATALOGUE, _)) - 1
    open_ = screens.screen(walk, CATALOGUE, _, patient([]), last)
    assert "traffic light" in open_.caption
    data = [b.callback_data for row in open_.markup.inline_keyboard for b in row]
    assert data == ["rep:7:done", "rep:7:partly", "rep:7:skipped", f"walk:7:{last - 1}"]
    done = screens.screen(walk, CATALOGUE, _, patient([]), last, reported=Outcome.DONE)
    assert "already recorded" in done.caption
    assert [b.callback_data for row in done.markup.inline_keyboard for b in row] == [
        f"walk:7:{last - 1}"
    ]
    assert done.picture == screens.screen(walk, CATALOGUE, _, patient([]), last - 1).picture
