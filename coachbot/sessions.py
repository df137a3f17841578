"""A patient's daily sessions: planned from the plan, claimed and sent, moved when
their time changes.

Callers commit: `async with uow: result = await use_case(uow, ...); await uow.commit()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from catalogue.loader import Catalogue
from coachbot.access import check_may_train
from coachbot.db.uow import UnitOfWork
from coachbot.domain import planning, schedule
from coachbot.domain.model import Patient, PlanItem, Report, Session, SessionExercise
from coachbot.domain.vocabulary import SessionState

# A claim on a session being sent expires after this long (a crashed worker); far longer
# than a send takes, so that recording its outcome can ride out a busy database.
SEND_LEASE = timedelta(minutes=10)


async def build_session(
    uow: UnitOfWork,
    patient: Patient,
    catalogue: Catalogue,
    day: date,
    plan: Sequence[PlanItem] | None = None,
) -> Session:
    """A session for the local `day` with that day's exercises and extra, from the plan
    (read unless the caller has it in hand, in position order)."""
    assert patient.id is not None
    if plan is None:
        plan = await uow.plans.for_patient(patient.id)
    plan = [item for item in plan if item.exercise_id in catalogue.exercises]
    kinds = {item.exercise_id: catalogue.exercises[item.exercise_id].kinds[0] for item in plan}
    items = planning.items_for_day(plan, kinds, day, patient.training_days)
    return Session(
        patient_id=patient.id,
        local_date=day,
        due_at=schedule.due_at(day, patient.prompt_time, patient.timezone),
        ends_at=schedule.day_ends_at(day, patient.timezone),
        exercises=[SessionExercise(item.exercise_id, item.dose) for item in items],
        relaxation_id=planning.relaxation_for(
            day, catalogue.relaxation.values(), patient.conditions
        ),
        lesson_id=next_lesson(patient, catalogue),
    )


def next_lesson(patient: Patient, catalogue: Catalogue) -> str | None:
    """The lesson the patient's next session teaches: the first in course order not
    taught yet."""
    return planning.next_lesson(
        patient.lessons_taught, [lesson.id for lesson in catalogue.lessons_in_order()]
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
        nearest = min(planned, key=lambda session: session.local_date)
        # Taught meanwhile by another session (today's, asked for on a rest day): the
        # course moves on instead of teaching it twice.
        if nearest.lesson_id in patient.lessons_taught:
            nearest.lesson_id = next_lesson(patient, catalogue)
        return nearest
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


async def set_training_time(
    uow: UnitOfWork, patient: Patient, at: time, catalogue: Catalogue, now: datetime
) -> Session | None:
    """Sessions come at `at` from now on (the patient's choice or their therapist's)."""
    patient.prompt_time = at
    return await reschedule(uow, patient, catalogue, now)


async def refresh_planned(
    uow: UnitOfWork,
    patient: Patient,
    catalogue: Catalogue,
    now: datetime,
    plan: Sequence[PlanItem] | None = None,
) -> None:
    """Sessions not sent yet (today's included) take the plan as it is now.

    They are rebuilt in place rather than replaced, so a session falling due
    this very moment is never lost to the dispatcher.
    """
    assert patient.id is not None
    await uow.flush()
    today = schedule.local_date(now, patient.timezone)
    planned = await uow.sessions.planned_from(patient.id, today)
    if planned and plan is None:
        plan = await uow.plans.for_patient(patient.id)
    for session in planned:
        rebuilt = await build_session(uow, patient, catalogue, session.local_date, plan)
        session.exercises = rebuilt.exercises
    await ensure_next_session(uow, patient, catalogue, now)


@dataclass(frozen=True)
class TodaysSession:
    session: Session
    report: Report | None


async def open_today(
    uow: UnitOfWork, patient: Patient, catalogue: Catalogue, now: datetime
) -> TodaysSession:
    """Today's session, on demand (`/today`): claimed for sending unless reported.

    A rest day gets a session too, because people train when they can.
    """
    check_may_train(patient)
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
    lesson = session.lesson_id
    if first_send and lesson is not None and lesson not in patient.lessons_taught:
        # A new list: the column holds JSON, whose changes in place go unnoticed.
        patient.lessons_taught = [*patient.lessons_taught, lesson]
    await ensure_next_session(uow, patient, catalogue, now)


async def release_claim(uow: UnitOfWork, session_id: int) -> None:
    """Sending failed for a passing reason: let a later tick try again."""
    session = await uow.sessions.get(session_id)
    if session is not None and session.state == SessionState.SENDING:
        session.state = SessionState.PLANNED if session.sent_at is None else SessionState.SENT
        session.lease_until = None
