"""Enrolment: nothing is stored before consent; then the answers, then a plan and
the first session.
"""

from __future__ import annotations

from datetime import datetime, time

from catalogue.loader import Catalogue
from coachbot import screening, surgery
from coachbot.db.uow import UnitOfWork
from coachbot.domain.enrolment import (
    CLEARANCE_ANSWERS,
    FIRST_STEP,
    SURGERY_QUESTIONS,
    Answered,
    Question,
    current_step,
    next_step,
    screening_group,
    toggle,
    toggle_days,
)
from coachbot.domain.errors import RoleConflict
from coachbot.domain.model import Patient, Session
from coachbot.domain.schedule import local_date
from coachbot.domain.surgery import Ago
from coachbot.domain.vocabulary import (
    Actor,
    Condition,
    Equipment,
    Language,
    Level,
    PatientStatus,
    lookup,
)
from coachbot.plans import replan
from coachbot.sessions import ensure_next_session


async def consent(
    uow: UnitOfWork,
    *,
    telegram_user_id: int,
    chat_id: int,
    language: Language,
    timezone: str,
    now: datetime,
    display_name: str = "",
    first_step: str = FIRST_STEP,
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


async def answer(
    uow: UnitOfWork, patient: Patient, value: str, catalogue: Catalogue, now: datetime
) -> Answered:
    """A button's answer to the question the patient is at."""
    # A step from before the screen's groups is answered as its group.
    patient.step = current_step(patient.step)
    step = patient.step or ""
    group = screening_group(step)
    if group is not None:
        screened, _flag = await screening.answer(uow, patient, group, value, now)
        if screened is screening.Screened.STOP:
            return Answered.STOP
        if screened is screening.Screened.INVALID:
            return Answered.INVALID
        return await advance(uow, patient, catalogue, now)
    if step in (Question.CONDITIONS, Question.EQUIPMENT) and value != "done":
        if step == Question.CONDITIONS:
            patient.conditions = toggle(patient.conditions, value, Condition)
        else:
            patient.equipment = toggle(patient.equipment, value, Equipment)
        return Answered.REFRESH
    if step == Question.DAYS and value != "done":
        patient.training_days = toggle_days(patient.training_days, value)
        return Answered.REFRESH
    if step == Question.DAYS and not patient.training_days:
        return Answered.NEED_DAY
    level = lookup(Level, value)
    if step == Question.LEVEL and level is not None:
        patient.level = level
    elif step == Question.PAIN and value.isdigit() and 0 <= int(value) <= 10:
        patient.baseline_pain = int(value)
    elif step == Question.TIME and len(value) == 4 and value.isdigit():
        patient.prompt_time = time(int(value[:2]), int(value[2:]))
    elif step in SURGERY_QUESTIONS:
        if not _surgery_answer(patient, step, value, now):
            return Answered.INVALID
    elif step not in (Question.CONDITIONS, Question.EQUIPMENT, Question.DAYS):
        return Answered.INVALID
    return await advance(uow, patient, catalogue, now)


def _surgery_answer(patient: Patient, step: str, value: str, now: datetime) -> bool:
    """The day of the operation as a span, or whether the surgeon has cleared exercise
    ("not sure" counts as not yet); False if `value` answers neither."""
    ago = lookup(Ago, value)
    if step == Question.SURGERY and ago is not None:
        surgery.set_approximate_date(patient, ago, local_date(now, patient.timezone))
    elif step == Question.CLEARANCE and value in CLEARANCE_ANSWERS:
        if value == "y":
            surgery.mark_cleared(patient, Actor.PATIENT, now)
    else:
        return False
    return True


async def advance(
    uow: UnitOfWork, patient: Patient, catalogue: Catalogue, now: datetime
) -> Answered:
    """Move to the next question, or finish enrolment after the last."""
    assert patient.step is not None
    following = next_step(patient.step, patient.conditions)
    if following is not None:
        patient.step = following
        return Answered.NEXT
    await finish_enrolment(uow, patient, catalogue, now)
    return Answered.FINISHED
