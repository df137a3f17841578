"""The first contact: the welcome, its language, consent, and a therapist's sign-up.

Nothing is stored before consent: until then everything needed (language, an invite
code) travels in the buttons' callback data. After consent the questions of
`onboarding` follow.
"""

from __future__ import annotations

import logging
from html import escape

from telegram import Message, Update
from telegram.constants import ChatType

from coachbot import enrolment, linking, therapists
from coachbot.domain.errors import InvalidInvite
from coachbot.domain.model import Therapist
from coachbot.domain.vocabulary import Language, PatientStatus
from coachbot.i18n import Translator, pick_language
from conversations import buttons, keyboards, onboarding
from conversations.context import CoachContext, tr
from conversations.therapist import help_text as therapist_help
from conversations.therapist import set_commands as set_therapist_commands
from conversations.therapist import tell_therapist

log = logging.getLogger(__name__)


def welcome_text(_: Translator) -> str:
    return _(
        "👋 <b>Welcome to Coachbot, your back-training coach.</b>\n\n"
        "Every training day I send you a short session at your time: clear exercise "
        "steps, a relaxation tip or a short back-school lesson. You tell me in one tap "
        "how it went and how your back feels, and a therapist you link can follow along.\n\n"
        "<b>What I am not:</b> I am not a doctor, I cannot diagnose, and I am not for "
        "emergencies. If something feels seriously wrong, contact a doctor or call your "
        "emergency number.\n\n"
        "{privacy}\n\n"
        "<b>May I store your answers about your back and your training (health data) for "
        "this purpose?</b>"
    ).format(privacy=privacy_text(_))


def privacy_text(_: Translator) -> str:
    return _(
        "🔒 <b>Privacy:</b> I store only what coaching needs: your Telegram id and first "
        "name, language, time zone and training times, your back conditions and "
        "equipment, your safety answers, and your reports (what you did, pain 0-10, how "
        "hard it felt). Your therapist sees them if you link one. Nothing is sold or "
        "shared with anyone else. "
        "/mydata sends you everything I store; /delete erases it all."
    )


async def start(update: Update, context: CoachContext) -> None:
    """Welcome a new person, or pick up where an enrolled one is; never wipes anything."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    if update.effective_chat and update.effective_chat.type != ChatType.PRIVATE:
        _ = tr(user.language_code)
        await message.reply_text(_("Please write to me in a private chat."))
        return
    code = context.args[0] if context.args else None
    async with context.uow() as uow:
        therapist = await uow.therapists.by_user(user.id)
        new = False
        if therapist is None and code and await uow.therapists.by_signup_code(code):
            therapist = await therapists.sign_up_therapist(
                uow,
                code,
                user.id,
                pick_language(user.language_code),
                context.services.settings.default_timezone,
            )
            await uow.commit()
            new = True
    if therapist is not None:
        await greet_therapist(message, therapist, new)
        return
    async with context.read() as uow:
        patient = (await context.person(user, uow)).patient
        invite_ok = True
        if code is not None:
            try:
                await linking.check_invite(uow, code, context.now())
            except InvalidInvite:
                invite_ok = False
    language = (
        patient.language
        if patient
        else pick_language(user.language_code, context.services.settings.default_language)
    )
    _ = tr(language)
    if not invite_ok:
        await message.reply_text(
            _(
                "This invite link is not valid any more: it is unknown, already used or "
                "expired. Please ask your therapist for a new one. You can still use "
                "Coachbot on your own."
            )
        )
        code = None
    if patient is None:
        await message.reply_text(welcome_text(_), reply_markup=keyboards.welcome(language, _, code))
        return
    if code is not None:
        async with context.read() as uow:
            invite = await linking.check_invite(uow, code, context.now())
            inviter = await uow.therapists.get(invite.therapist_id)
        await message.reply_text(
            _(
                "{name} invites you to share your training with them: they would see your "
                "plan, sessions and reports, and can adjust your plan. Link your account?"
            ).format(name=escape(inviter.name if inviter else "?")),
            reply_markup=keyboards.yes_no(buttons.LINK.answer(code), _),
        )
        return
    if patient.status == PatientStatus.ONBOARDING:
        await message.reply_text(_("Welcome back! Let's continue where we stopped."))
        await onboarding.ask(message, patient, context)
    elif patient.status == PatientStatus.STOPPED:
        await message.reply_text(
            _(
                "Training is stopped because of a safety answer. Please see a doctor first. "
                "When a doctor says exercise is fine for you, send /resume."
            )
        )
    else:
        await message.reply_text(
            _(
                "You are already enrolled, and everything is kept. /today shows today's "
                "session, /settings changes your times, /help lists everything."
            )
        )


async def greet_therapist(message: Message, therapist: Therapist, new: bool) -> None:
    """A therapist's /start: a welcome after signing up, else who they are."""
    _ = tr(therapist.language)
    if new:
        text = _(
            "👋 Welcome, {name}! This Telegram account is now registered as a "
            "therapist account of Coachbot. Patients you invite will be linked to you."
        )
        await set_therapist_commands(message.get_bot(), therapist)
    else:
        text = _("You are registered as a therapist ({name}).")
    await message.reply_text(text.format(name=escape(therapist.name)) + "\n\n" + therapist_help(_))


async def switch_language(update: Update, context: CoachContext) -> None:
    """Show the welcome in the other language (before consent, so nothing is stored)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    data = buttons.WELCOME_LANGUAGE.read(context)
    language = data.word("language", Language)
    _ = tr(language)
    await query.edit_message_text(
        welcome_text(_), reply_markup=keyboards.welcome(language, _, data.optional("invite"))
    )


async def answer_consent(update: Update, context: CoachContext) -> None:
    """Consent given: create the record and start the questions. Refused: store nothing."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    data = buttons.CONSENT.read(context)
    language, answer = data.word("language", Language), data.text("answer")
    code = data.optional("invite")
    _ = tr(language)
    user = query.from_user
    if answer != "yes":
        await query.edit_message_text(
            _(
                "All right, I have stored nothing. If you change your mind, just send /start. "
                "Take care of your back!"
            )
        )
        return
    inviter = None
    linked = False
    async with context.uow() as uow:
        registered = (await context.person(user, uow)).patient is not None
        if not registered:
            patient = await enrolment.consent(
                uow,
                telegram_user_id=user.id,
                chat_id=query.message.chat.id if query.message else user.id,
                language=language,
                timezone=context.services.settings.default_timezone,
                now=context.now(),
                display_name=user.first_name,
            )
            linked = code is not None and await linking.accept_invite(
                uow, patient, code, context.now()
            )
            inviter = (
                await uow.therapists.get(patient.therapist_id)
                if linked and patient.therapist_id is not None
                else None
            )
            await uow.commit()
    if registered:
        # An old welcome message: consent was given before, and an invite it
        # carries links only after the question /start asks (never silently).
        await query.edit_message_text(
            _("You have already agreed and are registered. /help shows what you can do.")
        )
        return
    await query.edit_message_text(
        _("✅ Thank you, your consent is recorded ({privacy}).").format(privacy="/privacy")
    )
    if inviter is not None:
        await tell_therapist(context.bot, inviter, user)
    if code and not linked:
        await query.message.chat.send_message(  # type: ignore[union-attr]
            _(
                "The invite link is not valid any more, so you are not linked to a therapist. "
                "You can still use Coachbot on your own."
            )
        )
    if query.message is not None:
        await query.message.chat.send_message(
            _(
                "First, a few safety questions. Please answer honestly: they make sure that "
                "exercising at home is right for you now."
            )
        )
        await onboarding.ask(query.message, patient, context)  # type: ignore[arg-type]
