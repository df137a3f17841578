"""The one error handler: domain errors become friendly replies; the rest is logged."""

from __future__ import annotations

import logging
from contextlib import suppress

from sqlalchemy.exc import DBAPIError, OperationalError
from telegram import Update
from telegram.error import Forbidden, RetryAfter, TelegramError, TimedOut

from coachbot.domain.errors import (
    AlreadyDecided,
    AlreadyReported,
    CoachbotError,
    GoneFromPlan,
    InvalidChange,
    InvalidInvite,
    NotATherapist,
    NotEnrolled,
    NotYours,
    RoleConflict,
    SessionClosed,
    StaleButton,
    TrainingStopped,
)
from coachbot.i18n import Translator
from conversations.context import CoachContext, message_gone, tr
from conversations.flood import FloodControl

log = logging.getLogger(__name__)


def explain(error: CoachbotError, _: Translator, therapist: bool = False) -> str:
    if isinstance(error, NotEnrolled):
        if therapist:
            return _("This command is for patients. /help lists yours.")
        return _("Please finish setting up first: send /start.")
    if isinstance(error, NotYours):
        if therapist:
            return _(
                "That patient is not linked to you, so nothing was shown or changed. "
                "/patients lists yours."
            )
        return _("Sorry, that button is not for you.")
    if isinstance(error, AlreadyDecided):
        return _("That proposal was already decided. Nothing was changed.")
    if isinstance(error, GoneFromPlan):
        return _("That exercise is no longer in the plan; nothing was changed.")
    if isinstance(error, InvalidChange):
        return _(
            "That change is not possible any more. Nothing was changed; /patients starts afresh."
        )
    if isinstance(error, SessionClosed):
        return _(
            "That session is from an earlier day and can no longer be changed. "
            "Send /today for today's session."
        )
    if isinstance(error, StaleButton):
        return _("This button is no longer valid. Send /today or /help.")
    if isinstance(error, AlreadyReported):
        return _("That is already recorded, thank you! Nothing was changed.")
    if isinstance(error, TrainingStopped):
        if therapist:
            return _(
                "Training is stopped after a red-flag answer. The patient restarts it with "
                "/resume once a doctor has cleared them; nothing was changed."
            )
        return _(
            "Training is stopped because of a safety answer. Please see a doctor first; "
            "send /resume when they have cleared you."
        )
    if isinstance(error, NotATherapist):
        return _("This command is for therapists. /help shows what you can do.")
    if isinstance(error, RoleConflict):
        return _(
            "This Telegram account is already registered in another role (patient or "
            "therapist). Please use a separate account for each role."
        )
    if isinstance(error, InvalidInvite):
        return _("This invite link is not valid any more. Please ask your therapist for a new one.")
    return _("Sorry, that did not work. /help shows what I can do.")


def explain_gone(_: Translator, therapist: bool) -> str:
    if therapist:
        return _(
            "That message is no longer there, so I could not update it. "
            "/patients shows your patients as they are now."
        )
    return _("That message is no longer there, so I could not update it. /help shows how to go on.")


async def _person(update: Update, context: CoachContext) -> tuple[str, bool]:
    """The language to answer in, and whether the person is a therapist."""
    user = update.effective_user
    if user is None:
        return "en", False
    try:
        person = await context.person(user)
    except DBAPIError:
        return user.language_code or "en", False
    return person.language, person.therapist is not None


async def on_error(update: object, context: CoachContext) -> None:
    """Tell the person what to do next; log what went wrong without message texts.

    It never raises (PTB would log "uncaught error while handling the error"), answers a
    button press only if the handler had not, and says nothing after a reply that timed
    out, because that reply may well have arrived.
    """
    try:
        await _explain_error(update, context)
    except Exception as error:  # the answer itself failed (timeout, refusal)
        log.warning("error handler could not answer: %s", type(error).__name__)


async def _explain_error(update: object, context: CoachContext) -> None:
    error = context.error
    if not isinstance(update, Update):
        log.error("error outside an update", exc_info=error)
        await _notify_operator(context, f"a background job: {type(error).__name__}")
        return
    if isinstance(error, Forbidden):
        return  # the person blocked the bot; my_chat_member handles that
    if isinstance(error, TimedOut | RetryAfter):
        # The reply may have arrived (a timeout), or Telegram asks us to hold back: a
        # "something went wrong" now would be wrong or refused. The person can ask again.
        log.warning("update %s: a reply was not confirmed (%s)", update.update_id, error)
        await _stop_spinner(update, context)
        return
    language, is_therapist = await _person(update, context)
    _ = tr(language)
    if isinstance(error, CoachbotError):
        reply = explain(error, _, is_therapist)
        log.info("update %s: %s", update.update_id, type(error).__name__)
    elif message_gone(error):
        # A tap on a message deleted meanwhile: expected, so no traceback and no operator.
        reply = explain_gone(_, is_therapist)
        log.info("update %s: nothing to edit (%s)", update.update_id, error)
    elif isinstance(error, OperationalError) and "locked" in str(error).lower():
        reply = _("I am very busy right now. Please try again in a moment; nothing was lost.")
        log.warning("update %s: database busy", update.update_id)
    else:
        reply = _("Sorry, something went wrong on my side. Please try again in a moment.")
        log.error("update %s failed", update.update_id, exc_info=error)
        await _notify_operator(context, f"update {update.update_id}: {type(error).__name__}")
    await _stop_spinner(update, context)
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(reply)


async def _stop_spinner(update: Update, context: CoachContext) -> None:
    """Answer the button press if the handler failed before answering it (only then:
    Telegram refuses a second answer)."""
    query = update.callback_query
    limiter = context.bot.rate_limiter
    if query is None or (isinstance(limiter, FloodControl) and limiter.answered(query.id)):
        return
    with suppress(TelegramError):
        await query.answer()


async def _notify_operator(context: CoachContext, what: str) -> None:
    """A short notice to the operator's chat, if one is configured (never message texts)."""
    chat_id = context.services.settings.operator_chat_id
    if chat_id is None:
        return
    try:
        await context.bot.send_message(chat_id, f"⚠️ Coachbot error in {what}. See the logs.")
    except TelegramError:
        log.warning("could not notify the operator chat")
