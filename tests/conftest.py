"""Shared fixtures: a fake Bot API on 127.0.0.1, a real database (a SQLite file, and a
PostgreSQL database too when `TEST_DATABASE_URL` is set), an injected clock, and the real
Application polling the fake over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from coachbot.app import build_application, running
from coachbot.config import Settings
from coachbot.db.engine import create_engine, session_factory
from coachbot.db.uow import SessionFactory, UnitOfWork
from conversations.context import CoachApplication, CoachContext, Services
from tests import databases
from tests.fakebot import FakeBotApi, FakeUser
from tests.shipped import shipped_catalogue

# Monday 23 November 2026, 08:00 UTC = 09:00 in Berlin.
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@dataclass
class Clock:
    """The time the bot sees; tests move it, nothing sleeps."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session", autouse=True)
def _drop_test_databases() -> Iterator[None]:
    """At the end of the session, drop the PostgreSQL template and any database left over."""
    yield
    databases.close()


@pytest.fixture(params=databases.backends())
def database_backend(request: pytest.FixtureRequest) -> str:
    """The backend of this run of the test: "sqlite", or "postgresql" (`-k postgresql`)
    when `TEST_DATABASE_URL` is set; tests marked `sqlite_only` skip the latter."""
    backend: str = request.param
    marker = request.node.get_closest_marker("sqlite_only")
    if marker is not None and backend != databases.SQLITE:
        reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else None)
        pytest.skip(f"SQLite only: {reason}" if reason else "SQLite only")
    return backend


@pytest.fixture
def database_url(database_backend: str, tmp_path: Path) -> Iterator[str]:
    """A database of its own for this test, brought to the latest schema by the real
    migrations: a SQLite file in tmp_path, or a copy of a migrated PostgreSQL template."""
    url = databases.fresh_database(database_backend, tmp_path)
    try:
        yield url
    finally:
        databases.drop_database(url)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
def settings(fake: FakeBotApi, database_url: str) -> Settings:
    return make_settings(fake, database_url)


def make_settings(fake: FakeBotApi, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": fake.token,
        "database_url": database_url,
        "telegram_api_base_url": fake.base_url,
        "default_timezone": "Europe/Berlin",
        "dispatch_interval_seconds": 0.05,
        # Test users tap far faster than people: no per-chat pacing unless a test asks
        # for Telegram's real limits (the fake's flood_control() models them).
        "chat_messages_per_second": 30,
        "chat_burst": 20,
        "telegram_read_timeout": 2.0,
        "telegram_max_retries": 2,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@dataclass
class Bot:
    """The running Application and ways to look into its database."""

    application: CoachApplication
    sessions: SessionFactory
    engine: Any
    running: bool = field(default=False)
    _running: Any = field(default=None, repr=False)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data[CoachContext.SERVICES_KEY]
        return services

    async def start(self) -> None:
        self._running = running(self.application, poll_timeout=1)
        await self._running.__aenter__()
        self.running = True

    async def stop(self) -> None:
        if not self.running:
            return
        await self._running.__aexit__(None, None, None)
        await self.engine.dispose()
        self.running = False


async def start_bot(settings: Settings, clock: Clock) -> Bot:
    # Extra folders make a catalogue of their own; the shipped one is shared.
    catalogue = None if settings.extra_catalogue_folders else shipped_catalogue()
    application = build_application(settings, clock, catalogue=catalogue)
    engine = create_engine(settings.database_url)
    bot = Bot(application, session_factory(engine), engine)
    await bot.start()
    return bot


@pytest.fixture
async def bot(settings: Settings, clock: Clock) -> AsyncIterator[Bot]:
    running = await start_bot(settings, clock)
    yield running
    await running.stop()


@pytest.fixture
def anna(fake: FakeBotApi) -> FakeUser:
    return fake.user(1001, "Anna", "en")


@pytest.fixture
def bernd(fake: FakeBotApi) -> FakeUser:
    return fake.user(1002, "Bernd", "de")


async def wait_for(predicate: Any, timeout: float = 5.0) -> None:  # noqa: ASYNC109
    """Wait on a condition of the database or the bot, checking often; never a fixed sleep."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)
