"""A burst of due sessions under Telegram's flood control, with people chatting meanwhile.

1,000 sessions fall due at once while five people each send a message, wait for the
answer, pause 0.5 s and go again. Real `coachbot run` processes talk to the fake Bot API
(`tests/fakebot.py`, in this process) with its flood model on: 30 messages/s for the bot
with a small burst, about 1/s per chat, 429 beyond. Measured, per scenario:

- delivered, lost and duplicated sessions (per chat, from the fake's log);
- the bot's whole sending rate during the burst (sessions and replies), in messages/s;
- reply time of the chatters, median and 95th percentile;
- 429s of the flood model.

Scenarios: `baseline` (a bare PTB echo bot answering the same chatters, no burst),
`one process` (`coachbot run` on SQLite), and, when TEST_DATABASE_URL names a PostgreSQL
server, `PostgreSQL` (`--role updates` plus two `--role dispatch` workers). Run:

    .venv/bin/python -m bench.dispatch [SESSIONS]

Figures are written up in bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from tests import databases
from tests.botprocess import (
    SESSION_HEADING,
    BotProcess,
    SessionWatch,
    seed_due_sessions,
    sessions_delivered,
)
from tests.fakebot import FakeBotApi, FakeUser

CHATTERS = 5
PAUSE = 0.5
LEAD = timedelta(seconds=12)  # the sessions fall due this long after seeding: start-up time


@dataclass
class Figures:
    scenario: str
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0
    seconds: float = 0.0
    rate: float = 0.0
    replies: int = 0
    p50: float = 0.0
    p95: float = 0.0
    refusals: int = 0

    def row(self) -> str:
        if not self.delivered:
            burst = "–"
        else:
            burst = f"{self.delivered} / {self.lost} / {self.duplicated} in {self.seconds:.1f} s"
        rate = f"{self.rate:.1f}" if self.rate else "–"
        return (
            f"| {self.scenario} | {burst} | {rate} | {self.p50 * 1000:.0f} ms / "
            f"{self.p95 * 1000:.0f} ms ({self.replies}) | {self.refusals} |"
        )


async def chat(
    fake: FakeBotApi, user: FakeUser, stop: asyncio.Event, times: list[float], pause: float
) -> None:
    """Send, wait for the answer, pause, again; like a person, never two at once."""
    texts = ("/help", "/privacy")
    n = 0
    while not stop.is_set():
        fake.drain(user.chat_id)
        began = time.perf_counter()
        await fake.send(user, texts[n % 2])
        await fake.next_message(user.chat_id, timeout=60)
        times.append(time.perf_counter() - began)
        n += 1
        await asyncio.sleep(pause)


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100)[int(share * 100) - 1] if len(values) > 1 else 0.0


async def run_scenario(
    name: str, url: str | None, roles: list[str], sessions: int, workdir: Path, pause: float
) -> Figures:
    fake = FakeBotApi()
    await fake.start()
    fake.flood_control()
    figures = Figures(name)
    chats = (
        await seed_due_sessions(url, sessions, due_in=LEAD) if url is not None and sessions else []
    )
    due = time.monotonic() + LEAD.total_seconds()
    for chat_id in chats:
        fake.user(chat_id, f"P{chat_id}", "en")
    chatters = [fake.user(900 + n, f"C{n}", "en") for n in range(CHATTERS)]
    if url is None:
        processes: list[BotProcess] = [EchoProcess(fake, workdir)]
    else:
        processes = [BotProcess(fake, url, workdir, role=role) for role in roles]
    for process in processes:
        await process.start()
    stop = asyncio.Event()
    times: list[float] = []
    try:
        await fake.wait_until(lambda: fake.waiting_polls >= 1, timeout=60, what="polling")
        if chats:
            await asyncio.sleep(max(due - time.monotonic(), 0))
        talk = [asyncio.create_task(chat(fake, user, stop, times, pause)) for user in chatters]
        if chats:
            watch = SessionWatch(fake)
            await fake.wait_until(
                lambda: watch.reached(chats) == len(chats), timeout=600, what="every session"
            )
        else:
            await asyncio.sleep(20)
        stop.set()
        await asyncio.gather(*talk)
    finally:
        for process in processes:
            await process.stop()
        await fake.stop()
    if chats:
        counts = [sessions_delivered(fake, c) for c in chats]
        figures.delivered = sum(1 for n in counts if n)
        figures.lost = sum(1 for n in counts if n == 0)
        figures.duplicated = sum(1 for n in counts if n > 1)
        session_calls = [
            call
            for c in chats
            for call in fake.delivered(c, "sendMessage")
            if SESSION_HEADING in str(call.params.get("text"))
        ]
        start = min(call.at for call in session_calls)
        end = max(call.at for call in session_calls)
        figures.seconds = end - start
        figures.rate = fake.rate_between(start, end)
    figures.replies = len(times)
    figures.p50 = statistics.median(times) if times else 0.0
    figures.p95 = percentile(times, 0.95)
    figures.refusals = len(fake.flood_refusals())
    return figures


class EchoProcess(BotProcess):
    """The baseline bot as a process of its own."""

    def __init__(self, fake: FakeBotApi, workdir: Path) -> None:
        super().__init__(fake, "", workdir, role="echo")

    async def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.echo_bot",
                env=self.env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
            )


async def main(sessions: int, only: str | None, pause: float) -> None:
    workdir = Path(tempfile.mkdtemp())
    results = []
    if only in (None, "baseline"):
        results.append(await run_scenario("baseline: PTB echo bot", None, [], 0, workdir, pause))
    if only in (None, "sqlite"):
        sqlite = databases.fresh_database("sqlite", workdir)
        results.append(
            await run_scenario("one process, SQLite", sqlite, ["all"], sessions, workdir, pause)
        )
    if only in (None, "postgresql") and os.environ.get(databases.ENV):
        postgres = databases.fresh_database("postgresql")
        results.append(
            await run_scenario(
                "updates + 2 dispatch, PostgreSQL",
                postgres,
                ["updates", "dispatch", "dispatch"],
                sessions,
                workdir,
                pause,
            )
        )
        databases.close()
    print(f"{sessions} sessions due at once, {CHATTERS} people chatting (pause {pause} s)\n")
    print("| scenario | delivered / lost / duplicated, burst | messages/s | reply p50 / p95 "
          "(replies) | 429s |")  # fmt: skip
    print("| --- | --- | --- | --- | --- |")
    for figures in results:
        print(figures.row())


if __name__ == "__main__":
    arguments = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    arguments.add_argument("sessions", type=int, nargs="?", default=1000)
    arguments.add_argument("--only", choices=["baseline", "sqlite", "postgresql"])
    arguments.add_argument(
        "--pause", type=float, default=PAUSE, help="between a reply and the next"
    )
    options = arguments.parse_args()
    asyncio.run(main(options.sessions, options.only, options.pause))
