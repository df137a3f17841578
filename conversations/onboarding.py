"""Enrolment's questions: red-flag screening (its words: screening.py), profile, time
zone, time and days.

The current question is stored on the patient record (``patient.step``), not in
memory, so a restart in the middle of enrolment lets the patient go on where
they were; the questions and their order are `coachbot.domain.enrolment`'s.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram import Message, ReplyKeyboardRemove, Update

from coachbot import enrolment, sessions
from coachbot.domain.enrolment import (
    SURGERY_QUESTIONS,
    Answered,
    Question,
    current_step,
    enrolling,
    screening_group,
)
from coachbot.domain.model import Patient, Session
from coachbot.domain.red_flags import sign_in
from coachbot.i18n import Translator
from coachbot.timezones import resolve_zone, zone_at
from conversations import buttons, keyboards, surgery
from conversations.context import CoachContext, clear_buttons, set_buttons, tr
from conversations.parsing import parse_time
from conversations.render import day_name
from conversations.screening import group_question, red_flag_advice
from conversations.summary import ZONE_STEP
from conversations.therapist import therapist_location

log = logging.getLogger(__name__)


def _answer(step: str) -> keyboards.Answer:
    """The buttons answering enrolment question `step`."""
    return buttons.ENROLMENT.answer(step.removeprefix("ob:"))


def question(step: str, patient: Patient, default_zone: str, _: Translator) -> tuple[str, object]:
    """The text and keyboard that ask `step`."""
    group = screening_group(step)
    if group is not None:
        return group_question(group, _answer(step), _)
    if step in SURGERY_QUESTIONS:
        return surgery.question(step, _answer(step), _)
    if step == Question.CONDITIONS:
        return (
            _("What brings you here? Tap all that apply, then Done."),
            keyboards.conditions(_answer(step), patient.conditions, _),
        )
    if step == Question.EQUIPMENT:
        return (
            _("What do you have at home for training? Tap all that apply, then Done."),
            keyboards.equipment(_answer(step), patient.equipment, _),
        )
    if step == Question.LEVEL:
        return _("How would you like to start?"), keyboards.levels(_answer(step), _)
    if step == Question.PAIN:
        return (
            _(
                "On an ordinary day lately, how much does your back hurt? "
                "0 = no pain, 10 = the worst pain you can imagine."
            ),
            keyboards.pain_scale(_answer(step), None),
        )
    if step == Question.TIMEZONE:
        return (
            _(
                "Which time zone are you in? Share your location (only used once to find "
                "the zone, not stored), tap a zone, or type your city, e.g. Berlin."
            ),
            keyboards.timezone_reply(default_zone, _),
        )
    if step == Question.TIME:
        return (
            _("At what time should I send your training? Tap a time or type one, e.g. 18:30."),
            keyboards.times(_answer(step)),
        )
    return (
        _("On which days do you want to train? Tap days to change them, then Done."),
        keyboards.days(_answer(step), patient.training_days, patient.language, _),
    )


async def ask(message: Message, patient: Patient, context: CoachContext) -> None:
    """Send the question the patient is at."""
    if patient.step is None:
        return
    _ = tr(patient.language)
    step = current_step(patient.step) or ""
    text, markup = question(step, patient, context.services.settings.default_timezone, _)
    await message.chat.send_message(text, reply_markup=markup)  # type: ignore[arg-type]


# --- answering the questions ---------------------------------------------------------


async def answer_step(update: Update, context: CoachContext) -> None:
    """A button of an enrolment question: check it is the current one, then apply it."""
    query = update.callback_query
    assert query is not None and query.data is not None
    data = buttons.ENROLMENT.read(context)
    step, value = "ob:" + data.text("question"), data.text("value")
    async with context.uow() as uow:
        patient = (await context.person(query.from_user, uow)).patient
        # A step stored before the screen's groups is its group's (`current_step`).
        current = patient is not None and current_step(patient.step) == step
        if patient is not None and current:
            outcome = await enrolment.answer(
                uow, patient, value, context.services.catalogue, context.now()
            )
            await uow.commit()
    # Telegram is called only after the transaction, so no lock is held meanwhile.
    if patient is None:
        _ = tr(query.from_user.language_code)
        await query.answer(_("Please send /start first."))
        return
    _ = tr(patient.language)
    if not current:
        await query.answer(_("That question is already answered."))
        await clear_buttons(query)
        if query.message is not None and enrolling(patient.step):
            await ask(query.message, patient, context)  # type: ignore[arg-type]
        return
    await _after_answer(update, context, patient, step, value, outcome)


async def _after_answer(
    update: Update,
    context: CoachContext,
    patient: Patient,
    step: str,
    value: str,
    outcome: Answered,
) -> None:
    query = update.callback_query
    assert query is not None
    message = query.message
    _ = tr(patient.language)
    if outcome is Answered.NEED_DAY:
        await query.answer(_("Please choose at least one day."), show_alert=True)
        return
    if outcome is Answered.INVALID:
        await query.answer(_("Sorry, I did not understand that button."))
        return
    await query.answer()
    if outcome is Answered.REFRESH:
        _text, markup = question(step, patient, context.services.settings.default_timezone, _)
        await set_buttons(query, markup)  # type: ignore[arg-type]
        return
    await clear_buttons(query)
    if message is None:
        return
    group = screening_group(step)
    flag = sign_in(group, value) if group is not None else None
    if outcome is Answered.STOP and flag is not None:
        linked = patient.therapist_id is not None
        await message.chat.send_message(red_flag_advice(flag, linked, _))
    elif outcome is Answered.NEXT:
        note = surgery.enrolment_note(step, patient, _)
        if note is not None:
            await message.chat.send_message(note)
        await ask(message, patient, context)  # type: ignore[arg-type]
    elif outcome is Answered.FINISHED:
        await send_enrolled(message, patient, context)  # type: ignore[arg-type]


async def send_enrolled(message: Message, patient: Patient, context: CoachContext) -> None:
    """The end of enrolment: what happens next and when."""
    _ = tr(patient.language)
    async with context.uow() as uow:
        fresh = await uow.patients.get(patient.id or 0)
        assert fresh is not None
        upcoming: Session | None = await sessions.ensure_next_session(
            uow, fresh, context.services.catalogue, context.now()
        )
        await uow.commit()
    when = (
        _("Your first session comes on {day} at {time}.").format(
            day=day_name(upcoming.local_date, patient.language),
            time=fresh.prompt_time.strftime("%H:%M"),
        )
        if upcoming
        else ""
    )
    await message.chat.send_message(
        _(
            "🎉 You are all set! {when}\n\n"
            "Want to start right now? Send /today. /help lists everything I can do."
        ).format(when=when),
        reply_markup=ReplyKeyboardRemove(),
    )


# --- typed answers and location --------------------------------------------------------


async def set_timezone(
    message: Message, patient: Patient, zone: str | None, context: CoachContext
) -> bool:
    """Store a zone found from text or location; tell the patient if none was found."""
    _ = tr(patient.language)
    if zone is None:
        await message.reply_text(
            _(
                "Sorry, I could not find that time zone. Please type a big city near you "
                "(e.g. Berlin, Vienna, London, New York) or tap one of the buttons."
            )
        )
        return False
    now = context.now()
    fresh, onboarding = await _save_schedule_answer(message, "timezone", zone, context)
    local_time = now.astimezone(ZoneInfo(zone)).strftime("%H:%M")
    await message.reply_text(
        _("🌍 Time zone set to {zone} (it is {time} there now).").format(
            zone=zone, time=local_time
        ),
        reply_markup=ReplyKeyboardRemove(),
    )
    if onboarding:
        await ask(message, fresh, context)
    return True


async def _save_schedule_answer(
    message: Message, attribute: str, value: object, context: CoachContext
) -> tuple[Patient, bool]:
    """Store a typed or shared answer that moves the schedule: during enrolment go on
    to the next question, from /settings plan the next session anew."""
    async with context.uow() as uow:
        assert message.from_user is not None
        fresh = await context.patient(message.from_user, uow)
        setattr(fresh, attribute, value)
        onboarding = enrolling(fresh.step)
        if onboarding:
            await enrolment.advance(uow, fresh, context.services.catalogue, context.now())
        else:
            fresh.step = None
            await sessions.reschedule(uow, fresh, context.services.catalogue, context.now())
        await uow.commit()
    return fresh, onboarding


async def typed_timezone(message: Message, patient: Patient, context: CoachContext) -> None:
    """A typed city or zone name."""
    await set_timezone(message, patient, resolve_zone(message.text or ""), context)


async def shared_location(update: Update, context: CoachContext) -> None:
    """A shared location answers the time-zone question; it is not stored."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.location is None:
        return
    async with context.read() as uow:
        patient = (await context.person(user, uow)).patient
        found = await uow.therapists.by_user(user.id) if patient is None else None
    if found is not None and found.step == ZONE_STEP:
        await therapist_location(message, found, context)
        return
    if patient is None or patient.step not in (Question.TIMEZONE, "set:tz"):
        _ = tr(patient.language if patient else user.language_code)
        await message.reply_text(
            _("Thanks, but I only need your location to find your time zone. It was not stored.")
        )
        return
    zone = zone_at(message.location.latitude, message.location.longitude)
    await set_timezone(message, patient, zone, context)


async def typed_time(message: Message, patient: Patient, context: CoachContext) -> None:
    """A typed training time, during enrolment or from /settings."""
    _ = tr(patient.language)
    parsed = parse_time(message.text or "")
    if parsed is None:
        await message.reply_text(
            _("Sorry, I could not read that time. Please type it like 18:30, or tap a button.")
        )
        return
    fresh, onboarding = await _save_schedule_answer(message, "prompt_time", parsed, context)
    await message.reply_text(
        _("⏰ Training time set to {time}.").format(time=parsed.strftime("%H:%M"))
    )
    if onboarding:
        await ask(message, fresh, context)
