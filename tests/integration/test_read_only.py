"""Read-only units of work never take SQLite's write lock: views answer while another
connection writes, and never hold up a writer."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from coachbot.db.engine import create_engine, session_factory
from coachbot.db.uow import UnitOfWork

pytestmark = pytest.mark.sqlite_only(reason="about SQLite's one write lock")


async def test_a_read_proceeds_while_another_connection_writes(db_url: str) -> None:
    engine = create_engine(db_url, busy_timeout_ms=100)
    blocker = sqlite3.connect(db_url.split("///", 1)[1], isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        async with UnitOfWork(session_factory(engine, read_only=True)) as uow:
            patients = await uow.session.execute(text("SELECT count(*) FROM patient"))
            assert patients.scalar_one() == 0
        with pytest.raises(OperationalError, match="locked"):
            async with UnitOfWork(session_factory(engine)) as uow:
                await uow.session.execute(text("SELECT count(*) FROM patient"))
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        await engine.dispose()


async def test_a_read_does_not_hold_up_a_writer(db_url: str) -> None:
    engine = create_engine(db_url, busy_timeout_ms=100)
    try:
        async with UnitOfWork(session_factory(engine, read_only=True)) as reader:
            await reader.session.execute(text("SELECT count(*) FROM patient"))
            writer = sqlite3.connect(db_url.split("///", 1)[1], isolation_level=None, timeout=0.1)
            writer.execute("BEGIN IMMEDIATE")  # would fail if the read held the write lock
            writer.execute("ROLLBACK")
            writer.close()
    finally:
        await engine.dispose()
