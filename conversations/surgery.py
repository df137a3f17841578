"""After an operation: when it was and whether the surgeon has cleared full exercise,
asked at enrolment (after the conditions) and in /settings ("🩺 My operation"), and the
phase as the patient and their therapist read it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from html import escape

from babel.dates import format_date
from telegram import Chat, InlineKeyboardMarkup, Message, Update

from coachbot import enrolment
from coachbot import surgery as operation
from coachbot.domain import schedule
from coachbot.domain.enrolment import Question, enrolling
from coachbot.domain.model import Patient
from coachbot.domain.surgery import Ago, Phase, phase, weeks_since
from coachbot.domain.surgery import ago as ago_of
from coachbot.domain.vocabulary import Actor, lookup
from coachbot.i18n import N_, Translator
from conversations import buttons
from conversations.context import CoachContext, clear_buttons, tr
from conversations.keyboards import Answer, button
from conversations.notices import tell_therapist
from conversations.parsing import parse_past_date

# The patient.step while /settings waits for a typed day of the operation.
SET_SURGERY = "set:surgery"
TYPED_DATE_STEPS = (Question.SURGERY, SET_SURGERY)

AGO_LABELS = {
    Ago.UNDER_6_WEEKS: N_("Less than 6 weeks ago"),
    Ago.UNDER_3_MONTHS: N_("6 weeks to 3 months ago"),
    Ago.UNDER_A_YEAR: N_("3 to 12 months ago"),
    Ago.OVER_A_YEAR: N_("More than a year ago"),
}
# The same spans inside a sentence ("After an operation less than 6 weeks ago").
AGO_PHRASES = {
    Ago.UNDER_6_WEEKS: N_("less than 6 weeks ago"),
    Ago.UNDER_3_MONTHS: N_("6 weeks to 3 months ago"),
    Ago.UNDER_A_YEAR: N_("3 to 12 months ago"),
    Ago.OVER_A_YEAR: N_("more than a year ago"),
}


def date_question(answer: Answer, _: Translator) -> tuple[str, InlineKeyboardMarkup]:
    text = _(
        "🩺 When was your operation? Tap the nearest answer, or type the date, e.g. 12.10.2026."
    )
    rows = [[button(_(label), answer(ago))] for ago, label in AGO_LABELS.items()]
    return text, InlineKeyboardMarkup(rows)


def clearance_question(answer: Answer, _: Translator) -> tuple[str, InlineKeyboardMarkup]:
    text = _("🩺 Has your surgeon or doctor cleared you for full exercise?")
    rows = [
        [button(_("Yes, I have been cleared"), answer("y"))],
        [button(_("Not yet"), answer("n"))],
        [button(_("I am not sure"), answer("unsure"))],
    ]
    return text, InlineKeyboardMarkup(rows)


def question(step: str, answer: Answer, _: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """Enrolment's question `step` about the operation."""
    return date_question(answer, _) if step == Question.SURGERY else clearance_question(answer, _)


def not_yet_text(_: Translator) -> str:
    return _(
        "Thank you. Until your surgeon or doctor clears you, I will keep to gentle early "
        "exercises: no twisting, no bending under load and nothing meant for a later phase. "
        "When you have been cleared, tell me in /settings under 🩺 My operation."
    )


def enrolment_note(step: str, patient: Patient, _: Translator) -> str | None:
    """What to say after enrolment's clearance answer, before the next question."""
    if step != Question.CLEARANCE:
        return None
    return not_yet_text(_) if patient.cleared_at is None else None


# "2 Nov 2026" / "2. Nov. 2026"
_DAY_FORMATS = {"en": "d MMM y", "de": "d. MMM y"}


def _day(day: date, language: str) -> str:
    return format_date(day, format=_DAY_FORMATS.get(language, "d MMM y"), locale=language)


def phase_line(patient: Patient, today: date, _: Translator) -> str | None:
    """The operation and the phase it puts the plan in, as one line (None: no operation)."""
    current = phase(patient.conditions, patient.cleared_at)
    if current is Phase.NONE:
        return None
    language = _.language
    if patient.surgery_on is None:
        when = _("After an operation (date not given)")
    elif patient.surgery_date_approximate:
        span = ago_of(patient.surgery_on, today)
        when = _("After an operation {span}").format(span=_(AGO_PHRASES[span]))
    else:
        weeks = weeks_since(patient.surgery_on, today)
        when = _.ngettext(
            "After an operation on {day} ({weeks} week ago)",
            "After an operation on {day} ({weeks} weeks ago)",
            weeks,
        ).format(day=_day(patient.surgery_on, language), weeks=weeks)
    if current is Phase.BEFORE_CLEARANCE or patient.cleared_at is None:
        state = _("not yet cleared: no twisting, loaded bending or later-phase exercises")
    else:
        cleared_on = schedule.local_date(patient.cleared_at, patient.timezone)
        state = _("cleared for full exercise on {day}").format(day=_day(cleared_on, language))
    return f"{when}: {state}"


async def ask_date(chat: Chat, _: Translator) -> None:
    """/settings' question for the day of the operation (typed, or a span)."""
    text, markup = date_question(buttons.OPERATION.answer("date"), _)
    await chat.send_message(text, reply_markup=markup)


async def ask_clearance(chat: Chat, _: Translator) -> None:
    text, markup = clearance_question(buttons.OPERATION.answer("clear"), _)
    await chat.send_message(text, reply_markup=markup)


async def typed_date(
    message: Message,
    patient: Patient,
    context: CoachContext,
    ask: Callable[[Message, Patient, CoachContext], Awaitable[None]],
) -> None:
    """A typed day of the operation, at enrolment (then `ask` the next question) or in
    /settings (then the clearance, if not cleared yet)."""
    _ = tr(patient.language)
    today = schedule.local_date(context.now(), patient.timezone)
    day = parse_past_date(message.text or "", today)
    if day is None or day > today:
        await message.reply_text(
            _(
                "Sorry, I could not use that date. Please type the day of your operation "
                "like 12.10.2026 (not in the future), or tap the nearest answer."
            )
        )
        return
    assert message.from_user is not None
    async with context.uow() as uow:
        fresh = await context.patient(message.from_user, uow)
        if not operation.set_date(fresh, day, today):
            await message.reply_text(_("Sorry, that date is too long ago. Please check it."))
            return
        onboarding = enrolling(fresh.step)
        if onboarding:
            await enrolment.advance(uow, fresh, context.services.catalogue, context.now())
        else:
            fresh.step = None
        await uow.commit()
    await message.reply_text(_("🩺 Noted: operation on {day}.").format(day=_day(day, _.language)))
    if onboarding:
        await ask(message, fresh, context)
    elif fresh.cleared_at is None:
        await ask_clearance(message.chat, _)


def operation_screen(
    patient: Patient, today: date, _: Translator
) -> tuple[str, InlineKeyboardMarkup]:
    """/settings' "🩺 My operation": the day, the phase, and what can be recorded."""
    line = phase_line(patient, today, _) or ""
    rows = []
    if patient.cleared_at is None:
        rows.append(
            [button(_("✅ My surgeon has cleared me"), buttons.OPERATION.data("clear", "ask"))]
        )
    rows.append([button(_("📅 Change the date"), buttons.OPERATION.data("date"))])
    text = "\n".join([_("<b>🩺 My operation</b>"), escape(line)])
    return text, InlineKeyboardMarkup(rows)


def clearance_notice(patient: Patient) -> Callable[[Translator], str]:
    def words(_: Translator) -> str:
        name = escape(patient.display_name or _("A patient"))
        return _(
            "🩺 {name} (#{id}) says their surgeon has cleared them for full exercise. Their "
            "plan now includes the exercises that waited for it."
        ).format(name=name, id=patient.id)

    return words


async def operation_choice(update: Update, context: CoachContext) -> None:
    """A button of /settings' "🩺 My operation" or of its questions."""
    query = update.callback_query
    assert query is not None and query.message is not None
    data = buttons.OPERATION.read(context)
    what, value = data.text("what"), data.optional("value")
    chat = query.message.chat
    catalogue, now = context.services.catalogue, context.now()
    async with context.uow() as uow:
        patient = (await context.person(query.from_user, uow)).enrolled()
        _ = tr(patient.language)
        today = schedule.local_date(now, patient.timezone)
        current = phase(patient.conditions, patient.cleared_at)
        ago = lookup(Ago, value)
        if current is Phase.NONE:
            pass  # the operation was taken off the conditions since: a stale button
        elif what == "date" and ago is not None:
            operation.set_approximate_date(patient, ago, today)
            patient.step = None
        elif what == "date":
            patient.step = SET_SURGERY
        elif what == "clear" and value == "y" and current is Phase.BEFORE_CLEARANCE:
            await operation.record_clearance(uow, patient, Actor.PATIENT, catalogue, now)
            await tell_therapist(uow, patient, clearance_notice(patient), now)
        await uow.commit()
    if current is Phase.NONE:
        await query.answer(
            _("This button is no longer valid. Send /today or /help."), show_alert=True
        )
        return
    await query.answer()
    if what == "show":
        text, markup = operation_screen(patient, today, _)
        await chat.send_message(text, reply_markup=markup)
    elif what == "date" and ago is None:
        await clear_buttons(query)
        await ask_date(chat, _)
    elif what == "date" and ago is not None:
        await query.edit_message_text(
            _("🩺 Noted: operation {span}.").format(span=_(AGO_PHRASES[ago]))
        )
        if patient.cleared_at is None:
            await ask_clearance(chat, _)
    elif value == "ask":
        await clear_buttons(query)
        await chat.send_message(
            _(
                "Has your surgeon or doctor cleared you for full exercise? Then I will add "
                "exercises with twisting, bending under load and for a later phase to your plan."
            ),
            reply_markup=InlineKeyboardMarkup(
                [
                    [button(_("Yes, I have been cleared"), buttons.OPERATION.data("clear", "y"))],
                    [button(_("Not yet"), buttons.OPERATION.data("clear", "n"))],
                ]
            ),
        )
    elif value == "y" and current is Phase.CLEARED:
        await query.edit_message_text(
            _("That is already recorded, thank you! Nothing was changed.")
        )
    elif value == "y":
        await query.edit_message_text(
            _(
                "✅ Noted: your surgeon has cleared you for full exercise. Your plan now "
                "includes exercises that waited for it; /plan shows it."
            )
        )
    else:
        await query.edit_message_text(not_yet_text(_))
