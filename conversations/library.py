"""Lessons and relaxation on demand: /lessons lists the back-school course, to read any
lesson (again) and answer its question; /relax lists the relaxation techniques that suit
the patient's conditions, to do one now.

They read and never write, so a patient may use them in any state of their training
(active, paused or stopped after a safety answer); the course goes on as it was.
"""

from __future__ import annotations

from html import escape

from telegram import Chat, Update, User

from catalogue.loader import Catalogue
from catalogue.schema import Lesson, Relaxation
from coachbot.domain import planning
from coachbot.domain.model import Patient
from coachbot.i18n import Translator
from conversations import buttons, keyboards
from conversations.context import CoachContext, tr
from conversations.render import check_answer_text, lesson_text, relaxation_text


async def _patient(context: CoachContext, user: User) -> Patient:
    """The enrolled patient (NotEnrolled for anyone else, answered by the error handler)."""
    return (await context.person(user)).enrolled()


def suitable_techniques(catalogue: Catalogue, patient: Patient) -> list[Relaxation]:
    """The techniques not unsuitable for the patient's conditions, shortest first."""
    ids = planning.suitable_relaxation(catalogue.relaxation.values(), patient.conditions)
    techniques = [catalogue.relaxation[technique_id] for technique_id in ids]
    return sorted(techniques, key=lambda technique: technique.duration_minutes)


# --- lessons ------------------------------------------------------------------------------------


async def lessons_command(update: Update, context: CoachContext) -> None:
    """/lessons: every lesson in course order, those already sent ticked."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None:
        return
    await _send_lessons(chat, await _patient(context, user), context)


async def _send_lessons(chat: Chat, patient: Patient, context: CoachContext) -> None:
    _ = tr(patient.language)
    await chat.send_message(
        "📚 <b>"
        + escape(_("Back school"))
        + "</b>\n"
        + escape(
            _(
                "The lessons in course order; ✅ marks those I have already sent you. "
                "Tap one to read it."
            )
        ),
        reply_markup=keyboards.lesson_list(
            context.services.catalogue.lessons_in_order(), patient.lessons_taught, _
        ),
    )


async def open_lesson(update: Update, context: CoachContext) -> None:
    """A lesson from the list: its text, then its question (or the list, without one)."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    await query.answer()
    lesson_id = buttons.OPEN_LESSON.read(context).optional("lesson")
    patient = await _patient(context, query.from_user)
    if lesson_id is None:
        await _send_lessons(chat, patient, context)
        return
    _ = tr(patient.language)
    lesson = context.services.catalogue.lessons.get(lesson_id)
    if lesson is None:
        await _lesson_gone(chat, _)
        return
    assert patient.id is not None
    await chat.send_message(lesson_text(lesson, _))
    question = lesson.check.question.get(_.language)
    await chat.send_message(
        "📘 " + escape(_("A quick question on this lesson:")) + f"\n<b>{escape(question)}</b>",
        reply_markup=keyboards.lesson_check(
            buttons.LIBRARY_ANSWER.answer(lesson.id), lesson, patient.id, _
        ),
    )


async def answer_lesson(update: Update, context: CoachContext) -> None:
    """The answer to the question of a lesson opened from the list (not stored)."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    await query.answer()
    data = buttons.LIBRARY_ANSWER.read(context)
    patient = await _patient(context, query.from_user)
    _ = tr(patient.language)
    lesson: Lesson | None = context.services.catalogue.lessons.get(data.text("lesson"))
    # The button carries the option's place in the catalogue, not where it was shown.
    index = int(data.text("value"))
    if lesson is None or index >= len(lesson.check.options):
        await _lesson_gone(chat, _)
        return
    await query.edit_message_text(
        check_answer_text(lesson, index, _),
        reply_markup=keyboards.single(_("📚 All lessons"), buttons.OPEN_LESSON.data()),
    )


async def _lesson_gone(chat: Chat, _: Translator) -> None:
    await chat.send_message(
        _("That lesson is no longer in the course. /lessons shows the lessons there are.")
    )


# --- relaxation ---------------------------------------------------------------------------------


async def relax_command(update: Update, context: CoachContext) -> None:
    """/relax: the relaxation techniques that suit the patient, with their minutes."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None:
        return
    await _send_techniques(chat, await _patient(context, user), context)


async def _send_techniques(chat: Chat, patient: Patient, context: CoachContext) -> None:
    _ = tr(patient.language)
    await chat.send_message(
        "🧘 <b>"
        + escape(_("Relaxation"))
        + "</b>\n"
        + escape(_("Techniques that suit your back, shortest first. Tap one to do it now.")),
        reply_markup=keyboards.relaxation_list(
            suitable_techniques(context.services.catalogue, patient), _
        ),
    )


async def open_technique(update: Update, context: CoachContext) -> None:
    """A technique from the list, step by step (or the list, without one)."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    await query.answer()
    technique_id = buttons.OPEN_RELAXATION.read(context).optional("technique")
    patient = await _patient(context, query.from_user)
    if technique_id is None:
        await _send_techniques(chat, patient, context)
        return
    _ = tr(patient.language)
    suitable = {
        technique.id: technique
        for technique in suitable_techniques(context.services.catalogue, patient)
    }
    technique = suitable.get(technique_id)
    if technique is None:
        # Gone from the catalogue, or not (any longer) one for this patient's conditions.
        await chat.send_message(
            _("That technique is not one I can suggest for you. /relax lists those that suit you.")
        )
        return
    text = relaxation_text(technique, _)
    if set(technique.care) & set(patient.conditions):
        text += "\n\n⚠️ " + escape(
            _(
                "Go gently with this one because of your back: change or leave out any "
                "position or movement that bothers you."
            )
        )
    await chat.send_message(
        text,
        reply_markup=keyboards.single(_("🧘 Other techniques"), buttons.OPEN_RELAXATION.data()),
    )
