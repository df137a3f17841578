"""The send budget: whole-bot and per-chat pace, replies first, 429 holds one chat only."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TypedDict, Unpack

import pytest

from coachbot.budget import LocalStore, SendBudget


@dataclass
class VirtualTime:
    """A clock that `sleep` moves forward (waking `late` seconds after the time asked, as a
    busy process does), recording when each send went out."""

    now: float = 1_000.0
    late: float = 0.0
    sent: list[tuple[float, str]] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds + self.late

    def note(self, what: str) -> None:
        self.sent.append((self.now, what))


class Pace(TypedDict, total=False):
    rate: float
    chat_rate: float
    chat_burst: int


def budget(time: VirtualTime, **options: Unpack[Pace]) -> SendBudget:
    return SendBudget(LocalStore(), clock=time, sleep=time.sleep, **options)


def most_in_any_second(times: list[float]) -> int:
    return max(sum(1 for t in times if start <= t < start + 1.0 - 1e-9) for start in times)


@pytest.mark.parametrize("late", [0.0, 0.003, 0.02])
async def test_dispatch_alone_keeps_below_thirty_in_any_second(late: float) -> None:
    time = VirtualTime(late=late)
    pace = budget(time, rate=28.0)
    for _ in range(280):
        await pace.for_dispatch()
        time.note("d")
    times = [t for t, _what in time.sent]
    assert most_in_any_second(times) <= 30
    # 28 a second: waking up late costs nothing as long as it is less than a slot.
    assert 9.5 <= times[-1] - times[0] <= 10.1


@pytest.mark.parametrize("late", [0.0, 0.003])
async def test_replies_and_dispatch_together_stay_within_the_bot_budget(late: float) -> None:
    time = VirtualTime(late=late)
    pace = budget(time, rate=28.0, chat_rate=100.0, chat_burst=100)
    for n in range(300):
        if n % 5 == 0:
            await pace.for_reply(7)
            time.note("r")
        await pace.for_dispatch()
        time.note("d")
    times = [t for t, _what in time.sent]
    assert most_in_any_second(times) <= 30
    assert len(times) / (times[-1] - times[0]) >= 27  # the budget is used, not wasted


async def test_a_reply_jumps_the_dispatch_queue() -> None:
    time = VirtualTime()
    pace = budget(time, rate=10.0)
    for _ in range(5):
        await pace.for_dispatch()  # the dispatcher has the budget busy
    before = time.now
    await pace.for_reply(7)
    # At most one slot's wait, not behind everything the dispatcher still has to send.
    assert time.now - before <= 0.1 + 1e-9


async def test_one_chat_gets_a_burst_then_one_a_second() -> None:
    time = VirtualTime()
    pace = budget(time, rate=30.0, chat_rate=1.0, chat_burst=3)
    for _ in range(6):
        await pace.for_reply(42)
        time.note("r")
    times = [t - time.sent[0][0] for t, _what in time.sent]
    assert times[2] < 0.1  # three at once
    assert 0.9 <= times[3] - times[2] <= 1.0
    assert 0.99 <= times[5] - times[4] <= 1.01


async def test_a_429_holds_only_its_chat() -> None:
    time = VirtualTime()
    pace = budget(time, rate=30.0)
    pace.hold(42, 5.0)
    start = time.now
    await pace.for_reply(43)
    assert time.now - start < 0.1  # another chat is not held
    await pace.for_reply(42)
    assert time.now - start >= 5.0


async def test_replies_to_one_chat_go_in_the_order_asked() -> None:
    time = VirtualTime()
    pace = budget(time, rate=30.0, chat_rate=1.0, chat_burst=1)
    order: list[int] = []

    async def reply(n: int) -> None:
        await pace.for_reply(42)
        order.append(n)

    await asyncio.gather(*(reply(n) for n in range(5)))
    assert order == [0, 1, 2, 3, 4]
