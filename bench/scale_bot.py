"""`bench/scale.py` through a real `coachbot run`: reply times of `/progress` and a patient
card while the dispatcher runs, idle memory, and CPU per update against the bare PTB echo
bot (`bench/echo_bot.py`) answering the same messages on the same fake Bot API."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select

from bench.dispatch import EchoProcess
from bench.measures import MB, Figures, cpu_seconds, megabytes, ms, spread, status_kb
from coachbot.db import leases
from coachbot.db import tables as t
from coachbot.db.engine import create_engine
from tests import seeding
from tests.botprocess import BotProcess
from tests.fakebot import FakeBotApi, FakeUser


class Place(Protocol):
    """The seeded practice (`bench.scale.Practice`)."""

    url: str
    backend: str
    seeded: seeding.Seeded

    @property
    def suffix(self) -> str:
        """Of the RSS figure's key: "" or "100k"."""


BOT_RUNS = 10
WARM_UP = 20  # updates before the CPU is counted
BOT_ROUNDS = 3  # dispatcher rounds the bot runs before its RSS is read
SETTLE = 10.0  # seconds the idle bot is left alone before its RSS is read
# The bot's environment: the production dispatch interval, and per-chat pacing loose
# enough that it does not dominate answers sent one after the other.
BOT_ENV = {
    "DISPATCH_INTERVAL_SECONDS": "5",
    "CHAT_MESSAGES_PER_SECOND": "30",
    "CHAT_BURST": "20",
}
CPU_TEXTS = ("/help", "/plan", "hello")
CPU_CHATS = 4


@dataclass
class People:
    therapists: list[int]  # Telegram ids of all therapists
    big: int  # the Telegram id of the therapist with 1,000 patients
    patients: list[tuple[int, int]]  # (patient id, Telegram id) of some of theirs


async def people(url: str, seeded: seeding.Seeded, count: int) -> People:
    engine = create_engine(url)
    p = t.patient.c
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(p.id, p.telegram_user_id)
                .where(p.therapist_id == seeded.therapist_ids[0])
                .order_by(p.id)
            )
            mine = [(int(row.id), int(row.telegram_user_id)) for row in rows]
    finally:
        await engine.dispose()
    step = max(len(mine) // count, 1)
    return People(seeded.therapist_users, seeded.therapist_users[0], mine[::step][:count])


async def dispatcher_ran(url: str, pid: int, rounds: int, timeout: float = 300.0) -> None:  # noqa: ASYNC109
    """Wait until the process has run `rounds` rounds: each renews the chores' lease."""
    engine = create_engine(url)
    seen: set[Any] = set()
    deadline = time.monotonic() + timeout
    try:
        while len(seen) < rounds:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the bot ran {len(seen)} dispatcher rounds in {timeout} s")
            async with engine.connect() as connection:
                row = (
                    await connection.execute(
                        select(t.lease.c.holder, t.lease.c.expires_at).where(
                            t.lease.c.name == leases.HOUSEKEEPING
                        )
                    )
                ).first()
            if row is not None and row.holder and f":{pid}:" in row.holder:
                seen.add(row.expires_at)
            await asyncio.sleep(0.2)
    finally:
        await engine.dispose()


async def answer(fake: FakeBotApi, user: FakeUser, text: str, messages: int = 1) -> float:
    """Send `text`, wait for the bot's `messages` replies; seconds to the last."""
    fake.drain(user.chat_id)
    began = time.perf_counter()
    await fake.send(user, text)
    for _ in range(messages):
        await fake.next_message(user.chat_id, timeout=60)
    return time.perf_counter() - began


async def progress_reply(fake: FakeBotApi, user: FakeUser) -> float:
    """/progress: seconds to the text; the chart that follows is waited for untimed."""
    fake.drain(user.chat_id)
    began = time.perf_counter()
    await fake.send(user, "/progress")
    reply = await fake.next_message(user.chat_id, timeout=60)
    seconds = time.perf_counter() - began
    assert "Your progress" in str(reply.get("text")), reply
    chart = await fake.next_message(user.chat_id, timeout=60)
    assert "photo" in chart, chart
    return seconds


async def card_reply(fake: FakeBotApi, therapist: FakeUser, patient_id: int) -> float:
    """/patient <id>: seconds to the card's text, which follows its chart."""
    fake.drain(therapist.chat_id)
    began = time.perf_counter()
    await fake.send(therapist, f"/patient {patient_id}")
    chart = await fake.next_message(therapist.chat_id, timeout=60)
    card = await fake.next_message(therapist.chat_id, timeout=60)
    seconds = time.perf_counter() - began
    assert "photo" in chart and "text" in card, (chart, card)
    return seconds


async def cpu_per_update(
    fake: FakeBotApi, pid: int, users: list[FakeUser], count: int
) -> tuple[float, float]:
    """CPU seconds of the process per update and wall seconds per update, over `count`
    updates sent one after the other, each waiting for its reply (after a warm-up)."""

    async def one(n: int) -> None:
        user = users[n % len(users)]
        await answer(fake, user, CPU_TEXTS[(n // len(users)) % len(CPU_TEXTS)])

    for n in range(WARM_UP):
        await one(n)
    cpu, began = cpu_seconds(pid), time.perf_counter()
    for n in range(count):
        await one(n)
    return (cpu_seconds(pid) - cpu) / count, (time.perf_counter() - began) / count


@dataclass
class Idle:
    rss: int
    peak: int
    cpu_share: float  # CPU seconds per second while idle


async def settle(bot: BotProcess, url: str) -> Idle:
    """Wait for a few dispatcher rounds, leave the bot alone a while, read its memory."""
    assert bot.process is not None
    pid = bot.process.pid
    await dispatcher_ran(url, pid, BOT_ROUNDS)
    cpu, began = cpu_seconds(pid), time.perf_counter()
    await asyncio.sleep(SETTLE)  # the one deliberate pause: the idle bot settles
    share = (cpu_seconds(pid) - cpu) / (time.perf_counter() - began)
    return Idle(status_kb(pid, "VmRSS") * 1024, status_kb(pid, "VmHWM") * 1024, share)


def memory_of(pid: int) -> str:
    rss, peak = status_kb(pid, "VmRSS") * 1024, status_kb(pid, "VmHWM") * 1024
    return f"{megabytes(rss)} ({megabytes(peak)})"


def rss_cell(idle: Idle) -> tuple[str, bool]:
    return f"{megabytes(idle.rss)} ({megabytes(idle.peak)})", idle.rss <= 150 * MB


async def through_bot(
    figures: Figures,
    place: Place,
    workdir: Path,
    updates: int,
    *,
    workload: bool,
) -> None:
    """Start `coachbot run` on the practice; its idle RSS (under `"rss" + place.suffix`),
    and with `workload` the reply times, its CPU per update and the echo bot's."""
    backend = place.backend
    who = await people(place.url, place.seeded, max(BOT_RUNS + 1, CPU_CHATS))
    fake = FakeBotApi()
    await fake.start()
    for user_id in who.therapists:
        fake.user(user_id, "Therapist", "en")
    patients = [fake.user(user_id, "Patient", "en") for _pid, user_id in who.patients]
    bot = BotProcess(fake, place.url, workdir, **BOT_ENV)
    try:
        await bot.start()
        assert bot.process is not None
        pid = bot.process.pid
        await fake.wait_until(lambda: fake.waiting_polls >= 1, timeout=180, what="polling")
        idle = await settle(bot, place.url)
        cell, met = rss_cell(idle)
        figures.put("rss" + place.suffix, backend, cell, met)
        print(f"  bot idle: RSS {cell}, CPU {idle.cpu_share * 100:.1f} %", flush=True)
        if not workload:
            return
        figures.put("idle_cpu", backend, f"{idle.cpu_share * 1000:.1f} ms/s")
        therapist = fake.user(who.big, "Therapist", "en")
        # One of each first, untimed: the first chart of a process draws slower.
        first_progress = await progress_reply(fake, patients[-1])
        first_card = await card_reply(fake, therapist, who.patients[-1][0])
        print(f"  first /progress {ms(first_progress)}, /patient {ms(first_card)}", flush=True)
        times = [await progress_reply(fake, user) for user in patients[:BOT_RUNS]]
        figures.put("progress", backend, spread(times), max(times) < 1)
        ids = [patient_id for patient_id, _user in who.patients[:BOT_RUNS]]
        times = [await card_reply(fake, therapist, patient_id) for patient_id in ids]
        figures.put("patient", backend, spread(times), max(times) < 1)
        print(f"  /progress {figures.cells['progress', backend]}, /patient {spread(times)}")
        figures.put("rss_charts", backend, memory_of(pid))
        chatters = patients[:CPU_CHATS]
        cpu, wall = await cpu_per_update(fake, pid, chatters, updates)
        figures.put("cpu", backend, f"{ms(cpu)} ({ms(wall)})")
        figures.put("rss_after", backend, memory_of(pid))
        await bot.stop()
        echo = EchoProcess(fake, workdir)
        await echo.start()
        try:
            assert echo.process is not None
            await fake.wait_until(lambda: fake.waiting_polls >= 1, timeout=60, what="echo polling")
            echo_cpu, echo_wall = await cpu_per_update(fake, echo.process.pid, chatters, updates)
        finally:
            await echo.stop()
        figures.put("echo", backend, f"{ms(echo_cpu)} ({ms(echo_wall)})")
        ratio = cpu / echo_cpu
        figures.put("ratio", backend, f"{ratio:.2f}", ratio <= 2)
        print(f"  CPU per update {ms(cpu)} against the echo bot's {ms(echo_cpu)}", flush=True)
    except BaseException:
        print(bot.log[-4000:])
        raise
    finally:
        if bot.process is not None and bot.process.returncode is None:
            await bot.stop()
        await fake.stop()
