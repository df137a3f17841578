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
