"""Each kind of failed send has its rule: when (or whether) to try again."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from coachbot.domain.delivery import (
    MAX_BACKOFF,
    MAX_REFUSALS,
    SendFailed,
    counts_as_attempt,
    retry_at,
)
from coachbot.domain.vocabulary import Failure

NOW = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)


def test_a_429_waits_exactly_as_long_as_telegram_asked_and_is_not_an_attempt() -> None:
    failed = SendFailed(Failure.RATE_LIMITED, "Too Many Requests: retry after 7", 7)
    assert retry_at(failed, 1, NOW) == NOW + timedelta(seconds=7)
    assert not counts_as_attempt(failed)


def test_server_errors_back_off_longer_each_time_up_to_a_cap() -> None:
    failed = SendFailed(Failure.PASSING, "Bad Gateway")
    retries = [retry_at(failed, n, NOW) for n in range(1, 12)]
    waits = [at - NOW for at in retries if at is not None]
    assert len(waits) == len(retries)  # a passing failure is never given up
    assert waits[0] == timedelta(seconds=15)
    assert waits[1] == timedelta(seconds=30)
    assert all(a <= b for a, b in itertools.pairwise(waits))
    assert waits[-1] == MAX_BACKOFF


def test_a_refusal_is_given_up_after_three_attempts() -> None:
    failed = SendFailed(Failure.REFUSED, "Bad Request: can't parse entities")
    assert retry_at(failed, MAX_REFUSALS - 1, NOW) is not None
    assert retry_at(failed, MAX_REFUSALS, NOW) is None
    assert MAX_REFUSALS == 3


def test_gone_and_uncertain_are_never_tried_again() -> None:
    assert retry_at(SendFailed(Failure.GONE, "Forbidden"), 1, NOW) is None
    assert retry_at(SendFailed(Failure.UNCERTAIN, "Timed out"), 1, NOW) is None


def test_the_recorded_reason_is_short_and_names_the_failure() -> None:
    reason = str(SendFailed(Failure.REFUSED, "Bad Request: " + "x" * 500))
    assert reason.startswith("refused: Bad Request") and len(reason) <= 200
