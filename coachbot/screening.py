"""The red-flag screen: one group of warning signs at a time, at enrolment and again
whenever the patient checks from /settings. A warning sign stops training; the last
screen's date and the signs said yes to stay on the patient for their therapist's card.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from coachbot.access import check_may_train
from coachbot.alerts import stop_for_red_flag
from coachbot.db.uow import UnitOfWork
from coachbot.domain.model import Patient
from coachbot.domain.red_flags import FIRST_GROUP, NONE, Group, next_group, sign_in
from coachbot.domain.vocabulary import RedFlag, lookup

# The patient.step while the screen is taken again from /settings: this, then the group.
RETAKE = "rf:"


class Screened(StrEnum):
    """What an answer to a group leads to."""

    NEXT = "next"  # none of these: the next group
    CLEAR = "clear"  # none of these in the last group: the screen is complete
    STOP = "stop"  # a warning sign: training is stopped
    INVALID = "invalid"  # not an answer to this group


async def answer(
    uow: UnitOfWork, patient: Patient, group: Group, value: str, now: datetime
) -> tuple[Screened, RedFlag | None]:
    """The answer to `group` ("none", or the warning sign said yes to), and the sign."""
    flag = sign_in(group, value)
    if flag is not None:
        patient.screened_at = now
        patient.warning_signs = [flag]
        await stop_for_red_flag(uow, patient, flag, now)
        return Screened.STOP, flag
    if value != NONE:
        return Screened.INVALID, None
    if next_group(group) is not None:
        return Screened.NEXT, None
    patient.screened_at = now
    patient.warning_signs = []
    return Screened.CLEAR, None


def start_retake(patient: Patient) -> Group:
    """Check the warning signs again from /settings (not while training is stopped: a
    doctor's clearance and /resume come first)."""
    check_may_train(patient)
    patient.step = RETAKE + FIRST_GROUP
    return FIRST_GROUP


def retake_group(step: str | None) -> Group | None:
    """The group a re-take from /settings is at, if `step` is one."""
    if step is None or not step.startswith(RETAKE):
        return None
    return lookup(Group, step.removeprefix(RETAKE))


async def answer_retake(
    uow: UnitOfWork, patient: Patient, group: Group, value: str, now: datetime
) -> tuple[Screened, RedFlag | None]:
    """An answer during a re-take: on to the next group, or the screen is over."""
    check_may_train(patient)
    outcome, flag = await answer(uow, patient, group, value, now)
    following = next_group(group)
    if outcome is Screened.NEXT and following is not None:
        patient.step = RETAKE + following
    elif outcome is not Screened.INVALID:
        patient.step = None
    return outcome, flag
