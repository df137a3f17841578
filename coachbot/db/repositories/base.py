"""What every repository shares: the session of its unit of work."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class Repository:
    """Loads and adds domain records; never commits (the unit of work does)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
