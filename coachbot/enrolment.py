"""Enrolment: nothing is stored before consent; then the answers, then a plan and
the first session.
"""

from __future__ import annotations

from datetime import datetime

from catalogue.loader import Catalogue
from coachbot.db.uow import UnitOfWork
from coachbot.domain.errors import RoleConflict
from coachbot.domain.model import Patient, PatientStatus, Session
from coachbot.plans import replan
from coachbot.sessions import ensure_next_session


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


async def finish_enrolment(
    uow: UnitOfWork, patient: Patient, catalogue: Catalogue, now: datetime
) -> Session | None:
    """Make the plan and schedule the first session."""
    patient.status = PatientStatus.ACTIVE
    patient.step = None
    await replan(uow, patient, catalogue)
    return await ensure_next_session(uow, patient, catalogue, now)
