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
    library,
    menu,
    morning,
    onboarding,
    overview,
    pausing,
    printed_plan,
    privacy,
    profile,
    screening,
    settings,
    strays,
    summary,
    surgery,
    therapist,
    welcome,
)
from conversations.card import contact as card_contact
from conversations.card import plan as card_plan
from conversations.card import profile as card_profile
from conversations.card import schedule as card_schedule
from conversations.card import view as card_view
from conversations.context import CoachApplication, CoachContext
from conversations.errors import on_error
from conversations.walk import flow as walk


def on_button(
    callback: Callable[[Update, CoachContext], Coroutine[Any, Any, None]], family: buttons.Family
) -> CallbackQueryHandler[CoachContext, None]:
    """The handler of one family of buttons, matched by the family's own pattern."""
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
        CommandHandler("lessons", library.lessons_command, filters=private),
        CommandHandler("relax", library.relax_command, filters=private),
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
        on_button(welcome.switch_language, buttons.WELCOME_LANGUAGE),
        on_button(welcome.answer_consent, buttons.CONSENT),
        on_button(onboarding.answer_step, buttons.ENROLMENT),
        on_button(checkin.report_outcome, buttons.OUTCOME),
        on_button(checkin.report_pain, buttons.PAIN),
        on_button(checkin.report_difficulty, buttons.DIFFICULTY),
        on_button(checkin.report_check, buttons.SAFETY_CHECK),
        on_button(checkin.show_extra, buttons.EXTRA),
        on_button(walk.start, buttons.WALK_START),
        on_button(walk.turn, buttons.WALK),
        on_button(checkin.answer_lesson_check, buttons.LESSON_ANSWER),
        on_button(morning.answer_morning, buttons.MORNING),
        on_button(library.open_lesson, buttons.OPEN_LESSON),
        on_button(library.answer_lesson, buttons.LIBRARY_ANSWER),
        on_button(library.open_technique, buttons.OPEN_RELAXATION),
        on_button(pausing.pause_choice, buttons.PAUSE),
        on_button(pausing.clearance, buttons.CLEARED),
        on_button(settings.settings_choice, buttons.SETTING),
        on_button(profile.choice, buttons.CHOICE),
        on_button(surgery.operation_choice, buttons.OPERATION),
        on_button(screening.answer_retake, buttons.SCREEN),
        on_button(privacy.delete_choice, buttons.DELETE),
        on_button(printed_plan.print_plan, buttons.PRINT_PLAN),
        on_button(therapist.acknowledge, buttons.ACKNOWLEDGE),
        on_button(therapist.roster_turn, buttons.ROSTER_PAGE),
        on_button(therapist.confirm_link, buttons.LINK),
        on_button(summary.schedule_choice, buttons.SUMMARY),
        # The patient card and its menus; every one names the patient, checked first.
        on_button(card_view.open_card, buttons.OPEN_CARD),
        on_button(card_view.show_card, buttons.CARD),
        on_button(card_plan.plan_menu, buttons.PLAN),
        on_button(card_plan.item_menu, buttons.ITEM),
        on_button(card_plan.change_dose, buttons.DOSE),
        on_button(card_plan.remove_item, buttons.REMOVE),
        on_button(card_plan.swap_menu, buttons.SWAP_MENU),
        on_button(card_plan.swap_to, buttons.SWAP_TO),
        on_button(card_plan.add_menu, buttons.ADD_MENU),
        on_button(card_plan.add_exercise, buttons.ADD),
        on_button(card_plan.lock_plan, buttons.LOCK),
        on_button(card_plan.decide_proposal, buttons.PROPOSAL),
        on_button(card_schedule.time_menu, buttons.TIME),
        on_button(card_schedule.pause_menu, buttons.PATIENT_PAUSE),
        on_button(card_schedule.resume_patient, buttons.PATIENT_RESUME),
        on_button(card_contact.message_prompt, buttons.MESSAGE),
        on_button(card_contact.unlink_question, buttons.UNLINK),
        on_button(card_profile.conditions_menu, buttons.PATIENT_CONDITIONS),
        on_button(card_profile.level_menu, buttons.PATIENT_LEVEL),
        on_button(card_profile.clearance, buttons.PATIENT_CLEARED),
        on_button(printed_plan.print_patient_plan, buttons.PATIENT_PRINT),
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
