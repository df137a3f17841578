"""Therapists: added by the operator, signed up through their link, removed again."""

from __future__ import annotations

from datetime import datetime

from coachbot.db.uow import UnitOfWork
from coachbot.domain.errors import InvalidInvite, RoleConflict
from coachbot.domain.model import Therapist
from coachbot.domain.vocabulary import Language
from coachbot.linking import new_code, release


async def add_therapist(uow: UnitOfWork, name: str, now: datetime) -> Therapist:
    """A therapist record with a single-use sign-up code for their deep link."""
    therapist = Therapist(name=name.strip(), created_at=now, signup_code=new_code())
    uow.therapists.add(therapist)
    await uow.flush()
    return therapist


async def sign_up_therapist(
    uow: UnitOfWork, code: str, telegram_user_id: int, language: Language, timezone: str
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


async def remove_therapist(uow: UnitOfWork, therapist_id: int, now: datetime) -> bool:
    """The operator removes a therapist; their patients keep training on their own."""
    therapist = await uow.therapists.get(therapist_id)
    if therapist is None:
        return False
    for patient in await uow.patients.of_therapist(therapist_id):
        release(patient, await uow.plan_changes.for_patient(patient.id or 0), now)
    await uow.therapists.delete(therapist)
    return True
