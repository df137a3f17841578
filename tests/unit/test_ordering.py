"""One person's updates run in order; different people's run side by side."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from conversations.ordering import PerPersonOrder


def update_from(user_id: int, update_id: int) -> Update:
    user = User(user_id, "P", is_bot=False)
    chat = Chat(user_id, Chat.PRIVATE)
    message = Message(update_id, datetime.now(UTC), chat, from_user=user, text="x")
    return Update(update_id, message=message)


async def test_one_persons_updates_wait_for_each_other_and_others_do_not() -> None:
    processor = PerPersonOrder()
    release_first = asyncio.Event()
    log: list[str] = []

    async def handle(name: str, gate: asyncio.Event | None = None) -> None:
        log.append(f"start {name}")
        if gate is not None:
            await gate.wait()
        log.append(f"end {name}")

    first = asyncio.create_task(
        processor.process_update(update_from(1, 1), handle("anna-1", release_first))
    )
    second = asyncio.create_task(processor.process_update(update_from(1, 2), handle("anna-2")))
    other = asyncio.create_task(processor.process_update(update_from(2, 3), handle("bernd")))
    await other  # Bernd is not held up by Anna's slow update
    assert log == ["start anna-1", "start bernd", "end bernd"]
    release_first.set()
    await asyncio.gather(first, second)
    assert log[3:] == ["end anna-1", "start anna-2", "end anna-2"]
    assert processor._locks == {}  # idle people leave nothing behind


async def test_a_persons_queued_updates_hold_no_slot_while_they_wait() -> None:
    processor = PerPersonOrder(max_concurrent_updates=2)
    release = asyncio.Event()
    started: list[str] = []

    async def handle(name: str, gate: asyncio.Event | None = None) -> None:
        started.append(name)
        if gate is not None:
            await gate.wait()

    # Anna taps five times; her first tap is slow, the other four wait for it.
    annas = [
        asyncio.create_task(
            processor.process_update(update_from(1, n), handle(f"anna-{n}", release))
        )
        for n in range(1, 6)
    ]
    # Bernd is answered although there are only two slots and Anna has five updates.
    await asyncio.wait_for(processor.process_update(update_from(2, 9), handle("bernd")), 5)
    assert started == ["anna-1", "bernd"]
    release.set()
    await asyncio.gather(*annas)
    assert started[2:] == [f"anna-{n}" for n in range(2, 6)]
    assert processor._locks == {}


async def test_no_more_updates_run_at_once_than_the_limit() -> None:
    processor = PerPersonOrder(max_concurrent_updates=2)
    gates = {person: asyncio.Event() for person in (1, 2)}
    started: list[int] = []
    two_running = asyncio.Event()

    async def handle(person: int) -> None:
        started.append(person)
        if len(started) == 2:
            two_running.set()
        if person in gates:
            await gates[person].wait()

    tasks = [
        asyncio.create_task(processor.process_update(update_from(person, person), handle(person)))
        for person in (1, 2, 3)
    ]
    await asyncio.wait_for(two_running.wait(), 5)
    for _ in range(20):  # let the third person's update run as far as it can
        await asyncio.sleep(0)
    assert started == [1, 2]  # the third waits for a slot
    gates[1].set()
    await asyncio.wait_for(asyncio.gather(tasks[0], tasks[2]), 5)
    assert started == [1, 2, 3]
    gates[2].set()
    await tasks[1]
    assert processor.max_concurrent_updates == 2
