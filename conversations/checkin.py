"""The daily session: sending it, and the one-tap report (outcome, pain, difficulty)."""

from __future__ import annotations

import logging
from html import escape

from telegram import Chat, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError

from catalogue.loader import Catalogue
from catalogue.schema import Lesson
from coachbot import access, reports, sessions
from coachbot.domain.errors import SessionClosed
from coachbot.domain.model import Patient, Session
from coachbot.domain.pain import Light, usual_of
from coachbot.domain.vocabulary import Difficulty, Failure, Outcome, RedFlag
from coachbot.i18n import Translator
from conversations import buttons, keyboards, labels
from conversations.context import CoachContext, clear_buttons, message_gone, set_buttons, tr
from conversations.flood import failure_of
from conversations.render import (
    change_text,
    check_answer_text,
    exercise_details,
    lesson_block,
    relaxation_block,
    session_text,
)
from conversations.screening import red_flag_advice

log = logging.getLogger(__name__)

OUTCOME_WORDS = {
    Outcome.DONE: "✅",
    Outcome.PARTLY: "🌓",
    Outcome.SKIPPED: "⏭",
}


def session_message(
    session: Session, catalogue: Catalogue, _: Translator, patient: Patient
) -> tuple[str, InlineKeyboardMarkup]:
    """The session as the one short message it is sent as, with its buttons."""
    return session_text(session, catalogue, _, patient), keyboards.session(session.id or 0, _)


async def today(update: Update, context: CoachContext) -> None:
    """/today: today's session right now, with the report buttons unless already reported."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    services_ = context.services
    async with context.uow() as uow:
        patient = await context.patient(user, uow)
        todays = await sessions.open_today(uow, patient, services_.catalogue, context.now())
        await uow.commit()
    _ = tr(patient.language)
    text, markup = session_message(todays.session, services_.catalogue, _, patient)
    if todays.report is not None:
        await message.reply_text(
            _("Today's session is already recorded ({outcome}). Well done for checking in!").format(
                outcome=OUTCOME_WORDS[todays.report.outcome]
            )
        )
        await message.chat.send_message(
            text, reply_markup=keyboards.session(todays.session.id or 0, _, reported=True)
        )
        return
    try:
        sent = await message.chat.send_message(text, reply_markup=markup)
    except TelegramError as error:
        if failure_of(error).failure is not Failure.UNCERTAIN:
            async with context.uow() as uow:
                await sessions.release_claim(uow, todays.session.id or 0)
                await uow.commit()
            raise
        sent = None  # it may have arrived: recorded as sent, never repeated
    async with context.uow() as uow:
        await sessions.mark_sent(
            uow,
            todays.session.id or 0,
            sent.message_id if sent else None,
            services_.catalogue,
            context.now(),
        )
        await uow.commit()


async def show_extra(update: Update, context: CoachContext) -> None:
    """A session's extra on request: relaxation, today's lesson, or every exercise in full
    (the buttons of a session sent before the walk-through)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    data = buttons.EXTRA.read(context)
    session_id, value = data.id("session"), data.text("value")
    async with context.read() as uow:
        patient = await context.patient(query.from_user, uow)
        session = await access.own_session(uow, patient, session_id)
    _ = tr(patient.language)
    catalogue = context.services.catalogue
    if value == "relax":
        texts = [relaxation_block(session, catalogue, _)]
    elif value == "lesson":
        texts = [lesson_block(session, catalogue, _)]
    else:
        texts = exercise_details(session, catalogue, _, patient.conditions)
    assert query.message is not None
    for text in texts:
        if text:
            await query.message.chat.send_message(text)


async def report_outcome(update: Update, context: CoachContext) -> None:
    """Done / partly / skipped, then ask for pain now."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    data = buttons.OUTCOME.read(context)
    session_id, outcome = data.id("session"), data.word("value", Outcome)
    async with context.uow() as uow:
        patient = await context.patient(query.from_user, uow)
        session = await reports.record_outcome(uow, patient, session_id, outcome, context.now())
        await uow.commit()
    _ = tr(patient.language)
    # The report buttons go; the walk-through stays at hand.
    if isinstance(query.message, Message):
        try:
            await set_buttons(query, keyboards.session_extras(query.message.reply_markup))
        except BadRequest as error:
            # Deleted meanwhile: nothing to take the buttons from, and the report goes on.
            if not message_gone(error):
                raise
        sent = session.sent_message_id
        if sent is not None and sent != query.message.message_id:
            # Reported at the end of the walk-through: the session's own message keeps
            # only "▶ Start", so that no report button there invites a second report.
            try:
                await context.bot.edit_message_reply_markup(
                    query.message.chat.id,
                    sent,
                    reply_markup=keyboards.session(session_id, _, reported=True),
                )
            except BadRequest as error:
                if not (message_gone(error) or "not modified" in error.message.lower()):
                    raise
    thanks = {
        Outcome.DONE: _("✅ Great work, recorded as done!"),
        Outcome.PARTLY: _("🌓 Recorded as partly done. Every bit counts."),
        Outcome.SKIPPED: _("⏭ Recorded as skipped. Tomorrow is a new chance."),
    }[outcome]
    assert query.message is not None
    await query.message.chat.send_message(
        thanks
        + "\n\n"
        + _("How much does your back hurt right now? 0 = no pain, 10 = worst imaginable."),
        reply_markup=keyboards.pain_scale(
            buttons.PAIN.answer(session_id),
            usual_of(patient.baseline_pain, patient.usual_pain),
        ),
    )


def pain_advice(result: reports.PainResult, pain: int, linked: bool, _: Translator) -> str:
    """What a pain answer means for this person, judged against their usual pain, and
    who hears of it: the therapist only when one is linked."""
    usual = result.usual
    advice = {
        Light.GREEN: _(
            "🟢 Pain {pain}/10, close to your usual {usual}/10: that is fine. A little more "
            "pain with exercise is normal as long as it settles by the next morning."
        ),
        Light.AMBER: _(
            "🟡 Pain {pain}/10 is clearly more than your usual {usual}/10. Go easier next "
            "time: fewer repetitions or smaller movements, and leave out any exercise that "
            "makes it worse."
        ),
        Light.RED: _(
            "🔴 Pain {pain}/10 is much more than your usual {usual}/10. Rest from the "
            "exercises until it settles back towards your usual; gentle walking and relaxed "
            "breathing are fine if they feel good."
        ),
    }[result.light].format(pain=pain, usual=usual)
    if result.alert is not None:
        advice += "\n" + (
            _("I have let your therapist know.")
            if linked
            else _(
                "If it does not settle within a few days, or it worries you, please see your "
                "doctor."
            )
        )
    return advice


async def report_pain(update: Update, context: CoachContext) -> None:
    """Pain now, against usual pain: advice, at most one alert, then how hard it felt."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    data = buttons.PAIN.read(context)
    session_id, value = data.id("session"), data.text("value")
    pain = int(value)
    async with context.uow() as uow:
        patient = await context.patient(query.from_user, uow)
        result = await reports.record_pain(
            uow, patient, session_id, pain, context.now(), context.services.catalogue
        )
        await uow.commit()
    _ = tr(patient.language)
    await query.edit_message_text(
        (query.message.text_html if isinstance(query.message, Message) else "")
        + "\n\n"
        + _("Pain now: {pain}/10").format(pain=pain)
    )
    chat = query.message.chat if query.message else None
    if chat is None:
        return
    await chat.send_message(pain_advice(result, pain, patient.therapist_id is not None, _))
    if result.recheck:
        # The safety question comes before any news about the plan.
        await chat.send_message(
            _(
                "One more safety question: since your last session, have you noticed new "
                "trouble controlling your bladder or bowels, numbness around your genitals "
                "or back passage, or new weakness in your legs?"
            ),
            reply_markup=keyboards.yes_no(buttons.SAFETY_CHECK.answer(session_id), _),
        )
    if result.change is not None:
        await chat.send_message(change_text(result.change, context.services.catalogue, _))
    if result.recheck:
        return  # the lesson's question follows the safety answer
    if result.outcome is not Outcome.SKIPPED:
        await chat.send_message(
            _("How hard did the exercises feel today?"),
            reply_markup=keyboards.difficulty(session_id, _),
        )
    else:
        await chat.send_message(_("Thank you for telling me. See you next session! 💪"))
        await send_lesson_check(chat, session_id, context, _)


async def report_difficulty(update: Update, context: CoachContext) -> None:
    """The optional last question of a report."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    data = buttons.DIFFICULTY.read(context)
    session_id, value = data.id("session"), data.text("value")
    difficulty = None if value == buttons.NO_ANSWER else Difficulty(value)
    async with context.uow() as uow:
        patient = await context.patient(query.from_user, uow)
        change = await reports.record_difficulty(
            uow,
            patient,
            session_id,
            difficulty,
            context.now(),
            context.services.catalogue,
        )
        await uow.commit()
    _ = tr(patient.language)
    answer = labels.DIFFICULTY_LABELS[difficulty or Difficulty.UNANSWERED]
    await query.edit_message_text(
        _("How hard did the exercises feel today? {answer}").format(answer=_(answer))
    )
    assert query.message is not None
    await query.message.chat.send_message(
        _("Thank you, your report is complete. See you next session! 💪")
    )
    if change is not None:
        await query.message.chat.send_message(change_text(change, context.services.catalogue, _))
    await send_lesson_check(query.message.chat, session_id, context, _)


async def report_check(update: Update, context: CoachContext) -> None:
    """The red-flag check after high pain: a yes stops training."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    data = buttons.SAFETY_CHECK.read(context)
    session_id, value = data.id("session"), data.text("answer")
    async with context.uow() as uow:
        patient = await context.patient(query.from_user, uow)
        _session = await access.own_session(uow, patient, session_id)
        if await uow.reports.for_session(session_id) is None:
            raise SessionClosed
        if value == "y":
            await reports.red_flag_after_report(
                uow, patient, session_id, RedFlag.CAUDA_EQUINA, context.now()
            )
        await uow.commit()
    _ = tr(patient.language)
    await clear_buttons(query)
    assert query.message is not None
    if value == "y":
        linked = patient.therapist_id is not None
        await query.message.chat.send_message(red_flag_advice(RedFlag.CAUDA_EQUINA, linked, _))
        return
    await query.message.chat.send_message(
        _(
            "Thank you. Be gentle with your back today. If the pain stays this high or "
            "gets worse, please contact your doctor."
        )
    )
    await send_lesson_check(query.message.chat, session_id, context, _)


async def send_lesson_check(
    chat: Chat, session_id: int, context: CoachContext, _: Translator
) -> None:
    """If the session taught a lesson, ask its check question (answers are not stored)."""
    async with context.read() as uow:
        session = await uow.sessions.get(session_id)
    lesson = lesson_of(session, context)
    if session is None or lesson is None:
        return
    question = lesson.check.question.get(_.language)
    await chat.send_message(
        "📘 " + _("A quick question on today's lesson:") + f"\n<b>{escape(question)}</b>",
        reply_markup=keyboards.lesson_check(
            buttons.LESSON_ANSWER.answer(session_id), lesson, session.patient_id, _
        ),
    )


def lesson_of(session: Session | None, context: CoachContext) -> Lesson | None:
    if session is None or session.lesson_id is None:
        return None
    return context.services.catalogue.lessons.get(session.lesson_id)


async def answer_lesson_check(update: Update, context: CoachContext) -> None:
    """The answer to a lesson's check question: right or not, with the explanation."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    data = buttons.LESSON_ANSWER.read(context)
    session_id, value = data.id("session"), data.text("value")
    async with context.read() as uow:
        patient = await context.patient(query.from_user, uow)
        session = await access.own_session(uow, patient, session_id)
    lesson = lesson_of(session, context)
    # The button carries the option's place in the catalogue, not where it was shown.
    index = int(value)
    if lesson is None or index >= len(lesson.check.options):
        raise SessionClosed
    await query.edit_message_text(check_answer_text(lesson, index, tr(patient.language)))
