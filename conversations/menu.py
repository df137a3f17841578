"""The patient's command menu and /help, typed text (a typed answer the bot asked for,
or a pointer to the commands), a blocked or unblocked bot, and the friendly answers to
anything the bot did not expect (unknown commands, stickers, stale buttons)."""

from __future__ import annotations

from telegram import (
    BotCommand,
    ChatMemberUpdated,
    Update,
    User,
)
from telegram.constants import ChatMemberStatus

from coachbot import pauses
from coachbot.domain.enrolment import Question, enrolling
from coachbot.domain.model import Patient, Therapist
from coachbot.i18n import N_, Translator
from coachbot.screening import retake_group
from conversations import onboarding, pausing, screening, settings, surgery, therapist
from conversations.context import CoachContext, tr

# The command menu Telegram shows, in every language (registered in post_init).
COMMANDS = [
    ("today", N_("Today's training session")),
    ("plan", N_("Your exercises and doses")),
    ("progress", N_("How you are doing, with a chart")),
    ("lessons", N_("Back-school lessons, to read any time")),
    ("relax", N_("Relaxation exercises that suit you")),
    ("pause", N_("Pause training for a while")),
    ("resume", N_("Start training again")),
    ("settings", N_("Time, days, zone, language, equipment, conditions, level, warning signs")),
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
    if step in (Question.TIMEZONE, settings.SET_TIMEZONE):
        await onboarding.typed_timezone(message, patient, context)
    elif step in (Question.TIME, settings.SET_TIME):
        await onboarding.typed_time(message, patient, context)
    elif step == pausing.ASK_PAUSE_DATE:
        await pausing.typed_pause_date(message, patient, context)
    elif step in surgery.TYPED_DATE_STEPS:
        await surgery.typed_date(message, patient, context, onboarding.ask)
    elif enrolling(step):
        _ = tr(patient.language)
        await message.reply_text(_("Please answer with the buttons below the question."))
        await onboarding.ask(message, patient, context)
    elif retake_group(step) is not None:
        _ = tr(patient.language)
        await message.reply_text(_("Please answer with the buttons below the question."))
        await screening.ask_retake(message.chat, patient)
    else:
        _ = tr(patient.language)
        # Only a linked therapist reads along; anyone else is sent to their own clinicians.
        ask = (
            _("For questions about your back, please ask your therapist.")
            if patient.therapist_id is not None
            else _("For questions about your back, please ask your doctor or physiotherapist.")
        )
        await message.reply_text(
            _(
                "I understand buttons and commands best. /today shows today's session, "
                "/help lists everything."
            )
            + " "
            + ask
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
