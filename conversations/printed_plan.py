"""The printable plan: a person's plan on paper (PDF), for those who like it on the
fridge, from "🖨 Printable plan" under /plan and on their therapist's card.

It says what the session messages say, in the patient's language: each exercise's
picture, its dose worded as the bot words it, the starting position, the steps and the
cautions that concern this patient; above them the pain rules judged against their
usual pain, and whom to ask (a therapist only when one is linked).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from babel.dates import format_date
from telegram import Update

from catalogue import pictures
from catalogue.loader import Catalogue
from coachbot import access
from coachbot.domain import schedule
from coachbot.domain.model import Patient, PlanItem
from coachbot.domain.pain import usual_of, zones
from coachbot.domain.planning import next_lesson, suitable_relaxation
from coachbot.i18n import Translator
from conversations import buttons, labels
from conversations.context import CoachContext, tr
from conversations.overview import part_names, part_of
from conversations.printout import Block, paginate, pdf
from conversations.render import dose_text

TITLE = 22.0
HEADING = 16.0
SUBTITLE = 13.0
PICTURE = (3.9, 1.95)  # inches, on the right of the text: large enough to read each position
# "30 November 2026" / "30. November 2026"
_DATES = {"de": "d. MMMM y"}
BLUE, GREEN, ORANGE, VERMILLION, GREY = "#0072B2", "#009E73", "#E69F00", "#D55E00", "#555555"


@dataclass(frozen=True)
class Document:
    data: bytes
    filename: str


@dataclass(frozen=True)
class Pages:
    """The plan laid out: its pages of blocks, each page's footer, the document's title."""

    pages: list[list[Block]]
    footer: list[str]
    title: str
    exercises: int  # those the catalogue still has


def plan_document(
    patient: Patient, items: list[PlanItem], catalogue: Catalogue, now: datetime
) -> Document:
    """The plan as a PDF in the patient's language, dated by their local day."""
    today = schedule.local_date(now, patient.timezone)
    laid = plan_pages(patient, items, catalogue, today)
    data = pdf(laid.pages, laid.footer, laid.title, now)
    return Document(data, f"coachbot-plan-{today.isoformat()}.pdf")


def plan_pages(patient: Patient, items: list[PlanItem], catalogue: Catalogue, today: date) -> Pages:
    """The plan's pages: the header, then every exercise the catalogue still has, in
    the plan's order, then what the sessions bring besides."""
    _ = tr(patient.language)
    chosen = [
        (catalogue.exercises[item.exercise_id], item)
        for item in items
        if item.exercise_id in catalogue.exercises
    ]
    blocks = [header(patient, today, _)]
    current = None
    for number, (exercise, item) in enumerate(chosen, start=1):
        block = Block()
        part = part_of(exercise)
        if part != current:
            block.gap(0.15)
            block.line(part_names(_)[part], SUBTITLE, bold=True, colour=GREY)
            current = part
        block.gap(0.1)
        block.beside(pictures.still(exercise).data, *PICTURE)
        block.line(f"{number}. {exercise.title.get(_.language)}", HEADING, bold=True)
        block.line(dose_text(item.dose, _, exercise.each_side), SUBTITLE, bold=True, colour=BLUE)
        block.gap(0.06)
        block.line(
            _("Start: {position}").format(position=exercise.starting_position.get(_.language))
        )
        for step, text in enumerate(exercise.steps.get(_.language), start=1):
            block.line(text, label=f"{step})")
        for caution in exercise.cautions_for(patient.conditions):
            block.line(caution.get(_.language), label="⚠", label_colour=VERMILLION)
        block.close(0.25)
        blocks.append(block)
    closing = extras(patient, catalogue, _)
    if closing.items:
        blocks.append(closing)
    pages = paginate(blocks)
    footer = [
        _("Coachbot · page {page} of {pages}").format(page=n, pages=len(pages))
        for n in range(1, len(pages) + 1)
    ]
    heading = _("My exercise plan")
    title = f"{heading} – {patient.display_name}" if patient.display_name else heading
    return Pages(pages, footer, title, len(chosen))


def header(patient: Patient, today: date, _: Translator) -> Block:
    """Who and when, how often, the pain rules for this person, and when to get help."""
    block = Block()
    block.line(_("My exercise plan"), TITLE, bold=True)
    day = format_date(today, format=_DATES.get(_.language, "d MMMM y"), locale=_.language)
    block.line(f"{patient.display_name} · {day}" if patient.display_name else day, SUBTITLE)
    block.gap(0.12)
    block.line(
        _(
            "Do your exercises once a day, on your training days; each day brings a few of "
            "these, varied through the week."
        )
    )
    block.line(_("Move slowly and with control. Take the breaks you need."))
    block.gap(0.08)
    usual = usual_of(patient.baseline_pain, patient.usual_pain)
    green, red = zones(usual)
    block.line(
        _("Pain during and after the exercises, for your usual pain of {usual}/10:").format(
            usual=usual
        ),
        bold=True,
    )
    block.line(
        _(
            "up to {green}/10: fine. A little more pain with exercise is normal as long as "
            "it settles by the next morning."
        ).format(green=green),
        label="●",
        label_colour=GREEN,
    )
    if green < 10:
        block.line(
            _(
                "{low}/10 or more: go easier, with fewer repetitions or smaller movements, "
                "and leave out any exercise that makes it worse."
            ).format(low=green + 1),
            label="●",
            label_colour=ORANGE,
        )
    if red is not None:
        block.line(
            _(
                "{red}/10 or more: stop for today, and rest from the exercises until it "
                "settles back towards your usual."
            ).format(red=red),
            label="●",
            label_colour=VERMILLION,
        )
    block.gap(0.08)
    block.line(
        _(
            "If the pain does not settle within a few days, or it worries you, stop the "
            "exercises and tell your therapist."
        )
        if patient.therapist_id is not None
        else _(
            "If the pain does not settle within a few days, or it worries you, stop the "
            "exercises and see your doctor or physiotherapist."
        )
    )
    block.line(
        _(
            "Get medical help straight away (112 in Europe, 911 in the USA) if you notice "
            "numbness around your bottom or genitals, lose control of your bladder or bowel, "
            "or a leg gets weaker."
        ),
        bold=True,
    )
    block.gap(0.15)
    return block


def extras(patient: Patient, catalogue: Catalogue, _: Translator) -> Block:
    """What the sessions bring besides the exercises, where the catalogue has it for them."""
    block = Block()
    if suitable_relaxation(catalogue.relaxation.values(), patient.conditions):
        block.line(
            _(
                "Relaxation: your sessions end with a relaxation technique that suits you; "
                "send /relax in the chat for the list."
            ),
            label="•",
        )
    lesson = catalogue.lessons.get(
        next_lesson(patient.lessons_taught, [x.id for x in catalogue.lessons_in_order()]) or ""
    )
    if lesson is not None:
        block.line(
            _(
                "Back school: a short lesson comes with your sessions, next “{title}”; send "
                "/lessons in the chat for all of them."
            ).format(title=lesson.title.get(_.language)),
            label="•",
        )
    return block


async def _send(update: Update, context: CoachContext, patient: Patient, caption: str) -> None:
    """The patient's current plan, drawn in a worker thread, as a document in this chat."""
    assert update.effective_chat is not None and patient.id is not None
    async with context.read() as uow:
        items = await uow.plans.for_patient(patient.id)
    document = await asyncio.to_thread(
        plan_document, patient, items, context.services.catalogue, context.now()
    )
    await update.effective_chat.send_document(
        document.data, filename=document.filename, caption=caption
    )


async def print_plan(update: Update, context: CoachContext) -> None:
    """/plan's "🖨 Printable plan": the patient's own plan as a PDF."""
    query = update.callback_query
    assert query is not None
    patient = (await context.person(query.from_user)).enrolled()
    # Paper that says "do your exercises once a day" is no paper for someone whose
    # training a warning sign has stopped until a doctor has seen them.
    access.check_may_train(patient)
    _ = tr(patient.language)
    await query.answer(_("Preparing your plan to print…"))
    await _send(update, context, patient, _("Your plan to print, with pictures and steps."))


async def print_patient_plan(update: Update, context: CoachContext) -> None:
    """The card's "🖨 Printable plan": the patient's plan as a PDF in the patient's language."""
    query = update.callback_query
    assert query is not None
    pid = buttons.PATIENT_PRINT.read(context).id("patient")
    async with context.read() as uow:
        therapist = await context.therapist(query.from_user, uow)
        patient = await access.own_patient(uow, therapist, pid)
    access.check_may_train(patient)
    _ = tr(therapist.language)
    await query.answer(_("Preparing the plan to print…"))
    name = escape(patient.display_name or _("A patient"))
    caption = _("{name}'s plan to print, in their language ({language}).").format(
        name=name, language=labels.LANGUAGE_NAMES[patient.language]
    )
    await _send(update, context, patient, caption)
