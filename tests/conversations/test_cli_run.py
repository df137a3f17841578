"""`coachbot run` as an operator starts it: migrate, poll, answer a user, stop cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.botprocess import BotProcess
from tests.fakebot import FakeBotApi


async def test_coachbot_run_migrates_serves_and_stops_cleanly(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env |= {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "LOG_LEVEL": "DEBUG",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "coachbot",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    # Read the log as it comes: at DEBUG it outgrows the pipe's buffer, and a process
    # blocked writing to a full pipe would never start.
    assert process.stderr is not None
    log_reader = asyncio.ensure_future(process.stderr.read())
    try:
        user = fake.user(2001, "Olga", "de")
        await fake.wait_until(lambda: bool(fake.commands.get("de")), timeout=30, what="start-up")
        await fake.send(user, "/start")
        welcome = await fake.next_message(user.chat_id, timeout=10)
        assert "Willkommen" in welcome["text"]
        assert (tmp_path / "bot.db").exists()
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), timeout=30)
    log = (await log_reader).decode()
    assert process.returncode == 0, log
    assert fake.token not in log
    assert "coachbot started as @" in log


async def test_telegram_failing_polls_is_a_warning_not_a_traceback(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    """getUpdates answering 502 a few times (Telegram's passing trouble): the bot keeps
    polling, answers once Telegram is back, and logs one warning line per failure."""
    bot = BotProcess(fake, f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", tmp_path)
    await bot.start()
    try:
        user = fake.user(2002, "Olga", "en")
        await fake.wait_until(lambda: bool(fake.commands.get("de")), timeout=30, what="start-up")
        fake.fail("getUpdates", status=502, times=3)
        await fake.send(user, "/start")
        assert "Welcome" in (await fake.next_message(user.chat_id, timeout=30))["text"]
    finally:
        assert await bot.stop() == 0
    log = bot.log
    assert log.count("polling: getUpdates failed, trying again") >= 1, log
    assert "Traceback" not in log, log
