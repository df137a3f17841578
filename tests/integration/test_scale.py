"""What a view or a round of the dispatcher costs depends on what it shows or what is
due, not on how many patients or how much history there is: counted in SQL statements."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, update

from catalogue.loader import Catalogue
from coachbot import access, chores, views
from coachbot.chores import PLAN_PER_ROUND
from coachbot.db import tables as t
from coachbot.db.engine import create_engine, session_factory
from coachbot.db.uow import SessionFactory, UnitOfWork
from coachbot.dispatch import Dispatcher
from coachbot.domain.summary import Day
from tests import databases
from tests.integration.test_dispatch import Clock, RecordingCourier
from tests.seeding import Seeded, seed_practice, today_in

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 in Berlin: nothing due before 18:00
HISTORY = 40  # days


@dataclass
class Counted:
    sessions: SessionFactory
    reads: SessionFactory
    statements: list[str]

    def dispatcher(
        self, catalogue: Catalogue, clock: Clock, courier: RecordingCourier
    ) -> Dispatcher:
        """A dispatcher on these connections (read-only ones for what it only reads)."""
        return Dispatcher(
            lambda: UnitOfWork(self.sessions),
            catalogue,
            clock,
            courier,
            read=lambda: UnitOfWork(self.reads),
        )

    @asynccontextmanager
    async def count(self) -> AsyncIterator[list[str]]:
        start = len(self.statements)
        counted: list[str] = []
        yield counted
        counted.extend(self.statements[start:])


@asynccontextmanager
async def practice_of(url: str, patients: int) -> AsyncIterator[tuple[Counted, Seeded]]:
    engine = create_engine(url)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        counted = Counted(
            session_factory(engine), session_factory(engine, read_only=True), statements
        )
        seeded = await seed_practice(counted.sessions, [patients], HISTORY, NOW)
        yield counted, seeded
    finally:
        await engine.dispose()


View = Callable[[UnitOfWork, Any], Awaitable[Any]]


async def statements_of(counted: Counted, seeded: Seeded, view: View) -> int:
    async with counted.count() as statements, UnitOfWork(counted.reads) as uow:
        therapist = await access.therapist_of(uow, seeded.therapist_users[0])
        await view(uow, therapist)
    return len(statements)


async def export_all(uow: UnitOfWork, therapist: Any) -> int:
    return len([row async for row in views.export_rows(uow, therapist, NOW)])


VIEWS: dict[str, View] = {
    "roster": lambda uow, therapist: views.roster(uow, therapist, NOW),
    "summary": lambda uow, therapist: views.cohort_summary(uow, therapist, NOW),
    "export": export_all,
}


@pytest.mark.parametrize("name", list(VIEWS))
async def test_a_view_of_300_patients_runs_as_many_statements_as_of_10(
    database_backend: str, tmp_path: Path, name: str
) -> None:
    counts = []
    for patients in (10, 300):
        url = databases.fresh_database(database_backend, tmp_path)
        try:
            async with practice_of(url, patients) as (counted, seeded):
                counts.append(await statements_of(counted, seeded, VIEWS[name]))
        finally:
            databases.drop_database(url)
    assert counts[0] == counts[1]
    assert counts[0] <= 8


async def test_a_round_with_nothing_due_costs_the_same_for_10_and_300_patients(
    database_backend: str, tmp_path: Path, catalogue: Catalogue
) -> None:
    counts = []
    for patients in (10, 300):
        url = databases.fresh_database(database_backend, tmp_path)
        try:
            async with practice_of(url, patients) as (counted, _seeded):
                clock = Clock(NOW)
                dispatcher = counted.dispatcher(catalogue, clock, RecordingCourier(clock))
                await dispatcher.tick()  # the first round also sweeps and checks silence
                clock.advance(seconds=5)
                async with counted.count() as statements:
                    result = await dispatcher.tick()
                assert not result
                counts.append(len(statements))
        finally:
            databases.drop_database(url)
    assert counts[0] == counts[1]


async def test_progress_counts_a_streak_longer_than_its_window(
    database_backend: str, tmp_path: Path
) -> None:
    url = databases.fresh_database(database_backend, tmp_path)
    try:
        async with practice_of(url, 1) as (counted, seeded):
            async with counted.sessions() as session, session.begin():
                # All done but one missed day 36 days ago, and two excused days since.
                await session.execute(
                    update(t.session).where(t.session.c.state != "planned").values(state="done")
                )
                await session.execute(
                    update(t.session)
                    .where(t.session.c.local_date == today_in(NOW) - timedelta(days=36))
                    .values(state="missed")
                )
                await session.execute(
                    update(t.session)
                    .where(
                        t.session.c.local_date.in_(
                            [today_in(NOW) - timedelta(days=n) for n in (3, 30)]
                        )
                    )
                    .values(state="excused")
                )
            async with UnitOfWork(counted.reads) as uow:
                patient = await uow.patients.get(seeded.patient_ids[0])
                assert patient is not None
                progress = await views.progress(uow, patient, NOW)
    finally:
        databases.drop_database(url)
    assert progress.streak == 35 - 2  # excused days neither extend nor break it
    assert len(progress.days) == views.PROGRESS_DAYS
    assert progress.days[-1].state == "planned"  # today's, still to come
    assert progress.adherence_28.prescribed == 27 - 1  # open today and one excused day


async def test_a_day_end_for_many_patients_is_planned_over_rounds_and_holds_up_nothing(
    database_backend: str, tmp_path: Path, catalogue: Catalogue
) -> None:
    patients = 2 * PLAN_PER_ROUND + 100
    morning = NOW + timedelta(days=1)
    tomorrow = today_in(morning)
    url = databases.fresh_database(database_backend, tmp_path)
    try:
        async with practice_of(url, patients) as (counted, seeded):
            early = seeded.patient_ids[-1]
            async with counted.sessions() as session, session.begin():
                # One patient's session falls due this morning, while all the others'
                # sessions of yesterday are over.
                await session.execute(
                    update(t.session)
                    .where(t.session.c.patient_id == early, t.session.c.state == "planned")
                    .values(
                        local_date=tomorrow,
                        due_at=morning - timedelta(minutes=1),
                        ends_at=morning + timedelta(hours=12),
                    )
                )
            clock = Clock(morning)
            courier = RecordingCourier(clock)
            dispatcher = counted.dispatcher(catalogue, clock, courier)
            rounds: list[chores.TickResult] = []
            while not rounds or dispatcher.behind:
                rounds.append(await dispatcher.tick())
                clock.advance(seconds=5)
            async with counted.sessions() as session:
                planned = await session.scalar(
                    select(func.count()).where(
                        t.session.c.state == "planned", t.session.c.local_date == tomorrow
                    )
                )
    finally:
        databases.drop_database(url)
    assert [(r.missed, r.planned) for r in rounds] == [
        (patients - 1, PLAN_PER_ROUND),
        (0, PLAN_PER_ROUND),
        (0, 99),
    ]
    assert rounds[0].sent == 1 and len(courier.sent) == 1  # not kept waiting
    assert planned == patients - 1


async def test_the_roster_shows_each_patients_newest_report_and_first_weeks_pain(
    database_backend: str, tmp_path: Path
) -> None:
    url = databases.fresh_database(database_backend, tmp_path)
    try:
        async with practice_of(url, 10) as (counted, seeded), UnitOfWork(counted.reads) as uow:
            therapist = await access.therapist_of(uow, seeded.therapist_users[0])
            rows = await views.roster(uow, therapist, NOW)
            # The same, read the long way: every report of every patient.
            history = (
                await uow.session.execute(
                    select(t.session.c.patient_id, t.session.c.local_date)
                    .add_columns(t.session.c.state, t.report.c.pain_after)
                    .join(t.report, t.report.c.session_id == t.session.c.id)
                    .order_by(t.session.c.local_date)
                )
            ).all()
    finally:
        databases.drop_database(url)
    assert len(rows) == 10
    for row in rows:
        mine = [entry for entry in history if entry.patient_id == row.patient_id]
        newest = mine[-1]
        assert row.last_report == Day(newest.local_date, newest.state, newest.pain_after)
        painful = [entry for entry in mine if entry.pain_after is not None]
        week = [
            entry.pain_after
            for entry in painful
            if entry.local_date < painful[0].local_date + timedelta(days=7)
        ]
        assert row.pain_first_week == pytest.approx(sum(week) / len(week))


async def test_a_day_end_closes_at_most_so_many_sessions_a_round_and_never_sends_them(
    database_backend: str, tmp_path: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Scaled down: chunks of 100 sessions, two a round (500 and ten in production).
    monkeypatch.setattr(chores, "CHUNK", 100)
    monkeypatch.setattr(chores, "CHUNKS_PER_ROUND", 2)
    patients = 450
    evening = NOW.replace(hour=22, minute=30)  # 23:30 in Berlin
    url = databases.fresh_database(database_backend, tmp_path)
    try:
        async with practice_of(url, patients) as (counted, _seeded):
            async with counted.sessions() as session, session.begin():
                # Every session of the day fell due at 23:15, still within the grace
                # period when the day ends at midnight.
                await session.execute(
                    update(t.session)
                    .where(t.session.c.state == "planned")
                    .values(due_at=evening - timedelta(minutes=15))
                )
            clock = Clock(evening + timedelta(hours=1))  # 00:30: the day is over
            courier = RecordingCourier(clock)
            dispatcher = counted.dispatcher(catalogue, clock, courier)
            missed: list[int] = []
            while not missed or dispatcher.behind:
                missed.append((await dispatcher.tick()).missed)
                clock.advance(seconds=5)
    finally:
        databases.drop_database(url)
    assert missed[:3] == [200, 200, 50]
    assert courier.sent == []  # a day that is over is not reminded of, however late
