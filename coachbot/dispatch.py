"""The dispatcher: sends what falls due (sessions, alerts, summaries) within the budget.

A JobQueue job calls `tick()` every few seconds. All state lives in the database, so
any number of dispatchers, in any number of processes, may run on one database:

- the round's chores (`coachbot.chores`: ending days, planning the next sessions,
  queueing alerts and summaries) are done by the one dispatcher holding the
  "housekeeping" lease, so nothing is done twice;
- then a few couriers each loop: wait for a slot of the bot's send budget, claim one
  thing that is due, send it as one message, record what happened
  (`coachbot.delivery`). A crash loses at most what was on the wire at that instant.

Database errors are caught per step and per message; what could not be recorded is
retried for a while, and nothing stays claimed that was not tried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol, TypeVar

from sqlalchemy.exc import DBAPIError

from catalogue.loader import Catalogue
from coachbot import alerts, delivery, reports, sessions
from coachbot.chores import Chores, Clock, TickResult, UnitOfWorkFactory
from coachbot.db.uow import UnitOfWork
from coachbot.delivery import SessionClaim, Settled
from coachbot.domain.delivery import FIRST_BACKOFF, SendFailed
from coachbot.domain.model import OutboxMessage, Outgoing, Patient, Session, Therapist
from coachbot.domain.summary import CohortSummary
from coachbot.domain.vocabulary import Failure, OutboxPurpose

log = logging.getLogger(__name__)

T = TypeVar("T")

# Recording an outcome is retried this long (a busy database), well within the send lease.
RECORD_PATIENCE = timedelta(minutes=3)


class Courier(Protocol):
    """The dispatcher's way to people (Telegram: `conversations/delivery.py`).

    Each send is one message and raises `SendFailed` if it did not certainly arrive.
    """

    async def wait_for_budget(self) -> None:
        """Return when the bot's send budget has a slot for the dispatcher."""

    async def send_session(self, patient: Patient, session: Session) -> int:
        """Send the session with its report buttons; returns the message id."""
        ...

    async def send(self, chat_id: int, message: Outgoing) -> int:
        """Send one stored message; returns the message id."""
        ...

    def alert(self, notice: alerts.AlertNotice) -> Outgoing:
        """The therapist's message about an alert."""
        ...

    def summary(
        self, therapist: Therapist, summary: CohortSummary, now: datetime
    ) -> list[Outgoing]:
        """The therapist's summary, as the messages to send in order."""
        ...

    def morning(self, check: reports.MorningCheck) -> Outgoing:
        """The patient's next-morning check, with its answer buttons."""
        ...


@dataclass(frozen=True)
class _Job:
    """One claimed thing to send: how, and how to record that it went out or failed."""

    what: str  # for the log and the operator ("session 12"), never content
    send: Callable[[], Awaitable[int]]
    sent: Callable[[UnitOfWork, int], Awaitable[None]]
    failed: Callable[[UnitOfWork, SendFailed], Awaitable[Settled]]
    is_session: bool = False
    report: bool = True


class Dispatcher:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        catalogue: Catalogue,
        clock: Clock,
        courier: Courier,
        *,
        grace: timedelta = timedelta(minutes=180),
        concurrency: int = 4,
        batch_size: int = 200,
        silent_days: int = 3,
        operator_chat_id: int | None = None,
        backoff: timedelta = FIRST_BACKOFF,
        read: UnitOfWorkFactory | None = None,
    ) -> None:
        self._uow = uow
        # Read-only units of work (never SQLite's write lock); the writing ones if none.
        self._read = read or uow
        self._catalogue = catalogue
        self._clock = clock
        self._courier = courier
        self._grace = grace
        self._concurrency = concurrency
        self._operator = operator_chat_id
        self._backoff = backoff
        self._lock = asyncio.Lock()
        self._stopping = False
        self._chores = Chores(
            uow,
            self._read,
            catalogue,
            clock,
            alert=courier.alert,
            summary=courier.summary,
            morning=courier.morning,
            grace=grace,
            batch_size=batch_size,
            silent_days=silent_days,
        )

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    @property
    def behind(self) -> bool:
        """Whether the chores were left unfinished by the last round."""
        return self._chores.behind

    def stop(self) -> None:
        """Finish what is on the wire, claim nothing new (a graceful shutdown)."""
        self._stopping = True

    async def tick(self) -> TickResult:
        """One round: the chores (if this dispatcher holds them), then send what is due."""
        async with self._lock:
            result = TickResult()
            if self._stopping:
                return result
            if await self._step("housekeeping", lambda: self._chores.run(result)):
                await self._step("alerts", self._chores.queue_alerts)
                await self._step("summaries", self._chores.queue_summaries)
                await self._step("morning checks", self._chores.queue_morning_checks)
            await self._send_due(result)
            if result:
                log.info("dispatch: %s", result)
            return result

    async def _step(self, what: str, step: Callable[[], Awaitable[T]]) -> T | None:
        try:
            return await step()
        except DBAPIError as error:
            log.warning("dispatch: %s skipped this round, database error: %s", what, error.orig)
            return None

    # --- sending -------------------------------------------------------------------

    async def _send_due(self, result: TickResult) -> None:
        """One courier looks first; only when something is due do the others join in,
        and all stop once one of them finds the queue empty."""
        drained = asyncio.Event()
        if await self._courier_round(result, drained):
            await asyncio.gather(
                *(self._courier_loop(result, drained) for _ in range(self._concurrency))
            )

    async def _courier_loop(self, result: TickResult, drained: asyncio.Event) -> None:
        while await self._courier_round(result, drained):
            pass

    async def _courier_round(self, result: TickResult, drained: asyncio.Event) -> bool:
        """Wait for a slot, claim one thing, send it; False once there is nothing more."""
        if self._stopping or drained.is_set():
            return False
        await self._courier.wait_for_budget()
        if drained.is_set():
            return False
        job = await self._step("claiming", self._claim)
        if job is None:
            drained.set()
            return False
        await self._deliver(job, result)
        return True

    async def _claim(self) -> _Job | None:
        """The next due session, else the next waiting message, claimed and described."""
        now = self._clock()
        async with self._uow() as uow:
            claim = await delivery.claim_session(uow, now, self._grace)
            message = None if claim is not None else await delivery.claim_message(uow, now)
            await uow.commit()
        if claim is not None:
            return self._session_job(claim)
        return None if message is None else self._message_job(message)

    def _session_job(self, claim: SessionClaim) -> _Job:
        session_id = claim.session.id or 0

        async def sent(uow: UnitOfWork, message_id: int) -> None:
            await sessions.mark_sent(uow, session_id, message_id, self._catalogue, self._clock())

        async def failed(uow: UnitOfWork, failure: SendFailed) -> Settled:
            return await delivery.session_failed(
                uow, session_id, failure, self._catalogue, self._clock(), self._backoff
            )

        send = partial(self._courier.send_session, claim.patient, claim.session)
        return _Job(f"session {session_id}", send, sent, failed, is_session=True)

    def _message_job(self, message: OutboxMessage) -> _Job:
        row_id = message.id or 0

        async def sent(uow: UnitOfWork, telegram_id: int) -> None:
            await delivery.message_sent(uow, row_id, telegram_id, self._clock())

        async def failed(uow: UnitOfWork, failure: SendFailed) -> Settled:
            return await delivery.message_failed(uow, row_id, failure, self._clock(), self._backoff)

        send = partial(self._courier.send, message.chat_id, message.content)
        # A notice to the operator that fails is not reported to the operator again.
        report = message.chat_id != self._operator
        return _Job(f"{message.purpose} message {row_id}", send, sent, failed, report=report)

    async def _deliver(self, job: _Job, result: TickResult) -> None:
        """Send one claimed thing and record what happened by its failure's rule."""
        try:
            telegram_id = await job.send()
        except Exception as error:  # a bug in one message must not stop the rest
            failure = _as_failure(error, job.what)

            async def record_failure(uow: UnitOfWork) -> Settled:
                settled = await job.failed(uow, failure)
                if settled is Settled.GIVEN_UP and job.report:
                    self._tell_operator(uow, job.what, failure)
                return settled

            _count(result, await self._record(record_failure))
            return
        await self._record(lambda uow: job.sent(uow, telegram_id))
        if job.is_session:
            result.sent += 1
        else:
            result.messages += 1

    async def _record(self, action: Callable[[UnitOfWork], Awaitable[T]]) -> T | None:
        """Record what happened, retrying while the database is busy: the message is out,
        so its record must be kept, or the claim would read as "may have arrived"."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + RECORD_PATIENCE.total_seconds()
        pause = 0.2
        while True:
            try:
                async with self._uow() as uow:
                    outcome = await action(uow)
                    await uow.commit()
                return outcome
            except DBAPIError as error:
                if loop.time() > give_up:
                    log.error("dispatch: could not record a send, database error: %s", error.orig)
                    return None
                log.warning("dispatch: recording a send waits for the database: %s", error.orig)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)

    def _tell_operator(self, uow: UnitOfWork, what: str, failed: SendFailed) -> None:
        """Refused for good: one ERROR line and one notice to the operator's chat."""
        log.error("dispatch: %s given up after %s", what, failed)
        if self._operator is not None:
            notice = Outgoing(
                f"⚠️ Coachbot could not deliver {what}: Telegram refused it "
                f"({failed.reason[:120]}). It was given up; see the logs."
            )
            delivery.queue(uow, [notice], self._operator, OutboxPurpose.OPERATOR, self._clock())


def _as_failure(error: Exception, what: str) -> SendFailed:
    if isinstance(error, SendFailed):
        if error.failure is not Failure.RATE_LIMITED:
            log.info("dispatch: %s not delivered: %s", what, error)
        return error
    # Not Telegram's answer but our own bug (rendering, say): treated as a refusal, so
    # it is tried a few times and then given up and reported, never retried forever.
    log.exception("dispatch: %s could not be sent", what)
    return SendFailed(Failure.REFUSED, type(error).__name__)


def _count(result: TickResult, settled: Settled | None) -> None:
    if settled is Settled.BLOCKED:
        result.blocked += 1
    elif settled is Settled.GIVEN_UP:
        result.undelivered += 1
    elif settled is Settled.UNCERTAIN:
        result.uncertain += 1
    elif settled is Settled.RETRY:
        result.retried += 1
