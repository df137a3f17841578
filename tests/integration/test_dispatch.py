"""The dispatcher against a real SQLite file, with a recording sender and a movable clock."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from catalogue.loader import Catalogue
from coachbot import access, alerts, pauses, reports
from coachbot.db.uow import SessionFactory, UnitOfWork
from coachbot.dispatch import Dispatcher
from coachbot.domain.delivery import SendFailed
from coachbot.domain.model import Outgoing, Patient, Session, Therapist
from coachbot.domain.summary import CohortSummary
from coachbot.domain.vocabulary import AlertKind, Failure, Outcome, PatientStatus, SessionState

GONE = SendFailed(Failure.GONE, "Forbidden: bot was blocked by the user")
BAD_GATEWAY = SendFailed(Failure.PASSING, "Bad Gateway")

Enrol = Callable[..., Awaitable[Patient]]

# Monday 23 November 2026, 08:00 UTC = 09:00 in Berlin; the session is due at 18:00 Berlin.
MORNING = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
DUE = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
MONDAY = date(2026, 11, 23)
ANNA = 1001


@dataclass
class Clock:
    now: datetime = MORNING

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class RecordingCourier:
    """The dispatcher's courier with Telegram left out: records (chat id, session id) and
    the clock at each send, and fails with the given failure while told to."""

    clock: Clock
    sent: list[tuple[int, int]] = field(default_factory=list)
    sent_at: list[datetime] = field(default_factory=list)
    messages: list[tuple[int, Outgoing]] = field(default_factory=list)
    attempts: int = 0
    fail_with: SendFailed | None = None
    failures_left: int = 0

    async def wait_for_budget(self) -> None:
        return None

    def _maybe_fail(self) -> None:
        self.attempts += 1
        if self.fail_with is not None and self.failures_left > 0:
            self.failures_left -= 1
            raise self.fail_with

    async def send_session(self, patient: Patient, session: Session) -> int:
        self._maybe_fail()
        assert session.id is not None
        self.sent.append((patient.chat_id, session.id))
        self.sent_at.append(self.clock())
        return 100 + len(self.sent)

    async def send(self, chat_id: int, message: Outgoing) -> int:
        self._maybe_fail()
        self.messages.append((chat_id, message))
        return 500 + len(self.messages)

    def alert(self, notice: alerts.AlertNotice) -> Outgoing:
        return Outgoing(f"alert {notice.alert.kind} about {notice.patient.id}")

    def morning(self, check: reports.MorningCheck) -> Outgoing:
        return Outgoing(
            f"morning check for {check.patient.id}", [[("Same", f"am:{check.session_id}:same")]]
        )

    def summary(
        self, therapist: Therapist, summary: CohortSummary, now: datetime
    ) -> list[Outgoing]:
        return [Outgoing(f"summary for {therapist.id}"), Outgoing("chart", photo=b"png")]


RecordingSender = RecordingCourier


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sender(clock: Clock) -> RecordingCourier:
    return RecordingCourier(clock)


@pytest.fixture
def dispatcher(
    sessions: SessionFactory, catalogue: Catalogue, clock: Clock, sender: RecordingCourier
) -> Dispatcher:
    return Dispatcher(lambda: UnitOfWork(sessions), catalogue, clock, sender)


async def all_sessions(factory: SessionFactory, patient_id: int | None) -> list[Session]:
    assert patient_id is not None
    async with UnitOfWork(factory) as uow:
        return list(await uow.sessions.for_patient(patient_id))


async def states(factory: SessionFactory, patient_id: int | None) -> list[tuple[date, str]]:
    return [(s.local_date, s.state) for s in await all_sessions(factory, patient_id)]


async def set_session(factory: SessionFactory, session_id: int | None, **values: object) -> None:
    assert session_id is not None
    async with UnitOfWork(factory) as uow:
        session = await uow.sessions.get(session_id)
        assert session is not None
        for name, value in values.items():
            setattr(session, name, value)
        await uow.commit()


async def test_sends_once_when_due_and_plans_the_next_day(
    sessions: SessionFactory,
    enrol: Enrol,
    clock: Clock,
    sender: RecordingSender,
    dispatcher: Dispatcher,
) -> None:
    anna = await enrol(ANNA, now=MORNING)
    (first,) = await all_sessions(sessions, anna.id)

    for moment in (MORNING, DUE - timedelta(minutes=1), DUE - timedelta(seconds=1)):
        clock.set(moment)
        assert (await dispatcher.tick()).sent == 0
    assert sender.sent == []

    clock.set(DUE)
    assert (await dispatcher.tick()).sent == 1
    assert sender.sent == [(anna.chat_id, first.id)]

    sent, following = await all_sessions(sessions, anna.id)
    assert (sent.state, sent.sent_message_id, sent.sent_at) == (SessionState.SENT, 101, DUE)
    assert sent.lease_until is None
    assert (following.local_date, following.state) == (MONDAY + timedelta(days=1), "planned")
    assert following.due_at == DUE + timedelta(days=1)

    # Ticking again, now or a little later, sends nothing twice.
    assert (await dispatcher.tick()).sent == 0
    clock.advance(minutes=30)
    assert (await dispatcher.tick()).sent == 0
    assert len(sender.sent) == 1
    assert len(await all_sessions(sessions, anna.id)) == 2


async def test_a_claim_with_an_expired_lease_is_not_sent_again(
    sessions: SessionFactory,
    enrol: Enrol,
    clock: Clock,
    sender: RecordingSender,
    dispatcher: Dispatcher,
) -> None:
    anna = await enrol(ANNA, now=MORNING)
    (first,) = await all_sessions(sessions, anna.id)
    # A worker claimed it at 18:00 and died while sending.
    await set_session(
        sessions, first.id, state=SessionState.SENDING, lease_until=DUE + timedelta(minutes=2)
    )

    clock.set(DUE + timedelta(minutes=1))  # the lease still holds
    await dispatcher.tick()
    assert await states(sessions, anna.id) == [(MONDAY, "sending")]

    clock.set(DUE + timedelta(minutes=5))  # the lease has expired
    await dispatcher.tick()
    clock.advance(minutes=5)
    await dispatcher.tick()
    assert sender.attempts == 0
    assert await states(sessions, anna.id) == [
        (MONDAY, "sent"),
        (MONDAY + timedelta(days=1), "planned"),
    ]

    # The next day's session goes out normally.
    clock.set(DUE + timedelta(days=1))
    await dispatcher.tick()
    assert len(sender.sent) == 1


@pytest.mark.parametrize("late", [timedelta(hours=1), timedelta(hours=3)])
async def test_after_downtime_within_grace_the_session_is_still_sent(
    sessions: SessionFactory,
    enrol: Enrol,
    clock: Clock,
    sender: RecordingSender,
    dispatcher: Dispatcher,
    late: timedelta,
) -> None:
    anna = await enrol(ANNA, now=MORNING)
    clock.set(DUE + late)  # the first tick after the bot was down
    result = await dispatcher.tick()
    assert (result.sent, result.missed) == (1, 0)
    assert sender.sent_at == [DUE + late]
    assert await states(sessions, anna.id) == [
        (MONDAY, "sent"),
        (MONDAY + timedelta(days=1), "planned"),
    ]


@pytest.mark.parametrize("late", [timedelta(hours=3, minutes=1), timedelta(hours=5)])
async def test_after_long_downtime_the_session_is_missed_not_sent(
    sessions: SessionFactory,
    enrol: Enrol,
    clock: Clock,
    sender: RecordingSender,
    dispatcher: Dispatcher,
    late: timedelta,
) -> None:
    anna = await enrol(ANNA, now=MORNING)
    clock.set(DUE + late)  # at most 23:00 in Berlin, still Monday there
    result = await dispatcher.tick()
    assert (result.sent, result.missed) == (0, 1)
    assert sender.attempts == 0
    assert await states(sessions, anna.id) == [
        (MONDAY, "missed"),
        (MONDAY + timedelta(days=1), "planned"),
    ]
    clock.set(DUE + timedelta(days=1))
    assert (await dispatcher.tick()).sent == 1


async def test_a_sent_session_without_report_is_missed_when_the_local_day_ends(
    sessions: SessionFactory,
    enrol: Enrol,
    clock: Clock,
    dispatcher: Dispatcher,
) -> None:
    anna = await enrol(ANNA, now=MORNING)
    clock.set(DUE)
    await dispatcher.tick()

    clock.set(datetime(2026, 11, 23, 22, 59, tzinfo=UTC))  # 23:59 in Berlin
    await dispatcher.tick()
    assert (await states(sessions, anna.id))[0] == (MONDAY, "sent")

    clock.set(datetime(2026, 11, 23, 23, 0, tzinfo=UTC))  # midnight in Berlin
    assert (await dispatcher.tick()).missed == 1
    assert await states(sessions, anna.id) == [
        (MONDAY, "missed"),
        (MONDAY + timedelta(days=1), "planned"),
    ]


async def test_a_reported_session_is_not_missed_at_the_day_end(
    sessions: SessionFactory, enrol: Enrol, clock: Clock, dispatcher: Dispatcher
) -> None:
    anna = await enrol(ANNA, now=MORNING)
    (first,) = await all_sessions(sessions, anna.id)
    clock.set(DUE)
    await dispatcher.tick()
    async with UnitOfWork(sessions) as uow:
        await reports.record_outcome(
            uow, await access.patient_of(uow, ANNA), first.id or 0, Outcome.DONE, DUE
        )
        await uow.commit()
    clock.set(datetime(2026, 11, 24, 0, 0, tzinfo=UTC))
    assert (await dispatcher.tick()).missed == 0
    assert (await states(sessions, anna.id))[0] == (MONDAY, "done")


async def waiting_for_a_lock(sessions: SessionFactory) -> None:
    """Return once another connection waits for a lock: on PostgreSQL, for a row; on
    SQLite, whose writers queue for the one lock, as soon as any write has begun."""
    async with sessions() as session:
        if session.get_bind().dialect.name != "postgresql":
            await asyncio.sleep(0)
            return
        for _ in range(500):
            waiting = await session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
            )
            await session.rollback()
            if waiting:
                return
            await asyncio.sleep(0.01)
    raise AssertionError("nobody waited for a lock")


async def test_a_report_coming_in_as_the_day_is_closed_is_kept(
    sessions: SessionFactory, enrol: Enrol, clock: Clock, dispatcher: Dispatcher
) -> None:
    anna = await enrol(ANNA, now=MORNING)
    (first,) = await all_sessions(sessions, anna.id)
    clock.set(DUE)
    await dispatcher.tick()
    # Anna taps "Done" at 23:59:59; her transaction is still open when the day ends and
    # the dispatcher, waiting for her row, closes the day's open sessions.
    midnight = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    async with UnitOfWork(sessions) as uow:
        await reports.record_outcome(
            uow,
            await access.patient_of(uow, ANNA),
            first.id or 0,
            Outcome.DONE,
            midnight - timedelta(seconds=1),
        )
        clock.set(midnight)
        closing = asyncio.ensure_future(dispatcher.tick())
        await waiting_for_a_lock(sessions)
        await uow.commit()
    result = await closing
    assert result.missed == 0
    assert (await states(sessions, anna.id))[0] == (MONDAY, "done")


async def test_recipient_gone_blocks_the_patient_and_nothing_more_is_sent(
    sessions: SessionFactory,
    enrol: Enrol,
    clock: Clock,
    sender: RecordingSender,
    dispatcher: Dispatcher,
) -> None:
    anna = await enrol(ANNA, now=MORNING)
    sender.fail_with, sender.failures_left = GONE, 100

    clock.set(DUE)
    assert (await dispatcher.tick()).blocked == 1

    async with UnitOfWork(sessions) as uow:
        stored = await uow.patients.by_user(ANNA)
        assert stored is not None and anna.id is not None
        alerts = await uow.alerts.for_patient(anna.id)
    assert (stored.status, stored.blocked_at) == (PatientStatus.BLOCKED, DUE)
    assert [alert.kind for alert in alerts] == [AlertKind.BOT_BLOCKED]
    assert not any(state == "planned" for _day, state in await states(sessions, anna.id))

    # A week of ticks: no further attempt, no second alert.
    for hours in range(0, 24 * 7, 3):
        clock.set(DUE + timedelta(hours=hours))
        await dispatcher.tick()
    assert sender.attempts == 1
    assert sender.sent == []
    async with UnitOfWork(sessions) as uow:
        assert len(await uow.alerts.for_patient(anna.id)) == 1


async def test_a_server_error_is_retried_later_with_backoff(
    sessions: SessionFactory,
    enrol: Enrol,
    clock: Clock,
    sender: RecordingSender,
    dispatcher: Dispatcher,
) -> None:
    anna = await enrol(ANNA, now=MORNING)
    (first,) = await all_sessions(sessions, anna.id)
    sender.fail_with, sender.failures_left = BAD_GATEWAY, 2

    clock.set(DUE)
    assert (await dispatcher.tick()).retried == 1
    (session,) = await all_sessions(sessions, anna.id)
    assert (session.state, session.lease_until, session.sent_at) == ("planned", None, None)
    assert session.retry_at == DUE + timedelta(seconds=15)
    assert session.failure == "passing: Bad Gateway"

    clock.advance(seconds=14)
    assert not await dispatcher.tick()  # not before its time
    clock.advance(seconds=1)
    assert (await dispatcher.tick()).retried == 1  # the second failure waits twice as long
    clock.advance(seconds=29)
    assert not await dispatcher.tick()
    clock.advance(seconds=1)
    assert (await dispatcher.tick()).sent == 1
    assert sender.attempts == 3
    assert sender.sent == [(anna.chat_id, first.id)]
    assert await states(sessions, anna.id) == [
        (MONDAY, "sent"),
        (MONDAY + timedelta(days=1), "planned"),
    ]
    stored = await all_sessions(sessions, anna.id)
    assert stored[0].sent_at == DUE + timedelta(seconds=45)
    assert (stored[0].attempts, stored[0].failure, stored[0].retry_at) == (3, None, None)


async def run_hourly(clock: Clock, dispatcher: Dispatcher, start: datetime, hours: int) -> None:
    for hour in range(hours):
        clock.set(start + timedelta(hours=hour))
        await dispatcher.tick()


@pytest.mark.parametrize(
    ("zone", "start", "change"),
    [
        ("Europe/Berlin", datetime(2026, 3, 24, 0, 0, tzinfo=UTC), date(2026, 3, 29)),
        ("Europe/Berlin", datetime(2026, 10, 20, 0, 0, tzinfo=UTC), date(2026, 10, 25)),
        ("America/New_York", datetime(2026, 3, 3, 12, 0, tzinfo=UTC), date(2026, 3, 8)),
    ],
)
async def test_one_session_per_local_date_over_a_dst_change(
    sessions: SessionFactory,
    enrol: Enrol,
    clock: Clock,
    sender: RecordingSender,
    dispatcher: Dispatcher,
    zone: str,
    start: datetime,
    change: date,
) -> None:
    anna = await enrol(ANNA, now=start, timezone=zone, prompt_time=time(18, 0))
    await run_hourly(clock, dispatcher, start, 24 * 10)

    local = [moment.astimezone(ZoneInfo(zone)) for moment in sender.sent_at]
    first_day = start.astimezone(ZoneInfo(zone)).date()
    days = [first_day + timedelta(days=n) for n in range(10)]
    assert [moment.date() for moment in local] == days
    assert all(moment.time() == time(18, 0) for moment in local)
    # Each was sent exactly when due (the hourly ticks fall on the due instants).
    sent_sessions = {s.id: s for s in await all_sessions(sessions, anna.id)}
    for (_chat, session_id), moment in zip(sender.sent, sender.sent_at, strict=True):
        assert sent_sessions[session_id].due_at == moment
    offsets = {moment.date(): moment.utcoffset() for moment in local}
    assert offsets[change - timedelta(days=1)] != offsets[change]
    assert len(set(sender.sent)) == len(sender.sent) == 10


async def test_a_paused_patient_gets_nothing_until_the_date(
    sessions: SessionFactory,
    enrol: Enrol,
    clock: Clock,
    sender: RecordingSender,
    dispatcher: Dispatcher,
) -> None:
    anna = await enrol(ANNA, now=MORNING)
    thursday = date(2026, 11, 26)
    async with UnitOfWork(sessions) as uow:
        await pauses.pause(uow, await access.patient_of(uow, ANNA), thursday, MORNING)
        await uow.commit()

    # Monday 09:00 until Wednesday 23:00 Berlin: nothing.
    await run_hourly(clock, dispatcher, MORNING, 24 * 2 + 14)
    assert sender.attempts == 0
    async with UnitOfWork(sessions) as uow:
        stored = await uow.patients.by_user(ANNA)
    assert stored is not None and stored.status == PatientStatus.PAUSED

    # Thursday (from local midnight) training resumes, at 18:00 Berlin.
    await run_hourly(clock, dispatcher, datetime(2026, 11, 25, 22, 0, tzinfo=UTC), 24 * 2)
    assert sender.sent_at == [
        datetime(2026, 11, 26, 17, 0, tzinfo=UTC),
        datetime(2026, 11, 27, 17, 0, tzinfo=UTC),
    ]
    async with UnitOfWork(sessions) as uow:
        stored = await uow.patients.by_user(ANNA)
    assert stored is not None
    assert (stored.status, stored.paused_until) == (PatientStatus.ACTIVE, None)
    # Nothing is recorded for the paused days; Thursday's session went out (and,
    # unreported, was missed at midnight).
    assert (await states(sessions, anna.id))[0] == (thursday, "missed")


async def test_a_pause_until_tomorrow_taken_in_the_evening_resumes_tomorrow(
    sessions: SessionFactory,
    enrol: Enrol,
    clock: Clock,
    sender: RecordingSender,
    dispatcher: Dispatcher,
) -> None:
    await enrol(ANNA, now=MORNING)
    clock.set(DUE)
    await dispatcher.tick()  # Monday's session is out, Tuesday's is planned
    tuesday = date(2026, 11, 24)
    async with UnitOfWork(sessions) as uow:
        await pauses.pause(
            uow, await access.patient_of(uow, ANNA), tuesday, DUE + timedelta(hours=2)
        )
        await uow.commit()

    await run_hourly(clock, dispatcher, DUE + timedelta(hours=3), 24 * 2)
    assert [moment.astimezone(ZoneInfo("Europe/Berlin")).date() for moment in sender.sent_at] == [
        MONDAY,
        tuesday,
        tuesday + timedelta(days=1),
    ]


async def test_one_patients_failure_does_not_hold_up_another(
    sessions: SessionFactory,
    enrol: Enrol,
    clock: Clock,
    catalogue: Catalogue,
) -> None:
    anna = await enrol(ANNA, now=MORNING)
    bernd = await enrol(1002, now=MORNING)
    delivered: list[int] = []

    class Picky(RecordingCourier):
        async def send_session(self, patient: Patient, session: Session) -> int:
            if patient.chat_id == anna.chat_id:
                raise GONE
            delivered.append(patient.chat_id)
            return 1

    dispatcher = Dispatcher(lambda: UnitOfWork(sessions), catalogue, clock, Picky(clock))
    clock.set(DUE)
    result = await dispatcher.tick()
    assert (result.sent, result.blocked) == (1, 1)
    assert delivered == [bernd.chat_id]
