"""How long a burst of due sessions takes to go out, and how fast replies stay meanwhile.

N patients all train at 18:00 Berlin; at 18:00 the dispatcher sends every session
while one patient keeps asking /help. Run:

    .venv/bin/python -m bench.dispatch_burst [N]

It uses the fake Bot API from tests/ on 127.0.0.1 (no network) and a SQLite file
in a temporary folder. Results are written up in bench/README.md.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from coachbot import services
from coachbot.db.engine import create_engine, session_factory
from coachbot.db.migrate import upgrade
from coachbot.db.uow import UnitOfWork
from tests.conftest import Clock, make_settings, start_bot
from tests.fakebot import FakeBotApi

START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 in Berlin


async def enrol_many(url: str, count: int, catalogue: object, now: datetime) -> None:
    engine = create_engine(url)
    factory = session_factory(engine)
    try:
        for user_id in range(10_000, 10_000 + count):
            async with UnitOfWork(factory) as uow:
                patient = await services.consent(
                    uow,
                    telegram_user_id=user_id,
                    chat_id=user_id,
                    language="en",
                    timezone="Europe/Berlin",
                    first_step="ob:days",
                    now=now,
                )
                patient.conditions = ["poor_posture"]
                patient.baseline_pain = 3
                await services.finish_enrolment(uow, patient, catalogue, now)  # type: ignore[arg-type]
                await uow.commit()
    finally:
        await engine.dispose()


async def main(count: int, url: str) -> None:
    fake = FakeBotApi()
    await fake.start()
    clock = Clock(START)
    settings = make_settings(
        fake, url, dispatch_interval_seconds=1.0, dispatch_messages_per_second=20
    )
    bot = await start_bot(settings, clock)
    catalogue = bot.application.bot_data["services"].catalogue
    await enrol_many(url, count, catalogue, START)
    for user_id in range(10_000, 10_000 + count):
        fake.user(user_id, f"P{user_id}", "en")  # the fake knows them, as Telegram would
    asker = fake.user(1, "Asker", "en")

    clock.set(START + timedelta(hours=9))  # 18:00 in Berlin: everything falls due
    began = time.perf_counter()
    latencies: list[float] = []

    def sessions_out() -> int:
        return sum(
            1 for call in fake.calls_to("sendMessage") if "Your training" in str(call.params)
        )

    while sessions_out() < count:
        asked = time.perf_counter()
        await fake.send(asker, "/help")
        await fake.next_message(asker.chat_id, timeout=30)
        latencies.append(time.perf_counter() - asked)
        await asyncio.sleep(0.1)  # one question every ~100 ms, like a busy patient
    elapsed = time.perf_counter() - began
    await bot.stop()
    await fake.stop()
    print(f"patients: {count}")
    print(f"all sessions sent in {elapsed:.1f} s ({count / elapsed:.1f} sessions/s)")
    print(
        f"/help reply latency during the burst: median {statistics.median(latencies) * 1000:.0f}"
        f" ms, max {max(latencies) * 1000:.0f} ms over {len(latencies)} requests"
    )


if __name__ == "__main__":
    database = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    upgrade(database)  # synchronous: before the event loop starts
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300, database))
