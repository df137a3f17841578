"""After an operation: its day, and the surgeon's clearance for full exercise, recorded by
the patient or their therapist (the phase it puts a plan in: `domain.surgery`)."""

from __future__ import annotations

from datetime import date, datetime

from catalogue.loader import Catalogue
from coachbot.db.uow import UnitOfWork
from coachbot.domain import surgery
from coachbot.domain.errors import AlreadyReported, InvalidChange
from coachbot.domain.model import Patient
from coachbot.domain.vocabulary import Actor
from coachbot.plans import Refitted, refit


def set_date(patient: Patient, day: date, today: date) -> bool:
    """The day of the operation as typed; False (nothing stored) if it cannot be one."""
    if not surgery.plausible(day, today):
        return False
    patient.surgery_on, patient.surgery_date_approximate = day, False
    return True


def set_approximate_date(patient: Patient, ago: surgery.Ago, today: date) -> None:
    """The day of the operation from a span ("6 weeks to 3 months ago")."""
    patient.surgery_on = surgery.approximate_date(ago, today)
    patient.surgery_date_approximate = True


def forget(patient: Patient) -> None:
    """No operation (any more), or one to be asked about afresh."""
    patient.surgery_on, patient.surgery_date_approximate = None, False
    patient.cleared_at, patient.cleared_by = None, None


def mark_cleared(patient: Patient, by: Actor, now: datetime) -> None:
    """The clearance as answered at enrolment (the plan is made afterwards)."""
    patient.cleared_at, patient.cleared_by = now, by


async def record_clearance(
    uow: UnitOfWork, patient: Patient, by: Actor, catalogue: Catalogue, now: datetime
) -> Refitted:
    """The surgeon has cleared full exercise: recorded once, and the plan takes in what it
    now allows."""
    current = surgery.phase(patient.conditions, patient.cleared_at)
    if current is surgery.Phase.NONE:
        raise InvalidChange("no operation recorded")
    if current is surgery.Phase.CLEARED:
        raise AlreadyReported
    mark_cleared(patient, by, now)
    return await refit(uow, patient, catalogue, now, new_level=False)
