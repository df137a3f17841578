"""Every handler, registered in one place, in the order that matters."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from conversations import (
    buttons,
    checkin,
    menu,
    onboarding,
    overview,
    pausing,
    privacy,
    settings,
    strays,
    summary,
    therapist,
    welcome,
)
from conversations.card import contact as card_contact
from conversations.card import plan as card_plan
from conversations.card import schedule as card_schedule
from conversations.card import view as card_view
from conversations.context import CoachApplication, CoachContext
from conversations.errors import on_error


def button(
    callback: Callable[[Update, CoachContext], Coroutine[Any, Any, None]], family: buttons.Family
) -> CallbackQueryHandler[CoachContext, None]:
    return CallbackQueryHandler(callback, pattern=family.pattern)


def register(application: CoachApplication) -> None:
    private = filters.ChatType.PRIVATE
    handlers = [
        # Edits before anything else: every message handler below would take an edited
        # message (a command's too) as a new one.
        MessageHandler(filters.UpdateType.EDITED, strays.edited_message),
        # Commands first, so a command typed in the middle of a question is a command.
        CommandHandler("start", welcome.start),
        CommandHandler("today", checkin.today, filters=private),
        CommandHandler("plan", overview.plan, filters=private),
        CommandHandler("progress", overview.progress, filters=private),
        CommandHandler("invite", therapist.invite, filters=private),
        CommandHandler("patients", therapist.patients, filters=private),
        CommandHandler("patient", card_view.patient_command, filters=private),
        CommandHandler("summary", summary.summary_command, filters=private),
        CommandHandler("export", summary.export, filters=private),
        CommandHandler("help", menu.help_command),
        CommandHandler("privacy", privacy.privacy),
        CommandHandler("pause", pausing.pause, filters=private),
        CommandHandler("resume", pausing.resume, filters=private),
        CommandHandler("settings", settings.settings, filters=private),
        CommandHandler("mydata", privacy.mydata, filters=private),
        CommandHandler("delete", privacy.delete, filters=private),
        # Buttons, each family by its spec in buttons.py; the patterns are anchored
        # and disjoint, so the order among them does not matter.
        button(welcome.switch_language, buttons.WELCOME_LANGUAGE),
        button(welcome.answer_consent, buttons.CONSENT),
        button(onboarding.answer_step, buttons.ENROLMENT),
        button(checkin.report_outcome, buttons.OUTCOME),
        button(checkin.report_pain, buttons.PAIN),
        button(checkin.report_difficulty, buttons.DIFFICULTY),
        button(checkin.report_check, buttons.SAFETY_CHECK),
        button(checkin.show_extra, buttons.EXTRA),
        button(checkin.answer_lesson_check, buttons.LESSON_ANSWER),
        button(pausing.pause_choice, buttons.PAUSE),
        button(pausing.clearance, buttons.CLEARED),
        button(settings.settings_choice, buttons.SETTING),
        button(privacy.delete_choice, buttons.DELETE),
        button(therapist.acknowledge, buttons.ACKNOWLEDGE),
        button(therapist.roster_turn, buttons.ROSTER_PAGE),
        button(therapist.confirm_link, buttons.LINK),
        button(summary.schedule_choice, buttons.SUMMARY),
        # The patient card and its menus; every one names the patient, checked first.
        button(card_view.open_card, buttons.OPEN_CARD),
        button(card_view.show_card, buttons.CARD),
        button(card_plan.plan_menu, buttons.PLAN),
        button(card_plan.item_menu, buttons.ITEM),
        button(card_plan.change_dose, buttons.DOSE),
        button(card_plan.remove_item, buttons.REMOVE),
        button(card_plan.swap_menu, buttons.SWAP_MENU),
        button(card_plan.swap_to, buttons.SWAP_TO),
        button(card_plan.add_menu, buttons.ADD_MENU),
        button(card_plan.add_exercise, buttons.ADD),
        button(card_plan.lock_plan, buttons.LOCK),
        button(card_plan.decide_proposal, buttons.PROPOSAL),
        button(card_schedule.time_menu, buttons.TIME),
        button(card_schedule.pause_menu, buttons.PATIENT_PAUSE),
        button(card_schedule.resume_patient, buttons.PATIENT_RESUME),
        button(card_contact.message_prompt, buttons.MESSAGE),
        button(card_contact.unlink_question, buttons.UNLINK),
        # Anything left: a stale or forged button gets a clear answer, never silence.
        CallbackQueryHandler(menu.stale_button),
        ChatMemberHandler(menu.membership, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.LOCATION & private, onboarding.shared_location),
        MessageHandler(filters.TEXT & ~filters.COMMAND & private, menu.text),
        # PTB's CommandHandler passes over /help@otherbot: not unknown, just not ours.
        MessageHandler(strays.FOR_ANOTHER_BOT & private, strays.command_for_another_bot),
        MessageHandler(filters.COMMAND & private, menu.unknown_command),
        # Last: stickers, photos, voice... anything a patient may send.
        MessageHandler(private & ~filters.StatusUpdate.ALL, menu.other_message),
    ]
    application.add_handlers(handlers)
    application.add_error_handler(on_error)
