"""Moving the sandbox's time on, with the bot running all along.

Time passes in steps, stopping at every moment something falls due (a session, the end
of a training day, a next-morning check, a weekly summary, a retry) and at least every
few hours, so that the dispatcher does at each step what it would have done then: a
session is sent at its time and, unanswered, counts as missed when its day ends, rather
than all of it being found hours late in one round.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select

from coachbot.db import tables
from coachbot.dispatch import Dispatcher
from coachbot.domain.vocabulary import SessionState
from coachbot.sandbox.clock import SandboxClock
from conversations.context import Services

# Silence alerts and the safety sweep are looked at hourly; days are never skipped.
LONGEST_STEP = timedelta(hours=3)
# A round that still finds work is followed by another, up to this many per step.
ROUNDS_PER_STEP = 8
# Sessions still waiting for the dispatcher count as ongoing, not as "the next session".
OPEN = (SessionState.SENT, SessionState.SENDING)


class Timeline:
    """The clock moved on in steps, the dispatcher working through each."""

    def __init__(self, services: Services, dispatcher: Dispatcher, clock: SandboxClock) -> None:
        self._services = services
        self._dispatcher = dispatcher
        self._clock = clock

    async def next_session(self) -> datetime | None:
        """When the earliest planned session is due (None: none is planned)."""
        s = tables.session.c
        return await self._earliest(
            select(func.min(s.due_at)).where(s.state == SessionState.PLANNED)
        )

    async def to_next_session(self) -> bool:
        """Let time pass to when the next session is due; False if none is in sight.

        A session sent today and not answered yet is followed by the next one only once
        its day ended (then the next is planned), so time passes through that first."""
        await self.settle()
        for _ in range(3):
            due = await self.next_session()
            if due is not None:
                await self.pass_until(due)
                return True
            s = tables.session.c
            end = await self._earliest(select(func.min(s.ends_at)).where(s.state.in_(OPEN)))
            if end is None:
                return False
            await self.pass_until(end + timedelta(minutes=1))
        return False

    def next_weekday(self, weekday: int, at: time, zone: str) -> datetime:
        """The next `weekday` (0 = Monday) at `at` local time in `zone`, after now."""
        local = self._clock().astimezone(ZoneInfo(zone))
        days = (weekday - local.weekday()) % 7
        moment = datetime.combine(local.date() + timedelta(days=days), at, local.tzinfo)
        if moment <= local:
            moment += timedelta(days=7)
        return moment

    async def pass_until(self, target: datetime) -> None:
        """Let time pass up to `target`."""
        while True:
            now = self._clock()
            step = min(target, now + LONGEST_STEP)
            due = await self._next_due(now)
            if due is not None:
                step = min(step, due)
            self._clock.move_to(step)
            await self.settle()
            if step >= target:
                return

    async def settle(self) -> None:
        """Dispatcher rounds until one finds nothing to do (or the step's limit)."""
        for _ in range(ROUNDS_PER_STEP):
            result = await self._dispatcher.tick()
            if not result and not self._dispatcher.behind:
                return

    async def _next_due(self, now: datetime) -> datetime | None:
        """The first moment after `now` at which something falls due."""
        s, r, t, o = tables.session.c, tables.report.c, tables.therapist.c, tables.outbox.c
        queries = [
            select(func.min(s.due_at)).where(s.state == SessionState.PLANNED, s.due_at > now),
            select(func.min(s.ends_at)).where(s.state.in_(OPEN), s.ends_at > now),
            select(func.min(s.retry_at)).where(s.retry_at > now),
            select(func.min(r.morning_due_at)).where(r.morning_due_at > now),
            select(func.min(t.next_summary_at)).where(t.next_summary_at > now),
            select(func.min(o.retry_at)).where(o.retry_at > now),
        ]
        return await self._earliest(*queries)

    async def _earliest(self, *queries: Select[Any]) -> datetime | None:
        """The earliest of the moments the queries (each a MIN) find; None if none."""
        moments: list[datetime] = []
        async with self._services.read() as uow:
            for query in queries:
                moment: datetime | None = await uow.session.scalar(query)
                if moment is not None:
                    moments.append(moment)
        return min(moments, default=None)
