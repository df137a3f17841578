"""The patient's schedule from their card: training time, pause and resume."""

from __future__ import annotations

from datetime import time, timedelta
from html import escape

from telegram import InlineKeyboardMarkup, Update

from coachbot import pauses, sessions
from coachbot.db.uow import UnitOfWork
from coachbot.domain import schedule
from coachbot.domain.model import Patient, Therapist
from coachbot.i18n import Translator
from conversations import buttons, keyboards
from conversations.card.view import Said, act, back, own
from conversations.context import CoachContext, tr
from conversations.keyboards import button
from conversations.render import day_name


async def _menu(
    update: Update, context: CoachContext, pid: int, text: str, markup: InlineKeyboardMarkup
) -> None:
    """One of the card's menus in place of the card, with the way back under it."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    therapist = (await context.person(query.from_user)).registered_therapist()
    rows = [*markup.inline_keyboard, back(pid, tr(therapist.language))]
    await query.edit_message_text(text, reply_markup=InlineKeyboardMarkup(rows))


async def time_menu(update: Update, context: CoachContext) -> None:
    """The patient's training time: the buttons, or the chosen time."""
    data = buttons.TIME.read(context)
    pid, value = data.id("patient"), data.optional("at")
    if value is None:
        therapist, patient = await own(update, context, pid)
        _ = tr(therapist.language)
        text = _("New training time for {name} (currently {time}, their local time):").format(
            name=escape(patient.display_name), time=patient.prompt_time.strftime("%H:%M")
        )
        await _menu(update, context, pid, text, keyboards.times(buttons.TIME.answer(pid)))
        return
    at = time(int(value[:2]), int(value[2:]))
    catalogue = context.services.catalogue

    async def move(uow: UnitOfWork, patient: Patient) -> None:
        await sessions.set_training_time(uow, patient, at, catalogue, context.now())

    def say(_r: None, therapist: Therapist, _p: Patient, _: Translator, p_: Translator) -> Said:
        return Said(
            _("⏰ Training time set to {time}.").format(time=at.strftime("%H:%M")),
            p_("⏰ Your therapist {name} has moved your training time to {time}.").format(
                name=escape(therapist.name), time=at.strftime("%H:%M")
            ),
        )

    await act(update, context, pid, move, say)


async def pause_menu(update: Update, context: CoachContext) -> None:
    """Pause the patient: for how long, or the chosen length."""
    data = buttons.PATIENT_PAUSE.read(context)
    pid, length = data.id("patient"), data.optional("length")
    if length is None:
        therapist, patient = await own(update, context, pid)
        _ = tr(therapist.language)
        lengths = InlineKeyboardMarkup(
            [
                [
                    button(_("1 week"), buttons.PATIENT_PAUSE.data(pid, "7")),
                    button(_("2 weeks"), buttons.PATIENT_PAUSE.data(pid, "14")),
                    button(_("Until resumed"), buttons.PATIENT_PAUSE.data(pid, "open")),
                ]
            ]
        )
        text = _("How long should {name}'s training pause?").format(
            name=escape(patient.display_name)
        )
        await _menu(update, context, pid, text, lengths)
        return
    now = context.now()

    async def pause(uow: UnitOfWork, patient: Patient) -> None:
        today = schedule.local_date(now, patient.timezone)
        until = today + timedelta(days=int(length)) if length.isdigit() else None
        await pauses.pause(uow, patient, until, now, only_active=True)

    def say(
        _r: None, therapist: Therapist, patient: Patient, _: Translator, p_: Translator
    ) -> Said:
        if patient.paused_until is None:
            told = p_("⏸ Your therapist {name} has paused your training until further notice.")
        else:
            told = p_("⏸ Your therapist {name} has paused your training until {day}.")
        until = day_name(patient.paused_until, patient.language) if patient.paused_until else ""
        return Said(
            _("⏸ Paused. The patient was told."),
            told.format(name=escape(therapist.name), day=until)
            + "\n"
            + p_("Send /resume to start earlier."),
        )

    await act(update, context, pid, pause, say)


async def resume_patient(update: Update, context: CoachContext) -> None:
    """End the patient's pause."""
    pid = buttons.PATIENT_RESUME.read(context).id("patient")
    catalogue = context.services.catalogue

    async def resume(uow: UnitOfWork, patient: Patient) -> None:
        await pauses.resume(uow, patient, catalogue, context.now())

    def say(_r: None, therapist: Therapist, _p: Patient, _: Translator, p_: Translator) -> Said:
        return Said(
            _("▶️ Training restarted. The patient was told."),
            p_(
                "▶️ Your therapist {name} has restarted your training. /today shows today's session."
            ).format(name=escape(therapist.name)),
        )

    await act(update, context, pid, resume, say)
