"""Telegram's answers sorted into the failures the dispatcher has a rule for."""

from __future__ import annotations

import httpx
import pytest
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from coachbot.domain.vocabulary import Failure
from conversations.flood import failure_of


def timed_out(cause: Exception) -> TimedOut:
    try:
        raise TimedOut from cause
    except TimedOut as error:
        return error


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (RetryAfter(7), Failure.RATE_LIMITED),
        (Forbidden("Forbidden: bot was blocked by the user"), Failure.GONE),
        (BadRequest("Bad Request: chat not found"), Failure.GONE),
        (BadRequest("Bad Request: can't parse entities"), Failure.REFUSED),
        (NetworkError("Bad Gateway"), Failure.PASSING),
        (timed_out(httpx.ReadTimeout("read")), Failure.UNCERTAIN),
        # Never left this machine: safe to send again.
        (timed_out(httpx.ConnectTimeout("connect")), Failure.PASSING),
        (timed_out(httpx.PoolTimeout("pool")), Failure.PASSING),
    ],
)
def test_each_answer_has_its_kind(error: TelegramError, failure: Failure) -> None:
    assert failure_of(error).failure is failure


def test_a_429_keeps_the_wait_telegram_asked_for() -> None:
    assert failure_of(RetryAfter(7)).retry_after == 7.0
