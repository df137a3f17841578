"""The dispatcher: sends what falls due (sessions, alerts, summaries) within the budget.

A JobQueue job calls `tick()` every few seconds. All state lives in the database, so
any number of dispatchers, in any number of processes, may run on one database:

- the round's chores (settling claims of dead processes, ending days, planning the next
  sessions, raising silence alerts, queueing alerts and summaries) are done by the one
  dispatcher holding the "housekeeping" lease, so nothing is done twice;
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

from sqlalchemy.exc import DBAPIError, IntegrityError

from catalogue.loader import Catalogue
from coachbot import alerts, delivery, pauses, sessions, summaries, views
from coachbot.db import leases
from coachbot.db.uow import UnitOfWork
from coachbot.delivery import SessionClaim, Settled
from coachbot.domain import schedule
from coachbot.domain.delivery import FIRST_BACKOFF, Failure, SendFailed
from coachbot.domain.model import (
    OutboxMessage,
    OutboxPurpose,
    Outgoing,
    Patient,
    Session,
    Therapist,
)
from coachbot.domain.summary import CohortSummary

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
UnitOfWorkFactory = Callable[[], UnitOfWork]
T = TypeVar("T")

CHORES_LEASE = timedelta(minutes=1)
# Rows one transaction of the chores touches at most: SQLite's write lock stays short
# (500 held it up to 90 ms at a day's end for 100,000 patients).
CHUNK = 250
# Chunks each step of the chores takes at most in one round: the rest waits a round, so
# that a day's end for 100,000 patients does not hold up for seconds what is due.
CHUNKS_PER_ROUND = 10
PLAN_CHUNK = 5
# Patients whose next session one round plans at most; the rest wait for the next rounds,
# so that a day's end for thousands of patients does not hold up what is due meanwhile.
PLAN_PER_ROUND = 300
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


@dataclass(frozen=True)
class _Job:
    """One claimed thing to send: how, and how to record that it went out or failed."""

    what: str  # for the log and the operator ("session 12"), never content
    send: Callable[[], Awaitable[int]]
    sent: Callable[[UnitOfWork, int], Awaitable[None]]
    failed: Callable[[UnitOfWork, SendFailed], Awaitable[Settled]]
    is_session: bool = False
    report: bool = True


@dataclass
class TickResult:
    sent: int = 0
    messages: int = 0
    missed: int = 0
    planned: int = 0  # patients whose next session was seen to
    retried: int = 0
    undelivered: int = 0
    uncertain: int = 0
    blocked: int = 0

    def __bool__(self) -> bool:
        return any(vars(self).values())

    def __str__(self) -> str:
        return ", ".join(f"{name} {value}" for name, value in vars(self).items() if value)


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
        self._batch = batch_size
        self._silent_days = silent_days
        self._operator = operator_chat_id
        self._backoff = backoff
        self._holder = leases.holder_name()
        self._lock = asyncio.Lock()
        self._stopping = False
        self._hourly: dict[str, datetime] = {}
        # Patients whose next session is still to be planned (see `PLAN_PER_ROUND`); lost
        # with the process, they are found again by the sweep of its successor's first round.
        self._to_plan: set[int] = set()
        self._closing = False  # more sessions to close than a round's chunks

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    @property
    def behind(self) -> bool:
        """Whether the chores were left unfinished by the last round: sessions still to
        close, or patients waiting for their next session to be planned."""
        return self._closing or bool(self._to_plan)

    def stop(self) -> None:
        """Finish what is on the wire, claim nothing new (a graceful shutdown)."""
        self._stopping = True

    async def tick(self) -> TickResult:
        """One round: the chores (if this dispatcher holds them), then send what is due."""
        async with self._lock:
            result = TickResult()
            if self._stopping:
                return result
            if await self._step("housekeeping", lambda: self._housekeeping(result)):
                await self._step("alerts", self._queue_alerts)
                await self._step("summaries", self._queue_summaries)
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

    # --- the chores ------------------------------------------------------------------

    async def _housekeeping(self, result: TickResult) -> bool:
        """The round's chores, if this dispatcher holds them; whether it does.

        Each step touches only what is due, in transactions of at most `CHUNK` rows, so
        that none holds SQLite's write lock for long whatever the number of patients.
        """
        now = self._clock()
        async with self._uow() as uow:
            if not await leases.acquire(
                uow.session, leases.HOUSEKEEPING, self._holder, now, CHORES_LEASE
            ):
                return False
            self._to_plan.update(await delivery.settle_stale_claims(uow, now))
            await uow.commit()
        # Days that ended; and sessions that fell due long before (the bot was down),
        # too late to remind of. Either way the patient's next session is planned.
        self._closing = False
        for step in ("ended", "late"):
            for _chunk in range(CHUNKS_PER_ROUND):
                async with self._uow() as uow:
                    if step == "ended":
                        patients = await uow.sessions.close_ended_days(now, CHUNK)
                    else:
                        patients = await uow.sessions.miss_late(now - self._grace, CHUNK)
                    await uow.commit()
                self._to_plan.update(patients)
                result.missed += len(patients)
                if len(patients) < CHUNK:
                    break
            else:
                self._closing = True
        async with self._uow() as uow:
            for patient in await uow.patients.paused_until_set():
                today = schedule.local_date(now, patient.timezone)
                if patient.paused_until is not None and patient.paused_until <= today:
                    await pauses.resume(uow, patient, self._catalogue, now)
            await uow.commit()
        if self._hourly_due("sweep", now):
            async with self._read() as uow:
                self._to_plan.update(await uow.patients.without_open_session(self._batch))
        result.planned += await self._plan(now)
        return True

    async def _plan(self, now: datetime) -> int:
        """The next session of up to `PLAN_PER_ROUND` waiting patients, a few patients per
        transaction; how many were seen to."""
        patient_ids = sorted(self._to_plan)[:PLAN_PER_ROUND]
        for start in range(0, len(patient_ids), PLAN_CHUNK):
            async with self._uow() as uow:
                for patient_id in patient_ids[start : start + PLAN_CHUNK]:
                    patient = await uow.patients.get(patient_id)
                    if patient is None or not patient.receives_sessions:
                        continue
                    try:
                        async with uow.session.begin_nested():
                            await sessions.ensure_next_session(uow, patient, self._catalogue, now)
                    except IntegrityError:
                        pass  # planned meanwhile (/today, another worker): nothing to add
                await uow.commit()
            self._to_plan.difference_update(patient_ids[start : start + PLAN_CHUNK])
        return len(patient_ids)

    def _hourly_due(self, what: str, now: datetime) -> bool:
        """Silence is counted in days and the safety sweep is rarely needed: each runs at
        most hourly (and at the first round)."""
        due = self._hourly.get(what)
        if due is not None and now < due:
            return False
        self._hourly[what] = now + timedelta(hours=1)
        return True

    async def _queue_alerts(self) -> None:
        now = self._clock()
        if self._hourly_due("silence", now):
            # Found by reading (any number of patients), raised in short writes.
            async with self._read() as uow:
                silent = await alerts.silent_patients(uow, now, self._silent_days)
            for start in range(0, len(silent), CHUNK):
                async with self._uow() as uow:
                    chunk = silent[start : start + CHUNK]
                    await alerts.raise_silence_alerts(uow, now, self._silent_days, chunk)
                    await uow.commit()
        async with self._uow() as uow:
            for notice in await alerts.claim_alert_notices(uow, now, self._batch):
                assert notice.therapist.telegram_user_id is not None
                delivery.queue(
                    uow,
                    [self._courier.alert(notice)],
                    notice.therapist.telegram_user_id,
                    OutboxPurpose.ALERT,
                    now,
                    therapist_id=notice.therapist.id,
                    alert_id=notice.alert.id,
                )
            await uow.commit()

    async def _queue_summaries(self) -> None:
        """Each due summary is computed and drawn outside any write transaction, then
        queued in one short one together with moving its schedule on (so exactly once)."""
        now = self._clock()
        async with self._uow() as uow:
            due = await summaries.due_summaries(uow, now, self._batch)
            await uow.commit()
        for therapist in due:
            assert therapist.id is not None and therapist.next_summary_at is not None
            async with self._read() as uow:
                summary = await views.cohort_summary(uow, therapist, now)
            # Nothing to report yet (no patients): the schedule moves on; /summary answers.
            parts = self._courier.summary(therapist, summary, now) if summary.patients else []
            async with self._uow() as uow:
                if await summaries.move_summary_on(
                    uow, therapist.id, therapist.next_summary_at, now
                ):
                    assert therapist.telegram_user_id is not None
                    delivery.queue(
                        uow,
                        parts,
                        therapist.telegram_user_id,
                        OutboxPurpose.SUMMARY,
                        now,
                        therapist_id=therapist.id,
                    )
                    await uow.commit()

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
