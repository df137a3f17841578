"""The read side: what patients and therapists look at.

Each view is a few aggregate queries over the window it shows (a patient's last 28
days, a therapist's patients' last two weeks, an export's date range), never a whole
history and never a query per patient. Call them with a read-only unit of work: on
SQLite it begins deferred, so a view neither waits for nor holds up a writer.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, cast, func, select
from sqlalchemy.types import Text

from coachbot.db import tables as t
from coachbot.db.dates import day_of, plus_days
from coachbot.db.uow import UnitOfWork
from coachbot.domain import schedule
from coachbot.domain.adherence import Adherence, adherence
from coachbot.domain.model import Alert, Patient, PlanChange, PlanItem, Therapist
from coachbot.domain.summary import WEEK, CohortSummary, Day, figures
from coachbot.domain.vocabulary import (
    ChangeStatus,
    Difficulty,
    Outcome,
    PatientStatus,
    SessionState,
)

PROGRESS_DAYS = 28
FIRST_WEEK = 7
# Sessions of an export are read from the database this many at a time.
EXPORT_BATCH = 1000

_s, _r, _p = t.session.c, t.report.c, t.patient.c
_BREAKS = (SessionState.SKIPPED, SessionState.MISSED)
_KEPT = (SessionState.DONE, SessionState.PARTLY)


@dataclass(frozen=True)
class Progress:
    adherence_7: Adherence
    adherence_28: Adherence
    streak: int
    pain_first_week: float | None
    pain_last_week: float | None
    days: list[Day]


async def progress(uow: UnitOfWork, patient: Patient, now: datetime) -> Progress:
    """Adherence over 7 and 28 days, streak, and pain in the first week of reports
    against the last 7 days, with the last 28 days for the chart and the strip."""
    assert patient.id is not None
    today = schedule.local_date(now, patient.timezone)
    days = (await _days(uow, [patient.id], today - timedelta(days=PROGRESS_DAYS - 1), today))[
        patient.id
    ]
    last_week = [d for d in days if d.day > today - timedelta(days=WEEK)]
    return Progress(
        adherence_7=adherence(d.state for d in last_week),
        adherence_28=adherence(d.state for d in days),
        streak=await _streak(uow, patient.id, today),
        pain_first_week=(await _first_week_pain(uow, _p.id == patient.id)).get(patient.id),
        pain_last_week=_mean(d.pain for d in last_week),
        days=days,
    )


# --- the therapist's views --------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    patient_id: int
    name: str
    adherence_7: Adherence
    pain_first_week: float | None
    pain_last_week: float | None
    last_report: Day | None
    open_alerts: int


async def roster(uow: UnitOfWork, therapist: Therapist, now: datetime) -> list[RosterRow]:
    """The therapist's own patients, those needing attention first: open alerts, then
    the lowest 7-day adherence."""
    assert therapist.id is not None
    mine = _p.therapist_id == therapist.id
    patients = (
        await uow.session.execute(
            select(_p.id, _p.display_name, _p.timezone).where(mine).order_by(_p.id)
        )
    ).all()
    todays = {row.id: schedule.local_date(now, row.timezone) for row in patients}
    weeks = await _windows(uow, todays, WEEK)
    alerts = await _open_alerts(uow, mine)
    first_week = await _first_week_pain(uow, mine)
    last_reports = await _last_reports(uow, mine)
    rows = []
    for patient in patients:
        week = weeks.get(patient.id, [])
        rows.append(
            RosterRow(
                patient_id=patient.id,
                name=patient.display_name,
                adherence_7=adherence(d.state for d in week),
                pain_first_week=first_week.get(patient.id),
                pain_last_week=_mean(d.pain for d in week),
                last_report=last_reports.get(patient.id),
                open_alerts=alerts.get(patient.id, 0),
            )
        )

    def attention(row: RosterRow) -> tuple[int, float, str]:
        ratio = row.adherence_7.ratio
        return (-row.open_alerts, 1.0 if ratio is None else ratio, row.name)

    return sorted(rows, key=attention)


@dataclass(frozen=True)
class PatientCard:
    therapist: Therapist
    patient: Patient
    plan: list[PlanItem]
    progress: Progress
    open_alerts: list[Alert]
    proposals: list[PlanChange]


async def patient_card(
    uow: UnitOfWork, therapist: Therapist, patient: Patient, now: datetime
) -> PatientCard:
    """One patient's card (the caller has checked the patient is the therapist's)."""
    assert patient.id is not None
    return PatientCard(
        therapist=therapist,
        patient=patient,
        plan=await uow.plans.for_patient(patient.id),
        progress=await progress(uow, patient, now),
        open_alerts=list(await uow.alerts.open_for(patient.id)),
        proposals=list(await uow.plan_changes.with_status(patient.id, ChangeStatus.PROPOSED)),
    )


async def cohort_summary(uow: UnitOfWork, therapist: Therapist, now: datetime) -> CohortSummary:
    """Every linked patient's figures for this week against the week before."""
    assert therapist.id is not None
    mine = and_(_p.therapist_id == therapist.id, _p.status != PatientStatus.ONBOARDING)
    patients = (
        await uow.session.execute(
            select(_p.id, _p.display_name, _p.timezone).where(mine).order_by(_p.id)
        )
    ).all()
    todays = {row.id: schedule.local_date(now, row.timezone) for row in patients}
    fortnights = await _windows(uow, todays, 2 * WEEK)
    alerts = await _open_alerts(uow, mine)
    return CohortSummary(
        [
            figures(
                row.id,
                row.display_name,
                fortnights.get(row.id, []),
                todays[row.id],
                open_alerts=alerts.get(row.id, 0),
            )
            for row in patients
        ]
    )


@dataclass(frozen=True)
class ExportRow:
    patient_id: int
    name: str
    day: date
    state: SessionState
    outcome: Outcome | None
    pain_after: int | None
    difficulty: Difficulty | None
    received_at: datetime | None
    exercise_ids: list[str]


async def export_rows(
    uow: UnitOfWork,
    therapist: Therapist,
    now: datetime,
    start: date | None = None,
    end: date | None = None,
) -> AsyncIterator[ExportRow]:
    """One row per session of the therapist's patients up to each one's today, by date,
    streamed from the database (a year of a large practice is never held at once)."""
    assert therapist.id is not None
    patients = (
        await uow.session.execute(select(_p.id, _p.timezone).where(_p.therapist_id == therapist.id))
    ).all()
    if not patients:
        return
    todays = {row.id: schedule.local_date(now, row.timezone) for row in patients}
    last = min(end, max(todays.values())) if end else max(todays.values())
    query = (
        select(
            _s.patient_id,
            _p.display_name,
            _s.local_date,
            _s.state,
            _r.outcome,
            _r.pain_after,
            _r.difficulty,
            _r.received_at,
            cast(_s.exercises, Text).label("exercises"),  # decoded below, once per text
        )
        .join(t.patient, _p.id == _s.patient_id)
        .outerjoin(t.report, _r.session_id == _s.id)
        .where(_p.therapist_id == therapist.id, _s.local_date <= last)
        .order_by(_s.local_date, _s.patient_id)
        .execution_options(yield_per=EXPORT_BATCH)
    )
    if start is not None:
        query = query.where(_s.local_date >= start)
    result = await uow.session.stream(query)
    exercise_ids = _ExerciseIds()
    # By partition, not by row: each step of an async result is a switch into the
    # driver's greenlet, and a row at a time that was most of an export's time.
    async for rows in result.partitions():
        for row in rows:
            if row.local_date > todays[row.patient_id]:
                continue  # not yet today where that patient lives
            yield ExportRow(
                patient_id=row.patient_id,
                name=row.display_name,
                day=row.local_date,
                state=row.state,
                outcome=row.outcome,
                pain_after=row.pain_after,
                difficulty=row.difficulty,
                received_at=row.received_at,
                exercise_ids=exercise_ids(row.exercises),
            )


class _ExerciseIds:
    """A session's exercise ids from its stored JSON, decoded once per distinct text: a
    patient's sessions repeat their plan's list for weeks, and decoding each again was a
    third of an export's time."""

    LIMIT = 10_000

    def __init__(self) -> None:
        self._known: dict[str, list[str]] = {}

    def __call__(self, stored: str | None) -> list[str]:
        if stored is None:
            return []
        ids = self._known.get(stored)
        if ids is None:
            ids = [item["id"] for item in json.loads(stored)]
            if len(self._known) < self.LIMIT:
                self._known[stored] = ids
        return ids


# --- the queries behind them ---------------------------------------------------------------


def _day_rows(patients: Any, start: date, end: date) -> Select[Any]:
    return (
        select(_s.patient_id, _s.local_date, _s.state, _r.pain_after)
        .outerjoin(t.report, _r.session_id == _s.id)
        .where(_s.patient_id.in_(patients), _s.local_date.between(start, end))
        .order_by(_s.patient_id, _s.local_date)
    )


async def _days(
    uow: UnitOfWork, patients: Iterable[int], start: date, end: date
) -> dict[int, list[Day]]:
    """Each patient's sessions between the two days (both included), with their pain."""
    days: dict[int, list[Day]] = {patient: [] for patient in patients}
    if not days:
        return days
    for row in await uow.session.execute(_day_rows(list(days), start, end)):
        days[row.patient_id].append(Day(row.local_date, row.state, row.pain_after))
    return days


async def _windows(uow: UnitOfWork, todays: dict[int, date], length: int) -> dict[int, list[Day]]:
    """The last `length` days of each patient, up to their own today (one query per
    distinct today: patients in one practice share one or two)."""
    by_today: dict[date, list[int]] = defaultdict(list)
    for patient, today in todays.items():
        by_today[today].append(patient)
    windows: dict[int, list[Day]] = {}
    for today, patients in by_today.items():
        windows.update(await _days(uow, patients, today - timedelta(days=length - 1), today))
    return windows


async def _streak(uow: UnitOfWork, patient_id: int, today: date) -> int:
    """Sessions done or partly done since the last skipped or missed one."""
    up_to_today = and_(_s.patient_id == patient_id, _s.local_date <= today)
    last_break = (
        select(func.max(_s.local_date)).where(up_to_today, _s.state.in_(_BREAKS)).scalar_subquery()
    )
    count = await uow.session.scalar(
        select(func.count())
        .select_from(t.session)
        .where(
            up_to_today,
            _s.state.in_(_KEPT),
            (last_break.is_(None)) | (_s.local_date > last_break),
        )
    )
    return int(count or 0)


async def _first_week_pain(uow: UnitOfWork, which: Any) -> dict[int, float]:
    """Mean pain over each patient's first week of pain answers (a week from
    `patient.first_pain_on`: seven sessions a patient, however long the history)."""
    first_week = and_(
        _s.patient_id == _p.id,
        _s.local_date >= _p.first_pain_on,
        _s.local_date < plus_days(_p.first_pain_on, FIRST_WEEK),
    )
    rows = await uow.session.execute(
        select(_p.id, func.avg(_r.pain_after))
        .join(t.session, first_week)
        .join(t.report, and_(_r.session_id == _s.id, _r.pain_after.is_not(None)))
        .where(which, _p.first_pain_on.is_not(None))
        .group_by(_p.id)
    )
    return {patient: float(mean) for patient, mean in rows.all()}


async def _open_alerts(uow: UnitOfWork, which: Any) -> dict[int, int]:
    a = t.alert.c
    rows = await uow.session.execute(
        select(a.patient_id, func.count())
        .join(t.patient, _p.id == a.patient_id)
        .where(which, a.seen_at.is_(None))
        .group_by(a.patient_id)
    )
    return {patient: int(count) for patient, count in rows.all()}


async def _last_reports(uow: UnitOfWork, which: Any) -> dict[int, Day]:
    """Each patient's newest report, found through `patient.last_report_at`: a report is
    taken for the session of the patient's own today, so its session is among the few
    around that instant's day (local dates are at most a day or two from the server's)."""
    reported_on = day_of(_p.last_report_at)
    near = and_(
        _s.patient_id == _p.id,
        _s.local_date >= plus_days(reported_on, -2),
        _s.local_date <= plus_days(reported_on, 2),
    )
    rows = await uow.session.execute(
        select(_p.id, _s.local_date, _s.state, _r.pain_after)
        .join(t.session, near)
        .join(t.report, and_(_r.session_id == _s.id, _r.received_at == _p.last_report_at))
        .where(which)
    )
    return {row.id: Day(row.local_date, row.state, row.pain_after) for row in rows}


def _mean(values: Iterable[int | None]) -> float | None:
    present = [value for value in values if value is not None]
    return sum(present) / len(present) if present else None
