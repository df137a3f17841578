"""Use cases. Each takes a unit of work and plain values, changes records, and
raises domain errors; none formats a message or knows about Telegram.

Callers commit: `async with uow: result = await service(uow, ...); await uow.commit()`.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from catalogue.loader import Catalogue
from coachbot.db.uow import UnitOfWork
from coachbot.domain import planning, progression, schedule
from coachbot.domain.errors import (
    AlreadyReported,
    InvalidInvite,
    NotATherapist,
    NotEnrolled,
    NotYours,
    RoleConflict,
    SessionClosed,
    TrainingStopped,
)
from coachbot.domain.model import (
    Alert,
    AlertKind,
    ChangeStatus,
    Difficulty,
    Dose,
    ExerciseChange,
    Invite,
    Outcome,
    Patient,
    PatientStatus,
    PlanChange,
    PlanItem,
    Report,
    Session,
    SessionExercise,
    SessionState,
    Therapist,
)
from coachbot.domain.safety import Light, pain_alerts, traffic_light

# A claim on a session being sent expires after this long (a crashed worker); far longer
# than a send takes, so that recording its outcome can ride out a busy database.
SEND_LEASE = timedelta(minutes=10)


# --- looking people up -----------------------------------------------------------


async def patient_of(uow: UnitOfWork, telegram_user_id: int) -> Patient:
    patient = await uow.patients.by_user(telegram_user_id)
    if patient is None:
        raise NotEnrolled
    return patient


async def enrolled_patient(uow: UnitOfWork, telegram_user_id: int) -> Patient:
    """The patient, once enrolment is finished (NotEnrolled before)."""
    patient = await patient_of(uow, telegram_user_id)
    if patient.status == PatientStatus.ONBOARDING:
        raise NotEnrolled
    return patient


async def find_patient(uow: UnitOfWork, telegram_user_id: int) -> Patient | None:
    return await uow.patients.by_user(telegram_user_id)


async def check_invite(uow: UnitOfWork, code: str, now: datetime) -> Invite:
    """The invite for a deep-link code, if it can still be used."""
    invite = await uow.invites.by_code(code)
    if invite is None or not invite.usable(now):
        raise InvalidInvite
    return invite


async def accept_invite(uow: UnitOfWork, patient: Patient, code: str, now: datetime) -> bool:
    """Link the patient to the inviting therapist if the code can still be used (once)."""
    invite = await uow.invites.by_code(code)
    if invite is None or not invite.usable(now):
        return False
    invite.used_by = patient.id
    invite.used_at = now
    patient.therapist_id = invite.therapist_id
    return True


# --- therapists -------------------------------------------------------------------

# 16 random bytes: 128 bits, far above the 96 a guessable code must not have.
CODE_BYTES = 16


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


async def add_therapist(uow: UnitOfWork, name: str, now: datetime) -> Therapist:
    """A therapist record with a single-use sign-up code for their deep link."""
    therapist = Therapist(name=name.strip(), created_at=now, signup_code=new_code())
    uow.therapists.add(therapist)
    await uow.flush()
    return therapist


async def sign_up_therapist(
    uow: UnitOfWork, code: str, telegram_user_id: int, language: str, timezone: str
) -> Therapist:
    """The therapist opened their sign-up link: this Telegram account is theirs now."""
    therapist = await uow.therapists.by_signup_code(code)
    if therapist is None:
        raise InvalidInvite
    if await uow.patients.by_user(telegram_user_id) is not None:
        raise RoleConflict
    if await uow.therapists.by_user(telegram_user_id) is not None:
        raise RoleConflict
    therapist.telegram_user_id = telegram_user_id
    therapist.language = language
    therapist.timezone = timezone
    therapist.signup_code = None
    return therapist


async def therapist_of(uow: UnitOfWork, telegram_user_id: int) -> Therapist:
    therapist = await uow.therapists.by_user(telegram_user_id)
    if therapist is None:
        raise NotATherapist
    return therapist


async def create_invite(
    uow: UnitOfWork, telegram_user_id: int, valid_for: timedelta, now: datetime
) -> Invite:
    """A single-use, expiring patient invite of the therapist pressing /invite."""
    therapist = await therapist_of(uow, telegram_user_id)
    assert therapist.id is not None
    invite = Invite(code=new_code(), therapist_id=therapist.id, expires_at=now + valid_for)
    uow.invites.add(invite)
    return invite


async def link_to_therapist(
    uow: UnitOfWork, telegram_user_id: int, code: str, now: datetime
) -> Therapist:
    """An enrolled patient confirmed an invite: link them to its therapist."""
    patient = await patient_of(uow, telegram_user_id)
    invite = await check_invite(uow, code, now)
    therapist = await uow.therapists.get(invite.therapist_id)
    if therapist is None:
        raise InvalidInvite
    await accept_invite(uow, patient, code, now)
    return therapist


# --- enrolment -------------------------------------------------------------------


async def consent(
    uow: UnitOfWork,
    *,
    telegram_user_id: int,
    chat_id: int,
    language: str,
    timezone: str,
    first_step: str,
    now: datetime,
    display_name: str = "",
) -> Patient:
    """Create the patient record once consent is given; nothing is stored before."""
    existing = await uow.patients.by_user(telegram_user_id)
    if existing is not None:
        return existing
    if await uow.therapists.by_user(telegram_user_id) is not None:
        raise RoleConflict
    patient = Patient(
        telegram_user_id=telegram_user_id,
        chat_id=chat_id,
        language=language,
        timezone=timezone,
        consent_at=now,
        created_at=now,
        step=first_step,
        display_name=display_name[:64],
    )
    uow.patients.add(patient)
    await uow.flush()
    return patient


async def stop_for_red_flag(uow: UnitOfWork, patient: Patient, flag: str, now: datetime) -> None:
    """A red-flag answer: training stops and the therapist is alerted."""
    patient.status = PatientStatus.STOPPED
    patient.step = None
    uow.alerts.add(_alert(patient, AlertKind.RED_FLAG, flag, now))
    for session in await uow.sessions.planned_from(patient.id or 0, date.min):
        session.state = SessionState.EXCUSED


async def finish_enrolment(
    uow: UnitOfWork, patient: Patient, catalogue: Catalogue, now: datetime
) -> Session | None:
    """Make the plan and schedule the first session."""
    patient.status = PatientStatus.ACTIVE
    patient.step = None
    await replan(uow, patient, catalogue)
    return await ensure_next_session(uow, patient, catalogue, now)


# --- plans and sessions ----------------------------------------------------------


def profile_of(patient: Patient) -> planning.Profile:
    return planning.Profile(frozenset(patient.conditions), frozenset(patient.equipment))


def catalogue_dose(catalogue: Catalogue, exercise_id: str, level: str) -> Dose:
    """The catalogue's starting dose of an exercise for a level."""
    dose = catalogue.exercises[exercise_id].doses[level]  # type: ignore[index]
    return Dose(dose.sets, dose.reps, dose.hold_seconds, dose.rest_seconds)


async def replan(uow: UnitOfWork, patient: Patient, catalogue: Catalogue) -> list[PlanItem]:
    """Build the patient's plan afresh from the catalogue and their profile."""
    assert patient.id is not None
    ids = planning.build_plan(catalogue.exercises.values(), profile_of(patient))
    items = []
    for position, exercise_id in enumerate(ids):
        dose = catalogue_dose(catalogue, exercise_id, patient.level)
        items.append(
            PlanItem(
                patient_id=patient.id,
                exercise_id=exercise_id,
                position=position,
                sets=dose.sets,
                reps=dose.reps,
                hold_seconds=dose.hold_seconds,
                rest_seconds=dose.rest_seconds,
            )
        )
    await uow.plans.replace(patient.id, items)
    return items


async def fit_plan(uow: UnitOfWork, patient: Patient, catalogue: Catalogue) -> list[PlanItem]:
    """After a change of equipment: a new plan; or, if the therapist locked the plan,
    the same plan without the exercises no longer possible."""
    if not patient.plan_locked:
        return await replan(uow, patient, catalogue)
    assert patient.id is not None
    kept = []
    for item in await uow.plans.for_patient(patient.id):
        exercise = catalogue.exercises.get(item.exercise_id)
        if exercise is not None and planning.allowed(exercise, profile_of(patient)):
            kept.append(item)
        else:
            await uow.plans.remove(item)
    return kept


async def build_session(
    uow: UnitOfWork, patient: Patient, catalogue: Catalogue, day: date
) -> Session:
    """A session for the local `day` with that day's exercises and extra."""
    assert patient.id is not None
    plan = [
        item
        for item in await uow.plans.for_patient(patient.id)
        if item.exercise_id in catalogue.exercises
    ]
    kinds = {item.exercise_id: catalogue.exercises[item.exercise_id].kinds[0] for item in plan}
    items = planning.items_for_day(plan, kinds, day, patient.training_days)
    return Session(
        patient_id=patient.id,
        local_date=day,
        due_at=schedule.due_at(day, patient.prompt_time, patient.timezone),
        ends_at=schedule.day_ends_at(day, patient.timezone),
        exercises=[SessionExercise(item.exercise_id, item.dose) for item in items],
        relaxation_id=planning.relaxation_for(day, list(catalogue.relaxation)),
        lesson_id=planning.next_lesson(
            patient.lessons_sent, [lesson.id for lesson in catalogue.lessons_in_order()]
        ),
    )


async def ensure_next_session(
    uow: UnitOfWork, patient: Patient, catalogue: Catalogue, now: datetime
) -> Session | None:
    """The patient's next planned session, created if there is none."""
    if not patient.receives_sessions:
        return None
    assert patient.id is not None
    today = schedule.local_date(now, patient.timezone)
    planned = await uow.sessions.planned_from(patient.id, today)
    if planned:
        return min(planned, key=lambda session: session.local_date)
    latest = await uow.sessions.latest(patient.id)
    day = schedule.next_session_day(
        now,
        patient.timezone,
        patient.prompt_time,
        patient.training_days,
        after=latest.local_date if latest else None,
    )
    session = await build_session(uow, patient, catalogue, day)
    uow.sessions.add(session)
    await uow.flush()
    return session


async def reschedule(
    uow: UnitOfWork, patient: Patient, catalogue: Catalogue, now: datetime
) -> Session | None:
    """After a change of time, days or zone: plan the next session anew."""
    assert patient.id is not None
    today = schedule.local_date(now, patient.timezone)
    for session in await uow.sessions.planned_from(patient.id, today - timedelta(days=1)):
        await uow.session.delete(session)
    await uow.flush()
    return await ensure_next_session(uow, patient, catalogue, now)


@dataclass(frozen=True)
class TodaysSession:
    session: Session
    report: Report | None


async def open_today(
    uow: UnitOfWork, telegram_user_id: int, catalogue: Catalogue, now: datetime
) -> TodaysSession:
    """Today's session, on demand (`/today`): claimed for sending unless reported.

    A rest day gets a session too, because people train when they can.
    """
    patient = await patient_of(uow, telegram_user_id)
    _check_may_train(patient)
    assert patient.id is not None
    today = schedule.local_date(now, patient.timezone)
    session = await uow.sessions.on_day(patient.id, today)
    if session is None:
        session = await build_session(uow, patient, catalogue, today)
        uow.sessions.add(session)
        await uow.flush()
    report = await uow.reports.for_session(session.id or 0)
    if report is None:
        # Claimed, so the dispatcher will not send it a second time.
        session.state = SessionState.SENDING
        session.lease_until = now + SEND_LEASE
    return TodaysSession(session, report)


async def mark_sent(
    uow: UnitOfWork, session_id: int, message_id: int | None, catalogue: Catalogue, now: datetime
) -> None:
    """The session message is out (or may be): remember it and plan the following session."""
    session = await uow.sessions.get(session_id)
    if session is None:
        return
    patient = await uow.patients.get(session.patient_id)
    if patient is None:
        return
    first_send = session.sent_at is None
    # A patient may already have reported before this is recorded: keep that.
    if session.state in (SessionState.PLANNED, SessionState.SENDING):
        session.state = SessionState.SENT
    session.sent_message_id = message_id
    session.sent_at = now
    session.lease_until = None
    session.retry_at = None
    if message_id is not None:
        session.failure = None
    if first_send and session.lesson_id is not None:
        patient.lessons_sent += 1
    await ensure_next_session(uow, patient, catalogue, now)


async def release_claim(uow: UnitOfWork, session_id: int) -> None:
    """Sending failed for a passing reason: let a later tick try again."""
    session = await uow.sessions.get(session_id)
    if session is not None and session.state == SessionState.SENDING:
        session.state = SessionState.PLANNED if session.sent_at is None else SessionState.SENT
        session.lease_until = None


def _check_may_train(patient: Patient) -> None:
    if patient.status == PatientStatus.STOPPED:
        raise TrainingStopped
    if patient.status == PatientStatus.ONBOARDING:
        raise NotEnrolled


# --- reports ---------------------------------------------------------------------


async def own_session(
    uow: UnitOfWork, telegram_user_id: int, session_id: int
) -> tuple[Patient, Session]:
    """The session a button names, if it belongs to the person who pressed it."""
    patient = await patient_of(uow, telegram_user_id)
    session = await uow.sessions.get(session_id)
    if session is None or session.patient_id != patient.id:
        raise NotYours
    return patient, session


async def _session_for_report(
    uow: UnitOfWork, telegram_user_id: int, session_id: int, now: datetime
) -> tuple[Patient, Session]:
    patient, session = await own_session(uow, telegram_user_id, session_id)
    if patient.status == PatientStatus.STOPPED:
        raise TrainingStopped
    if session.local_date != schedule.local_date(now, patient.timezone):
        raise SessionClosed
    return patient, session


async def record_outcome(
    uow: UnitOfWork, telegram_user_id: int, session_id: int, outcome: Outcome, now: datetime
) -> Session:
    """Done, partly or skipped: one report per session, the first tap wins."""
    patient, session = await _session_for_report(uow, telegram_user_id, session_id, now)
    if await uow.reports.for_session(session_id) is not None:
        raise AlreadyReported
    uow.reports.add(Report(session_id=session_id, outcome=outcome, received_at=now))
    patient.last_report_at = now
    session.state = SessionState(outcome.value)
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
    telegram_user_id: int,
    session_id: int,
    pain: int,
    now: datetime,
    catalogue: Catalogue | None = None,
) -> PainResult:
    """Pain now (0-10) for a reported session; high or rising pain raises alerts."""
    patient, session = await _session_for_report(uow, telegram_user_id, session_id, now)
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
        uow.alerts.add(_alert(patient, kind, f"pain {pain}", now))
    await uow.flush()
    # Pain alone can call for an easier plan; progress waits for "how hard".
    change = await review_progress(uow, patient, catalogue, now) if catalogue else None
    return PainResult(traffic_light(pain), alerts, Outcome(report.outcome), change)


async def record_difficulty(
    uow: UnitOfWork,
    telegram_user_id: int,
    session_id: int,
    difficulty: Difficulty | None,
    now: datetime,
    catalogue: Catalogue | None = None,
) -> PlanChange | None:
    """How hard it felt (optional: None means the patient chose not to say)."""
    patient, _session = await _session_for_report(uow, telegram_user_id, session_id, now)
    report = await uow.reports.for_session(session_id)
    if report is None or report.pain_after is None:
        raise SessionClosed
    if report.difficulty is not None:
        raise AlreadyReported
    report.difficulty = difficulty.value if difficulty else "unanswered"
    await uow.flush()
    return await review_progress(uow, patient, catalogue, now) if catalogue else None


async def red_flag_after_report(
    uow: UnitOfWork, telegram_user_id: int, session_id: int, flag: str, now: datetime
) -> None:
    """A warning sign reported with the daily check-in stops training."""
    patient, _session = await _session_for_report(uow, telegram_user_id, session_id, now)
    await stop_for_red_flag(uow, patient, flag, now)


# --- progression ------------------------------------------------------------------


async def review_progress(
    uow: UnitOfWork, patient: Patient, catalogue: Catalogue, now: datetime
) -> PlanChange | None:
    """Apply the progression rules to the reports since the last change.

    Without a therapist the change is made at once; with one it is proposed
    and waits for the therapist. A plan the therapist locked, and locked plan
    items, never change.
    """
    assert patient.id is not None
    if patient.plan_locked:
        return None
    last = await uow.plan_changes.latest(patient.id)
    reports = await uow.reports.recent(
        patient.id, last.created_at if last else None, progression.WINDOW
    )
    feedback = [progression.Feedback(r.outcome, r.pain_after, r.difficulty) for r in reports]
    direction, reason = progression.decide(feedback, patient.baseline_pain)
    if direction is progression.Direction.HOLD:
        return None
    changes: list[ExerciseChange] = []
    items = await uow.plans.for_patient(patient.id)
    for item in items:
        exercise = catalogue.exercises.get(item.exercise_id)
        if item.locked or exercise is None:
            continue
        moved = progression.step(item.dose, direction, exercise.easier, exercise.harder)
        if moved is None:
            continue
        after = moved.dose
        if moved.variant is not None:
            variant = catalogue.exercises.get(moved.variant)
            # A variant must be as safe and as possible for this patient as any pick.
            if variant is None or not planning.allowed(variant, profile_of(patient)):
                continue
            after = catalogue_dose(catalogue, moved.variant, patient.level)
        changes.append(ExerciseChange(item.exercise_id, item.dose, after, moved.variant))
    if not changes:
        return None
    change = PlanChange(
        patient_id=patient.id,
        created_at=now,
        direction=direction.value,
        reason=reason.value,
        status=ChangeStatus.PROPOSED if patient.therapist_id else ChangeStatus.APPLIED,
        changes=changes,
    )
    uow.plan_changes.add(change)
    if change.status == ChangeStatus.APPLIED:
        await apply_change(uow, patient, change, catalogue, now)
    return change


async def apply_change(
    uow: UnitOfWork, patient: Patient, change: PlanChange, catalogue: Catalogue, now: datetime
) -> None:
    """Write a plan change into the plan; the next planned session follows it."""
    assert patient.id is not None
    by_exercise = {c.exercise_id: c for c in change.changes}
    for item in await uow.plans.for_patient(patient.id):
        moved = by_exercise.get(item.exercise_id)
        if moved is None or item.dose != moved.before:
            # Changed by hand since the proposal was made: the therapist's dose stands.
            continue
        item.exercise_id = moved.new_exercise_id or item.exercise_id
        item.sets = moved.after.sets
        item.reps = moved.after.reps
        item.hold_seconds = moved.after.hold_seconds
        item.rest_seconds = moved.after.rest_seconds
    await refresh_planned(uow, patient, catalogue, now)


async def refresh_planned(
    uow: UnitOfWork, patient: Patient, catalogue: Catalogue, now: datetime
) -> None:
    """Sessions not sent yet (today's included) take the plan as it is now.

    They are rebuilt in place rather than replaced, so a session falling due
    this very moment is never lost to the dispatcher.
    """
    assert patient.id is not None
    await uow.flush()
    today = schedule.local_date(now, patient.timezone)
    for session in await uow.sessions.planned_from(patient.id, today):
        rebuilt = await build_session(uow, patient, catalogue, session.local_date)
        session.exercises = rebuilt.exercises
    await ensure_next_session(uow, patient, catalogue, now)


# --- alerts for therapists ------------------------------------------------------------


@dataclass(frozen=True)
class AlertNotice:
    """An alert to tell a therapist about, with whom it concerns."""

    alert: Alert
    patient: Patient
    therapist: Therapist


async def claim_alert_notices(uow: UnitOfWork, now: datetime, limit: int) -> list[AlertNotice]:
    """Alerts not yet sent to the patient's therapist, marked as sent (at most once)."""
    notices = []
    for alert in await uow.alerts.unnotified(limit):
        patient = await uow.patients.get(alert.patient_id)
        therapist = (
            await uow.therapists.get(patient.therapist_id)
            if patient is not None and patient.therapist_id is not None
            else None
        )
        alert.notified_at = now
        if patient is not None and therapist is not None and therapist.telegram_user_id:
            notices.append(AlertNotice(alert, patient, therapist))
    return notices


async def acknowledge_alert(
    uow: UnitOfWork, telegram_user_id: int, alert_id: int, now: datetime
) -> Alert:
    """The therapist has seen an alert; it is not raised again."""
    therapist = await therapist_of(uow, telegram_user_id)
    alert = await uow.alerts.get(alert_id)
    patient = await uow.patients.get(alert.patient_id) if alert else None
    if alert is None or patient is None or patient.therapist_id != therapist.id:
        raise NotYours
    if alert.seen_at is not None:
        raise AlreadyReported
    alert.seen_at = now
    return alert


async def silent_patients(uow: UnitOfWork, now: datetime, days: int) -> list[int]:
    """Linked patients without any report for `days` days and no alert about it yet
    (to be read in a read-only unit of work)."""
    return await uow.alerts.silent(now - timedelta(days=days))


async def raise_silence_alerts(
    uow: UnitOfWork, now: datetime, days: int, candidates: Sequence[int]
) -> int:
    """A SILENT alert for each candidate still silent, once per silence (a new one only
    after they reported again)."""
    still = await uow.alerts.silent(now - timedelta(days=days), among=candidates)
    for patient_id in still:
        uow.alerts.add(
            Alert(
                patient_id=patient_id, kind=AlertKind.SILENT, detail=f"{days} days", created_at=now
            )
        )
    return len(still)


# --- pausing, blocking -----------------------------------------------------------


async def pause(
    uow: UnitOfWork, telegram_user_id: int, until: date | None, now: datetime
) -> Patient:
    """Pause training until `until` (exclusive) or until /resume; those days are excused."""
    patient = await patient_of(uow, telegram_user_id)
    _check_may_train(patient)
    assert patient.id is not None
    patient.status = PatientStatus.PAUSED
    patient.paused_until = until
    today = schedule.local_date(now, patient.timezone)
    # Sessions not sent yet are dropped (the next is planned again on resuming);
    # one already received today is excused.
    for session in await uow.sessions.planned_from(patient.id, today):
        await uow.session.delete(session)
    todays = await uow.sessions.on_day(patient.id, today)
    if todays is not None and todays.state == SessionState.SENT:
        todays.state = SessionState.EXCUSED
    return patient


async def resume(
    uow: UnitOfWork, patient: Patient, catalogue: Catalogue, now: datetime
) -> Session | None:
    patient.status = PatientStatus.ACTIVE
    patient.paused_until = None
    return await ensure_next_session(uow, patient, catalogue, now)


async def mark_blocked(uow: UnitOfWork, chat_id: int, now: datetime) -> bool:
    """The patient blocked the bot: stop sending and tell their therapist."""
    patient = await uow.patients.by_chat(chat_id)
    if patient is None or patient.status == PatientStatus.BLOCKED:
        return False
    assert patient.id is not None
    patient.status = PatientStatus.BLOCKED
    patient.blocked_at = now
    uow.alerts.add(_alert(patient, AlertKind.BOT_BLOCKED, None, now))
    # Sessions that never reached the patient are not counted against them.
    for session in await uow.sessions.unsent(patient.id):
        await uow.session.delete(session)
    return True


async def mark_unblocked(
    uow: UnitOfWork, chat_id: int, catalogue: Catalogue, now: datetime
) -> bool:
    """The patient is back (unblocked the bot or wrote to it): sessions start again."""
    patient = await uow.patients.by_chat(chat_id)
    if patient is None or patient.status != PatientStatus.BLOCKED:
        return False
    patient.status = PatientStatus.ACTIVE
    patient.blocked_at = None
    await ensure_next_session(uow, patient, catalogue, now)
    return True


# --- privacy -----------------------------------------------------------------------


async def export_patient(uow: UnitOfWork, patient: Patient) -> dict[str, Any]:
    """Everything stored about the patient, as plain JSON-ready data."""
    assert patient.id is not None
    sessions = await uow.sessions.for_patient(patient.id)
    reports = {report.session_id: report for report in await uow.reports.for_patient(patient.id)}
    return {
        "patient": _plain(
            patient,
            exclude={"id", "therapist_id"},
        )
        | {"has_therapist": patient.therapist_id is not None},
        "plan": [
            _plain(item, exclude={"id", "patient_id"})
            for item in await uow.plans.for_patient(patient.id)
        ],
        "sessions": [
            _plain(session, exclude={"id", "patient_id", "lease_until", "exercises"})
            | {
                "exercises": [
                    {"exercise_id": item.exercise_id} | _plain(item.dose)
                    for item in session.exercises
                ],
                "report": _plain(reports[session.id], exclude={"id", "session_id"})
                if session.id in reports
                else None,
            }
            for session in sessions
        ],
        "alerts": [
            _plain(alert, exclude={"id", "patient_id"})
            for alert in await uow.alerts.for_patient(patient.id)
        ],
        "plan_changes": [
            _plain(change, exclude={"id", "patient_id", "changes"})
            | {
                "changes": [
                    {
                        "exercise_id": c.exercise_id,
                        "before": _plain(c.before),
                        "after": _plain(c.after),
                        "new_exercise_id": c.new_exercise_id,
                    }
                    for c in change.changes
                ]
            }
            for change in await uow.plan_changes.for_patient(patient.id)
        ],
    }


async def delete_patient(uow: UnitOfWork, telegram_user_id: int) -> None:
    """Erase the patient and every row about them."""
    patient = await patient_of(uow, telegram_user_id)
    await uow.patients.delete(patient)


# --- helpers -----------------------------------------------------------------------


def _alert(patient: Patient, kind: AlertKind, detail: str | None, now: datetime) -> Alert:
    assert patient.id is not None
    return Alert(patient_id=patient.id, kind=kind, detail=detail, created_at=now)


def _plain(record: object, exclude: set[str] | None = None) -> dict[str, Any]:
    fields = getattr(record, "__dataclass_fields__", {})
    result: dict[str, Any] = {}
    for name in fields:
        if exclude and name in exclude:
            continue
        value = getattr(record, name)
        if isinstance(value, datetime | date | time):
            value = value.isoformat()
        elif isinstance(value, Dose):
            value = _plain(value)
        result[name] = value
    return result
