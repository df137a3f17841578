"""Alembic environment: runs migrations through the app's own async engine set-up."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from coachbot.db.engine import create_engine
from coachbot.db.tables import metadata

config = context.config


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a table on SQLite: copy, drop the old one, rename. With
        # foreign keys on, the drop would delete every row pointing at the old table
        # (a report at its session). SQLite ignores the pragma inside a transaction, so it
        # goes to the driver before SQLAlchemy begins one; the check after the
        # migrations makes sure they left no dangling reference.
        _pragma(connection, "PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if dangling:
                raise RuntimeError(f"migrations left dangling references: {dangling[:5]}")


def _pragma(connection: Connection, statement: str) -> None:
    cursor = connection.connection.cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


async def _run_async() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
