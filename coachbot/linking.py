"""A patient and their therapist: invites, the link, and its end."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from coachbot.db.uow import UnitOfWork
from coachbot.domain.errors import InvalidInvite
from coachbot.domain.model import Invite, Patient, PlanChange, Therapist
from coachbot.domain.vocabulary import ChangeStatus

# 16 random bytes: 128 bits, far above the 96 a guessable code must not have.
CODE_BYTES = 16


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


async def create_invite(
    uow: UnitOfWork, therapist: Therapist, valid_for: timedelta, now: datetime
) -> Invite:
    """A single-use, expiring patient invite of the therapist."""
    assert therapist.id is not None
    invite = Invite(code=new_code(), therapist_id=therapist.id, expires_at=now + valid_for)
    uow.invites.add(invite)
    return invite


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


async def link_to_therapist(
    uow: UnitOfWork, patient: Patient, code: str, now: datetime
) -> Therapist:
    """An enrolled patient confirmed an invite: link them to its therapist."""
    invite = await check_invite(uow, code, now)
    therapist = await uow.therapists.get(invite.therapist_id)
    if therapist is None:
        raise InvalidInvite
    await accept_invite(uow, patient, code, now)
    return therapist


async def unlink(uow: UnitOfWork, patient: Patient, now: datetime) -> None:
    """End the link; pending proposals lapse and the plan adapts on its own again."""
    release(patient, await uow.plan_changes.for_patient(patient.id or 0), now)


def release(patient: Patient, changes: Sequence[PlanChange], now: datetime) -> None:
    """The patient goes on without a therapist: proposals lapse, progression is theirs."""
    for change in changes:
        if change.status == ChangeStatus.PROPOSED:
            change.status = ChangeStatus.REJECTED
            change.decided_at = now
    patient.therapist_id = None
    patient.plan_locked = False
