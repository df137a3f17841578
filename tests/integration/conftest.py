"""Integration fixtures: a migrated database per test (SQLite, and PostgreSQL when
`TEST_DATABASE_URL` is set), the real catalogue, enrolment."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import text

from catalogue.loader import Catalogue
from coachbot import enrolment
from coachbot.db.engine import create_engine, session_factory
from coachbot.db.uow import SessionFactory, UnitOfWork
from coachbot.domain.model import ALL_DAYS, Patient
from coachbot.domain.vocabulary import Condition, Equipment, Language, Level
from tests.shipped import shipped_catalogue

# Monday 23 November 2026, 08:00 UTC = 09:00 in Berlin.
MONDAY_MORNING = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

Enrol = Callable[..., Awaitable[Patient]]


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return shipped_catalogue()


@pytest.fixture
def db_url(database_url: str) -> str:
    """The test's own database at the latest schema, on each backend (see tests/conftest.py);
    tests marked `sqlite_only` are skipped on PostgreSQL."""
    return database_url


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[SessionFactory]:
    engine = create_engine(db_url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
def enrol(sessions: SessionFactory, catalogue: Catalogue) -> Enrol:
    """Consent and finish enrolment for a patient, committed; returns the patient."""

    async def _enrol(
        user_id: int,
        *,
        now: datetime = MONDAY_MORNING,
        timezone: str = "Europe/Berlin",
        prompt_time: time = time(18, 0),
        training_days: Iterable[int] = ALL_DAYS,
        conditions: Iterable[str] = (),
        equipment: Iterable[str] = (),
        level: str = "beginner",
        baseline_pain: int | None = None,
        language: str = "en",
    ) -> Patient:
        async with UnitOfWork(sessions) as uow:
            patient = await enrolment.consent(
                uow,
                telegram_user_id=user_id,
                chat_id=user_id * 10,
                language=Language(language),
                timezone=timezone,
                first_step="onboarding:level",
                now=now,
            )
            patient.prompt_time = prompt_time
            patient.training_days = list(training_days)
            patient.conditions = [Condition(condition) for condition in conditions]
            patient.equipment = [Equipment(item) for item in equipment]
            patient.level = Level(level)
            patient.baseline_pain = baseline_pain
            await enrolment.finish_enrolment(uow, patient, catalogue, now)
            await uow.commit()
            return patient

    return _enrol


Count = Callable[..., Awaitable[int]]


@pytest.fixture
def count(sessions: SessionFactory) -> Count:
    """`await count("SELECT count(*) FROM report WHERE ...", name=value)`, read afresh."""

    async def _count(sql: str, **params: object) -> int:
        async with UnitOfWork(sessions) as uow:
            result = await uow.session.execute(text(sql), params)
            return int(result.scalar_one())

    return _count
