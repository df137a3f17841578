"""A large practice's history written straight into the database, fast.

Enrolling through the use cases costs milliseconds a patient; tests that compare 10 and
300 patients, and benchmarks with 10,000 patients and a year each, need their history in
seconds. So this writes rows with bulk inserts, shaped as the use cases would have left
them: therapists, patients linked to them, a plan, one session a day (done, partly,
skipped, missed or excused in a fixed pattern, with a report and pain for those
reported), today's session still planned, and a few open alerts.

    await seed_practice(sessions, therapists=[300], days=30, now=NOW)

Memory stays bounded whatever the size: rows go to the database every `CHUNK` sessions,
each batch in a transaction of its own. They are encoded as the column types would
encode them (the same text or value in the database), but once per distinct value, not
once per row: a year of 10,000 patients repeats a few hundred dates and one list of
exercises millions of times, and encoding each again was most of the time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Column, MetaData, Table, func, insert, select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import NullType

from coachbot.db import tables as t
from coachbot.db.uow import SessionFactory
from coachbot.domain.model import Dose, SessionExercise

ZONE = "Europe/Berlin"
EXERCISES = (
    "cat_cow",
    "bird_dog",
    "dead_bug",
    "knee_to_chest_stretch",
)
# One week of outcomes, repeated: (state, outcome, pain) per day.
WEEK = (
    ("done", "done", 3),
    ("done", "done", 2),
    ("partly", "partly", 4),
    ("missed", None, None),
    ("done", "done", 3),
    ("skipped", "skipped", 5),
    ("excused", None, None),
)
# Sessions written per batch (with their patients' other rows), one transaction each:
# larger batches touch each page of the session indexes fewer times.
CHUNK = 25_000
# SQLite's page cache while seeding (KiB; the default is 2 MB): a year of 10,000 patients
# is 2 GB, and its indexes are written all over.
SQLITE_CACHE_KIB = 256 * 1024
SESSION_EXERCISES = [SessionExercise(exercise, Dose(2, reps=8)) for exercise in EXERCISES[:3]]
# Distinct encoded values remembered per column (dates, instants: a few per day seeded).
_CACHE_LIMIT = 10_000


@dataclass
class Seeded:
    therapist_ids: list[int] = field(default_factory=list)
    therapist_users: list[int] = field(default_factory=list)
    patient_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Day:
    """One day of history as its sessions and reports store it (encoded)."""

    back: int  # days before today
    ordinal: int
    local_date: Any
    due_at: Any
    ends_at: Any
    received_at: Any
    received: datetime  # the report's instant, for patient.last_report_at


class _Rows:
    """Rows of one table waiting to be inserted, already in the database's representation.

    Each value goes through its column type's bind processor (as an ORM or Core insert
    would), memoised per distinct value; the insert itself then has untyped columns, so
    SQLAlchemy passes the encoded values on to the driver untouched.
    """

    def __init__(self, table: Table, dialect: Dialect) -> None:
        self.table = table
        self.copy = dialect.name == "postgresql"
        self.raw = Table(table.name, MetaData(), *(Column(c.name, NullType()) for c in table.c))
        self.processors: dict[str, Callable[[Any], Any]] = {}
        for column in table.c:
            processor = column.type._cached_bind_processor(dialect)
            if processor is not None:
                self.processors[column.name] = processor
        self.cache: dict[tuple[str, Any], Any] = {}
        self.rows: list[dict[str, Any]] = []

    def encode(self, name: str, value: Any) -> Any:
        processor = self.processors.get(name)
        if processor is None or value is None:
            return value
        key = (name, tuple(value) if isinstance(value, list) else value)
        try:
            return self.cache[key]
        except KeyError:
            pass
        except TypeError:  # unhashable: encoded every time
            return processor(value)
        if len(self.cache) >= _CACHE_LIMIT:
            self.cache.clear()
        encoded = self.cache[key] = processor(value)
        return encoded

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append({name: self.encode(name, value) for name, value in row.items()})

    async def flush(self, session: AsyncSession) -> None:
        if not self.rows:
            return
        if self.copy:
            await self._copy(session)
        else:
            for start in range(0, len(self.rows), CHUNK):
                await session.execute(insert(self.raw), self.rows[start : start + CHUNK])
        self.rows.clear()

    async def _copy(self, session: AsyncSession) -> None:
        """PostgreSQL: COPY (asyncpg's binary copy takes the same encoded values), many
        times faster than one INSERT a row; in the session's transaction, begun first."""
        await session.execute(text("SELECT 1"))
        connection = await (await session.connection()).get_raw_connection()
        names = list(self.rows[0])
        driver: Any = connection.driver_connection  # asyncpg's
        await driver.copy_records_to_table(
            self.table.name,
            records=[tuple(row[name] for name in names) for row in self.rows],
            columns=names,
        )


async def seed_practice(
    sessions: SessionFactory,
    therapists: Sequence[int],
    days: int,
    now: datetime,
    *,
    first_user: int = 1_000_000,
) -> Seeded:
    """One therapist per entry of `therapists`, with that many patients each, every patient
    with `days` days of history up to yesterday and today's session planned for 18:00."""
    seeded = Seeded()
    zone = ZoneInfo(ZONE)
    today = now.astimezone(zone).date()
    created = now - timedelta(days=days + 1)
    async with sessions() as session:
        dialect = session.get_bind().dialect
        # Parents before children in each batch: the foreign keys are checked at once.
        tables = [t.patient, t.plan_item, t.session, t.report, t.alert]
        pending = {table.name: _Rows(table, dialect) for table in tables}
        patients, plans, session_rows, reports, alerts = pending.values()
        # The days seeded, oldest first, with what a session and a report of that day
        # store (all patients live in one zone): encoded once, not once per patient.
        calendar = []
        for back in range(days, -1, -1):
            day = today - timedelta(days=back)
            due = datetime.combine(day, time(18, 0), zone).astimezone(UTC)
            ends = datetime.combine(day + timedelta(days=1), time(0, 0), zone).astimezone(UTC)
            calendar.append(
                _Day(
                    back,
                    day.toordinal(),
                    session_rows.encode("local_date", day),
                    session_rows.encode("due_at", due),
                    session_rows.encode("ends_at", ends),
                    reports.encode("received_at", due + timedelta(hours=1)),
                    due + timedelta(hours=1),
                )
            )
        exercises = session_rows.encode("exercises", SESSION_EXERCISES)

        sqlite = dialect.name == "sqlite"

        async def flush() -> None:
            async with session.begin():
                if sqlite:
                    await session.execute(text(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}"))
                for rows in pending.values():
                    await rows.flush(session)

        cache_size = -2000
        async with session.begin():
            if sqlite:
                cache_size = int(await session.scalar(text("PRAGMA cache_size")) or cache_size)
            next_patient = (
                int(await session.scalar(select(func.coalesce(func.max(t.patient.c.id), 0))) or 0)
                + 1
            )
            next_session = (
                int(await session.scalar(select(func.coalesce(func.max(t.session.c.id), 0))) or 0)
                + 1
            )
        user = first_user
        for count in therapists:
            therapist_user = user
            user += 1
            async with session.begin():
                result = await session.execute(
                    insert(t.therapist)
                    .values(
                        name=f"Therapist {therapist_user}",
                        telegram_user_id=therapist_user,
                        language="en",
                        created_at=created,
                        timezone=ZONE,
                    )
                    .returning(t.therapist.c.id)
                )
                therapist_id = int(result.scalar_one())
            seeded.therapist_ids.append(therapist_id)
            seeded.therapist_users.append(therapist_user)
            for n in range(count):
                patient_id = next_patient
                next_patient += 1
                seeded.patient_ids.append(patient_id)
                patient = {
                    "id": patient_id,
                    "telegram_user_id": user,
                    "chat_id": user,
                    "language": "en",
                    "timezone": ZONE,
                    "status": "active",
                    "prompt_time": time(18, 0),
                    "training_days": [0, 1, 2, 3, 4, 5, 6],
                    "conditions": ["poor_posture"],
                    "equipment": [],
                    "level": "beginner",
                    "baseline_pain": 3,
                    "lessons_taught": [],
                    "consent_at": created,
                    "created_at": created,
                    "therapist_id": therapist_id,
                    "display_name": f"P{user}",
                    "plan_locked": False,
                    "last_report_at": None,
                    "first_pain_on": None,
                }
                user += 1
                for position, exercise in enumerate(EXERCISES):
                    plans.add(
                        {
                            "patient_id": patient_id,
                            "exercise_id": exercise,
                            "position": position,
                            "sets": 2,
                            "reps": 8,
                            "hold_seconds": None,
                            "rest_seconds": 30,
                            "locked": False,
                        }
                    )
                for entry in calendar:  # the hot loop: rows already encoded
                    state, outcome, pain = WEEK[(entry.ordinal + n) % len(WEEK)]
                    if entry.back == 0:
                        state, outcome, pain = "planned", None, None
                    session_rows.rows.append(
                        {
                            "id": next_session,
                            "patient_id": patient_id,
                            "local_date": entry.local_date,
                            "due_at": entry.due_at,
                            "ends_at": entry.ends_at,
                            "exercises": exercises,
                            "state": state,
                            "sent_at": entry.due_at if state != "planned" else None,
                        }
                    )
                    if outcome is not None:
                        reports.rows.append(
                            {
                                "session_id": next_session,
                                "outcome": outcome,
                                "pain_after": pain,
                                "difficulty": "right",
                                "received_at": entry.received_at,
                            }
                        )
                        patient["last_report_at"] = entry.received
                        if pain is not None and patient["first_pain_on"] is None:
                            patient["first_pain_on"] = today - timedelta(days=entry.back)
                    next_session += 1
                patients.add(patient)
                if n % 10 == 0:
                    alerts.add(
                        {
                            "patient_id": patient_id,
                            "kind": "pain_high",
                            "pain": 8,
                            "created_at": now - timedelta(days=1),
                            "notified_at": now - timedelta(days=1),
                        }
                    )
                if len(session_rows.rows) >= CHUNK:
                    await flush()
        await flush()
        if sqlite:
            async with session.begin():  # the pooled connection as it was
                await session.execute(text(f"PRAGMA cache_size = {cache_size}"))
        if dialect.name == "postgresql":
            # The ids were given explicitly: move the sequences past them, so that rows
            # the application adds later (the next session, ...) get fresh ones.
            async with session.begin():
                for table in ("patient", "session"):
                    await session.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                        )
                    )
    return seeded


def sessions_per_patient(days: int) -> int:
    return days + 1


def today_in(now: datetime) -> date:
    return now.astimezone(ZoneInfo(ZONE)).date()
