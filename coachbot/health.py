"""Liveness and readiness, as a host's health checks ask for them (`/healthz`, `/readyz`).

Ready means: the database answers a fresh connection within `DATABASE_TIMEOUT`, and, in a
process that dispatches, the dispatcher's job ticked within a few of its intervals (a
process whose scheduler stopped would otherwise look healthy while sending nothing).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

DATABASE_TIMEOUT = 2.0
# The dispatcher is late after this many intervals without a tick, and never sooner than
# the floor (a loaded host may run a short interval's job a little late).
LATE_AFTER_TICKS = 3
LATE_FLOOR_SECONDS = 10.0


class Heartbeat:
    """When the dispatcher's job last ran (monotonic seconds from `clock`); starts as if it
    just had."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self._clock = clock
        self._last = clock()

    def beat(self) -> None:
        self._last = self._clock()

    @property
    def age(self) -> float:
        return self._clock() - self._last

    @property
    def late(self) -> bool:
        return self.age > max(LATE_AFTER_TICKS * self.interval, LATE_FLOOR_SECONDS)


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reason: str

    def as_json(self) -> dict[str, str | bool]:
        return {"ready": self.ready, "reason": self.reason}


class ReadinessCheck:
    """Asks the database on a connection of its own, opened for each check: a pooled
    connection would still answer from a SQLite file whose folder is gone, or over a
    PostgreSQL session the server no longer accepts new ones beside."""

    def __init__(self, database_url: str, heartbeat: Heartbeat | None) -> None:
        self._engine = create_async_engine(database_url, poolclass=NullPool)
        self._heartbeat = heartbeat

    async def __call__(self) -> Readiness:
        try:
            await asyncio.wait_for(self._ask_database(), DATABASE_TIMEOUT)
        except TimeoutError:
            return Readiness(False, f"database: no answer within {DATABASE_TIMEOUT:g} s")
        except Exception as error:
            # The error's type only: its text may carry the database URL's password.
            return Readiness(False, f"database: {type(error).__name__}")
        if self._heartbeat is not None and self._heartbeat.late:
            return Readiness(False, f"dispatcher: no tick for {self._heartbeat.age:.0f} s")
        return Readiness(True, "ok")

    async def _ask_database(self) -> None:
        async with self._engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self._engine.dispose()
