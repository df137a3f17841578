"""The bot-wide send budget in the database, so that every process shares it.

One row, `send_budget.tat` (see `coachbot.budget`), moved on in one UPDATE per message,
on a connection of its own kept open (one statement per message is all a reply should
cost, so it is sent through the driver itself). If the database cannot be reached in
time (another writer holds SQLite's lock, say), replies carry on paced by this process
alone at half the rate rather than keep people waiting; the dispatcher, which can wait,
asks again a moment later.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from coachbot.budget import LocalStore

log = logging.getLogger(__name__)

BOT = "bot"
# How long replies stay on the local budget before trying the database again.
FALLBACK_SECONDS = 5.0
# How long the dispatcher waits before asking a busy database for a slot again.
DISPATCH_RETRY = 0.1

# The statements, in each driver's own words: a reply costs one round trip to the
# database and nothing more (through SQLAlchemy's session it cost four times as much).
_SQL = {
    "sqlite": {
        "reserve": "UPDATE send_budget SET tat = max(tat, ?1) + ?2 WHERE name = ?3 RETURNING tat",
        "take": "UPDATE send_budget SET tat = max(tat, ?1 - ?2) + ?2 "
        "WHERE name = ?3 AND tat <= ?1 RETURNING tat",
        "read": "SELECT tat FROM send_budget WHERE name = ?1",
    },
    "postgresql": {
        "reserve": "UPDATE send_budget SET tat = greatest(tat, $1) + $2 WHERE name = $3 "
        "RETURNING tat",
        "take": "UPDATE send_budget SET tat = greatest(tat, $1 - $2) + $2 "
        "WHERE name = $3 AND tat <= $1 RETURNING tat",
        "read": "SELECT tat FROM send_budget WHERE name = $1",
    },
}


class SharedStore:
    """The bot-wide budget in one database row (a `coachbot.budget.BudgetStore`), on a
    driver connection of its own, each statement committed on its own."""

    def __init__(self, engine: AsyncEngine, name: str = BOT) -> None:
        self._engine = engine
        self._sql = _SQL[engine.dialect.name]
        self._name = name
        self._connection: AsyncConnection | None = None
        self._lock = asyncio.Lock()
        self._fallback = LocalStore()
        self._fallback_until = 0.0

    async def reserve(self, now: float, interval: float) -> float:
        if time.monotonic() < self._fallback_until:
            return await self._fallback.reserve(now, interval * 2)
        try:
            tat = await self._scalar("reserve", now, interval, self._name)
        except Exception as error:  # the driver's own errors: locked, gone, ...
            log.warning("send budget: database unavailable (%s); pacing alone a while", error)
            self._fallback_until = time.monotonic() + FALLBACK_SECONDS
            return await self._fallback.reserve(now, interval * 2)
        return (float(tat) if tat is not None else now + interval) - interval

    async def reserve_if_free(self, now: float, interval: float) -> float:
        """The dispatcher's slot. Without the database it waits and asks again rather
        than pace alone: two workers each pacing alone would together send too much."""
        try:
            if await self._scalar("take", now, interval, self._name) is not None:
                return 0.0
            tat = await self._scalar("read", self._name)
        except Exception:
            return DISPATCH_RETRY
        return max((float(tat) if tat is not None else now) - now, 0.001)

    async def close(self) -> None:
        async with self._lock:
            if self._connection is not None:
                await self._connection.close()
                self._connection = None

    async def _scalar(self, which: str, *params: object) -> Any:
        async with self._lock:
            if self._connection is None:
                self._connection = await self._engine.connect()
            connection = self._connection
            driver: Any = (await connection.get_raw_connection()).driver_connection
            try:
                if self._engine.dialect.name == "sqlite":
                    async with driver.execute(self._sql[which], params) as cursor:
                        row = await cursor.fetchone()
                    return None if row is None else row[0]
                return await driver.fetchval(self._sql[which], *params)
            except Exception:
                # A broken or busy connection: the next call starts on a fresh one.
                self._connection = None
                await connection.invalidate()
                await connection.close()
                raise
