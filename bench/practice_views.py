"""How long a therapist waits for /patients, /summary and /export with a large practice.

One therapist with N linked patients, each with four weeks of reports. Times the use
cases behind the three commands (the database work; sending is one message each).
Run:

    .venv/bin/python -m bench.practice_views [N]

It uses a SQLite file in a temporary folder. Results are written up in bench/README.md.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from catalogue.loader import load_catalogue
from coachbot import practice, services
from coachbot.db.engine import create_engine, session_factory
from coachbot.db.migrate import upgrade
from coachbot.db.uow import UnitOfWork
from coachbot.domain import schedule
from coachbot.domain.model import Report, SessionState

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
THERAPIST_USER = 1
DAYS = 28


async def populate(url: str, count: int) -> None:
    catalogue = load_catalogue()
    engine = create_engine(url)
    factory = session_factory(engine)
    try:
        async with UnitOfWork(factory) as uow:
            therapist = await services.add_therapist(uow, "Dr. Bench", NOW)
            assert therapist.signup_code is not None
            await services.sign_up_therapist(
                uow, therapist.signup_code, THERAPIST_USER, "en", "Europe/Berlin"
            )
            start = NOW - timedelta(days=DAYS)
            for n in range(count):
                patient = await services.consent(
                    uow,
                    telegram_user_id=10_000 + n,
                    chat_id=10_000 + n,
                    language="en",
                    timezone="Europe/Berlin",
                    first_step="ob:days",
                    now=start,
                    display_name=f"Patient {n}",
                )
                patient.therapist_id = therapist.id
                await services.finish_enrolment(uow, patient, catalogue, start)
                for session in await uow.sessions.planned_from(patient.id or 0, start.date()):
                    await uow.session.delete(session)
                await uow.flush()
                for day in range(DAYS):
                    local = schedule.local_date(start, "Europe/Berlin") + timedelta(days=day)
                    session = await services.build_session(uow, patient, catalogue, local)
                    done = (day + n) % 4 != 0
                    session.state = SessionState.DONE if done else SessionState.MISSED
                    uow.sessions.add(session)
                    await uow.flush()
                    if done:
                        uow.reports.add(
                            Report(
                                session_id=session.id or 0,
                                outcome="done",
                                received_at=session.due_at + timedelta(hours=1),
                                pain_after=(day + n) % 6,
                            )
                        )
            await uow.commit()
    finally:
        await engine.dispose()


async def measure(url: str, count: int) -> None:
    engine = create_engine(url)
    factory = session_factory(engine)
    try:
        for name in ("roster", "summary", "export"):
            started = time.perf_counter()
            async with UnitOfWork(factory) as uow:
                if name == "roster":
                    rows = len(await services.roster(uow, THERAPIST_USER, NOW))
                elif name == "summary":
                    therapist = await services.therapist_of(uow, THERAPIST_USER)
                    rows = len((await practice.cohort_summary(uow, therapist, NOW)).patients)
                else:
                    rows = len(await practice.export_rows(uow, THERAPIST_USER, NOW))
            elapsed = time.perf_counter() - started
            print(f"{name:8} {count:>5} patients  {elapsed * 1000:8.0f} ms  ({rows} rows)")
    finally:
        await engine.dispose()


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        upgrade(url)
        asyncio.run(populate(url, count))
        asyncio.run(measure(url, count))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
