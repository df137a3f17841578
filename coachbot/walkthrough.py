"""The walk-through of a session: which message shows it, and the step it stands at,
kept on the session so that a restart loses neither.

Callers commit: `async with uow: result = await use_case(uow, ...); await uow.commit()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from coachbot.access import check_may_train, own_session
from coachbot.db.uow import UnitOfWork
from coachbot.domain.errors import StaleButton
from coachbot.domain.model import Patient, Report, Session


@dataclass(frozen=True)
class Walk:
    session: Session
    report: Report | None
    step: int  # the step to show


# How many steps a session's walk-through has (the caller knows how it shows them).
Steps = Callable[[Session], int]


async def resume(uow: UnitOfWork, patient: Patient, session_id: int, count_of: Steps) -> Walk:
    """The session's walk-through, to be shown anew at the step it had reached (from
    the start if it had none, or had reached its last, the report)."""
    check_may_train(patient)
    session = await own_session(uow, patient, session_id)
    reached, count = session.walk_step, count_of(session)
    step = reached if reached is not None and 0 <= reached < count - 1 else 0
    return Walk(session, await uow.reports.for_session(session_id), step)


async def shown(
    uow: UnitOfWork, patient: Patient, session_id: int, message_id: int, step: int
) -> int | None:
    """The walk-through now shows in message `message_id`, at `step`; the message that
    showed it before (if any), whose buttons now lead nowhere."""
    session = await own_session(uow, patient, session_id)
    before = session.walk_message_id
    session.walk_message_id = message_id
    session.walk_step = step
    return before if before != message_id else None


async def turn(
    uow: UnitOfWork,
    patient: Patient,
    session_id: int,
    message_id: int,
    step: int,
    count_of: Steps,
) -> Walk:
    """A tap on the walk-through in message `message_id`, leading to `step`;
    StaleButton for an older message's buttons or a step that is not there."""
    check_may_train(patient)
    session = await own_session(uow, patient, session_id)
    if session.walk_message_id != message_id or not 0 <= step < count_of(session):
        raise StaleButton
    session.walk_step = step
    return Walk(session, await uow.reports.for_session(session_id), step)
