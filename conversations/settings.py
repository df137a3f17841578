"""/settings: the patient's training time and days, time zone, language, their profile
(equipment, conditions, level: `profile`; an operation: `surgery`), and the warning-sign
check taken again (`screening`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from telegram import (
    InlineKeyboardMarkup,
    Update,
)
from telegram._utils.types import ReplyMarkup

from coachbot import screening, sessions
from coachbot.db.uow import UnitOfWork
from coachbot.domain.enrolment import toggle_days
from coachbot.domain.model import Patient
from coachbot.domain.vocabulary import Condition, Language, Level, lookup
from coachbot.i18n import Translator
from conversations import buttons, keyboards, labels, profile
from conversations.context import CoachContext, set_buttons, tr
from conversations.screening import retake_question

# The patient.step while a typed answer is awaited.
SET_TIME = "set:time"
SET_TIMEZONE = "set:tz"


def settings_summary(patient: Patient, _: Translator) -> str:
    names = [day_name_short(day, patient.language) for day in patient.training_days]
    equipment = [_(labels.EQUIPMENT_LABELS[e]) for e in patient.equipment] or [_("No equipment")]
    conditions = [_(labels.CONDITION_LABELS[c]) for c in patient.conditions] or ["–"]
    return "\n".join(
        [
            _("<b>Your settings</b>"),
            _("⏰ Time: {time}").format(time=patient.prompt_time.strftime("%H:%M")),
            _("📅 Days: {days}").format(days=", ".join(names)),
            _("🌍 Time zone: {zone}").format(zone=patient.timezone),
            _("🗣 Language: {language}").format(language=labels.LANGUAGE_NAMES[patient.language]),
            _("🏋️ Equipment: {equipment}").format(equipment=", ".join(equipment)),
            _("🩹 Conditions: {conditions}").format(conditions=", ".join(conditions)),
            _("📶 Level: {level}").format(level=_(labels.LEVEL_NAMES[patient.level])),
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
        settings_summary(patient, _),
        reply_markup=keyboards.settings_menu(_, Condition.AFTER_SURGERY in patient.conditions),
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
        if value in ("eq", "cond"):
            chosen = patient.equipment if value == "eq" else patient.conditions
            return SettingReply(
                send_text=_("Tap what you have, then Done.")
                if value == "eq"
                else _("What applies to you? Tap all that apply, then Done."),
                send_markup=profile.choice_keyboard(value, [str(w) for w in chosen], _),
            )
        if value == "level":
            return SettingReply(
                send_text=_("Which level fits you now?"),
                send_markup=keyboards.levels(buttons.SETTING.answer("level"), _),
            )
        if value == "screen":
            text, markup = retake_question(screening.start_retake(patient), _)
            return SettingReply(send_text=text, send_markup=markup)
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
            patient.training_days = toggle_days(patient.training_days, value)
            return SettingReply(
                buttons=keyboards.days(
                    buttons.SETTING.answer("days"), patient.training_days, patient.language, _
                )
            )
        if not patient.training_days:
            return SettingReply(alert=_("Please choose at least one day."))
        await sessions.reschedule(uow, patient, catalogue, now)
        return SettingReply(edit_text=_("✅ Saved."))
    language = lookup(Language, value)
    if what == "lang" and language is not None:
        patient.language = language
        _ = tr(language)  # confirmed in the newly chosen language
        return SettingReply(edit_text=_("🗣 From now on I will write in English."))
    level = lookup(Level, value)
    if what == "level" and level is not None:
        change = await profile.save(uow, patient, context, level=level)
        return SettingReply(edit_text=profile.saved_text(change, _))
    return SettingReply(alert=_("This button is no longer valid. Send /today or /help."))
