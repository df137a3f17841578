"""The patient's profile in /settings: conditions, equipment and level, changed through
one use case (`coachbot.profile`); and the word their therapist gets about it."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from telegram import InlineKeyboardMarkup, Update

from catalogue.loader import Catalogue
from coachbot import profile
from coachbot.db.uow import UnitOfWork
from coachbot.domain.enrolment import toggle
from coachbot.domain.model import Patient
from coachbot.domain.vocabulary import Actor, Condition, Equipment, Level
from coachbot.i18n import Translator
from conversations import buttons, keyboards, labels, surgery
from conversations.context import CoachContext, set_buttons, tr
from conversations.notices import tell_therapist
from conversations.render import title


def choice_keyboard(what: str, chosen: list[str], _: Translator) -> InlineKeyboardMarkup:
    """Conditions or equipment to tick, with what is ticked so far in every button."""
    if what == "cond":
        conditions = [Condition(word) for word in chosen]
        letters = buttons.pack(conditions, buttons.CONDITION_CODES)
        return keyboards.conditions(buttons.CHOICE.answer("cond", letters), conditions, _)
    equipment = [Equipment(word) for word in chosen]
    letters = buttons.pack(equipment, buttons.EQUIPMENT_CODES)
    return keyboards.equipment(buttons.CHOICE.answer("eq", letters), equipment, _)


def plan_lines(change: profile.ProfileChange, catalogue: Catalogue, _: Translator) -> list[str]:
    """What fitting the plan did, for the therapist."""
    language = _.language
    lines = []
    for old, new in change.plan.replaced:
        name = escape(title(catalogue, old, language))
        lines.append(
            _("• {old} no longer suits and was replaced by {new}.").format(
                old=name, new=escape(title(catalogue, new, language))
            )
            if new
            else _("• {old} no longer suits and was taken out.").format(old=name)
        )
    fitted = change.plan
    if fitted.added or fitted.removed:
        lines.append(
            _("• The plan was fitted: {added} in, {removed} out.").format(
                added=", ".join(escape(title(catalogue, e, language)) for e in fitted.added) or "–",
                removed=", ".join(escape(title(catalogue, e, language)) for e in fitted.removed)
                or "–",
            )
        )
    return lines


def change_lines(change: profile.ProfileChange, _: Translator) -> list[str]:
    """What changed in a profile, a line each."""

    def words(table: dict[Condition, str] | dict[Equipment, str], chosen: list[str]) -> str:
        return escape(", ".join(_(table[word]) for word in chosen))  # type: ignore[index]

    lines = []
    if change.conditions_added:
        found = words(labels.CONDITION_LABELS, list(change.conditions_added))
        lines.append(_("• Conditions added: {words}").format(words=found))
    if change.conditions_removed:
        found = words(labels.CONDITION_LABELS, list(change.conditions_removed))
        lines.append(_("• Conditions removed: {words}").format(words=found))
    if change.equipment_added:
        found = words(labels.EQUIPMENT_LABELS, list(change.equipment_added))
        lines.append(_("• Equipment added: {words}").format(words=found))
    if change.equipment_removed:
        found = words(labels.EQUIPMENT_LABELS, list(change.equipment_removed))
        lines.append(_("• Equipment removed: {words}").format(words=found))
    if change.level is not None:
        lines.append(_("• Level: {level}").format(level=_(labels.LEVEL_NAMES[change.level])))
    return lines


def profile_notice(
    patient: Patient, change: profile.ProfileChange, catalogue: Catalogue
) -> Callable[[Translator], str]:
    """The therapist's word about a change the patient made."""

    def words(_: Translator) -> str:
        name = escape(patient.display_name or _("A patient"))
        head = _("ℹ️ {name} (#{id}) has changed their profile in /settings:").format(
            name=name, id=patient.id
        )
        return "\n".join([head, *change_lines(change, _), *plan_lines(change, catalogue, _)])

    return words


async def save(
    uow: UnitOfWork,
    patient: Patient,
    context: CoachContext,
    *,
    conditions: list[Condition] | None = None,
    equipment: list[Equipment] | None = None,
    level: Level | None = None,
) -> profile.ProfileChange:
    """The patient's own change, with the word to their therapist queued in the same
    transaction (the caller commits)."""
    catalogue, now = context.services.catalogue, context.now()
    change = await profile.change_profile(
        uow,
        patient,
        catalogue,
        now,
        by=Actor.PATIENT,
        conditions=conditions,
        equipment=equipment,
        level=level,
    )
    if change.changed:
        await tell_therapist(uow, patient, profile_notice(patient, change, catalogue), now)
    return change


def saved_text(change: profile.ProfileChange, _: Translator) -> str:
    if not change.changed:
        return _("Nothing changed.")
    return _("✅ Saved. Your plan now fits your new settings; /plan shows it.")


async def choice(update: Update, context: CoachContext) -> None:
    """A tap in the conditions or equipment of /settings: tick or untick, or save."""
    query = update.callback_query
    assert query is not None and query.message is not None
    data = buttons.CHOICE.read(context)
    what, letters, value = data.text("what"), data.text("chosen"), data.text("value")
    chosen: list[str] = (
        [str(w) for w in buttons.unpack(letters, buttons.CONDITION_CODES)]
        if what == "cond"
        else [str(w) for w in buttons.unpack(letters, buttons.EQUIPMENT_CODES)]
    )
    if value != "done":
        words = Condition if what == "cond" else Equipment
        ticked = [str(word) for word in toggle([words(w) for w in chosen], value, words)]
        patient = (await context.person(query.from_user)).enrolled()
        await query.answer()
        await set_buttons(query, choice_keyboard(what, ticked, tr(patient.language)))
        return
    async with context.uow() as uow:
        patient = (await context.person(query.from_user, uow)).enrolled()
        if what == "cond":
            change = await save(uow, patient, context, conditions=[Condition(w) for w in chosen])
        else:
            change = await save(uow, patient, context, equipment=[Equipment(w) for w in chosen])
        if change.operation_added:
            patient.step = surgery.SET_SURGERY
        await uow.commit()
    _ = tr(patient.language)
    await query.answer()
    await query.edit_message_text(saved_text(change, _))
    if change.operation_added:
        await surgery.ask_date(query.message.chat, _)
