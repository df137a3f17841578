"""What the dispatcher sends, each claimed just before it goes out and settled right after.

A claim (state `sending`, with a lease) is taken in one short transaction immediately
before the send, and what happened is recorded in another right after. So a crash or a
database error can only lose what was on the wire at that instant, never a claimed but
untried batch. A claim whose lease ran out belonged to a process that died mid-send: it
may have arrived, so it is never sent again.

Two kinds of things go out: sessions (rendered when they are sent, so plan changes up to
the last moment count) and outbox messages (alerts, summary parts, operator notices,
rendered when queued, one Telegram message each).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from catalogue.loader import Catalogue
from coachbot import pauses, sessions
from coachbot.db.uow import UnitOfWork
from coachbot.domain.delivery import FIRST_BACKOFF, SendFailed, counts_as_attempt, retry_at
from coachbot.domain.model import OutboxMessage, Outgoing, Patient, Session
from coachbot.domain.vocabulary import Failure, OutboxPurpose, OutboxState, SessionState

# A claim is given up as "may have arrived" after this long; far longer than one send
# takes, long enough to ride out a busy database while recording the outcome.
SEND_LEASE = sessions.SEND_LEASE
# What went out is kept this long as a record, then purged.
OUTBOX_RECORD = timedelta(days=30)


class Settled(StrEnum):
    """What a failed send led to."""

    RETRY = "retry"  # back in the queue, tried again later
    GIVEN_UP = "given_up"  # refused for good: the operator is told once
    BLOCKED = "blocked"  # the person blocked the bot
    UNCERTAIN = "uncertain"  # may have arrived: never sent again
    ELSEWHERE = "elsewhere"  # settled meanwhile (a report, a pause, an erasure): left alone


@dataclass(frozen=True)
class SessionClaim:
    session: Session
    patient: Patient


async def claim_session(uow: UnitOfWork, now: datetime, grace: timedelta) -> SessionClaim | None:
    """The next due session, claimed for sending now (older than `grace`: housekeeping
    marks it missed instead)."""
    session = await uow.sessions.next_due(now, since=now - grace)
    if session is None:
        return None
    patient = await uow.patients.get(session.patient_id)
    assert patient is not None  # the query joins on an active patient
    session.state = SessionState.SENDING
    session.lease_until = now + SEND_LEASE
    session.attempts += 1
    return SessionClaim(session, patient)


async def session_failed(
    uow: UnitOfWork,
    session_id: int,
    failed: SendFailed,
    catalogue: Catalogue,
    now: datetime,
    backoff: timedelta = FIRST_BACKOFF,
) -> Settled:
    """Record a session's failed send by the failure's rule (`domain.delivery`)."""
    session = await uow.sessions.get(session_id)
    if session is None or session.state != SessionState.SENDING:
        return Settled.ELSEWHERE
    patient = await uow.patients.get(session.patient_id)
    assert patient is not None
    session.failure = str(failed)
    if failed.failure is Failure.GONE:
        await pauses.mark_blocked(uow, patient.chat_id, now)
        return Settled.BLOCKED
    if failed.failure is Failure.UNCERTAIN:
        await sessions.mark_sent(uow, session_id, None, catalogue, now)
        return Settled.UNCERTAIN
    if _back_in_queue(session, failed, now, backoff):
        session.state = SessionState.PLANNED
        return Settled.RETRY
    session.state = SessionState.UNDELIVERED
    await sessions.ensure_next_session(uow, patient, catalogue, now)
    return Settled.GIVEN_UP


class _Attempted(Protocol):
    attempts: int
    retry_at: datetime | None
    lease_until: datetime | None
    failure: str | None


def _back_in_queue(
    record: _Attempted, failed: SendFailed, now: datetime, backoff: timedelta
) -> bool:
    """Set a failed claim up to be tried again later; False if it is given up instead."""
    if not counts_as_attempt(failed):
        record.attempts -= 1
    record.failure = str(failed)
    record.lease_until = None
    record.retry_at = retry_at(failed, record.attempts, now, backoff)
    return record.retry_at is not None


# --- the outbox --------------------------------------------------------------------------


def queue(
    uow: UnitOfWork,
    messages: list[Outgoing],
    chat_id: int,
    purpose: OutboxPurpose,
    now: datetime,
    *,
    therapist_id: int | None = None,
    alert_id: int | None = None,
) -> None:
    """Store messages to send to a chat, in this order, each exactly once."""
    for message in messages:
        row = OutboxMessage.of(message, chat_id, purpose, now)
        row.therapist_id = therapist_id
        row.alert_id = alert_id
        uow.outbox.add(row)


async def claim_message(uow: UnitOfWork, now: datetime) -> OutboxMessage | None:
    message = await uow.outbox.next_due(now)
    if message is None:
        return None
    message.state = OutboxState.SENDING
    message.lease_until = now + SEND_LEASE
    message.attempts += 1
    return message


async def message_sent(uow: UnitOfWork, message_id: int, telegram_id: int, now: datetime) -> None:
    message = await uow.outbox.get(message_id)
    if message is None:
        return
    _close(message, OutboxState.SENT, None)
    message.sent_at = now
    message.message_id = telegram_id


async def message_failed(
    uow: UnitOfWork,
    message_id: int,
    failed: SendFailed,
    now: datetime,
    backoff: timedelta = FIRST_BACKOFF,
) -> Settled:
    message = await uow.outbox.get(message_id)
    if message is None or message.state != OutboxState.SENDING:
        return Settled.ELSEWHERE
    if failed.failure is Failure.UNCERTAIN:
        _close(message, OutboxState.UNCERTAIN, str(failed))
        return Settled.UNCERTAIN
    if failed.failure is Failure.GONE:
        _close(message, OutboxState.FAILED, str(failed))
        return Settled.BLOCKED
    if _back_in_queue(message, failed, now, backoff):
        message.state = OutboxState.PENDING
        return Settled.RETRY
    _close(message, OutboxState.FAILED, str(failed))
    return Settled.GIVEN_UP


def _close(message: OutboxMessage, state: OutboxState, failure: str | None) -> None:
    """A message is out (or never will be): keep the record, drop the content."""
    message.state = state
    message.failure = failure
    message.lease_until = None
    message.retry_at = None
    message.text = None
    message.buttons = None
    message.photo = None


async def settle_stale_claims(uow: UnitOfWork, now: datetime) -> list[int]:
    """Claims left by dead processes count as sent (they may have arrived), and the
    record of old messages goes; returns the patients whose next session is to plan."""
    patients = await uow.sessions.settle_stale_claims(now)
    await uow.outbox.settle_stale_claims(now)
    await uow.outbox.purge(now - OUTBOX_RECORD)
    return patients
