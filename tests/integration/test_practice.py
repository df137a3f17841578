"""The therapist's summary, its schedule and the export on a real database.

The scripted fortnight below (and `write_history`) is shared with the conversation
tests of /summary and /export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from catalogue.loader import Catalogue
from coachbot import access, enrolment, privacy, summaries, therapists, views
from coachbot import sessions as daily
from coachbot.db.uow import SessionFactory, UnitOfWork
from coachbot.domain.adherence import Adherence
from coachbot.domain.model import Alert, Report, Therapist
from coachbot.domain.summary import CohortSummary, PatientFigures, Trend
from coachbot.domain.vocabulary import (
    AlertKind,
    Difficulty,
    Language,
    Outcome,
    SessionState,
    SummaryFrequency,
)

# Monday 23 November 2026, 08:00 UTC = 09:00 in Berlin. "This week" is Tue 17.11. to
# Mon 23.11. (today), "the week before" Tue 10.11. to Mon 16.11.
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
FIRST_DAY = date(2026, 11, 10)

# One token per local day from FIRST_DAY to TODAY ("|" only separates the weeks):
# D done, P partly, S skipped (each reported, with the pain after if a digit follows),
# M missed, E excused, O open (planned, today's not yet due), - no session.
FORTNIGHT: dict[str, str] = {
    # Steady and good.
    "Gina": "D2 D2 D2 D2 D2 D2 P2 | D2 D2 D1 D2 D2 D2 O",
    # Improving: trains far more, and it hurts less. Already done today, this morning.
    "Ivo": "M S5 D5 M P4 M D4 | D4 D3 P3 D3 D3 D2 D2",
    # Slipping: trains less and less, pain rising.
    "Sara": "D3 D3 D3 D3 D3 D3 D3 | D5 P6 S7 M S M O",
    # Excused days (a holiday, a sick day), otherwise keeping to the plan.
    "Emil": "D3 D3 E E E D3 D3 | D3 E D3 D4 P3 D3 O",
    # Silent: never reports, every session missed.
    "Otto": "M M M M M M M | M M M M M M O",
}


@dataclass(frozen=True)
class Expected:
    now: Adherence
    before: Adherence
    pain_now: float | None
    pain_before: float | None
    trend: Trend
    open_alerts: int
    # As the summary shows them: adherence now (before), pain now (before).
    shown: str


# Worked out by hand from FORTNIGHT (done 1, partly 0.5, skipped/missed 0; excused and
# open sessions not counted; mean of the pain answers of each week):
EXPECTED: dict[str, Expected] = {
    # before: 6 done + 1 partly = 6.5 / 7 = 92.9%; pain 14 / 7 = 2.0
    # now:    6 done (today open) = 6 / 6 = 100%;    pain (2+2+1+2+2+2) / 6 = 11/6 = 1.83
    # adherence +7 points, pain -0.17: steady.
    "Gina": Expected(
        now=Adherence(6.0, 6),
        before=Adherence(6.5, 7),
        pain_now=11 / 6,
        pain_before=2.0,
        trend=Trend.STEADY,
        open_alerts=0,
        shown="100% (93%), pain 1.8 (2.0)",
    ),
    # before: M S D M P M D = (1 + 0.5 + 1) / 7 = 2.5 / 7 = 35.7%; pain (5+5+4+4)/4 = 4.5
    # now:    D D P D D D D = 6.5 / 7 = 92.9%; pain (4+3+3+3+3+2+2) / 7 = 20/7 = 2.86
    # adherence +57 points and pain -1.6: improved.
    "Ivo": Expected(
        now=Adherence(6.5, 7),
        before=Adherence(2.5, 7),
        pain_now=20 / 7,
        pain_before=4.5,
        trend=Trend.IMPROVED,
        open_alerts=0,
        shown="93% (36%), pain 2.9 (4.5)",
    ),
    # before: 7 done = 100%, pain 3.0
    # now:    D P S M S M (today open) = 1.5 / 6 = 25%; pain (5+6+7) / 3 = 6.0
    # adherence -75 points, pain +3: slipped. One open alert (a seen one does not count).
    "Sara": Expected(
        now=Adherence(1.5, 6),
        before=Adherence(7.0, 7),
        pain_now=6.0,
        pain_before=3.0,
        trend=Trend.SLIPPED,
        open_alerts=1,
        shown="25% (100%), pain 6.0 (3.0)",
    ),
    # before: D D E E E D D = 4 / 4 (excused not prescribed) = 100%; pain 12 / 4 = 3.0
    # now:    D E D D P D (today open) = 4.5 / 5 = 90%; pain (3+3+4+3+3) / 5 = 3.2
    # adherence -10 points, pain +0.2: steady.
    "Emil": Expected(
        now=Adherence(4.5, 5),
        before=Adherence(4.0, 4),
        pain_now=3.2,
        pain_before=3.0,
        trend=Trend.STEADY,
        open_alerts=0,
        shown="90% (100%), pain 3.2 (3.0)",
    ),
    # before 0 / 7, now 0 / 6 (today open): 0% both, no pain answers: steady adherence,
    # pain unknown -> steady. One open silence alert.
    "Otto": Expected(
        now=Adherence(0.0, 6),
        before=Adherence(0.0, 7),
        pain_now=None,
        pain_before=None,
        trend=Trend.STEADY,
        open_alerts=1,
        shown="0% (0%), pain – (–)",
    ),
}
# The whole practice this week: (6 + 6.5 + 1.5 + 4.5 + 0) / (6 + 7 + 6 + 5 + 6)
# = 18.5 / 30 = 61.7%; open alerts 1 (Sara) + 1 (Otto) = 2.
COHORT = Adherence(18.5, 30)
COHORT_SHOWN = "All patients: 62% of 30 sessions done"
OPEN_ALERTS = 2

_STATES = {
    "D": SessionState.DONE,
    "P": SessionState.PARTLY,
    "S": SessionState.SKIPPED,
    "M": SessionState.MISSED,
    "E": SessionState.EXCUSED,
    "O": SessionState.PLANNED,
}
_OUTCOMES = {"D": Outcome.DONE, "P": Outcome.PARTLY, "S": Outcome.SKIPPED}
_TOKEN = re.compile(r"^([DPSMEO-])(\d{1,2})?$")


@dataclass(frozen=True)
class ScriptDay:
    day: date
    code: str
    pain: int | None

    @property
    def state(self) -> SessionState | None:
        return _STATES.get(self.code)

    @property
    def report(self) -> tuple[Outcome, int | None, Difficulty | None] | None:
        """(outcome, pain after, difficulty) of the report written, if any."""
        if self.code not in _OUTCOMES:
            return None
        difficulty = {"D": Difficulty.RIGHT, "P": Difficulty.HARD}.get(self.code)
        return _OUTCOMES[self.code], self.pain, difficulty


def parse(script: str, first_day: date = FIRST_DAY) -> list[ScriptDay]:
    days = []
    for n, token in enumerate(script.replace("|", " ").split()):
        match = _TOKEN.match(token)
        assert match, token
        pain = int(match.group(2)) if match.group(2) else None
        days.append(ScriptDay(first_day + timedelta(days=n), match.group(1), pain))
    return days


def received_at(due_at: datetime, now: datetime) -> datetime:
    """When the report of a session came: an hour after it was due, or now if earlier."""
    return min(due_at + timedelta(hours=1), now)


async def write_history(
    uow: UnitOfWork,
    catalogue: Catalogue,
    patient_id: int,
    script: str,
    now: datetime = NOW,
    first_day: date = FIRST_DAY,
) -> None:
    """Sessions and reports as `script` says, one per local day (reusing a session the
    enrolment already planned for that day)."""
    patient = await uow.patients.get(patient_id)
    assert patient is not None
    for entry in parse(script, first_day):
        if entry.state is None:
            continue
        session = await uow.sessions.on_day(patient_id, entry.day)
        if session is None:
            session = await daily.build_session(uow, patient, catalogue, entry.day)
            try:
                async with uow.session.begin_nested():
                    uow.sessions.add(session)
                    await uow.flush()
            except IntegrityError:
                # A running bot's dispatcher planned that day meanwhile: take its session.
                session = await uow.sessions.on_day(patient_id, entry.day)
                assert session is not None
        session.state = entry.state
        await uow.flush()
        report = entry.report
        if report is not None:
            assert session.id is not None
            outcome, pain_after, difficulty = report
            uow.reports.add(
                Report(
                    session_id=session.id,
                    outcome=outcome,
                    pain_after=pain_after,
                    difficulty=difficulty,
                    received_at=received_at(session.due_at, now),
                )
            )
    await uow.flush()


async def write_alerts(uow: UnitOfWork, ids: dict[str, int], now: datetime = NOW) -> None:
    """Sara: a pain alert still open and a red flag already seen; Otto: silent. All of
    them already sent to the therapist."""
    earlier = now - timedelta(days=2)
    uow.alerts.add(Alert(ids["Sara"], AlertKind.PAIN_HIGH, earlier, pain=7, notified_at=earlier))
    uow.alerts.add(
        Alert(ids["Sara"], AlertKind.RED_FLAG, earlier, notified_at=earlier, seen_at=earlier)
    )
    uow.alerts.add(Alert(ids["Otto"], AlertKind.SILENT, now, days=3, notified_at=now))
    await uow.flush()


def sessions_up_to_today(script: str) -> list[ScriptDay]:
    return [entry for entry in parse(script) if entry.state is not None and entry.day <= TODAY]


# --- set-up on the integration database ----------------------------------------------


async def add_therapist(uow: UnitOfWork, user_id: int, name: str) -> Therapist:
    therapist = await therapists.add_therapist(uow, name, NOW)
    assert therapist.signup_code is not None
    return await therapists.sign_up_therapist(
        uow, therapist.signup_code, user_id, Language.EN, "Europe/Berlin"
    )


async def add_patients(
    uow: UnitOfWork, catalogue: Catalogue, therapist: Therapist | None, user_id: int,
    names: list[str],
) -> dict[str, int]:  # fmt: skip
    """Enrolled patients (Telegram ids user_id*100+n) linked to `therapist`."""
    ids = {}
    for n, name in enumerate(names):
        patient = await enrolment.consent(
            uow,
            telegram_user_id=user_id * 100 + n,
            chat_id=user_id * 100 + n,
            language=Language.EN,
            timezone="Europe/Berlin",
            first_step="ob:days",
            now=NOW,
            display_name=name,
        )
        patient.therapist_id = therapist.id if therapist else None
        await enrolment.finish_enrolment(uow, patient, catalogue, NOW)
        assert patient.id is not None
        ids[name] = patient.id
    return ids


WEBER = 900
KRAUSE = 901


@dataclass
class Practice:
    weber: int  # the therapist's record id
    ids: dict[str, int]


@pytest.fixture
async def practice_db(sessions: SessionFactory, catalogue: Catalogue) -> Practice:
    """Dr. Weber with the five patients of FORTNIGHT, history and alerts written."""
    async with UnitOfWork(sessions) as uow:
        weber = await add_therapist(uow, WEBER, "Dr. Weber")
        ids = await add_patients(uow, catalogue, weber, WEBER, list(FORTNIGHT))
        for name, script in FORTNIGHT.items():
            await write_history(uow, catalogue, ids[name], script)
        await write_alerts(uow, ids)
        # Tomorrow's session of whoever has none planned yet (Ivo trained today).
        for patient_id in ids.values():
            patient = await uow.patients.get(patient_id)
            assert patient is not None
            await daily.ensure_next_session(uow, patient, catalogue, NOW)
        await uow.commit()
        assert weber.id is not None
        return Practice(weber.id, ids)


async def summary_of(sessions: SessionFactory, user_id: int, now: datetime = NOW) -> CohortSummary:
    async with UnitOfWork(sessions) as uow:
        therapist = await access.therapist_of(uow, user_id)
        return await views.cohort_summary(uow, therapist, now)


async def export(
    sessions: SessionFactory,
    user_id: int,
    now: datetime = NOW,
    start: date | None = None,
    end: date | None = None,
) -> list[views.ExportRow]:
    async with UnitOfWork(sessions) as uow:
        therapist = await access.therapist_of(uow, user_id)
        return [row async for row in views.export_rows(uow, therapist, now, start, end)]


def by_name(summary: CohortSummary) -> dict[str, PatientFigures]:
    return {p.name: p for p in summary.patients}


# --- the summary's figures ---------------------------------------------------------------


async def test_cohort_summary_of_a_scripted_fortnight(
    sessions: SessionFactory, practice_db: Practice
) -> None:
    summary = await summary_of(sessions, WEBER)
    figures = by_name(summary)
    assert [p.name for p in summary.patients] == list(FORTNIGHT)  # in the order linked
    for name, expected in EXPECTED.items():
        got = figures[name]
        assert got.patient_id == practice_db.ids[name]
        assert (got.adherence_now, got.adherence_before) == (expected.now, expected.before), name
        assert got.pain_now == pytest.approx(expected.pain_now), name
        assert got.pain_before == pytest.approx(expected.pain_before), name
        assert got.trend is expected.trend, name
        assert got.open_alerts == expected.open_alerts, name
    assert summary.adherence == COHORT
    assert summary.open_alerts == OPEN_ALERTS
    assert [p.name for p in summary.with_trend(Trend.IMPROVED)] == ["Ivo"]
    assert [p.name for p in summary.with_trend(Trend.SLIPPED)] == ["Sara"]


async def test_a_week_later_the_fortnight_has_moved_on(
    sessions: SessionFactory, practice_db: Practice
) -> None:
    """Next Monday, "the week before" is the week that was "this week"; nothing new was
    reported, so this week holds only what was still open (not yet counted)."""
    summary = await summary_of(sessions, WEBER, NOW + timedelta(days=7))
    gina = by_name(summary)["Gina"]
    assert gina.adherence_before == EXPECTED["Gina"].now
    assert gina.pain_before == pytest.approx(EXPECTED["Gina"].pain_now)
    # Gina's 23rd is still planned (no dispatcher closed it here) and counts nowhere.
    assert gina.adherence_now == Adherence(0.0, 0)
    assert gina.trend is Trend.UNKNOWN


async def test_patients_of_another_therapist_never_appear(
    sessions: SessionFactory, catalogue: Catalogue, practice_db: Practice
) -> None:
    async with UnitOfWork(sessions) as uow:
        krause = await add_therapist(uow, KRAUSE, "Dr. Krause")
        theirs = await add_patients(uow, catalogue, krause, KRAUSE, ["Gina", "Paul"])
        unlinked = await add_patients(uow, catalogue, None, 902, ["Lone"])
        for patient_id in [*theirs.values(), *unlinked.values()]:
            await write_history(uow, catalogue, patient_id, FORTNIGHT["Sara"])
        await uow.commit()
    weber = await summary_of(sessions, WEBER)
    assert sorted(p.patient_id for p in weber.patients) == sorted(practice_db.ids.values())
    assert weber.adherence == COHORT
    krause_summary = await summary_of(sessions, KRAUSE)
    assert sorted(p.patient_id for p in krause_summary.patients) == sorted(theirs.values())
    # Krause's Gina has Sara's history, not Weber's Gina's.
    assert by_name(krause_summary)["Gina"].adherence_now == EXPECTED["Sara"].now
    assert krause_summary.adherence == Adherence(3.0, 12)
    assert krause_summary.open_alerts == 0
    rows = await export(sessions, KRAUSE)
    assert {row.patient_id for row in rows} == set(theirs.values())


async def test_an_erased_patient_disappears_from_summary_and_export(
    sessions: SessionFactory, practice_db: Practice
) -> None:
    sara = practice_db.ids["Sara"]
    async with UnitOfWork(sessions) as uow:
        await privacy.delete_patient(
            uow, await access.patient_of(uow, WEBER * 100 + list(FORTNIGHT).index("Sara"))
        )
        await uow.commit()
    summary = await summary_of(sessions, WEBER)
    assert "Sara" not in by_name(summary)
    assert sara not in {p.patient_id for p in summary.patients}
    # 18.5 - 1.5 = 17 credits over 30 - 6 = 24 sessions; Sara's open alert went with her.
    assert summary.adherence == Adherence(17.0, 24)
    assert summary.open_alerts == 1
    assert summary.with_trend(Trend.SLIPPED) == []
    rows = await export(sessions, WEBER)
    assert rows and all(row.patient_id != sara for row in rows)


# --- the export's rows -------------------------------------------------------------------


def expected_rows(
    ids: dict[str, int], start: date = FIRST_DAY, end: date = TODAY
) -> list[tuple[int, date, str]]:
    return sorted(
        (ids[name], entry.day, entry.state or "")
        for name, script in FORTNIGHT.items()
        for entry in sessions_up_to_today(script)
        if start <= entry.day <= end
    )


def row_keys(rows: list[views.ExportRow]) -> list[tuple[int, date, str]]:
    return [(row.patient_id, row.day, row.state) for row in rows]


async def test_export_rows_one_per_session_up_to_today(
    sessions: SessionFactory, practice_db: Practice
) -> None:
    rows = await export(sessions, WEBER)
    async with UnitOfWork(sessions) as uow:
        planned = {
            s.local_date
            for patient_id in practice_db.ids.values()
            for s in await uow.sessions.for_patient(patient_id)
        }
    # 14 days of 5 patients = 70 sessions; none tomorrow although the 24th is planned.
    assert date(2026, 11, 24) in planned
    assert len(rows) == 70
    assert row_keys(rows) == sorted(row_keys(rows), key=lambda key: (key[1], key[0]))
    assert sorted(row_keys(rows)) == expected_rows(practice_db.ids)
    assert max(row.day for row in rows) == TODAY
    # Each row carries its own report, or none for missed, excused and open sessions.
    names = {patient_id: name for name, patient_id in practice_db.ids.items()}
    for row in rows:
        entry = next(e for e in parse(FORTNIGHT[names[row.patient_id]]) if e.day == row.day)
        if entry.report is None:
            assert (row.outcome, row.received_at) == (None, None)
        else:
            assert row.received_at is not None and row.received_at.tzinfo is not None
            assert (row.outcome, row.pain_after, row.difficulty) == entry.report
        assert row.exercise_ids  # the session's exercises, by id


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        # 12.11.-18.11.: 7 days x 5 patients, both ends included.
        (date(2026, 11, 12), date(2026, 11, 18), 35),
        (date(2026, 11, 18), date(2026, 11, 18), 5),
        (date(2026, 11, 20), None, 20),  # 20.11. to today
        (None, date(2026, 11, 11), 10),  # from the start to 11.11.
        (date(2026, 11, 22), date(2026, 12, 31), 10),  # never beyond today
        (date(2026, 11, 24), date(2026, 12, 31), 0),
        (date(2026, 10, 1), date(2026, 11, 9), 0),
    ],
)
async def test_export_rows_in_a_date_range(
    sessions: SessionFactory,
    practice_db: Practice,
    start: date | None,
    end: date | None,
    count: int,
) -> None:
    rows = await export(sessions, WEBER, NOW, start, end)
    assert len(rows) == count
    assert sorted(row_keys(rows)) == expected_rows(
        practice_db.ids, start or FIRST_DAY, min(end or TODAY, TODAY)
    )


# --- the summary's schedule -----------------------------------------------------------------


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


async def claim(sessions: SessionFactory, now: datetime) -> list[int]:
    """The Telegram ids of the therapists whose summary is due at `now` (claimed)."""
    async with UnitOfWork(sessions) as uow:
        due = await summaries.due_summaries(uow, now, 50)
        for therapist in due:
            assert therapist.id is not None and therapist.next_summary_at is not None
            assert await summaries.move_summary_on(
                uow, therapist.id, therapist.next_summary_at, now
            )
        await uow.commit()
    return [t.telegram_user_id or 0 for t in due]


async def next_at(sessions: SessionFactory, user_id: int) -> datetime | None:
    async with UnitOfWork(sessions) as uow:
        return (await access.therapist_of(uow, user_id)).next_summary_at


async def schedule(
    sessions: SessionFactory,
    user_id: int,
    *,
    frequency: SummaryFrequency | None = None,
    at: time | None = None,
    weekday: int | None = None,
    timezone: str | None = None,
) -> datetime | None:
    """Choose the summary's schedule on Monday morning; returns the next summary's time."""
    async with UnitOfWork(sessions) as uow:
        therapist = await access.therapist_of(uow, user_id)
        summaries.set_summary_schedule(
            therapist,
            NOW,
            frequency=frequency,
            at=at,
            weekday=weekday,
            timezone=timezone,
        )
        await uow.commit()
        return therapist.next_summary_at


@pytest.fixture
async def weber(sessions: SessionFactory) -> int:
    async with UnitOfWork(sessions) as uow:
        await add_therapist(uow, WEBER, "Dr. Weber")
        await uow.commit()
    return WEBER


async def test_daily_summary_is_claimed_once_then_tomorrow(
    sessions: SessionFactory, weber: int
) -> None:
    # Chosen on Monday at 09:00 in Berlin: daily at 07:30, so first on Tuesday.
    assert await schedule(sessions, weber, frequency=SummaryFrequency.DAILY, at=time(7, 30)) == utc(
        2026, 11, 24, 6, 30
    )
    assert await claim(sessions, utc(2026, 11, 24, 6, 29, 59)) == []
    assert await claim(sessions, utc(2026, 11, 24, 6, 30)) == [weber]
    assert await next_at(sessions, weber) == utc(2026, 11, 25, 6, 30)
    assert await claim(sessions, utc(2026, 11, 24, 6, 30)) == []
    assert await claim(sessions, utc(2026, 11, 24, 23, 0)) == []
    assert await claim(sessions, utc(2026, 11, 25, 6, 30, 1)) == [weber]
    assert await next_at(sessions, weber) == utc(2026, 11, 26, 6, 30)


async def test_weekly_summary_is_claimed_once_then_next_week(
    sessions: SessionFactory, weber: int
) -> None:
    await schedule(sessions, weber, frequency=SummaryFrequency.WEEKLY)
    await schedule(sessions, weber, at=time(7, 0))
    # Wednesday 07:00 in Berlin.
    assert await schedule(sessions, weber, weekday=2) == utc(2026, 11, 25, 6, 0)
    assert await claim(sessions, utc(2026, 11, 24, 6, 0)) == []
    assert await claim(sessions, utc(2026, 11, 25, 6, 0)) == [weber]
    assert await next_at(sessions, weber) == utc(2026, 12, 2, 6, 0)
    for day in range(25, 31):
        assert await claim(sessions, utc(2026, 11, day, 12, 0)) == []
    assert await claim(sessions, utc(2026, 12, 2, 6, 5)) == [weber]
    assert await next_at(sessions, weber) == utc(2026, 12, 9, 6, 0)


async def test_after_downtime_an_overdue_summary_comes_once(
    sessions: SessionFactory, weber: int
) -> None:
    await schedule(sessions, weber, frequency=SummaryFrequency.DAILY, at=time(7, 30))
    # Down from Monday to Friday noon: one summary, not one per day missed.
    assert await claim(sessions, utc(2026, 11, 27, 11, 0)) == [weber]
    assert await claim(sessions, utc(2026, 11, 27, 11, 0)) == []
    assert await next_at(sessions, weber) == utc(2026, 11, 28, 6, 30)


async def test_a_therapist_without_a_next_summary_gets_one_set(
    sessions: SessionFactory, weber: int
) -> None:
    # Just signed up: weekly on Monday at 07:30 (Berlin), nothing set yet.
    assert await next_at(sessions, weber) is None
    assert await claim(sessions, NOW) == []  # Monday 09:00: this Monday's has passed
    assert await next_at(sessions, weber) == utc(2026, 11, 30, 6, 30)
    assert await claim(sessions, utc(2026, 11, 30, 6, 30)) == [weber]
    assert await next_at(sessions, weber) == utc(2026, 12, 7, 6, 30)


async def test_the_time_zone_moves_the_local_time(sessions: SessionFactory, weber: int) -> None:
    await schedule(sessions, weber, frequency=SummaryFrequency.DAILY, at=time(7, 30))
    # 07:30 in New York is 12:30 UTC, still to come on Monday.
    assert await schedule(sessions, weber, timezone="America/New_York") == utc(2026, 11, 23, 12, 30)
    assert await claim(sessions, utc(2026, 11, 23, 12, 29)) == []
    assert await claim(sessions, utc(2026, 11, 23, 12, 30)) == [weber]


async def test_summaries_off_are_never_due(sessions: SessionFactory, weber: int) -> None:
    await schedule(sessions, weber, frequency=SummaryFrequency.DAILY, at=time(7, 30))
    assert await schedule(sessions, weber, frequency=SummaryFrequency.OFF) is None
    for days in range(0, 15):
        assert await claim(sessions, NOW + timedelta(days=days, hours=days % 5)) == []
        assert await next_at(sessions, weber) is None
    # Switched back on, the next one is set again.
    assert await schedule(sessions, weber, frequency=SummaryFrequency.WEEKLY) == utc(
        2026, 11, 30, 6, 30
    )


async def test_only_due_therapists_are_claimed(sessions: SessionFactory, weber: int) -> None:
    async with UnitOfWork(sessions) as uow:
        await add_therapist(uow, KRAUSE, "Dr. Krause")
        await uow.commit()
    await schedule(sessions, weber, frequency=SummaryFrequency.DAILY, at=time(7, 30))
    async with UnitOfWork(sessions) as uow:
        summaries.set_summary_schedule(
            await access.therapist_of(uow, KRAUSE),
            NOW,
            frequency=SummaryFrequency.DAILY,
            at=time(18, 0),
        )
        await uow.commit()
    assert await claim(sessions, utc(2026, 11, 23, 17, 0)) == [KRAUSE]  # Monday 18:00
    assert await claim(sessions, utc(2026, 11, 24, 7, 0)) == [weber]  # Tuesday 08:00
    # Wednesday evening: both are due again (Krause's since Tuesday 18:00).
    assert sorted(await claim(sessions, utc(2026, 11, 25, 20, 0))) == [weber, KRAUSE]
