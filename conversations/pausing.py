"""A break from training, asked for by the patient: /pause and /resume, and the
doctor's clearance after a safety stop."""

from __future__ import annotations

from datetime import timedelta

from telegram import (
    Message,
    Update,
)

from coachbot import pauses
from coachbot.domain import schedule
from coachbot.domain.model import Patient, Session
from coachbot.domain.vocabulary import PatientStatus
from coachbot.i18n import Translator
from conversations import buttons, keyboards, onboarding
from conversations.context import CoachContext, clear_buttons, tr
from conversations.parsing import parse_date
from conversations.render import day_name

ASK_PAUSE_DATE = "pause:date"  # the patient.step while a typed end date is awaited


async def pause(update: Update, context: CoachContext) -> None:
    """/pause: ask for how long."""
    assert update.effective_message and update.effective_user
    patient = (await context.person(update.effective_user)).registered()
    _ = tr(patient.language)
    if patient.status not in (PatientStatus.ACTIVE, PatientStatus.PAUSED):
        await update.effective_message.reply_text(_("There is no training to pause right now."))
        return
    await update.effective_message.reply_text(
        _("How long would you like to pause? Paused days do not count as missed."),
        reply_markup=keyboards.pause_options(_),
    )


async def pause_choice(update: Update, context: CoachContext) -> None:
    """A pause length from the buttons."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    choice = buttons.PAUSE.read(context).text("choice")
    until = None
    async with context.uow() as uow:
        patient = await context.patient(query.from_user, uow)
        if choice == "date":
            patient.step = ASK_PAUSE_DATE
        elif choice != "cancel":
            today = schedule.local_date(context.now(), patient.timezone)
            until = today + timedelta(days=int(choice)) if choice.isdigit() else None
            await pauses.pause(uow, patient, until, context.now())
        await uow.commit()
    _ = tr(patient.language)
    if choice == "cancel":
        text = _("Okay, no pause. Training goes on as planned.")
    elif choice == "date":
        text = _("Until which date? Type it like 24.12. and I will start again that day.")
    else:
        text = paused_text(until, patient.language, _)
    await query.edit_message_text(text)


def paused_text(until: object, language: str, _: Translator) -> str:
    if until is None:
        return _("⏸ Training is paused. Send /resume whenever you are ready.")
    return _("⏸ Training is paused. I will start again on {day}; /resume starts earlier.").format(
        day=day_name(until, language)  # type: ignore[arg-type]
    )


async def typed_pause_date(message: Message, patient: Patient, context: CoachContext) -> None:
    _ = tr(patient.language)
    today = schedule.local_date(context.now(), patient.timezone)
    until = parse_date(message.text or "", today)
    if until is None:
        await message.reply_text(
            _("Sorry, I could not read that date. Please type a future date like 24.12.")
        )
        return
    assert message.from_user is not None
    async with context.uow() as uow:
        patient = await context.patient(message.from_user, uow)
        await pauses.pause(uow, patient, until, context.now())
        patient.step = None
        await uow.commit()
    await message.reply_text(paused_text(until, patient.language, _))


async def resume(update: Update, context: CoachContext) -> None:
    """/resume: end a pause, or after a safety stop, confirm a doctor's clearance."""
    assert update.effective_message and update.effective_user
    upcoming = None
    async with context.uow() as uow:
        patient = await context.patient(update.effective_user, uow)
        status = patient.status
        if status == PatientStatus.PAUSED:
            upcoming = await pauses.resume(uow, patient, context.services.catalogue, context.now())
            await uow.commit()
    _ = tr(patient.language)
    if status == PatientStatus.STOPPED:
        await update.effective_message.reply_text(
            _(
                "Training was stopped after a safety answer. Has a doctor checked you "
                "and said that exercise is fine for you?"
            ),
            reply_markup=keyboards.yes_no(buttons.CLEARED.answer(), _),
        )
    elif status != PatientStatus.PAUSED:
        await update.effective_message.reply_text(_("Training is not paused. /today"))
    else:
        await update.effective_message.reply_text(
            _("▶️ Welcome back! Training is on again.") + next_session_text(patient, upcoming, _)
        )


def next_session_text(patient: Patient, upcoming: Session | None, _: Translator) -> str:
    if upcoming is None:
        return ""
    return " " + _("Next session: {day} at {time}.").format(
        day=day_name(upcoming.local_date, patient.language),
        time=patient.prompt_time.strftime("%H:%M"),
    )


async def clearance(update: Update, context: CoachContext) -> None:
    """The answer to "has a doctor cleared you?" after a safety stop."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    await query.answer()
    cleared = buttons.CLEARED.read(context).text("answer") == "y"
    upcoming = None
    async with context.uow() as uow:
        patient = await context.patient(query.from_user, uow)
        cleared = cleared and patient.status == PatientStatus.STOPPED
        if cleared:
            upcoming = await pauses.restart(uow, patient, context.services.catalogue, context.now())
            await uow.commit()
    _ = tr(patient.language)
    await clear_buttons(query)
    if not cleared:
        await query.message.chat.send_message(
            _("Okay. Please see a doctor first; send /resume when they have cleared you.")
        )
    elif patient.status == PatientStatus.ONBOARDING:
        await onboarding.ask(query.message, patient, context)  # type: ignore[arg-type]
    else:
        await query.message.chat.send_message(
            _("▶️ Good to hear. Training is on again; start gently.")
            + next_session_text(patient, upcoming, _)
        )
