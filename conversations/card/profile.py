"""The patient's profile from their card: conditions, level, and the surgeon's clearance
after an operation; each fits the plan at once and tells the patient."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update

from catalogue.loader import Catalogue
from coachbot import profile, surgery
from coachbot.db.uow import UnitOfWork
from coachbot.domain.enrolment import toggle
from coachbot.domain.model import Patient, Therapist
from coachbot.domain.vocabulary import Actor, Condition, Level
from coachbot.i18n import Translator
from coachbot.plans import Refitted
from conversations import buttons, keyboards, labels
from conversations.card.view import Said, act, back, own
from conversations.context import CoachContext, set_buttons, tr
from conversations.keyboards import button
from conversations.profile import change_lines, plan_lines


def _conditions_keyboard(pid: int, chosen: list[Condition], _: Translator) -> InlineKeyboardMarkup:
    letters = buttons.pack(chosen, buttons.CONDITION_CODES)
    markup = keyboards.conditions(buttons.PATIENT_CONDITIONS.answer(pid, letters), chosen, _)
    return InlineKeyboardMarkup([*markup.inline_keyboard, back(pid, _)])


def _operation_note(change: profile.ProfileChange, p_: Translator) -> str:
    if not change.operation_added:
        return ""
    return "\n" + p_(
        "Until your surgeon or doctor clears you, I will keep to gentle early exercises. "
        "When you have been cleared, tell me in /settings under 🩺 My operation."
    )


def _said(
    change: profile.ProfileChange,
    therapist: Therapist,
    catalogue: Catalogue,
    _: Translator,
    p_: Translator,
) -> Said:
    """The note above the card, and the patient's word about the therapist's change."""
    if not change.changed:
        return Said(_("Nothing changed."))
    return Said(
        "\n".join([_("✅ Saved."), *change_lines(change, _), *plan_lines(change, catalogue, _)]),
        p_("Your therapist {name} has updated your profile:").format(name=escape(therapist.name))
        + "\n"
        + "\n".join(change_lines(change, p_))
        + "\n"
        + p_("Your plan now fits it; /plan shows it.")
        + _operation_note(change, p_),
    )


async def _change_profile(
    update: Update,
    context: CoachContext,
    pid: int,
    *,
    conditions: list[Condition] | None = None,
    level: Level | None = None,
) -> None:
    """The therapist's change of conditions or level, through the card's `act`."""
    catalogue, now = context.services.catalogue, context.now()

    async def change(uow: UnitOfWork, patient: Patient) -> profile.ProfileChange:
        return await profile.change_profile(
            uow, patient, catalogue, now, by=Actor.THERAPIST, conditions=conditions, level=level
        )

    def say(
        result: profile.ProfileChange,
        therapist: Therapist,
        _p: Patient,
        _: Translator,
        p_: Translator,
    ) -> Said:
        return _said(result, therapist, catalogue, _, p_)

    await act(update, context, pid, change, say)


async def conditions_menu(update: Update, context: CoachContext) -> None:
    """The patient's conditions: the choice, a tick, or saved with "Done"."""
    query = update.callback_query
    assert query is not None
    data = buttons.PATIENT_CONDITIONS.read(context)
    pid, letters, value = data.id("patient"), data.optional("chosen"), data.optional("value")
    therapist, patient = await own(update, context, pid)
    _ = tr(therapist.language)
    if letters is None or value is None:
        text = _("Conditions of {name}: tap all that apply, then Done.").format(
            name=escape(patient.display_name)
        )
        markup = _conditions_keyboard(pid, list(patient.conditions), _)
        await query.answer()
        await query.edit_message_text(text, reply_markup=markup)
        return
    chosen = buttons.unpack(letters, buttons.CONDITION_CODES)
    if value != "done":
        await query.answer()
        ticked = toggle(chosen, value, Condition)
        await set_buttons(query, _conditions_keyboard(pid, ticked, _))
        return
    await _change_profile(update, context, pid, conditions=chosen)


async def level_menu(update: Update, context: CoachContext) -> None:
    """The patient's level: the choice, or the level chosen (the doses follow)."""
    query = update.callback_query
    assert query is not None
    data = buttons.PATIENT_LEVEL.read(context)
    pid, level = data.id("patient"), data.optional("level")
    if level is None:
        therapist, patient = await own(update, context, pid)
        _ = tr(therapist.language)
        text = _("Level of {name} (now: {level}). Unlocked exercises take its doses.").format(
            name=escape(patient.display_name), level=_(labels.LEVEL_NAMES[patient.level])
        )
        markup = keyboards.levels(buttons.PATIENT_LEVEL.answer(pid), _)
        await query.answer()
        await query.edit_message_text(
            text, reply_markup=InlineKeyboardMarkup([*markup.inline_keyboard, back(pid, _)])
        )
        return
    await _change_profile(update, context, pid, level=Level(level))


async def clearance(update: Update, context: CoachContext) -> None:
    """After an operation: the surgeon's clearance, asked to confirm, then recorded."""
    query = update.callback_query
    assert query is not None
    data = buttons.PATIENT_CLEARED.read(context)
    pid, sure = data.id("patient"), data.optional("sure")
    if sure is None:
        therapist, patient = await own(update, context, pid)
        _ = tr(therapist.language)
        text = _(
            "Has {name}'s surgeon or doctor cleared them for full exercise? Exercises with "
            "twisting, loaded bending and for a later phase can then enter the plan."
        ).format(name=escape(patient.display_name))
        rows = [
            [button(_("✅ Yes, cleared"), buttons.PATIENT_CLEARED.data(pid, "y"))],
            back(pid, _),
        ]
        await query.answer()
        await query.edit_message_text(text, reply_markup=InlineKeyboardMarkup(rows))
        return
    catalogue, now = context.services.catalogue, context.now()

    async def record(uow: UnitOfWork, patient: Patient) -> Refitted:
        return await surgery.record_clearance(uow, patient, Actor.THERAPIST, catalogue, now)

    def say(_r: Refitted, therapist: Therapist, _p: Patient, _: Translator, p_: Translator) -> Said:
        return Said(
            _("🩺 Cleared after the operation; the plan now includes what waited for it."),
            p_(
                "🩺 Your therapist {name} has recorded that your surgeon has cleared you for "
                "full exercise. Your plan now includes exercises that waited for it; /plan "
                "shows it."
            ).format(name=escape(therapist.name)),
        )

    def refused(_: Translator) -> str:
        return _("No operation is recorded for this patient; nothing was changed.")

    await act(update, context, pid, record, say, refused)
