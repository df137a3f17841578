"""The bot-wide send budget in the database, so that every process shares it.

One row, `send_budget.tat` (see `coachbot.budget`), moved on in one UPDATE per message.
If the database cannot be reached in time (another writer holds SQLite's lock, say),
replies carry on paced by this process alone at half the rate rather than keep people
waiting; the dispatcher, which can wait, asks again a moment later.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import case, select, update
from sqlalchemy.exc import DBAPIError

from coachbot.budget import LocalStore
from coachbot.db import tables as t
from coachbot.db.uow import SessionFactory

log = logging.getLogger(__name__)

BOT = "bot"
# How long replies stay on the local budget before trying the database again.
FALLBACK_SECONDS = 5.0
# How long the dispatcher waits before asking a busy database for a slot again.
DISPATCH_RETRY = 0.1


class SharedStore:
    """The bot-wide budget in one database row (a `coachbot.budget.BudgetStore`)."""

    def __init__(self, sessions: SessionFactory, name: str = BOT) -> None:
        self._sessions = sessions
        self._name = name
        self._fallback = LocalStore()
        self._fallback_until = 0.0

    async def reserve(self, now: float, interval: float) -> float:
        if self._on_fallback():
            return await self._fallback.reserve(now, interval * 2)
        row = t.send_budget.c
        try:
            async with self._sessions() as session, session.begin():
                tat = await session.scalar(
                    update(t.send_budget)
                    .where(row.name == self._name)
                    .values(tat=case((row.tat > now, row.tat), else_=now) + interval)
                    .returning(row.tat)
                )
        except DBAPIError as error:
            self._fall_back(error)
            return await self._fallback.reserve(now, interval * 2)
        return (tat if tat is not None else now + interval) - interval

    async def reserve_if_free(self, now: float, interval: float) -> float:
        """The dispatcher's slot. Without the database it waits and asks again rather
        than pace alone: two workers each pacing alone would together send too much."""
        row = t.send_budget.c
        try:
            async with self._sessions() as session, session.begin():
                taken = await session.scalar(
                    update(t.send_budget)
                    .where(row.name == self._name, row.tat <= now)
                    .values(
                        tat=case((row.tat > now - interval, row.tat), else_=now - interval)
                        + interval
                    )
                    .returning(row.tat)
                )
                if taken is not None:
                    return 0.0
                tat = await session.scalar(select(row.tat).where(row.name == self._name))
        except DBAPIError:
            return DISPATCH_RETRY
        return max((tat or now) - now, 0.001)

    def _on_fallback(self) -> bool:
        return time.monotonic() < self._fallback_until

    def _fall_back(self, error: DBAPIError) -> None:
        log.warning("send budget: database unavailable (%s); pacing alone for a while", error.orig)
        self._fallback_until = time.monotonic() + FALLBACK_SECONDS
