"""Every request to Telegram passes here: the send budget, 429s, and answered taps; and
what Telegram answers is sorted into the kinds of failure that have rules.

PTB calls `process_request` for each Bot API call. Calls that produce or change a
message wait for the bot's send budget (`coachbot.budget`): replies first, the
dispatcher's sends (`rate_limit_args=DISPATCH`) only in the slots replies leave, having
taken that slot before claiming what to send. A 429 holds only its own chat for the time
Telegram asked; a reply is then tried again, a dispatcher's send goes back to the queue.

A reply that meets Telegram's passing trouble (a 5xx, a connection that failed before the
request left) is tried again after a short pause, up to `max_retries` times: PTB retries
nothing but 429s, and a lost reply would cut a conversation short (the pain advice,
then no question on how hard it felt). A reply that may have arrived (a read timeout)
is never repeated; the dispatcher's sends have their own retries.

It also notes which button presses were answered, so the error handler answers each
one exactly once (Telegram refuses a second answer, and the person would see an empty
pop-up).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

import httpx
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import BaseRateLimiter

from coachbot.budget import SendBudget
from coachbot.domain.delivery import SendFailed
from coachbot.domain.vocabulary import Failure

log = logging.getLogger(__name__)

# The Bot API methods that send or change a message, counted against the budget.
COUNTED = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendAnimation",
        "sendVideo",
        "sendAudio",
        "sendVoice",
        "sendSticker",
        "sendLocation",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "editMessageMedia",
    }
)
# `rate_limit_args` of the dispatcher's sends: its bot-wide slot is already taken.
DISPATCH = "dispatch"
_REMEMBERED_ANSWERS = 10_000
# The pause before a reply's first retry after a passing failure; it doubles each time.
REPLY_BACKOFF = 0.25

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


def retry_seconds(error: RetryAfter) -> float:
    value = error._retry_after  # the timedelta behind the (deprecated) int property
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _chat_of(data: dict[str, Any]) -> int | None:
    try:
        return int(data["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None


# A timeout before the request left (no connection, no free connection) is not uncertain.
_NOT_SENT = (httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ConnectError)


def failure_of(error: TelegramError) -> SendFailed:
    """Sort Telegram's answer (or its absence) into the dispatcher's kinds of failure."""
    reason = error.message
    if isinstance(error, RetryAfter):
        return SendFailed(Failure.RATE_LIMITED, reason, retry_seconds(error))
    if isinstance(error, Forbidden):
        return SendFailed(Failure.GONE, reason)
    if isinstance(error, TimedOut):
        if isinstance(error.__cause__, _NOT_SENT):
            return SendFailed(Failure.PASSING, reason)
        return SendFailed(Failure.UNCERTAIN, reason)
    if isinstance(error, BadRequest):
        if "chat not found" in reason.lower():
            return SendFailed(Failure.GONE, reason)
        return SendFailed(Failure.REFUSED, reason)
    # NetworkError (5xx, connection lost) and anything else Telegram answered.
    return SendFailed(Failure.PASSING, reason)


class FloodControl(BaseRateLimiter[str]):
    """The application's rate limiter: the send budget, 429s per chat, answered taps."""

    def __init__(self, budget: SendBudget, max_retries: int = 3) -> None:
        self.budget = budget
        self._max_retries = max_retries
        self._answered: OrderedDict[str, None] = OrderedDict()

    async def initialize(self) -> None:
        """Nothing to set up: the budget's store opens its own transactions."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def answered(self, query_id: str) -> bool:
        """Whether this button press was answered (or an answer was attempted)."""
        return query_id in self._answered

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: str | None,
    ) -> JSONResult:
        if endpoint == "answerCallbackQuery":
            self._note_answer(str(data.get("callback_query_id")))
        counted = endpoint in COUNTED
        chat_id = _chat_of(data)
        dispatch = rate_limit_args == DISPATCH
        retries = 0
        while True:
            if counted and dispatch:
                await self.budget.for_chat(chat_id)
            elif counted:
                await self.budget.for_reply(chat_id)
            try:
                return await callback(*args, **kwargs)
            except BadRequest as error:
                if (
                    endpoint == "answerCallbackQuery"
                    and "query is too old" in error.message.lower()
                ):
                    # Tapped while the bot was away: the spinner is long gone, but the tap
                    # itself still counts, so the handler goes on.
                    log.info("a button press was answered too late to show")
                    return True
                raise
            except RetryAfter as error:
                seconds = retry_seconds(error)
                self.budget.hold(chat_id, seconds)
                if dispatch or retries >= self._max_retries:
                    raise
                retries += 1
                log.info("%s: Telegram asked to wait %.0f s (chat held)", endpoint, seconds)
                if chat_id is None:
                    await asyncio.sleep(seconds)
            except NetworkError as error:
                passing = failure_of(error).failure is Failure.PASSING
                if dispatch or not passing or retries >= self._max_retries:
                    raise
                retries += 1
                log.info("%s: %s; trying again", endpoint, error.message)
                await asyncio.sleep(REPLY_BACKOFF * 2 ** (retries - 1))

    def _note_answer(self, query_id: str) -> None:
        self._answered[query_id] = None
        while len(self._answered) > _REMEMBERED_ANSWERS:
            self._answered.popitem(last=False)
