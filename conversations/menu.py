"""The patient's commands: help, privacy, pause and resume, settings, data export and deletion,
and the friendly answers to anything the bot did not expect."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import time, timedelta

from telegram import (
    BotCommand,
    ChatMemberUpdated,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram._utils.types import ReplyMarkup
from telegram.constants import ChatMemberStatus

from catalogue.schema import EQUIPMENT
from coachbot import pauses, plans, sessions
from coachbot import privacy as own_data
from coachbot.db.uow import UnitOfWork
from coachbot.domain import schedule
from coachbot.domain.model import Patient, PatientStatus, Session, Therapist
from coachbot.i18n import N_, Translator
from conversations import buttons, keyboards, labels, onboarding, therapist
from conversations.context import CoachContext, clear_buttons, set_buttons, tr
from conversations.parsing import parse_date
from conversations.render import day_name

ASK_PAUSE_DATE = "pause:date"
SET_TIME = "set:time"
SET_TIMEZONE = "set:tz"

# The command menu Telegram shows, in every language (registered in post_init).
COMMANDS = [
    ("today", N_("Today's training session")),
    ("plan", N_("Your exercises and doses")),
    ("progress", N_("How you are doing, with a chart")),
    ("pause", N_("Pause training for a while")),
    ("resume", N_("Start training again")),
    ("settings", N_("Time, days, time zone, language, equipment")),
    ("privacy", N_("What I store and why")),
    ("mydata", N_("Get all your data as a file")),
    ("delete", N_("Delete all your data")),
    ("help", N_("What I can do")),
]


def bot_commands(_: Translator) -> list[BotCommand]:
    return [BotCommand(name, _(description)) for name, description in COMMANDS]


def help_text(_: Translator) -> str:
    lines = [_("<b>What I can do</b>")]
    lines += [f"/{name}: {_(description)}" for name, description in COMMANDS]
    lines.append(
        _(
            "\nEvery training day I send your session at your time; tap the buttons under it "
            "to tell me how it went. I am not a doctor and not for emergencies: if something "
            "feels seriously wrong, contact a doctor or call your emergency number."
        )
    )
    return "\n".join(lines)


async def _patient_or_none(context: CoachContext, user: User) -> Patient | None:
    return (await context.person(user)).patient


def _language(update: Update, patient: Patient | None) -> str:
    user = update.effective_user
    return patient.language if patient else (user.language_code if user else None) or "en"


async def _therapist_or_none(context: CoachContext, user: User) -> Therapist | None:
    return (await context.person(user)).therapist


async def help_command(update: Update, context: CoachContext) -> None:
    """/help: the commands and what the bot is for."""
    assert update.effective_message and update.effective_user
    found = await _therapist_or_none(context, update.effective_user)
    if found is not None:
        await update.effective_message.reply_text(therapist.help_text(tr(found.language)))
        return
    patient = await _patient_or_none(context, update.effective_user)
    _ = tr(_language(update, patient))
    text = help_text(_)
    if patient is None:
        text += "\n\n" + _("You are not enrolled yet: send /start to begin.")
    await update.effective_message.reply_text(text)


async def privacy(update: Update, context: CoachContext) -> None:
    """/privacy: the privacy notice again."""
    assert update.effective_message and update.effective_user
    patient = await _patient_or_none(context, update.effective_user)
    _ = tr(_language(update, patient))
    await update.effective_message.reply_text(onboarding.privacy_text(_))


# --- pause and resume --------------------------------------------------------------------


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
            assert patient.id is not None
            if await uow.plans.for_patient(patient.id):
                upcoming = await pauses.restart(
                    uow, patient, context.services.catalogue, context.now()
                )
            else:
                # Stopped during enrolment: go through the safety questions again.
                patient.status = PatientStatus.ONBOARDING
                patient.step = onboarding.FIRST_STEP
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


# --- settings ----------------------------------------------------------------------------


def settings_summary(patient: Patient, _: Translator) -> str:
    names = [day_name_short(day, patient.language) for day in patient.training_days]
    equipment = [_(labels.EQUIPMENT_LABELS[e]) for e in patient.equipment] or [_("No equipment")]
    return "\n".join(
        [
            _("<b>Your settings</b>"),
            _("⏰ Time: {time}").format(time=patient.prompt_time.strftime("%H:%M")),
            _("📅 Days: {days}").format(days=", ".join(names)),
            _("🌍 Time zone: {zone}").format(zone=patient.timezone),
            _("🗣 Language: {language}").format(
                language="Deutsch" if patient.language == "de" else "English"
            ),
            _("🏋️ Equipment: {equipment}").format(equipment=", ".join(equipment)),
            "",
            _("What would you like to change?"),
        ]
    )


def day_name_short(day: int, language: str) -> str:
    from babel.dates import get_day_names

    return str(get_day_names("abbreviated", locale=language)[day])


async def settings(update: Update, context: CoachContext) -> None:
    """/settings: current settings and what can be changed."""
    assert update.effective_message and update.effective_user
    patient = (await context.person(update.effective_user)).enrolled()
    _ = tr(patient.language)
    await update.effective_message.reply_text(
        settings_summary(patient, _), reply_markup=keyboards.settings_menu(_)
    )


async def settings_choice(update: Update, context: CoachContext) -> None:
    """A button of /settings or of one of its questions."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    data = buttons.SETTING.read(context)
    what, value = data.text("what"), data.text("value")
    async with context.uow() as uow:
        patient = (await context.person(query.from_user, uow)).enrolled()
        reply = await _apply_setting(uow, patient, what, value, context)
        await uow.commit()
    if reply.alert:
        await query.answer(reply.alert, show_alert=True)
        return
    await query.answer()
    if reply.edit_text:
        await query.edit_message_text(reply.edit_text)
    elif reply.buttons is not None or reply.clear:
        await set_buttons(query, reply.buttons)
    if reply.send_text:
        await query.message.chat.send_message(reply.send_text, reply_markup=reply.send_markup)


@dataclass
class SettingReply:
    """What to show after a settings button, decided inside the transaction."""

    edit_text: str | None = None
    buttons: InlineKeyboardMarkup | None = None
    clear: bool = False
    send_text: str | None = None
    send_markup: ReplyMarkup | None = None
    alert: str | None = None


async def _apply_setting(
    uow: UnitOfWork, patient: Patient, what: str, value: str, context: CoachContext
) -> SettingReply:
    now = context.now()
    catalogue = context.services.catalogue
    _ = tr(patient.language)
    if what == "menu":
        if value == "time":
            patient.step = SET_TIME
            return SettingReply(
                send_text=_("Tap a new time or type one, e.g. 18:30."),
                send_markup=keyboards.times(buttons.SETTING.answer("time")),
            )
        if value == "days":
            return SettingReply(
                send_text=_("Tap days to change them, then Done."),
                send_markup=keyboards.days(
                    buttons.SETTING.answer("days"), patient.training_days, patient.language, _
                ),
            )
        if value == "tz":
            patient.step = SET_TIMEZONE
            return SettingReply(
                send_text=_("Share your location, tap a zone, or type your city."),
                send_markup=keyboards.timezone_reply(patient.timezone, _),
            )
        if value == "lang":
            return SettingReply(
                send_text="🗣", send_markup=keyboards.languages(buttons.SETTING.answer("lang"))
            )
        if value == "eq":
            return SettingReply(
                send_text=_("Tap what you have, then Done."),
                send_markup=keyboards.equipment(buttons.SETTING.answer("eq"), patient.equipment, _),
            )
        return SettingReply(clear=True)
    if what == "time" and len(value) == 4 and value.isdigit():
        patient.step = None
        at = time(int(value[:2]), int(value[2:]))
        await sessions.set_training_time(uow, patient, at, catalogue, now)
        return SettingReply(
            edit_text=_("⏰ Training time set to {time}.").format(
                time=patient.prompt_time.strftime("%H:%M")
            )
        )
    if what == "days":
        if value != "done":
            patient.training_days = onboarding.toggle_days(patient.training_days, value)
            return SettingReply(
                buttons=keyboards.days(
                    buttons.SETTING.answer("days"), patient.training_days, patient.language, _
                )
            )
        if not patient.training_days:
            return SettingReply(alert=_("Please choose at least one day."))
        await sessions.reschedule(uow, patient, catalogue, now)
        return SettingReply(edit_text=_("✅ Saved."))
    if what == "lang" and value in ("en", "de"):
        patient.language = value
        _ = tr(value)  # confirmed in the newly chosen language
        return SettingReply(edit_text=_("🗣 From now on I will write in English."))
    if what == "eq":
        if value == "done":
            await plans.fit_plan(uow, patient, catalogue)
            await sessions.reschedule(uow, patient, catalogue, now)
            return SettingReply(edit_text=_("✅ Saved. Your plan now fits your equipment."))
        chosen = list(patient.equipment)
        if value == "none":
            chosen = []
        elif value in EQUIPMENT:
            chosen = [e for e in chosen if e != value] if value in chosen else [*chosen, value]
        patient.equipment = chosen
        return SettingReply(
            buttons=keyboards.equipment(buttons.SETTING.answer("eq"), patient.equipment, _)
        )
    return SettingReply(alert=_("This button is no longer valid. Send /today or /help."))


# --- data export and deletion -------------------------------------------------------------


async def mydata(update: Update, context: CoachContext) -> None:
    """/mydata: everything stored about the patient, as a JSON file."""
    assert update.effective_message and update.effective_user
    patient = (await context.person(update.effective_user)).registered()
    async with context.read() as uow:
        data = await own_data.export_patient(uow, patient)
    _ = tr(patient.language)
    payload = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    await update.effective_message.reply_document(
        document=payload,
        filename="coachbot-my-data.json",
        caption=_("📦 Everything I store about you. /delete erases it."),
    )


async def delete(update: Update, context: CoachContext) -> None:
    """/delete: ask for confirmation first."""
    assert update.effective_message and update.effective_user
    patient = (await context.person(update.effective_user)).registered()
    _ = tr(patient.language)
    await update.effective_message.reply_text(
        _(
            "This deletes everything I store about you: profile, plan, sessions, reports and "
            "notes. It cannot be undone. Are you sure?"
        ),
        reply_markup=keyboards.confirm_delete(_),
    )


async def delete_choice(update: Update, context: CoachContext) -> None:
    """The answer to the deletion question."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    confirmed = buttons.DELETE.read(context).text("answer") == "yes"
    async with context.uow() as uow:
        patient = await context.patient(query.from_user, uow)
        if confirmed:
            await own_data.delete_patient(uow, patient)
            await uow.commit()
    _ = tr(patient.language)
    if confirmed:
        await query.edit_message_text(
            _("🗑 Everything is deleted. If you ever want to start again, send /start. Take care!")
        )
    else:
        await query.edit_message_text(_("Nothing was deleted."))


# --- blocking ---------------------------------------------------------------------------------


async def membership(update: Update, context: CoachContext) -> None:
    """The patient blocked the bot (stop sending) or came back (start again)."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None:
        return
    status = change.new_chat_member.status
    async with context.uow() as uow:
        if status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
            await pauses.mark_blocked(uow, change.chat.id, context.now())
        elif status == ChatMemberStatus.MEMBER:
            await pauses.mark_unblocked(
                uow, change.chat.id, context.services.catalogue, context.now()
            )
        await uow.commit()


# --- anything else ------------------------------------------------------------------------------


async def text(update: Update, context: CoachContext) -> None:
    """Typed text: an answer to a pending question, or a pointer to the buttons."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    patient = await _patient_or_none(context, user)
    if patient is None:
        found = await _therapist_or_none(context, user)
        if found is not None:
            await therapist.therapist_text(message, found, context)
            return
        _ = tr(user.language_code)
        await message.reply_text(_("Hello! Send /start to begin."))
        return
    step = patient.step or ""
    if step in (onboarding.ASK_TIMEZONE, SET_TIMEZONE):
        await onboarding.typed_timezone(message, patient, context)
    elif step in (onboarding.ASK_TIME, SET_TIME):
        await onboarding.typed_time(message, patient, context)
    elif step == ASK_PAUSE_DATE:
        await typed_pause_date(message, patient, context)
    elif step.startswith("ob:"):
        _ = tr(patient.language)
        await message.reply_text(_("Please answer with the buttons below the question."))
        await onboarding.ask(message, patient, context)
    else:
        _ = tr(patient.language)
        await message.reply_text(
            _(
                "I understand buttons and commands best. /today shows today's session, "
                "/help lists everything. For questions about your back, please ask your "
                "therapist."
            )
        )


async def other_message(update: Update, context: CoachContext) -> None:
    """Stickers, photos, voice messages and the like."""
    await _reply(
        update,
        context,
        N_(
            "Thank you! I can only read buttons, commands and short answers. "
            "/help shows what I can do."
        ),
    )


async def unknown_command(update: Update, context: CoachContext) -> None:
    """A command the bot does not have."""
    await _reply(update, context, N_("I do not know that command. /help lists what I can do."))


async def _reply(update: Update, context: CoachContext, text: str) -> None:
    """Answer in the person's language (their setting, else their Telegram's)."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    patient = await _patient_or_none(context, user)
    _ = tr(_language(update, patient))
    await message.reply_text(_(text))


async def stale_button(update: Update, context: CoachContext) -> None:
    """A button whose data no handler recognises (old, changed or forged)."""
    query = update.callback_query
    assert query is not None
    patient = await _patient_or_none(context, query.from_user)
    _ = tr(_language(update, patient))
    await query.answer(_("This button is no longer valid. Send /today or /help."), show_alert=True)
