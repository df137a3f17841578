"""What a patient reports about a session: done, partly or skipped; pain; how hard.

One report per session, today's only; high or rising pain raises alerts, and each
report may move the plan (see `progression`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from catalogue.loader import Catalogue
from coachbot.access import own_session
from coachbot.alerts import new_alert, stop_for_red_flag
from coachbot.db.uow import UnitOfWork
from coachbot.domain import schedule
from coachbot.domain.errors import AlreadyReported, SessionClosed, TrainingStopped
from coachbot.domain.model import Patient, PlanChange, Report, Session
from coachbot.domain.safety import Light, pain_alerts, traffic_light
from coachbot.domain.vocabulary import (
    AlertKind,
    Difficulty,
    Outcome,
    PatientStatus,
    RedFlag,
    SessionState,
)
from coachbot.progression import review_progress


async def _session_for_report(
    uow: UnitOfWork, patient: Patient, session_id: int, now: datetime
) -> Session:
    session = await own_session(uow, patient, session_id)
    if patient.status == PatientStatus.STOPPED:
        raise TrainingStopped
    if session.local_date != schedule.local_date(now, patient.timezone):
        raise SessionClosed
    return session


async def record_outcome(
    uow: UnitOfWork, patient: Patient, session_id: int, outcome: Outcome, now: datetime
) -> Session:
    """Done, partly or skipped: one report per session, the first tap wins."""
    session = await _session_for_report(uow, patient, session_id, now)
    if await uow.reports.for_session(session_id) is not None:
        raise AlreadyReported
    uow.reports.add(Report(session_id=session_id, outcome=outcome, received_at=now))
    patient.last_report_at = now
    session.state = SessionState(outcome)
    session.lease_until = None
    try:
        await uow.flush()
    except IntegrityError as error:  # a concurrent tap on another worker won
        raise AlreadyReported from error
    return session


@dataclass(frozen=True)
class PainResult:
    light: Light
    alerts: list[AlertKind]
    outcome: Outcome
    change: PlanChange | None = None


async def record_pain(
    uow: UnitOfWork,
    patient: Patient,
    session_id: int,
    pain: int,
    now: datetime,
    catalogue: Catalogue | None = None,
) -> PainResult:
    """Pain now (0-10) for a reported session; high or rising pain raises alerts."""
    session = await _session_for_report(uow, patient, session_id, now)
    report = await uow.reports.for_session(session_id)
    if report is None:
        raise SessionClosed
    if report.pain_after is not None:
        raise AlreadyReported
    alerts = pain_alerts(pain, patient.baseline_pain)
    report.pain_after = pain
    if patient.first_pain_on is None:
        patient.first_pain_on = session.local_date
    for kind in alerts:
        uow.alerts.add(new_alert(patient, kind, now, pain=pain))
    await uow.flush()
    # Pain alone can call for an easier plan; progress waits for "how hard".
    change = await review_progress(uow, patient, catalogue, now) if catalogue else None
    return PainResult(traffic_light(pain), alerts, report.outcome, change)


async def record_difficulty(
    uow: UnitOfWork,
    patient: Patient,
    session_id: int,
    difficulty: Difficulty | None,
    now: datetime,
    catalogue: Catalogue | None = None,
) -> PlanChange | None:
    """How hard it felt (optional: None means the patient chose not to say)."""
    await _session_for_report(uow, patient, session_id, now)
    report = await uow.reports.for_session(session_id)
    if report is None or report.pain_after is None:
        raise SessionClosed
    if report.difficulty is not None:
        raise AlreadyReported
    report.difficulty = difficulty or Difficulty.UNANSWERED
    await uow.flush()
    return await review_progress(uow, patient, catalogue, now) if catalogue else None


async def red_flag_after_report(
    uow: UnitOfWork, patient: Patient, session_id: int, flag: RedFlag, now: datetime
) -> None:
    """A warning sign reported with the daily check-in stops training."""
    await _session_for_report(uow, patient, session_id, now)
    await stop_for_red_flag(uow, patient, flag, now)
