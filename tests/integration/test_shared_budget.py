"""The send budget kept in the database: processes that share it share the pace."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from coachbot.budget import SendBudget
from coachbot.db.budget import SharedStore
from coachbot.db.engine import create_engine
from tests.unit.test_budget import VirtualTime, most_in_any_second

STORES: list[SharedStore] = []


def budget(engine: AsyncEngine, time: VirtualTime) -> SendBudget:
    STORES.append(SharedStore(engine))
    return SendBudget(STORES[-1], rate=28.0, clock=time, sleep=time.sleep)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    yield engine
    while STORES:
        await STORES.pop().close()
    await engine.dispose()


async def test_two_processes_sharing_the_budget_send_at_its_pace_together(
    engine: AsyncEngine,
) -> None:
    time = VirtualTime()
    first, second = budget(engine, time), budget(engine, time)  # as two processes
    for _ in range(140):
        for worker, name in ((first, "a"), (second, "b")):
            await worker.for_dispatch()
            time.note(name)
    times = [t for t, _name in time.sent]
    assert most_in_any_second(times) <= 30
    assert 9.5 <= times[-1] - times[0] <= 10.1  # 280 messages at 28 a second, not 56


async def test_a_reply_in_one_process_takes_from_the_other_processes_budget(
    engine: AsyncEngine,
) -> None:
    time = VirtualTime()
    updates, dispatch = budget(engine, time), budget(engine, time)
    for n in range(200):
        if n % 4 == 0:
            await updates.for_reply(7)
            time.note("reply")
        await dispatch.for_dispatch()
        time.note("session")
    times = [t for t, _name in time.sent]
    assert most_in_any_second(times) <= 30


@pytest.mark.sqlite_only(reason="holds SQLite's write lock with sqlite3")
async def test_replies_go_on_while_another_writer_holds_the_database(db_url: str) -> None:
    engine = create_engine(db_url, busy_timeout_ms=50)
    time = VirtualTime()
    store, dispatcher_store = SharedStore(engine), SharedStore(engine)
    pace = SendBudget(store, rate=28.0, clock=time, sleep=time.sleep)
    blocker = sqlite3.connect(db_url.split("///", 1)[1], isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        for _ in range(10):
            await asyncio.wait_for(pace.for_reply(7), 5)  # none waits for the lock
            time.note("reply")
        # The dispatcher does not send without its slot: it asks again a moment later.
        assert await dispatcher_store.reserve_if_free(time.now, 0.1) > 0
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        await store.close()
        await dispatcher_store.close()
        await engine.dispose()
    assert len(time.sent) == 10
