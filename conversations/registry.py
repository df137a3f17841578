"""Every handler, registered in one place, in the order that matters."""

from __future__ import annotations

from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from conversations import card, checkin, menu, onboarding, overview, strays, summary, therapist
from conversations.context import CoachApplication
from conversations.errors import on_error

INVITE = r"[A-Za-z0-9_-]{8,48}"


def register(application: CoachApplication) -> None:
    private = filters.ChatType.PRIVATE
    handlers = [
        # Edits before anything else: every message handler below would take an edited
        # message (a command's too) as a new one.
        MessageHandler(filters.UpdateType.EDITED, strays.edited_message),
        # Commands first, so a command typed in the middle of a question is a command.
        CommandHandler("start", onboarding.start),
        CommandHandler("today", checkin.today, filters=private),
        CommandHandler("plan", overview.plan, filters=private),
        CommandHandler("progress", overview.progress, filters=private),
        CommandHandler("invite", therapist.invite, filters=private),
        CommandHandler("patients", therapist.patients, filters=private),
        CommandHandler("patient", card.patient_command, filters=private),
        CommandHandler("summary", summary.summary_command, filters=private),
        CommandHandler("export", summary.export, filters=private),
        CommandHandler("help", menu.help_command),
        CommandHandler("privacy", menu.privacy),
        CommandHandler("pause", menu.pause, filters=private),
        CommandHandler("resume", menu.resume, filters=private),
        CommandHandler("settings", menu.settings, filters=private),
        CommandHandler("mydata", menu.mydata, filters=private),
        CommandHandler("delete", menu.delete, filters=private),
        # Buttons, each family by its prefix (see keyboards.py).
        CallbackQueryHandler(onboarding.switch_language, pattern=rf"^lang:(en|de)(:{INVITE})?$"),
        CallbackQueryHandler(
            onboarding.answer_consent, pattern=rf"^consent:(en|de):(yes|no)(:{INVITE})?$"
        ),
        CallbackQueryHandler(onboarding.answer_step, pattern=r"^ob:[a-z_:]+:[a-z0-9_]+$"),
        CallbackQueryHandler(checkin.report_outcome, pattern=r"^rep:\d+:(done|partly|skipped)$"),
        CallbackQueryHandler(checkin.report_pain, pattern=r"^pain:\d+:(10|[0-9])$"),
        CallbackQueryHandler(
            checkin.report_difficulty, pattern=r"^diff:\d+:(easy|right|hard|none)$"
        ),
        CallbackQueryHandler(checkin.report_check, pattern=r"^chk:\d+:[yn]$"),
        CallbackQueryHandler(checkin.show_extra, pattern=r"^extra:\d+:(relax|lesson|steps)$"),
        CallbackQueryHandler(checkin.answer_lesson_check, pattern=r"^lq:\d+:[0-3]$"),
        CallbackQueryHandler(menu.pause_choice, pattern=r"^pause:(7|14|open|date|cancel)$"),
        CallbackQueryHandler(menu.clearance, pattern=r"^cleared:[yn]$"),
        CallbackQueryHandler(menu.settings_choice, pattern=r"^set:[a-z]+:[a-z0-9_]+$"),
        CallbackQueryHandler(menu.delete_choice, pattern=r"^del:(yes|no)$"),
        CallbackQueryHandler(therapist.acknowledge, pattern=r"^ack:\d+$"),
        CallbackQueryHandler(therapist.roster_turn, pattern=r"^ros:\d+$"),
        CallbackQueryHandler(therapist.confirm_link, pattern=rf"^link:{INVITE}:[yn]$"),
        # The patient card and its menus; every one names the patient, checked first.
        CallbackQueryHandler(card.open_card, pattern=r"^card:\d+$"),
        CallbackQueryHandler(card.show_card, pattern=r"^pc:\d+$"),
        CallbackQueryHandler(card.plan_menu, pattern=r"^plan:\d+$"),
        CallbackQueryHandler(card.item_menu, pattern=r"^item:\d+:\d+$"),
        CallbackQueryHandler(card.change_dose, pattern=r"^dose:\d+:\d+:(sets|reps|hold):[ud]$"),
        CallbackQueryHandler(card.remove_item, pattern=r"^rm:\d+:\d+$"),
        CallbackQueryHandler(card.swap_menu, pattern=r"^swap:\d+:\d+$"),
        CallbackQueryHandler(card.swap_to, pattern=r"^sw:\d+:\d+:[a-z0-9_]+$"),
        CallbackQueryHandler(card.add_menu, pattern=r"^addk:\d+(:[a-z]+)?$"),
        CallbackQueryHandler(card.add_exercise, pattern=r"^add:\d+:[a-z0-9_]+$"),
        CallbackQueryHandler(card.lock_plan, pattern=r"^lock:\d+:[yn]$"),
        CallbackQueryHandler(card.decide_proposal, pattern=r"^prop:\d+:\d+:[ar]$"),
        CallbackQueryHandler(card.time_menu, pattern=r"^ptime:\d+(:([01]\d|2[0-3])[0-5]\d)?$"),
        CallbackQueryHandler(card.pause_menu, pattern=r"^ppause:\d+(:(7|14|open))?$"),
        CallbackQueryHandler(card.resume_patient, pattern=r"^presume:\d+$"),
        CallbackQueryHandler(card.message_prompt, pattern=r"^msg:\d+(:x)?$"),
        CallbackQueryHandler(card.unlink_question, pattern=r"^unl:\d+(:y)?$"),
        CallbackQueryHandler(
            summary.schedule_choice,
            pattern=r"^sum:(menu|close|tz|time(:([01]\d|2[0-3])[0-5]\d)?|day(:[0-6])?"
            r"|freq:(daily|weekly|off))$",
        ),
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
