"""A practice of 10,000 patients with a year of history each: what issue 9 asks of it.

On a database seeded with `tests/seeding.py` (50 therapists, one with 1,000 patients,
the others sharing the rest; a session a day for `--days` days), measured against a
target each:

1. seeding time (and, with `--also-100k`, 100,000 patients × 30 days);
2. an idle round of the dispatcher (`Dispatcher.tick()` with nothing due, a recording
   courier, read-only units of work): the first round (it also sweeps for patients
   without a next session and checks silence) on its own, then the median of 10;
3. for the therapist with 1,000 patients, through `coachbot.views` with a read-only unit
   of work: roster, summary, a patient card, and the export of the last month and of the
   whole history, written row by row as CSV into a temporary file as the bot does (its
   peak Python memory by `tracemalloc`, month against year): median of 3 each;
4. through a real `coachbot run` process (dispatcher running) against the fake Bot API
   in this process: a patient's `/progress` and the therapist's `/patient <id>`, 10 each;
5. the idle RSS of that process after a few dispatcher rounds (10,000 and 100,000);
6. the bot's CPU time per update over N updates (`/help`, `/plan`, a typed "hello"),
   against the bare PTB echo bot (`bench/echo_bot.py`) answering the same messages.

SQLite always; PostgreSQL too when TEST_DATABASE_URL names a server. Run:

    .venv/bin/python -m bench.scale [--patients 10000] [--days 365] [--also-100k]
                                    [--only sqlite|postgresql] [--updates 300]

It prints a markdown table; figures are written up in bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import shutil
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from tempfile import SpooledTemporaryFile
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bench.measures import Figures, duration, megabytes, ms, reset_peak_rss, status_kb
from bench.scale_bot import through_bot
from bench.scale_rounds import day_end, dispatcher_rounds, put_day_end, put_rounds
from coachbot import access, views
from coachbot.db.engine import create_engine, session_factory
from coachbot.db.uow import UnitOfWork
from coachbot.domain import schedule
from conversations.summary import EXPORT_IN_MEMORY, write_csv
from tests import databases, seeding

T = TypeVar("T")

THERAPISTS = 50
BIG = 1_000  # the patients of the one large therapist
VIEW_RUNS = 3
LARGE, LARGE_DAYS = 100_000, 30  # --also-100k
# "A few tens of milliseconds": the longest a transaction that writes may take.
LONGEST_WRITE = 0.1
MONTH = 30  # days of the shorter export, today included

# --- the practice --------------------------------------------------------------------------


def layout(patients: int) -> list[int]:
    """Patients per therapist: one with `BIG`, the other 49 sharing the rest."""
    big = min(BIG, patients)
    rest, others = patients - big, THERAPISTS - 1
    return [big] + [rest // others + (1 if n < rest % others else 0) for n in range(others)]


def seed_moment() -> datetime:
    """The seeding's "now": the real now, so that the bot (on the real clock) sees the
    practice as seeded; a day on when today's 18:00 sessions would fall due during the
    run, so that nothing at all is due while it is measured."""
    now = datetime.now(UTC)
    if now.astimezone(ZoneInfo(seeding.ZONE)).time() >= clock_time(15, 0):
        now += timedelta(days=1)
    return now


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Practice:
    url: str
    backend: str
    patients: int
    days: int
    seeded: seeding.Seeded
    seconds: float
    growth: int  # how far this process's RSS rose above where it was, at its peak
    seeded_at: datetime  # the seeding's "now"

    @property
    def suffix(self) -> str:
        return "100k" if self.patients == LARGE else ""


async def seed(url: str, backend: str, patients: int, days: int) -> Practice:
    engine = create_engine(url)
    try:
        reset = reset_peak_rss()
        before = status_kb("self", "VmRSS") * 1024
        began, moment = time.perf_counter(), seed_moment()
        seeded = await seeding.seed_practice(
            session_factory(engine), layout(patients), days, moment
        )
        seconds = time.perf_counter() - began
        peak = status_kb("self", "VmHWM") * 1024 if reset else None
        if databases.is_postgres(url):
            # What autovacuum would soon do on its own; done now, so plans are the same
            # in every run.
            async with engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
    if peak is None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        f"  seeded {patients:,} × {days} in {duration(seconds)}; this process's RSS "
        f"{megabytes(before)} before, {megabytes(peak)} at the peak",
        flush=True,
    )
    return Practice(url, backend, patients, days, seeded, seconds, peak - before, moment)


async def database_size(url: str) -> int:
    if databases.is_sqlite(url):
        path = Path(str(make_url(url).database))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            size = await connection.scalar(select(func.pg_database_size(func.current_database())))
    finally:
        await engine.dispose()
    return int(size or 0)


# --- the therapist's views, in this process ------------------------------------------------


async def median_of(runs: int, action: Callable[[], Awaitable[T]]) -> tuple[float, T]:
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = await action()
        times.append(time.perf_counter() - began)
    assert result is not None
    return statistics.median(times), result


async def measure_views(figures: Figures, place: Practice, therapist_user: int) -> None:
    engine = create_engine(place.url)
    reads = session_factory(engine, read_only=True)
    patient_id = place.seeded.patient_ids[BIG // 2]
    backend = place.backend

    async def roster() -> int:
        async with UnitOfWork(reads) as uow:
            therapist = await access.therapist_of(uow, therapist_user)
            return len(await views.roster(uow, therapist, utc_now()))

    async def summary() -> int:
        async with UnitOfWork(reads) as uow:
            therapist = await access.therapist_of(uow, therapist_user)
            return len((await views.cohort_summary(uow, therapist, utc_now())).patients)

    async def card() -> int:
        async with UnitOfWork(reads) as uow:
            therapist = await access.therapist_of(uow, therapist_user)
            patient = await access.own_patient(uow, therapist, patient_id)
            return len((await views.patient_card(uow, therapist, patient, utc_now())).plan)

    def export(days: int | None) -> Callable[[], Awaitable[int]]:
        async def run() -> int:
            now = utc_now()
            with SpooledTemporaryFile(max_size=EXPORT_IN_MEMORY) as file:
                async with UnitOfWork(reads) as uow:
                    therapist = await access.therapist_of(uow, therapist_user)
                    today = schedule.local_date(now, therapist.timezone)
                    start = None if days is None else today - timedelta(days=days - 1)
                    end = None if days is None else today
                    rows = views.export_rows(uow, therapist, now, start, end)
                    count, _first = await write_csv(rows, file)
            return count

        return run

    async def peak(action: Callable[[], Awaitable[int]]) -> int:
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            await action()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    try:
        for key, action, unit in (
            ("roster", roster, "patients"),
            ("summary", summary, "patients"),
            ("card", card, "plan items"),
            ("month", export(MONTH), "rows"),
            ("year", export(None), "rows"),
        ):
            seconds, count = await median_of(VIEW_RUNS, action)
            shown = f"{ms(seconds)} ({count:,})" if key in ("month", "year") else ms(seconds)
            # The whole history has no time to meet, only its memory (below).
            figures.put(key, backend, shown, seconds < 1.0 if key != "year" else None)
            print(f"  {key}: {ms(seconds)} ({count:,} {unit})", flush=True)
        month, year = await peak(export(MONTH)), await peak(export(None))
        # "Not growing": the year's ~12× the rows may take at most a little more.
        figures.put("memory", backend, f"{megabytes(month)} / {megabytes(year)}", year < 2 * month)
    finally:
        await engine.dispose()


# --- one backend ------------------------------------------------------------------------


def fresh(backend: str, workdir: Path) -> str:
    if backend == databases.SQLITE:
        folder = workdir / f"db-{time.monotonic_ns()}"
        folder.mkdir()
        return databases.fresh_database(backend, folder)
    return databases.fresh_database(backend)


def discard(url: str) -> None:
    if databases.is_sqlite(url):
        shutil.rmtree(Path(str(make_url(url).database)).parent, ignore_errors=True)
    else:
        databases.drop_database(url)


async def run_backend(
    figures: Figures, backend: str, options: argparse.Namespace, workdir: Path
) -> None:
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[backend]
    print(f"{name}: {options.patients:,} patients × {options.days} days", flush=True)
    url = fresh(backend, workdir)
    try:
        place = await seed(url, name, options.patients, options.days)
        figures.put("seed", name, f"{duration(place.seconds)} (+{megabytes(place.growth)})")
        figures.put("size", name, megabytes(await database_size(url)))
        await dispatcher_figures(figures, place, "")
        await measure_views(figures, place, place.seeded.therapist_users[0])
        await through_bot(figures, place, workdir, options.updates, workload=True)
        await day_end_figures(figures, place)
    finally:
        discard(url)
    if options.also_100k:
        print(f"{name}: {LARGE:,} patients × {LARGE_DAYS} days", flush=True)
        url = fresh(backend, workdir)
        try:
            place = await seed(url, name, LARGE, LARGE_DAYS)
            figures.put("seed100k", name, f"{duration(place.seconds)} (+{megabytes(place.growth)})")
            await dispatcher_figures(figures, place, "100k")
            await through_bot(figures, place, workdir, options.updates, workload=False)
            await day_end_figures(figures, place)
        finally:
            discard(url)


async def dispatcher_figures(figures: Figures, place: Practice, suffix: str) -> None:
    rounds = await dispatcher_rounds(place.url)
    figures.put("first" + suffix, place.backend, ms(rounds.first))
    put_rounds(figures, "idle" + suffix, place.backend, rounds)
    writes = max(rounds.first_write, rounds.idle_write)
    figures.put(
        "writes" + suffix,
        place.backend,
        f"{ms(rounds.first_write)} / {ms(rounds.idle_write)}",
        writes < LONGEST_WRITE,
    )
    print(
        f"  first round {ms(rounds.first)}, idle {ms(statistics.median(rounds.idle))}, "
        f"longest write {ms(writes)}",
        flush=True,
    )


async def day_end_figures(figures: Figures, place: Practice) -> None:
    end = await day_end(place.url, place.seeded_at)
    put_day_end(figures, place.backend, place.suffix, end)
    figures.put(
        "day_end_write" + place.suffix,
        place.backend,
        ms(end.longest_write),
        end.longest_write < LONGEST_WRITE,
    )
    print(
        f"  a day's end: {end.rounds} rounds, {duration(end.seconds)}, longest round "
        f"{ms(end.longest_round)}, longest write {ms(end.longest_write)}",
        flush=True,
    )


async def main(options: argparse.Namespace) -> None:
    backends = []
    if options.only in (None, "sqlite"):
        backends.append(databases.SQLITE)
    if options.only in (None, "postgresql") and os.environ.get(databases.ENV):
        backends.append(databases.POSTGRESQL)
    workdir = Path(tempfile.mkdtemp(prefix="coachbot-scale-"))
    figures = Figures()
    try:
        for backend in backends:
            await run_backend(figures, backend, options, workdir)
    finally:
        databases.close()
        shutil.rmtree(workdir, ignore_errors=True)
    names = {
        "patients": f"{options.patients:,}",
        "days": options.days,
        "updates": options.updates,
        "large": f"{LARGE:,}",
        "large_days": LARGE_DAYS,
        "month": MONTH,
    }
    print()
    print(
        f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; ✓ met, ✗ missed\n"
    )
    print(figures.table(names))


if __name__ == "__main__":
    arguments = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    arguments.add_argument("--patients", type=int, default=10_000)
    arguments.add_argument("--days", type=int, default=365)
    arguments.add_argument("--also-100k", action="store_true", help="100,000 patients × 30 days")
    arguments.add_argument("--only", choices=["sqlite", "postgresql"])
    arguments.add_argument("--updates", type=int, default=300, help="for the CPU per update")
    asyncio.run(main(arguments.parse_args()))
