"""The dispatcher scheduling a therapist's first summary never overwrites the schedule the
therapist chose meanwhile (seen once in CI on PostgreSQL: a daily choice lost to the
weekly default, so no summary came for a week)."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, time
from typing import Any

import pytest
from sqlalchemy import event

from coachbot import summaries, therapists
from coachbot.db.engine import create_engine, session_factory
from coachbot.db.uow import UnitOfWork
from coachbot.domain.vocabulary import Language, SummaryFrequency
from tests import databases

MONDAY_MORNING = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 in Berlin


async def choose_daily(url: str, therapist_id: int) -> None:
    """The therapist taps "Daily" (their own process's connection)."""
    engine = create_engine(url)
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            chosen = await uow.therapists.get(therapist_id)
            assert chosen is not None
            summaries.set_summary_schedule(
                chosen, MONDAY_MORNING, frequency=SummaryFrequency.DAILY, at=time(7, 30)
            )
            await uow.commit()
    finally:
        await engine.dispose()


async def test_a_schedule_chosen_while_the_dispatcher_schedules_the_first_summary_stays(
    db_url: str,
) -> None:
    if databases.is_sqlite(db_url):
        pytest.skip("SQLite has one writer at a time: the two cannot interleave")
    engine = create_engine(db_url)
    sessions = session_factory(engine)
    async with UnitOfWork(sessions) as uow:
        therapist = await therapists.add_therapist(uow, "Dr. Weber", MONDAY_MORNING)
        assert therapist.signup_code is not None
        await therapists.sign_up_therapist(
            uow, therapist.signup_code, 5001, Language.EN, "Europe/Berlin"
        )
        therapist.next_summary_at = None  # signed up, the first summary not yet scheduled
        await uow.commit()
    therapist_id = therapist.id
    assert therapist_id is not None

    # Right after the dispatcher's round has read the unscheduled therapist, the therapist
    # chooses daily summaries in another connection (given a second to commit).
    choice: list[threading.Thread] = []

    def interleave(connection: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if choice or "next_summary_at IS NULL" not in statement:
            return
        thread = threading.Thread(target=asyncio.run, args=(choose_daily(db_url, therapist_id),))
        choice.append(thread)
        thread.start()
        thread.join(timeout=1.0)

    event.listen(engine.sync_engine, "after_cursor_execute", interleave)
    try:
        async with UnitOfWork(sessions) as dispatcher:
            await summaries.due_summaries(dispatcher, MONDAY_MORNING, 10)
            await dispatcher.commit()
    finally:
        event.remove(engine.sync_engine, "after_cursor_execute", interleave)
    assert choice, "the dispatcher never looked for unscheduled therapists"
    await asyncio.to_thread(choice[0].join, 30)

    async with UnitOfWork(sessions) as uow:
        final = await uow.therapists.get(therapist_id)
        assert final is not None
        assert final.summary_frequency == SummaryFrequency.DAILY
        # Tuesday 07:30 in Berlin, not the weekly default's next Monday.
        assert final.next_summary_at == datetime(2026, 11, 24, 6, 30, tzinfo=UTC)
    await engine.dispose()
