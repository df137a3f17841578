"""Coachbot as an operator runs it: real `coachbot run` processes against the fake Bot API
with Telegram's flood control, killed with SIGKILL mid-burst, a database held busy,
faults injected, several workers at once. Per chat: nothing twice; lost at most what was
on the wire when a process died."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from tests.botprocess import (
    BotProcess,
    SessionWatch,
    seed_due_sessions,
    session_states,
    sessions_delivered,
)
from tests.conftest import wait_for
from tests.databases import is_sqlite
from tests.fakebot import FakeBotApi

BURST = 120
CONCURRENCY = 4  # the dispatcher's default: at most this many sends on the wire at once
LOCK_HELD_SECONDS = 3.0  # three times the bot's busy timeout in that test


async def burst(fake: FakeBotApi, database_url: str, count: int = BURST) -> list[int]:
    fake.flood_control()  # 30/s for the bot, about 1/s per chat, 429 beyond
    chats = await seed_due_sessions(database_url, count)
    for chat in chats:
        fake.user(chat, f"P{chat}", "en")
    return chats


def delivered(fake: FakeBotApi, chats: list[int]) -> dict[int, int]:
    return {chat: sessions_delivered(fake, chat) for chat in chats}


async def wait_delivered(fake: FakeBotApi, chats: list[int], at_least: int, timeout: float) -> None:  # noqa: ASYNC109
    watch = SessionWatch(fake)
    await fake.wait_until(
        lambda: watch.reached(chats) >= at_least,
        timeout=timeout,
        what=f"{at_least} sessions delivered",
    )


async def out(database_url: str, count: int) -> bool:
    """Every seeded session is out (sent, claimed by a killed process, or given up)."""
    states = await session_states(database_url)
    return states.get("sent", 0) + states.get("sending", 0) + states.get("undelivered", 0) >= count


async def test_kill_9_mid_burst_loses_at_most_what_was_on_the_wire(
    fake: FakeBotApi, database_url: str, tmp_path: Path
) -> None:
    chats = await burst(fake, database_url)
    bot = BotProcess(fake, database_url, tmp_path)
    for kill_after in (15, 60):
        await bot.start()
        await wait_delivered(fake, chats, kill_after, timeout=60)
        bot.kill()
        assert await bot.exited() == -9
    await bot.start()  # the third start finishes the burst
    try:
        await wait_for(lambda: out(database_url, BURST), timeout=90)
    finally:
        assert await bot.stop() == 0, bot.log
    counts = delivered(fake, chats)
    assert max(counts.values()) == 1, "a session arrived twice"
    lost = [chat for chat, n in counts.items() if n == 0]
    states = await session_states(database_url)
    # The lost ones can only be claims of the killed processes: on the wire when they died.
    assert states.get("sending", 0) <= 2 * CONCURRENCY
    assert len(lost) <= states.get("sending", 0)
    assert "Traceback" not in bot.log


@pytest.mark.sqlite_only(reason="holds SQLite's write lock from another process")
async def test_a_database_held_busy_mid_burst_loses_nothing(
    fake: FakeBotApi, database_url: str, tmp_path: Path
) -> None:
    chats = await burst(fake, database_url)
    bot = BotProcess(fake, database_url, tmp_path, SQLITE_BUSY_TIMEOUT_MS="1000")
    await bot.start()
    try:
        # Early in the burst, so that most of it (about 4 s of sending) is still to go
        # when the lock is taken, however slow the machine.
        await wait_delivered(fake, chats, 10, timeout=60)
        blocker = sqlite3.connect(database_url.split("///", 1)[1], isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        assert sum(delivered(fake, chats).values()) < BURST, "the burst was over already"
        try:
            # The fault itself, not a wait for the bot: another writer holds the lock.
            await asyncio.sleep(LOCK_HELD_SECONDS)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        await wait_delivered(fake, chats, BURST, timeout=60)
    finally:
        assert await bot.stop() == 0, bot.log
    assert set(delivered(fake, chats).values()) == {1}
    states = await session_states(database_url)
    assert states.get("sending", 0) == 0 and states.get("sent") == BURST
    assert "database" in bot.log  # it noticed, and said so in one line each time
    assert "Traceback" not in bot.log


async def test_faults_repeat_nothing_and_every_session_has_its_buttons(
    fake: FakeBotApi, database_url: str, tmp_path: Path
) -> None:
    chats = await burst(fake, database_url, 80)
    # One in five sends fails: server errors, refusals, and answers that come too late
    # (the message arrived, the bot timed out waiting).
    fake.chaos(0.2, statuses=(500, 502, 400), timeout_share=0.25, delay=2.0, seed=8)
    bot = BotProcess(
        fake, database_url, tmp_path, DISPATCH_RETRY_SECONDS="0.5", TELEGRAM_READ_TIMEOUT="1"
    )
    await bot.start()
    try:
        await wait_for(lambda: out(database_url, 80), timeout=90)
    finally:
        assert await bot.stop() == 0, bot.log
    states = await session_states(database_url)
    counts = delivered(fake, chats)
    assert max(counts.values()) == 1, "a session arrived twice"
    assert sum(counts.values()) == 80 - states.get("undelivered", 0)
    for chat in chats:
        for call in fake.delivered(chat, "sendMessage"):
            data = [
                button["callback_data"]
                for row in call.params["reply_markup"]["inline_keyboard"]
                for button in row
            ]
            assert any(d.endswith(":done") for d in data), "a session without its buttons"
    assert "Traceback" not in bot.log


async def test_two_dispatch_workers_send_every_session_once_within_the_budget(
    fake: FakeBotApi, database_url: str, tmp_path: Path
) -> None:
    chats = await burst(fake, database_url, 150)
    workers = [BotProcess(fake, database_url, tmp_path, role="dispatch") for _ in range(2)]
    for worker in workers:
        await worker.start()
    try:
        await wait_delivered(fake, chats, 150, timeout=90)
    finally:
        for worker in workers:
            assert await worker.stop() == 0, worker.log
    assert set(delivered(fake, chats).values()) == {1}
    # The shared budget (28/s) kept the pair within Telegram's 30 a second: two workers
    # pacing alone would send 56 a second, and the flood model would refuse hundreds.
    # A few may reach the fake closer together than they were sent (two busy cores).
    assert len(fake.flood_refusals()) <= 5
    assert all("Traceback" not in worker.log for worker in workers)


async def test_a_second_process_receiving_updates_refuses_to_start(
    fake: FakeBotApi, database_url: str, tmp_path: Path
) -> None:
    first = BotProcess(fake, database_url, tmp_path)
    await first.start()
    try:
        await fake.wait_until(lambda: fake.waiting_polls >= 1, timeout=30, what="polling")
        second = BotProcess(fake, database_url, tmp_path, role="updates")
        await second.start()
        assert await second.exited() == 2
        lines = second.log.strip().splitlines()
        assert "another process" in lines[-1] and "--role dispatch" in lines[-1]
        assert "Traceback" not in second.log
        # The first still answers, once.
        olga = fake.user(2001, "Olga", "en")
        await fake.send(olga, "/start")
        welcome = await fake.next_message(olga.chat_id, timeout=10)
        assert "Welcome" in welcome["text"]
        assert len(fake.messages(olga.chat_id)) == 1
    finally:
        assert await first.stop() == 0, first.log
    # A clean stop gives the lease back: the next process starts at once.
    again = BotProcess(fake, database_url, tmp_path, role="updates")
    await again.start()
    await fake.wait_until(lambda: fake.waiting_polls >= 1, timeout=30, what="polling again")
    assert await again.stop() == 0
    assert is_sqlite(database_url) or "postgresql" in database_url
