"""One send budget for the whole bot, counted in messages and shared by every process.

Telegram lets a bot send about 30 messages a second in all and about one a second into
one chat (short bursts pass); beyond that it answers 429 and asks the bot to wait.

The bot-wide budget is a GCRA (generic cell rate algorithm, the "virtual scheduling" form
of a token bucket): one number, the theoretical arrival time (TAT) of the next message,
which each message moves on by one interval. Kept in the database (`db/budget.py`), it
is shared by every process on one bot in one short UPDATE per message. Replies to people
reserve their slot at once, in order, and may run a slot ahead of the schedule; the
dispatcher takes a slot only when the budget is free right now. So replies come first,
and the dispatcher uses what they leave.

The default rate, 28/s with a tolerance of one slot (a reply may take the next slot
early; the dispatcher, waking up late, may count its slot from one interval back),
keeps any one-second window at 30 messages or fewer: a GCRA at interval T with
tolerance τ lets at most (1 + τ)/T + 1 through in a second.

Per chat, each process keeps its own GCRA (one message a second after a short burst):
a person's replies all come from the one process receiving updates, and the dispatcher
sends a chat a session a day. A 429 holds only its chat, for the time Telegram asked.

Hand-written rather than PTB's `AIORateLimiter`, which pauses every request on any 429
and counts only within one process.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

Sleep = Callable[[float], Awaitable[None]]

BOT_RATE = 28.0
CHAT_RATE = 1.0
CHAT_BURST = 3
CHAT_MARGIN = 0.05


class BudgetStore(Protocol):
    async def reserve(self, now: float, interval: float) -> float:
        """Take the next slot unconditionally; returns its time (TAT before, at least now)."""
        ...

    async def reserve_if_free(self, now: float, interval: float) -> float:
        """Take a slot if one is free now (returns 0), else how long until one is (s).

        A slot taken late counts from up to one interval back, so the moment lost waking
        up is not lost from the budget; that allows no more than replies already may.
        """
        ...


class LocalStore:
    """The budget in this process's memory (one process, or a fallback)."""

    def __init__(self) -> None:
        self.tat = 0.0

    async def reserve(self, now: float, interval: float) -> float:
        slot = max(self.tat, now)
        self.tat = slot + interval
        return slot

    async def reserve_if_free(self, now: float, interval: float) -> float:
        if self.tat > now:
            return self.tat - now
        self.tat = max(self.tat, now - interval) + interval
        return 0.0


class SendBudget:
    """Waits until a message may go out: `for_reply`, `for_dispatch`, `for_chat`."""

    def __init__(
        self,
        store: BudgetStore,
        *,
        rate: float = BOT_RATE,
        chat_rate: float = CHAT_RATE,
        chat_burst: int = CHAT_BURST,
        clock: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._store = store
        self._interval = 1.0 / rate
        self._chat_interval = 1.0 / chat_rate
        # A chat may run this far ahead of its schedule: a burst of `chat_burst`, less a
        # margin for requests that reach Telegram a little closer together than sent.
        self._chat_tolerance = max((chat_burst - 1) * self._chat_interval - CHAT_MARGIN, 0.0)
        self._chats: dict[int, float] = {}
        self._clock = clock
        self._sleep = sleep

    async def for_reply(self, chat_id: int | None) -> None:
        """A reply to a person: first in line, in the order asked."""
        await self.for_chat(chat_id)
        now = self._clock()
        slot = await self._store.reserve(now, self._interval)
        # One slot of tolerance: a reply may use the slot the dispatcher would take next.
        wait = slot - self._interval - now
        if wait > 0:
            await self._sleep(wait)

    async def for_dispatch(self) -> None:
        """A message the dispatcher sends: only when the bot's budget is free right now."""
        while True:
            wait = await self._store.reserve_if_free(self._clock(), self._interval)
            if wait <= 0:
                return
            await self._sleep(wait)

    async def for_chat(self, chat_id: int | None) -> None:
        """The chat's own pace (the bot-wide slot is taken separately)."""
        if chat_id is None:
            return
        now = self._clock()
        self._forget_idle(now)
        slot = max(self._chats.get(chat_id, now), now)
        self._chats[chat_id] = slot + self._chat_interval
        wait = slot - self._chat_tolerance - now
        if wait > 0:
            await self._sleep(wait)

    def hold(self, chat_id: int | None, seconds: float) -> None:
        """Telegram answered 429 for this chat: nothing more to it for `seconds`."""
        if chat_id is None:
            return
        resume = self._clock() + seconds
        # The next slot must not come before `resume`, even with the burst tolerance.
        self._chats[chat_id] = max(self._chats.get(chat_id, 0.0), resume + self._chat_tolerance)

    def _forget_idle(self, now: float) -> None:
        """Chats whose schedule lies in the past need no entry (bounded memory)."""
        if len(self._chats) > 10_000:
            self._chats = {chat: tat for chat, tat in self._chats.items() if tat > now}
