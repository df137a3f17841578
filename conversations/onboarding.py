"""Enrolment: welcome, consent, red-flag screening, profile, time zone, time and days.

The current question is stored on the patient record (``patient.step``), not in
memory, so a restart in the middle of enrolment lets the patient go on where
they were. Nothing is stored before consent: until then everything needed
(language, an invite code) travels in the buttons' callback data.
"""

from __future__ import annotations

import logging
from datetime import time
from html import escape
from zoneinfo import ZoneInfo

from telegram import Message, ReplyKeyboardRemove, Update
from telegram.constants import ChatType

from catalogue.schema import CONDITIONS, EQUIPMENT, LEVELS
from coachbot import alerts, enrolment, linking, sessions, therapists
from coachbot.db.uow import UnitOfWork
from coachbot.domain.errors import InvalidInvite
from coachbot.domain.model import ALL_DAYS, Patient, PatientStatus, RedFlag, Session, Therapist
from coachbot.domain.safety import RED_FLAGS, Urgency
from coachbot.i18n import Translator, pick_language
from coachbot.timezones import resolve_zone, zone_at
from conversations import buttons, keyboards
from conversations.context import CoachContext, clear_buttons, set_buttons, tr
from conversations.parsing import parse_time
from conversations.render import day_name
from conversations.summary import ZONE_STEP
from conversations.therapist import help_text as therapist_help
from conversations.therapist import set_commands as set_therapist_commands
from conversations.therapist import tell_therapist, therapist_location

log = logging.getLogger(__name__)

# Conversation states: the question each patient is answering, kept in patient.step.
ASK_RED_FLAG = "ob:rf:"  # followed by the flag's key
ASK_CONDITIONS = "ob:cond"
ASK_EQUIPMENT = "ob:eq"
ASK_LEVEL = "ob:level"
ASK_PAIN = "ob:pain"
ASK_TIMEZONE = "ob:tz"
ASK_TIME = "ob:time"
ASK_DAYS = "ob:days"
STEPS = [
    *(ASK_RED_FLAG + flag for flag in RED_FLAGS),
    ASK_CONDITIONS,
    ASK_EQUIPMENT,
    ASK_LEVEL,
    ASK_PAIN,
    ASK_TIMEZONE,
    ASK_TIME,
    ASK_DAYS,
]
FIRST_STEP = STEPS[0]
WEEKDAYS = [0, 1, 2, 3, 4]


def red_flag_question(flag: str, _: Translator) -> str:
    questions = {
        "cauda_equina": _(
            "Do you have new trouble passing urine or controlling your bladder or bowels, "
            "or numbness around your genitals or back passage (the 'saddle' area)?"
        ),
        "leg_weakness": _(
            "Do you have new or worsening weakness in both legs, or do your legs give way "
            "when you walk?"
        ),
        "fever_weight": _(
            "Do you have a fever or feel generally unwell with your back pain, or have you "
            "lost weight without trying?"
        ),
        "cancer": _("Have you ever had cancer?"),
        "trauma": _(
            "Did your back pain start after a serious fall, accident or injury in the last "
            "few weeks?"
        ),
    }
    return questions[flag]


def red_flag_advice(urgency: Urgency, _: Translator) -> str:
    if urgency is Urgency.EMERGENCY:
        return _(
            "⚠️ Please do not exercise now. This sign needs a doctor's assessment today: "
            "contact your doctor or an emergency department right away, or call your local "
            "emergency number (112 in Europe, 911 in the USA).\n\n"
            "I have noted this for your therapist and will not send training. When a doctor "
            "has checked you and says exercise is fine, send /resume."
        )
    return _(
        "⚠️ Please see your doctor before you start training, and tell them about this "
        "answer. I am not able to judge it, and it is worth checking first.\n\n"
        "I have noted this for your therapist and will not send training for now. When a "
        "doctor says exercise is fine for you, send /resume."
    )


def welcome_text(_: Translator) -> str:
    return _(
        "👋 <b>Welcome to Coachbot, your back-training coach.</b>\n\n"
        "Every training day I send you a short session at your time: clear exercise "
        "steps, a relaxation tip or a short back-school lesson. You tell me in one tap "
        "how it went and how your back feels, and your therapist can follow along.\n\n"
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


def _answer(step: str) -> keyboards.Answer:
    """The buttons answering enrolment question `step`."""
    return buttons.ENROLMENT.answer(step.removeprefix("ob:"))


def question(step: str, patient: Patient, default_zone: str, _: Translator) -> tuple[str, object]:
    """The text and keyboard that ask `step`."""
    if step.startswith(ASK_RED_FLAG):
        flag = RedFlag(step.removeprefix(ASK_RED_FLAG))
        number = list(RED_FLAGS).index(flag) + 1
        text = _("Safety question {number} of {total}:").format(number=number, total=len(RED_FLAGS))
        return f"🩺 {text}\n<b>{red_flag_question(flag, _)}</b>", keyboards.yes_no(_answer(step), _)
    if step == ASK_CONDITIONS:
        return (
            _("What brings you here? Tap all that apply, then Done."),
            keyboards.conditions(_answer(step), patient.conditions, _),
        )
    if step == ASK_EQUIPMENT:
        return (
            _("What do you have at home for training? Tap all that apply, then Done."),
            keyboards.equipment(_answer(step), patient.equipment, _),
        )
    if step == ASK_LEVEL:
        return _("How would you like to start?"), keyboards.levels(_answer(step), _)
    if step == ASK_PAIN:
        return (
            _(
                "On an ordinary day lately, how much does your back hurt? "
                "0 = no pain, 10 = the worst pain you can imagine."
            ),
            keyboards.pain_scale(_answer(step)),
        )
    if step == ASK_TIMEZONE:
        return (
            _(
                "Which time zone are you in? Share your location (only used once to find "
                "the zone, not stored), tap a zone, or type your city, e.g. Berlin."
            ),
            keyboards.timezone_reply(default_zone, _),
        )
    if step == ASK_TIME:
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
    text, markup = question(patient.step, patient, context.services.settings.default_timezone, _)
    await message.chat.send_message(text, reply_markup=markup)  # type: ignore[arg-type]


# --- /start ------------------------------------------------------------------------


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
        await ask(message, patient, context)
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
    language = data.text("language")
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
    language, answer, code = data.text("language"), data.text("answer"), data.optional("invite")
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
                first_step=FIRST_STEP,
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
        await ask(query.message, patient, context)  # type: ignore[arg-type]


# --- answering the questions ---------------------------------------------------------


async def answer_step(update: Update, context: CoachContext) -> None:
    """A button of an enrolment question: check it is the current one, then apply it."""
    query = update.callback_query
    assert query is not None and query.data is not None
    data = buttons.ENROLMENT.read(context)
    step, value = "ob:" + data.text("question"), data.text("value")
    async with context.uow() as uow:
        patient = (await context.person(query.from_user, uow)).patient
        current = patient is not None and patient.step == step
        if patient is not None and current:
            outcome = await _apply(uow, patient, step, value, context)
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
        if query.message is not None and patient.step and patient.step.startswith("ob:"):
            await ask(query.message, patient, context)  # type: ignore[arg-type]
        return
    await _after_answer(update, context, patient, step, value, outcome)


async def _apply(
    uow: UnitOfWork, patient: Patient, step: str, value: str, context: CoachContext
) -> str:
    """Record one answer; say whether to 'next', 'refresh' the keyboard or 'stop'."""
    now = context.now()
    if step.startswith(ASK_RED_FLAG):
        if value == "y":
            flag = RedFlag(step.removeprefix(ASK_RED_FLAG))
            await alerts.stop_for_red_flag(uow, patient, flag, now)
            return "stop"
        return await _advance(uow, patient, context)
    if step in (ASK_CONDITIONS, ASK_EQUIPMENT):
        options = CONDITIONS if step == ASK_CONDITIONS else EQUIPMENT
        attribute = "conditions" if step == ASK_CONDITIONS else "equipment"
        if value == "done":
            return await _advance(uow, patient, context)
        chosen: list[str] = list(getattr(patient, attribute))
        if value == "none":
            chosen = []
        elif value in options:
            chosen = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
        setattr(patient, attribute, chosen)
        return "refresh"
    if step == ASK_LEVEL and value in LEVELS:
        patient.level = value
        return await _advance(uow, patient, context)
    if step == ASK_PAIN and value.isdigit() and 0 <= int(value) <= 10:
        patient.baseline_pain = int(value)
        return await _advance(uow, patient, context)
    if step == ASK_TIME and len(value) == 4 and value.isdigit():
        patient.prompt_time = time(int(value[:2]), int(value[2:]))
        return await _advance(uow, patient, context)
    if step == ASK_DAYS:
        if value == "done":
            if not patient.training_days:
                return "need_day"
            return await _advance(uow, patient, context)
        patient.training_days = toggle_days(patient.training_days, value)
        return "refresh"
    return "invalid"


def toggle_days(current: list[int], value: str) -> list[int]:
    if value == "all":
        return list(ALL_DAYS)
    if value == "weekdays":
        return list(WEEKDAYS)
    if value.isdigit() and int(value) in ALL_DAYS:
        day = int(value)
        return sorted(set(current) ^ {day})
    return current


async def _advance(uow: UnitOfWork, patient: Patient, context: CoachContext) -> str:
    """Move to the next question, or finish enrolment after the last."""
    assert patient.step is not None
    index = STEPS.index(patient.step)
    if index + 1 < len(STEPS):
        patient.step = STEPS[index + 1]
        return "next"
    await enrolment.finish_enrolment(uow, patient, context.services.catalogue, context.now())
    return "finished"


async def _after_answer(
    update: Update, context: CoachContext, patient: Patient, step: str, value: str, outcome: str
) -> None:
    query = update.callback_query
    assert query is not None
    message = query.message
    _ = tr(patient.language)
    if outcome == "need_day":
        await query.answer(_("Please choose at least one day."), show_alert=True)
        return
    if outcome == "invalid":
        await query.answer(_("Sorry, I did not understand that button."))
        return
    await query.answer()
    if outcome == "refresh":
        _text, markup = question(step, patient, context.services.settings.default_timezone, _)
        await set_buttons(query, markup)  # type: ignore[arg-type]
        return
    await clear_buttons(query)
    if message is None:
        return
    if outcome == "stop":
        urgency = RED_FLAGS[RedFlag(step.removeprefix(ASK_RED_FLAG))]
        await message.chat.send_message(red_flag_advice(urgency, _))
    elif outcome == "next":
        await ask(message, patient, context)  # type: ignore[arg-type]
    elif outcome == "finished":
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
        onboarding = fresh.step is not None and fresh.step.startswith("ob:")
        if onboarding:
            await _advance(uow, fresh, context)
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
    if patient is None or patient.step not in (ASK_TIMEZONE, "set:tz"):
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
