"""The dispatcher: claims due sessions from the database and hands them to a sender.

A JobQueue job calls `tick()` every few seconds. All state lives in the
database, so a restart resumes where it stopped: nothing is lost, and a claim
(state `sending`) whose worker died is never sent again (at most once).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from catalogue.loader import Catalogue
from coachbot import practice, services
from coachbot.db.uow import UnitOfWork
from coachbot.domain import schedule
from coachbot.domain.model import Patient, PatientStatus, Session, SessionState, Therapist
from coachbot.domain.summary import CohortSummary

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
UnitOfWorkFactory = Callable[[], UnitOfWork]


class RecipientGone(Exception):
    """The person blocked the bot or deleted their account."""


class DeliveryFailed(Exception):
    """A passing failure (network, server error): try again on a later tick."""


class DeliveryUncertain(Exception):
    """No answer in time: the message may have gone out, so it is never sent again."""


class AlertSender(Protocol):
    def __call__(self, notice: services.AlertNotice) -> Awaitable[None]:
        """Tell the therapist about the alert."""
        ...


class SummarySender(Protocol):
    def __call__(
        self, therapist: Therapist, summary: CohortSummary, now: datetime
    ) -> Awaitable[None]:
        """Send the therapist their summary."""
        ...


class SessionSender(Protocol):
    def __call__(self, patient: Patient, session: Session) -> Awaitable[int]:
        """Send the session to the patient and return the message id."""
        ...


@dataclass
class TickResult:
    sent: int = 0
    missed: int = 0
    failed: int = 0
    blocked: int = 0
    planned: int = 0


class Pacer:
    """Spaces sends evenly at `rate` per second, leaving room for replies."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = 0.0

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        slot = max(now, self._next)
        self._next = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)


class Dispatcher:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        catalogue: Catalogue,
        clock: Clock,
        send: SessionSender,
        *,
        grace: timedelta = timedelta(minutes=180),
        messages_per_second: float = 20.0,
        batch_size: int = 200,
        alert_sender: AlertSender | None = None,
        silent_days: int = 3,
        summary_sender: SummarySender | None = None,
    ) -> None:
        self._uow = uow
        self._catalogue = catalogue
        self._clock = clock
        self._send = send
        self._grace = grace
        self._pacer = Pacer(messages_per_second)
        self._batch = batch_size
        self._lock = asyncio.Lock()
        self._alert_sender = alert_sender
        self._silent_days = silent_days
        self._summary_sender = summary_sender

    async def tick(self) -> TickResult:
        """One round: close ended days, plan, claim what is due and send it."""
        # One round at a time; a caller arriving mid-round waits for it to end.
        async with self._lock:
            result = TickResult()
            await self._housekeeping(result)
            for session_id in await self._claim(result):
                await self._deliver(session_id, result)
            await self._tell_therapists()
            await self._send_summaries()
            if result.sent or result.missed or result.failed or result.blocked:
                log.info(
                    "dispatch: sent %d, missed %d, failed %d, blocked %d",
                    result.sent,
                    result.missed,
                    result.failed,
                    result.blocked,
                )
            return result

    async def _housekeeping(self, result: TickResult) -> None:
        now = self._clock()
        async with self._uow() as uow:
            for session in await uow.sessions.stale_claims(now):
                # The worker that claimed it died mid-send; it may have gone out,
                # so it is never sent again. /today still shows it.
                session.state = SessionState.SENT
                session.lease_until = None
            await uow.flush()
            for session in await uow.sessions.day_over(now, self._batch):
                session.state = SessionState.MISSED
                result.missed += 1
            for patient in await uow.patients.paused_until_set():
                today = schedule.local_date(now, patient.timezone)
                if patient.paused_until is not None and patient.paused_until <= today:
                    await services.resume(uow, patient, self._catalogue, now)
            for patient in await uow.patients.active_without_open_session(self._batch):
                if await services.ensure_next_session(uow, patient, self._catalogue, now):
                    result.planned += 1
            await uow.commit()

    async def _tell_therapists(self) -> None:
        if self._alert_sender is None:
            return
        async with self._uow() as uow:
            await services.raise_silence_alerts(uow, self._clock(), self._silent_days)
            notices = await services.claim_alert_notices(uow, self._clock(), self._batch)
            await uow.commit()
        for notice in notices:
            await self._pacer.wait()
            try:
                await self._alert_sender(notice)
            except DeliveryFailed:
                log.warning("alert %s could not be sent to the therapist", notice.alert.id)

    async def _send_summaries(self) -> None:
        """Scheduled summaries that are due, each at most once (claimed, then sent)."""
        if self._summary_sender is None:
            return
        now = self._clock()
        async with self._uow() as uow:
            due = await practice.claim_due_summaries(uow, now, self._batch)
            await uow.commit()
        for therapist in due:
            async with self._uow() as uow:
                summary = await practice.cohort_summary(uow, therapist, now)
            if not summary.patients:
                continue  # nothing to report yet; /summary still answers
            await self._pacer.wait()
            try:
                await self._summary_sender(therapist, summary, now)
            except DeliveryFailed:
                log.warning("summary for therapist %s could not be sent", therapist.id)

    async def _claim(self, result: TickResult) -> list[int]:
        now = self._clock()
        claimed = []
        async with self._uow() as uow:
            for session in await uow.sessions.due(now, self._batch):
                patient = await uow.patients.get(session.patient_id)
                if patient is None or patient.status != PatientStatus.ACTIVE:
                    continue
                if now - session.due_at > self._grace:
                    # Fell due long ago while the bot was down: too late to remind.
                    session.state = SessionState.MISSED
                    result.missed += 1
                    await services.ensure_next_session(uow, patient, self._catalogue, now)
                    continue
                session.state = SessionState.SENDING
                session.lease_until = now + services.SEND_LEASE
                claimed.append(session.id or 0)
            await uow.commit()
        return claimed

    async def _deliver(self, session_id: int, result: TickResult) -> None:
        async with self._uow() as uow:
            session = await uow.sessions.get(session_id)
            patient = await uow.patients.get(session.patient_id) if session else None
        if session is None or patient is None:
            return
        await self._pacer.wait()
        try:
            message_id = await self._send(patient, session)
        except RecipientGone:
            async with self._uow() as uow:
                await services.mark_blocked(uow, patient.chat_id, self._clock())
                await uow.commit()
            result.blocked += 1
            return
        except DeliveryUncertain:
            log.warning("dispatch: session %s may not have arrived (timeout)", session_id)
            async with self._uow() as uow:
                await services.mark_sent(uow, session_id, None, self._catalogue, self._clock())
                await uow.commit()
            result.failed += 1
            return
        except DeliveryFailed:
            log.warning("dispatch: session %s not delivered, will retry", session_id)
            async with self._uow() as uow:
                await services.release_claim(uow, session_id)
                await uow.commit()
            result.failed += 1
            return
        async with self._uow() as uow:
            await services.mark_sent(uow, session_id, message_id, self._catalogue, self._clock())
            await uow.commit()
        result.sent += 1
