"""Breaks in training: a pause (the patient's or their therapist's), a resume, and a
patient who blocked the bot and came back.
"""

from __future__ import annotations

from datetime import date, datetime

from catalogue.loader import Catalogue
from coachbot.access import check_may_train
from coachbot.alerts import new_alert
from coachbot.db.uow import UnitOfWork
from coachbot.domain import schedule
from coachbot.domain.enrolment import FIRST_STEP
from coachbot.domain.errors import InvalidChange, TrainingStopped
from coachbot.domain.model import Patient, Session
from coachbot.domain.vocabulary import AlertKind, PatientStatus, SessionState
from coachbot.sessions import ensure_next_session


async def pause(
    uow: UnitOfWork,
    patient: Patient,
    until: date | None,
    now: datetime,
    *,
    only_active: bool = False,
) -> None:
    """Pause training until `until` (exclusive) or until resumed; those days are excused.

    A paused patient may choose another end date; `only_active` refuses that (a
    therapist's pause button is on an active patient's card only, so a stale one
    must not move a date the patient chose).
    """
    check_may_train(patient)
    allowed = (
        (PatientStatus.ACTIVE,) if only_active else (PatientStatus.ACTIVE, PatientStatus.PAUSED)
    )
    if patient.status not in allowed:
        raise InvalidChange("only an active patient can be paused")
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


async def resume(
    uow: UnitOfWork, patient: Patient, catalogue: Catalogue, now: datetime
) -> Session | None:
    """End a pause (the patient, their therapist, or the date it was set to end)."""
    if patient.status == PatientStatus.STOPPED:
        # Only the patient, after a doctor has cleared them, restarts (see `restart`).
        raise TrainingStopped
    if patient.status != PatientStatus.PAUSED:
        raise InvalidChange("only a paused patient can be resumed")
    return await _train_again(uow, patient, catalogue, now)


async def restart(
    uow: UnitOfWork, patient: Patient, catalogue: Catalogue, now: datetime
) -> Session | None:
    """After a safety stop, a doctor has cleared the patient: training goes on; or, if
    the stop came during enrolment, the safety questions are asked again."""
    assert patient.id is not None
    if not await uow.plans.for_patient(patient.id):
        patient.status = PatientStatus.ONBOARDING
        patient.step = FIRST_STEP
        return None
    return await _train_again(uow, patient, catalogue, now)


async def _train_again(
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
    uow.alerts.add(new_alert(patient, AlertKind.BOT_BLOCKED, now))
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
