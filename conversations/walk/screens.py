"""What each step of the walk-through shows: its picture, its caption and its buttons.

The steps are the session's exercises, then the relaxation and the lesson, each in as
many pages as Telegram's caption limit needs, then the report. They follow from the
session and the patient's language alone, so a step's number means the same step in
every process and after a restart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from html import escape

from telegram import InlineKeyboardMarkup

from catalogue.loader import Catalogue
from catalogue.pictures import Rendered, animation, cover
from coachbot.domain.model import Patient, Session
from coachbot.domain.pain import usual_of
from coachbot.domain.vocabulary import Outcome
from coachbot.i18n import Translator
from conversations import keyboards
from conversations.checkin import OUTCOME_WORDS
from conversations.render import dose_text, pack, traffic_light_text

CAPTION_LIMIT = 1024  # Telegram's, counted after the HTML is parsed: the raw text is longer
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


class Part(StrEnum):
    EXERCISE = "exercise"
    RELAXATION = "relaxation"
    LESSON = "lesson"
    REPORT = "report"


@dataclass(frozen=True)
class Step:
    part: Part
    item: int = 0  # an exercise's place in the session
    page: int = 0
    pages: int = 1
    body: str = ""  # a page of the relaxation or the lesson, as HTML


@dataclass(frozen=True)
class Screen:
    picture: Rendered
    caption: str
    markup: InlineKeyboardMarkup


def relaxation_heading(session: Session, catalogue: Catalogue, _: Translator) -> str:
    technique = catalogue.relaxation[session.relaxation_id or ""]
    heading = _("Relaxation: {title} ({minutes} min)").format(
        title=technique.title.get(_.language), minutes=technique.duration_minutes
    )
    return f"🧘 <b>{escape(heading)}</b>"


def lesson_heading(session: Session, catalogue: Catalogue, _: Translator) -> str:
    lesson = catalogue.lessons[session.lesson_id or ""]
    heading = _("Back school: {title}").format(title=lesson.title.get(_.language))
    return f"📘 <b>{escape(heading)}</b>"


# Room left on a page for its number (" · 2/3") and the line break after the heading.
_PAGE_MARK = 12


def _pages(heading: str, blocks: list[str], joiner: str) -> list[str]:
    """The blocks (paragraphs, numbered steps) packed into pages under the heading; a
    block too long for one page is split between its lines, a line between sentences."""
    room = CAPTION_LIMIT - len(heading) - _PAGE_MARK

    def fitting(block: str) -> list[str]:
        if len(block) <= room:
            return [block]
        if "\n" in block:
            lines = [piece for line in block.split("\n") for piece in fitting(line)]
            return pack(lines, limit=room, joiner="\n")
        return pack(_SENTENCE_END.split(block), limit=room, joiner=" ")

    return pack([piece for block in blocks for piece in fitting(block)], limit=room, joiner=joiner)


def steps(session: Session, catalogue: Catalogue, _: Translator) -> list[Step]:
    """Every step of this session's walk-through, in order; the report is the last."""
    language = _.language
    result = [
        Step(Part.EXERCISE, item=index)
        for index, item in enumerate(session.exercises)
        if item.exercise_id in catalogue.exercises
    ]
    technique = catalogue.relaxation.get(session.relaxation_id or "")
    if technique is not None:
        blocks = [escape(technique.intro.get(language))]
        blocks += [
            f"{number}) {escape(step)}"
            for number, step in enumerate(technique.steps.get(language), start=1)
        ]
        pages = _pages(relaxation_heading(session, catalogue, _), blocks, "\n")
        result += [
            Step(Part.RELAXATION, page=n, pages=len(pages), body=body)
            for n, body in enumerate(pages)
        ]
    lesson = catalogue.lessons.get(session.lesson_id or "")
    if lesson is not None:
        paragraphs = [escape(p.strip()) for p in lesson.body.get(language).split("\n\n")]
        pages = _pages(lesson_heading(session, catalogue, _), [p for p in paragraphs if p], "\n\n")
        result += [
            Step(Part.LESSON, page=n, pages=len(pages), body=body) for n, body in enumerate(pages)
        ]
    result.append(Step(Part.REPORT))
    return result


def picture(all_steps: list[Step], index: int, session: Session, catalogue: Catalogue) -> Rendered:
    """An exercise's animation, the relaxation's and the lesson's pictures; the report
    keeps the picture of the step before it."""
    step = all_steps[index]
    if step.part is Part.EXERCISE:
        return animation(catalogue.exercises[session.exercises[step.item].exercise_id])
    if step.part is Part.RELAXATION:
        return cover("relaxation")
    if step.part is Part.LESSON or index == 0:
        return cover("lesson")
    return picture(all_steps, index - 1, session, catalogue)


def exercise_caption(
    step: Step, session: Session, catalogue: Catalogue, _: Translator, more: bool, patient: Patient
) -> str:
    """An exercise: its name, dose and steps; or, with `more`, its breathing, the common
    mistakes and the cautions for this patient (the general ones and their conditions')."""
    language = _.language
    item = session.exercises[step.item]
    exercise = catalogue.exercises[item.exercise_id]
    count = sum(1 for entry in session.exercises if entry.exercise_id in catalogue.exercises)
    number = sum(
        1
        for entry in session.exercises[: step.item + 1]
        if entry.exercise_id in catalogue.exercises
    )
    head = f"<b>{number}/{count} · {escape(exercise.title.get(language))}</b>"
    if not more:
        lines = [
            head,
            f"<i>{escape(dose_text(item.dose, _, exercise.each_side))}</i>",
            escape(
                _("Start: {position}").format(position=exercise.starting_position.get(language))
            ),
        ]
        lines += [
            f"{n}) {escape(text)}" for n, text in enumerate(exercise.steps.get(language), start=1)
        ]
        if number == 1:  # said once, before the first exercise
            lines.append(escape(_("Move slowly and with control. Take the breaks you need.")))
        return "\n".join(lines)
    breathing = "🌬 " + escape(_("Breathing: {cue}").format(cue=exercise.breathing.get(language)))
    cautions = [
        f"⚠️ {escape(caution.get(language))}"
        for caution in exercise.cautions_for(patient.conditions)
    ]
    mistakes = [f"• {escape(mistake)}" for mistake in exercise.mistakes.get(language)]
    while True:
        # The cautions are never cut; the mistakes give way if all do not fit.
        middle = [escape(_("Common mistakes:")), *mistakes] if mistakes else []
        caption = "\n".join([head, breathing, *middle, *cautions])
        if len(caption) <= CAPTION_LIMIT or not mistakes:
            return caption[:CAPTION_LIMIT]
        mistakes.pop()


def report_caption(patient: Patient, reported: Outcome | None, _: Translator) -> str:
    if reported is not None:
        return escape(
            _("Today's session is already recorded ({outcome}). Well done for checking in!").format(
                outcome=OUTCOME_WORDS[reported]
            )
        )
    usual = usual_of(patient.baseline_pain, patient.usual_pain)
    return (
        "<b>"
        + escape(_("That was everything for today. How did it go?"))
        + "</b>\n"
        + escape(traffic_light_text(usual, _))
    )


def screen(
    session: Session,
    catalogue: Catalogue,
    _: Translator,
    patient: Patient,
    index: int,
    *,
    more: bool = False,
    reported: Outcome | None = None,
) -> Screen:
    """Step `index` of the walk-through as the message shows it."""
    all_steps = steps(session, catalogue, _)
    step = all_steps[index]
    if step.part is Part.EXERCISE:
        caption = exercise_caption(step, session, catalogue, _, more, patient)
    elif step.part is Part.REPORT:
        caption = report_caption(patient, reported, _)
    else:
        heading = (
            relaxation_heading(session, catalogue, _)
            if step.part is Part.RELAXATION
            else lesson_heading(session, catalogue, _)
        )
        mark = f" · {step.page + 1}/{step.pages}" if step.pages > 1 else ""
        caption = f"{heading}{mark}\n{step.body}"
    markup = keyboards.walk(
        session.id or 0,
        index,
        len(all_steps),
        _,
        exercise=step.part is Part.EXERCISE,
        more=more,
        report=step.part is Part.REPORT and reported is None,
    )
    return Screen(picture(all_steps, index, session, catalogue), caption, markup)
