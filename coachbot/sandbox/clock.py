"""The sandbox's clock: the real time, moved on by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SandboxClock:
    """The time the bot sees: the real UTC time plus however far the sandbox moved it.

    It runs on with the real time between moves, so what the bot waits for (a reply's
    retry, the next dispatcher round) behaves as in production; it never goes back, as
    nothing in the bot expects time to.
    """

    def __init__(self) -> None:
        self._ahead = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self._ahead

    def timestamp(self) -> float:
        """Unix seconds: how the Bot API dates messages."""
        return self().timestamp()

    def move_to(self, moment: datetime) -> datetime:
        """Move on to `moment` (a moment already past leaves the clock as it is)."""
        now = self()
        if moment > now:
            self._ahead += moment - now
        return self()
