"""Who may act on what: a person's own records, found from their Telegram account.

Every use case that acts on a record a button or a typed id names takes it from
here, so a button naming anyone else's patient, session or plan item changes
nothing (`NotYours`, `GoneFromPlan`).
"""

from __future__ import annotations

from coachbot.db.uow import UnitOfWork
from coachbot.domain.errors import (
    GoneFromPlan,
    NotATherapist,
    NotEnrolled,
    NotYours,
    TrainingStopped,
)
from coachbot.domain.model import Patient, PlanItem, Session, Therapist
from coachbot.domain.vocabulary import PatientStatus


async def patient_of(uow: UnitOfWork, telegram_user_id: int) -> Patient:
    """The patient with this Telegram account (NotEnrolled if there is none)."""
    patient = await uow.patients.by_user(telegram_user_id)
    if patient is None:
        raise NotEnrolled
    return patient


async def therapist_of(uow: UnitOfWork, telegram_user_id: int) -> Therapist:
    """The therapist with this Telegram account (NotATherapist if there is none)."""
    therapist = await uow.therapists.by_user(telegram_user_id)
    if therapist is None:
        raise NotATherapist
    return therapist


async def own_patient(uow: UnitOfWork, therapist: Therapist, patient_id: int) -> Patient:
    """The therapist's patient `patient_id`; NotYours for anyone else's."""
    patient = await uow.patients.get(patient_id)
    if patient is None or patient.therapist_id is None or patient.therapist_id != therapist.id:
        raise NotYours
    return patient


async def own_session(uow: UnitOfWork, patient: Patient, session_id: int) -> Session:
    """The session a button names, if it is the patient's."""
    session = await uow.sessions.get(session_id)
    if session is None or session.patient_id != patient.id:
        raise NotYours
    return session


async def own_item(uow: UnitOfWork, patient: Patient, item_id: int) -> PlanItem:
    """The plan item a button names, if it is still in the patient's plan."""
    item = await uow.plans.get(item_id)
    if item is None or item.patient_id != patient.id:
        raise GoneFromPlan
    return item


def check_may_train(patient: Patient) -> None:
    """Training needs a finished enrolment and no safety stop."""
    if patient.status == PatientStatus.STOPPED:
        raise TrainingStopped
    if patient.status == PatientStatus.ONBOARDING:
        raise NotEnrolled
