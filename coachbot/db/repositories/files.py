"""Repository: the Telegram file id of each picture uploaded, by its content's digest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update

from coachbot.db import tables as t
from coachbot.db.repositories.base import Repository


class FileRepository(Repository):
    async def file_id(self, digest: str) -> str | None:
        result = await self.session.execute(
            select(t.telegram_file.c.file_id).where(t.telegram_file.c.digest == digest)
        )
        return result.scalar_one_or_none()

    async def remember(self, digest: str, file_id: str, now: datetime) -> None:
        """Store (or replace) the file id of the picture with this digest."""
        changed = await self.session.execute(
            update(t.telegram_file)
            .where(t.telegram_file.c.digest == digest)
            .values(file_id=file_id, stored_at=now)
        )
        if changed.rowcount == 0:  # type: ignore[attr-defined]
            await self.session.execute(
                insert(t.telegram_file).values(digest=digest, file_id=file_id, stored_at=now)
            )

    async def forget(self, digest: str) -> None:
        await self.session.execute(
            delete(t.telegram_file).where(t.telegram_file.c.digest == digest)
        )
