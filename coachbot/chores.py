"""The dispatcher's chores: what one dispatcher does each round for everyone, holding
the "housekeeping" lease so that nothing is done twice.

Settling claims of dead processes, ending days (sessions not reported become missed),
planning each patient's next session, ending pauses that reached their date, raising
silence alerts, and queueing alerts and summaries for the couriers to send. Each step
touches only what is due, in short transactions, so that none holds SQLite's write lock
for long whatever the number of patients.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from catalogue.loader import Catalogue
from coachbot import alerts, delivery, pauses, reports, sessions, summaries, views
from coachbot.db import leases
from coachbot.db.uow import UnitOfWork
from coachbot.domain import schedule
from coachbot.domain.model import Outgoing, Therapist
from coachbot.domain.summary import CohortSummary
from coachbot.domain.vocabulary import OutboxPurpose

Clock = Callable[[], datetime]
UnitOfWorkFactory = Callable[[], UnitOfWork]

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


class Chores:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        read: UnitOfWorkFactory,
        catalogue: Catalogue,
        clock: Clock,
        *,
        alert: Callable[[alerts.AlertNotice], Outgoing],
        summary: Callable[[Therapist, CohortSummary, datetime], list[Outgoing]],
        morning: Callable[[reports.MorningCheck], Outgoing],
        grace: timedelta,
        batch_size: int,
        silent_days: int,
    ) -> None:
        self._uow = uow
        self._read = read
        self._catalogue = catalogue
        self._clock = clock
        self._alert = alert
        self._summary = summary
        self._morning = morning
        self._grace = grace
        self._batch = batch_size
        self._silent_days = silent_days
        self._holder = leases.holder_name()
        self._hourly: dict[str, datetime] = {}
        # Patients whose next session is still to be planned (see `PLAN_PER_ROUND`); lost
        # with the process, they are found again by the sweep of its successor's first round.
        self._to_plan: set[int] = set()
        self._closing = False  # more sessions to close than a round's chunks

    @property
    def behind(self) -> bool:
        """Whether the last round left chores unfinished: sessions still to close, or
        patients waiting for their next session to be planned."""
        return self._closing or bool(self._to_plan)

    async def run(self, result: TickResult) -> bool:
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

    async def queue_alerts(self) -> None:
        """Silence alerts raised (hourly), and every alert not yet told queued for its
        therapist."""
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
                    [self._alert(notice)],
                    notice.therapist.telegram_user_id,
                    OutboxPurpose.ALERT,
                    now,
                    therapist_id=notice.therapist.id,
                    alert_id=notice.alert.id,
                )
            await uow.commit()

    async def queue_morning_checks(self) -> None:
        """Each due next-morning check queued for its patient in the same transaction that
        takes it off the queue: asked exactly once."""
        now = self._clock()
        async with self._uow() as uow:
            for check in await reports.claim_morning_checks(uow, now, self._batch):
                delivery.queue(
                    uow, [self._morning(check)], check.patient.chat_id, OutboxPurpose.MORNING, now
                )
            await uow.commit()

    async def queue_summaries(self) -> None:
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
            parts = self._summary(therapist, summary, now) if summary.patients else []
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
