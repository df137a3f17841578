"""What happens after a send failed: one rule for each kind of failure.

Whoever talks to Telegram sorts its answer into a `Failure`; the dispatcher then
asks `retry_at` when to try again. The rules (the design's "Dispatch"):

- rate limited (429): wait `retry_after`, then the same request again;
- passing (5xx, network): again later, waiting longer each time;
- refused (400): Telegram will not take it; after `MAX_REFUSALS` attempts it is given up
  and the operator is told once;
- gone (403, chat not found): the person blocked the bot, nothing is sent any more;
- uncertain (a timeout): it may have arrived, so it is never sent again (a patient can
  always ask for today's session with /today).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from coachbot.domain.vocabulary import Failure

MAX_REFUSALS = 3
FIRST_BACKOFF = timedelta(seconds=15)
MAX_BACKOFF = timedelta(minutes=10)
# A reason is kept for the operator, cut to fit its column.
REASON_LENGTH = 200


class SendFailed(Exception):
    """A send did not (certainly) arrive; `reason` is Telegram's description, never content."""

    def __init__(self, failure: Failure, reason: str = "", retry_after: float | None = None):
        super().__init__(failure, reason)
        self.failure = failure
        self.reason = reason
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.failure}: {self.reason}"[:REASON_LENGTH]


def backoff(attempts: int, first: timedelta = FIRST_BACKOFF) -> timedelta:
    """`first` (15 s) after the first failed attempt, doubling, at most 10 minutes."""
    return min(first * (1 << min(max(attempts - 1, 0), 10)), MAX_BACKOFF)


def retry_at(
    failed: SendFailed, attempts: int, now: datetime, first: timedelta = FIRST_BACKOFF
) -> datetime | None:
    """When to try again after `attempts` attempts ended in `failed`; None: never."""
    if failed.failure is Failure.RATE_LIMITED:
        return now + timedelta(seconds=max(failed.retry_after or 1.0, 1.0))
    if failed.failure is Failure.PASSING:
        return now + backoff(attempts, first)
    if failed.failure is Failure.REFUSED and attempts < MAX_REFUSALS:
        return now + backoff(attempts, first)
    return None


def counts_as_attempt(failed: SendFailed) -> bool:
    """A 429 was Telegram asking to wait, not a try of the message itself."""
    return failed.failure is not Failure.RATE_LIMITED
