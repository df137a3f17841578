"""Engine set-up: SQLite in WAL mode with a busy timeout, foreign keys on, and
`BEGIN IMMEDIATE` for units of work that write, so two writers never deadlock on a lock
upgrade; read-only units of work begin deferred and never take the write lock."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.util import await_only

from coachbot.db.uow import SessionFactory

BUSY_TIMEOUT_MS = 5000
# The execution option that marks a read-only unit of work (see `session_factory`).
READ_ONLY = "coachbot_read_only"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> AsyncEngine:
    """An async engine for `url`; SQLite connections get the pragmas they need."""
    # No rollback when a connection goes back to the pool: a session or connection
    # closing has just rolled back whatever it had not committed, and a second rollback
    # is one more round trip (to aiosqlite's thread, or to the server) per unit of work.
    engine = create_async_engine(url, pool_pre_ping=not is_sqlite(url), pool_reset_on_return=None)
    if is_sqlite(url):
        _configure_sqlite(engine, busy_timeout_ms)
    return engine


def session_factory(engine: AsyncEngine, *, read_only: bool = False) -> SessionFactory:
    """Sessions on `engine`; read-only ones (for views) begin deferred on SQLite, so they
    proceed while another connection writes (WAL) and never block a writer."""
    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    return async_sessionmaker(bind, expire_on_commit=False)


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would emit a deferred BEGIN; turn it
        # off and begin ourselves below (the SQLAlchemy-documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        statement = "BEGIN" if read_only else "BEGIN IMMEDIATE"
        # Straight to aiosqlite: one trip to its thread, where a statement through
        # SQLAlchemy's cursor takes three (open, execute, close); every unit of work
        # begins, and an update that only reads has two. The driver's error is raised
        # as SQLAlchemy would raise it (a busy database is an OperationalError).
        driver = connection.connection.driver_connection
        dbapi = connection.dialect.loaded_dbapi
        try:
            await_only(driver.execute(statement))
        except dbapi.Error as error:
            raise DBAPIError.instance(statement, (), error, dbapi.Error) from error
