"""The next-morning check: one short question the morning after a training day, whether
the back has settled to its usual (the pain-monitoring model's key question)."""

from __future__ import annotations

from telegram import Update

from coachbot import reports
from coachbot.domain.model import Outgoing
from coachbot.domain.vocabulary import Morning
from conversations import buttons, keyboards, labels
from conversations.context import CoachContext, tr
from conversations.render import change_text


def morning_message(check: reports.MorningCheck) -> Outgoing:
    """The check as the dispatcher stores and sends it, in the patient's language."""
    _ = tr(check.patient.language)
    return Outgoing(
        _("🌅 Good morning! How is your back this morning, compared with usual?"),
        keyboards.plain(keyboards.morning(check.session_id, _)),
    )


async def answer_morning(update: Update, context: CoachContext) -> None:
    """Better, same or worse than usual: recorded once; worse eases the plan."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    data = buttons.MORNING.read(context)
    session_id, answer = data.id("session"), data.word("value", Morning)
    async with context.uow() as uow:
        patient = await context.patient(query.from_user, uow)
        result = await reports.record_morning(
            uow, patient, session_id, answer, context.now(), context.services.catalogue
        )
        await uow.commit()
    _ = tr(patient.language)
    await query.edit_message_text(
        _("🌅 Your back this morning, compared with usual: {answer}").format(
            answer=_(labels.MORNING_LABELS[answer])
        )
    )
    reply = {
        Morning.BETTER: _("Good to hear! Carry on as planned."),
        Morning.SAME: _(
            "Thank you. Pain that has settled to your usual by the next morning means the "
            "exercises suit you: carry on as planned."
        ),
        Morning.WORSE: _(
            "Thank you for telling me. Take it a little easier today: keep moving gently, "
            "and leave out any exercise that makes it worse."
        ),
    }[answer]
    if result.alert is not None:
        reply += "\n" + (
            _("It has been worse two mornings in a row, so I have let your therapist know.")
            if patient.therapist_id is not None
            else _(
                "It has been worse two mornings in a row. If it does not settle within a few "
                "days, or it worries you, please see your doctor."
            )
        )
    assert query.message is not None
    await query.message.chat.send_message(reply)
    if result.change is not None:
        await query.message.chat.send_message(
            change_text(result.change, context.services.catalogue, _)
        )
