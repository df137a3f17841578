"""Alerts for therapists: raised for red flags, pain, silence and a blocked bot;
claimed once for sending, and acknowledged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from coachbot.db.uow import UnitOfWork
from coachbot.domain.errors import AlreadyReported, NotYours
from coachbot.domain.model import Alert, Patient, Therapist
from coachbot.domain.vocabulary import AlertKind, PainSign, PatientStatus, RedFlag, SessionState


def new_alert(
    patient: Patient,
    kind: AlertKind,
    now: datetime,
    *,
    pain: int | None = None,
    days: int | None = None,
    red_flag: RedFlag | None = None,
    usual: int | None = None,
    signs: Sequence[PainSign] = (),
) -> Alert:
    assert patient.id is not None
    return Alert(
        patient_id=patient.id,
        kind=kind,
        created_at=now,
        pain=pain,
        days=days,
        red_flag=red_flag,
        usual=usual,
        signs=list(signs),
    )


async def unseen_since(
    uow: UnitOfWork, patient_id: int, kind: AlertKind, since: datetime
) -> Alert | None:
    """The patient's newest alert of `kind`, if raised after `since` and not yet seen by
    their therapist (so that another about the same would only repeat it)."""
    alert = await uow.alerts.latest(patient_id, kind)
    if alert is None or alert.seen_at is not None or alert.created_at <= since:
        return None
    return alert


async def stop_for_red_flag(
    uow: UnitOfWork, patient: Patient, flag: RedFlag, now: datetime
) -> None:
    """A red-flag answer: training stops and the therapist is alerted."""
    patient.status = PatientStatus.STOPPED
    patient.step = None
    uow.alerts.add(new_alert(patient, AlertKind.RED_FLAG, now, red_flag=flag))
    for session in await uow.sessions.planned_from(patient.id or 0, date.min):
        session.state = SessionState.EXCUSED


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
    uow: UnitOfWork, therapist: Therapist, alert_id: int, now: datetime
) -> Alert:
    """The therapist has seen an alert; it is not raised again."""
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
            Alert(patient_id=patient_id, kind=AlertKind.SILENT, created_at=now, days=days)
        )
    return len(still)
