"""What a patient reports about a session: done, partly or skipped; pain; how hard; and,
the morning after a training day, how the back is compared with usual.

One report per session, today's only. Pain is judged against the patient's usual pain
(`domain.pain`): a real rise raises one alert, and each report may move the plan (see
`progression`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from catalogue.loader import Catalogue
from coachbot.access import own_session
from coachbot.alerts import new_alert, stop_for_red_flag, unseen_since
from coachbot.db.uow import UnitOfWork
from coachbot.domain import pain as rules
from coachbot.domain import schedule
from coachbot.domain.errors import AlreadyReported, SessionClosed, TrainingStopped
from coachbot.domain.model import Alert, Patient, PlanChange, Report, Session
from coachbot.domain.vocabulary import (
    AlertKind,
    Difficulty,
    Morning,
    Outcome,
    PainSign,
    PatientStatus,
    RedFlag,
    SessionState,
)
from coachbot.progression import review_after_morning, review_progress

# Reports read to judge a new pain answer: the lasting-rise rule and the usual pain.
_PAIN_HISTORY = max(rules.USUAL_WINDOW, rules.LASTING)


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
    # The morning after a training day brings the question whether the back settled.
    morning_due_at = (
        None
        if outcome is Outcome.SKIPPED
        else schedule.morning_check_at(session.local_date, patient.prompt_time, patient.timezone)
    )
    uow.reports.add(
        Report(
            session_id=session_id,
            outcome=outcome,
            received_at=now,
            morning_due_at=morning_due_at,
        )
    )
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
    light: rules.Light
    usual: int  # the usual pain it was judged against
    outcome: Outcome
    alert: Alert | None = None  # one alert for the report, naming every sign
    recheck: bool = False  # ask the safety re-check (a marked rise or severe pain)
    change: PlanChange | None = None
    signs: list[PainSign] = field(default_factory=list)


async def record_pain(
    uow: UnitOfWork,
    patient: Patient,
    session_id: int,
    pain: int,
    now: datetime,
    catalogue: Catalogue | None = None,
) -> PainResult:
    """Pain now (0-10) for a reported session, judged against the usual pain: a real rise
    raises one alert; a report outside a flare updates the usual pain."""
    rules.check_pain(pain)
    session = await _session_for_report(uow, patient, session_id, now)
    report = await uow.reports.for_session(session_id)
    if report is None:
        raise SessionClosed
    if report.pain_after is not None:
        raise AlreadyReported
    assert patient.id is not None
    usual = rules.usual_of(patient.baseline_pain, patient.usual_pain)
    earlier = [
        r.pain_after
        for r in await uow.reports.recent(patient.id, now - rules.USUAL_DAYS, _PAIN_HISTORY + 1)
        if r.id != report.id and r.pain_after is not None
    ]
    signs = rules.signs(pain, usual, earlier)
    report.pain_after = pain
    if patient.first_pain_on is None:
        patient.first_pain_on = session.local_date
    alert = None
    if signs:
        recent = await unseen_since(uow, patient.id, AlertKind.PAIN_RISE, now - rules.ALERT_QUIET)
        if not rules.already_told(pain, recent.pain if recent else None):
            alert = new_alert(
                patient, AlertKind.PAIN_RISE, now, pain=pain, usual=usual, signs=signs
            )
            uow.alerts.add(alert)
    else:
        # Outside a flare, the report shows what "usual" now is.
        patient.usual_pain = rules.usual_after(
            patient.baseline_pain, patient.usual_pain, [pain, *earlier]
        )
    await uow.flush()
    # Pain alone can call for an easier plan; progress waits for "how hard".
    change = await review_progress(uow, patient, catalogue, now) if catalogue else None
    return PainResult(
        light=rules.light(pain, usual),
        usual=usual,
        outcome=report.outcome,
        alert=alert,
        recheck=alert is not None and rules.recheck(signs),
        change=change,
        signs=signs,
    )


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


@dataclass(frozen=True)
class MorningResult:
    answer: Morning
    alert: Alert | None = None  # worse twice in a row
    change: PlanChange | None = None


# A next-morning answer is taken until this long after the training day's date: a tap on
# an old check would describe a different morning.
MORNING_ANSWER_DAYS = 2


async def record_morning(
    uow: UnitOfWork,
    patient: Patient,
    session_id: int,
    answer: Morning,
    now: datetime,
    catalogue: Catalogue | None = None,
) -> MorningResult:
    """The back the morning after training, compared with usual: once per session. Worse
    makes the plan easier; worse twice in a row alerts the therapist. It counts nothing
    for adherence (the session's report stands as it was)."""
    session = await own_session(uow, patient, session_id)
    report = await uow.reports.for_session(session_id)
    today = schedule.local_date(now, patient.timezone)
    if report is None or (today - session.local_date).days > MORNING_ANSWER_DAYS:
        raise SessionClosed
    if report.morning is not None:
        raise AlreadyReported
    assert patient.id is not None
    report.morning = answer
    report.morning_due_at = None  # answered before it was asked (an old button): done
    alert = None
    if answer is Morning.WORSE:
        answered = [
            r.morning
            for r in await uow.reports.recent(patient.id, None, rules.LASTING + 2)
            if r.morning is not None and r.id != report.id
        ]
        if rules.mornings_worse([answer, *answered]) and not await unseen_since(
            uow, patient.id, AlertKind.MORNING_WORSE, now - rules.ALERT_QUIET
        ):
            alert = new_alert(patient, AlertKind.MORNING_WORSE, now, days=2)
            uow.alerts.add(alert)
    await uow.flush()
    change = None
    if catalogue is not None and answer is Morning.WORSE and patient.status == PatientStatus.ACTIVE:
        change = await review_after_morning(uow, patient, report, catalogue, now)
    return MorningResult(answer, alert, change)


@dataclass(frozen=True)
class MorningCheck:
    """A next-morning check to send: to whom, about which session."""

    patient: Patient
    session_id: int


async def claim_morning_checks(uow: UnitOfWork, now: datetime, limit: int) -> list[MorningCheck]:
    """Next-morning checks now due, each taken off the queue (so asked at most once); for
    active patients only, and never hours late ("this morning" asked in the evening)."""
    due: list[MorningCheck] = []
    for report, patient in await uow.reports.morning_due(now, limit):
        was_due = report.morning_due_at
        report.morning_due_at = None
        fresh = was_due is not None and now - was_due < schedule.MORNING_STALE
        if fresh and patient.status == PatientStatus.ACTIVE:
            due.append(MorningCheck(patient, report.session_id))
    return due


async def red_flag_after_report(
    uow: UnitOfWork, patient: Patient, session_id: int, flag: RedFlag, now: datetime
) -> None:
    """A warning sign reported with the daily check-in stops training."""
    await _session_for_report(uow, patient, session_id, now)
    await stop_for_red_flag(uow, patient, flag, now)
