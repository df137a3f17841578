"""Updates of different people are handled concurrently; one person's, in order.

A patient tapping two buttons quickly (a toggle, then "Done") must see them
applied in the order tapped, or the second would find its question already
moved on. PTB's own processors are either sequential for everyone or fully
concurrent, so this one keeps one lock per person.

The person's lock is taken before a concurrency slot, not after as PTB's own
`process_update` would: an update waiting for its person's turn holds no slot,
so a burst of taps from one person cannot take every slot and stall everyone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerPersonOrder(BaseUpdateProcessor):
    __slots__ = ("_locks", "_users")

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}  # updates in flight per person, to drop idle locks

    # PTB marks process_update final, but its order (slot, then do_process_update) is the
    # very thing that must change here; the slot is PTB's own semaphore, so the limit and
    # `current_concurrent_updates` keep their meaning.
    async def process_update(  # type: ignore[misc]
        self, update: object, coroutine: Awaitable[Any]
    ) -> None:
        """Wait for the person's turn, then for a slot, then handle the update."""
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            async with self._semaphore:
                await self.do_process_update(update, coroutine)
            return
        lock = self._locks.setdefault(user.id, asyncio.Lock())
        self._users[user.id] = self._users.get(user.id, 0) + 1
        try:
            async with lock, self._semaphore:
                await self.do_process_update(update, coroutine)
        finally:
            self._users[user.id] -= 1
            if not self._users[user.id]:
                del self._users[user.id], self._locks[user.id]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle the update: its person's turn and a slot are already taken."""
        await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
