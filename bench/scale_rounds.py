"""`bench/scale.py`'s dispatcher rounds, run in the benchmark's own process with Telegram
left out: an idle round, and a day's end (every patient's session over, every next one
planned), with how long the longest transaction that writes held the database.

The longest write is read off SQLAlchemy's events: from the `begin` of a unit of work
that writes (read-only ones are marked, see `coachbot.db.engine`) to its commit or
rollback. On SQLite that is how long the one write lock was held.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.measures import Figures, ms
from catalogue.loader import load_catalogue
from coachbot import alerts, reports
from coachbot.chores import TickResult
from coachbot.db import leases
from coachbot.db import tables as t
from coachbot.db.engine import READ_ONLY, create_engine, session_factory
from coachbot.db.uow import UnitOfWork
from coachbot.dispatch import Dispatcher
from coachbot.domain.model import Outgoing, Patient, Session, Therapist
from coachbot.domain.summary import CohortSummary

IDLE_ROUNDS = 10
# A day's end is done when a round finds nothing more to do, or after this many rounds.
MOST_ROUNDS = 1000


@dataclass
class CountingCourier:
    """The dispatcher's courier with Telegram left out: counts what it was asked to send
    (an idle round sends nothing)."""

    sent: int = 0

    async def wait_for_budget(self) -> None:
        return None

    async def send_session(self, patient: Patient, session: Session) -> int:
        self.sent += 1
        return self.sent

    async def send(self, chat_id: int, message: Outgoing) -> int:
        self.sent += 1
        return self.sent

    def alert(self, notice: alerts.AlertNotice) -> Outgoing:
        return Outgoing(f"alert {notice.alert.kind}")

    def morning(self, check: reports.MorningCheck) -> Outgoing:
        return Outgoing("morning check")

    def summary(
        self, therapist: Therapist, summary: CohortSummary, now: datetime
    ) -> list[Outgoing]:
        return [Outgoing(f"summary for {therapist.id}")]


@dataclass
class Writes:
    """The length of every transaction that wrote, from the engine's events."""

    seconds: list[float] = field(default_factory=list)
    _began: dict[int, float] = field(default_factory=dict)

    def watch(self, engine: AsyncEngine) -> None:
        sync = engine.sync_engine

        @event.listens_for(sync, "begin")
        def _begin(connection: Any) -> None:
            if not connection.get_execution_options().get(READ_ONLY, False):
                self._began[id(connection)] = time.perf_counter()

        def _end(connection: Any) -> None:
            began = self._began.pop(id(connection), None)
            if began is not None:
                self.seconds.append(time.perf_counter() - began)

        event.listen(sync, "commit", _end)
        event.listen(sync, "rollback", _end)

    def longest(self) -> float:
        return max(self.seconds, default=0.0)

    def clear(self) -> None:
        self.seconds.clear()


@dataclass
class Rounds:
    first: float
    idle: list[float]
    sent: int
    first_write: float  # the longest write transaction of the first round
    idle_write: float  # ... and of the idle rounds


@dataclass
class DayEnd:
    rounds: int
    seconds: float
    longest_round: float
    longest_write: float
    missed: int
    planned: int
    sent: int


@dataclass
class Bench:
    """A dispatcher on its own engine, its courier, and the lengths of its writes."""

    engine: AsyncEngine
    dispatcher: Dispatcher
    courier: CountingCourier
    writes: Writes

    @classmethod
    def on(cls, url: str, clock: Callable[[], datetime]) -> Bench:
        engine = create_engine(url)
        writes, reads = session_factory(engine), session_factory(engine, read_only=True)
        watched, courier = Writes(), CountingCourier()
        watched.watch(engine)
        found = Dispatcher(
            lambda: UnitOfWork(writes),
            load_catalogue(),
            clock,
            courier,
            read=lambda: UnitOfWork(reads),
        )
        return cls(engine, found, courier, watched)

    async def timed_tick(self) -> tuple[float, TickResult]:
        began = time.perf_counter()
        result = await self.dispatcher.tick()
        return time.perf_counter() - began, result

    async def close(self) -> None:
        """Give up the chores' lease (the next dispatcher need not wait a minute for it)
        and the engine."""
        try:
            async with self.engine.begin() as connection:
                await connection.execute(
                    update(t.lease)
                    .where(t.lease.c.name == leases.HOUSEKEEPING)
                    .values(holder=None, expires_at=None)
                )
        finally:
            await self.engine.dispose()


async def dispatcher_rounds(url: str) -> Rounds:
    """The first round on its own, then `IDLE_ROUNDS` more, on the real clock."""
    bench = Bench.on(url, lambda: datetime.now(UTC))
    try:
        first, _result = await bench.timed_tick()
        first_write = bench.writes.longest()
        bench.writes.clear()
        idle = [(await bench.timed_tick())[0] for _ in range(IDLE_ROUNDS)]
    finally:
        await bench.close()
    return Rounds(first, idle, bench.courier.sent, first_write, bench.writes.longest())


def put_rounds(figures: Figures, key: str, backend: str, rounds: Rounds) -> None:
    median = statistics.median(rounds.idle)
    sent = f", {rounds.sent} sent" if rounds.sent else ""
    figures.put(
        key, backend, f"{ms(median)} ({ms(max(rounds.idle))}){sent}", median < 0.05 and not sent
    )


async def day_end(url: str, seeded_at: datetime) -> DayEnd:
    """The next morning: every patient's session of the seeded day is over (missed) and
    the next one is planned, round after round until none is left to plan."""
    bench = Bench.on(url, lambda: seeded_at + timedelta(days=1))
    times: list[float] = []
    missed = planned = 0
    try:
        while not times or (bench.dispatcher.behind and len(times) < MOST_ROUNDS):
            seconds, result = await bench.timed_tick()
            times.append(seconds)
            missed, planned = missed + result.missed, planned + result.planned
    finally:
        await bench.close()
    return DayEnd(
        len(times),
        sum(times),
        max(times),
        bench.writes.longest(),
        missed,
        planned,
        bench.courier.sent,
    )


def put_day_end(figures: Figures, backend: str, suffix: str, end: DayEnd) -> None:
    figures.put(
        "day_end" + suffix,
        backend,
        f"{end.rounds} rounds, {end.seconds:,.1f} s ({ms(end.longest_round)}); "
        f"{end.missed:,} missed, {end.planned:,} planned, {end.sent} sent",
        end.longest_round < 5 and not end.sent,
    )
