"""Delivery guarantees of the dispatcher on a real database: every failure has its rule,
alerts and summary parts go out exactly once, and several dispatchers share the work."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import text

from catalogue.loader import Catalogue
from coachbot import alerts, views
from coachbot.db.uow import SessionFactory, UnitOfWork
from coachbot.dispatch import Dispatcher
from coachbot.domain.delivery import SendFailed
from coachbot.domain.model import Outgoing, Patient, Session
from coachbot.domain.vocabulary import AlertKind, Failure, OutboxState
from tests.conftest import wait_for
from tests.integration.test_dispatch import (
    ANNA,
    DUE,
    MONDAY,
    MORNING,
    Clock,
    Enrol,
    RecordingCourier,
    all_sessions,
    states,
)
from tests.integration.test_practice import add_therapist

REFUSED = SendFailed(Failure.REFUSED, "Bad Request: can't parse entities")
OPERATOR = 4242


def dispatcher_for(
    sessions: SessionFactory,
    catalogue: Catalogue,
    clock: Clock,
    courier: RecordingCourier,
    *,
    concurrency: int = 4,
    operator_chat_id: int | None = None,
) -> Dispatcher:
    return Dispatcher(
        lambda: UnitOfWork(sessions),
        catalogue,
        clock,
        courier,
        concurrency=concurrency,
        operator_chat_id=operator_chat_id,
    )


async def outbox(sessions: SessionFactory, chat_id: int) -> list[tuple[str, str | None, int]]:
    async with UnitOfWork(sessions) as uow:
        return [(m.state, m.text, m.attempts) for m in await uow.outbox.for_chat(chat_id)]


async def test_a_refused_session_is_given_up_after_three_attempts_and_reported_once(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue, clock: Clock
) -> None:
    courier = RecordingCourier(clock, fail_with=REFUSED, failures_left=100)
    dispatcher = dispatcher_for(sessions, catalogue, clock, courier, operator_chat_id=OPERATOR)
    anna = await enrol(ANNA, now=MORNING)
    clock.set(DUE)
    for _minute in range(30):  # half an hour of ticks every minute
        await dispatcher.tick()
        clock.advance(minutes=1)
    assert courier.attempts == 3 + 3  # three tries of the session, three of the notice
    first, following = await all_sessions(sessions, anna.id)
    assert (first.state, first.attempts) == ("undelivered", 3)
    assert first.failure == "refused: Bad Request: can't parse entities"
    assert following.state == "planned"  # tomorrow comes as usual
    # The operator was told once (its own notice failed too and was not reported again).
    (notice,) = await outbox(sessions, OPERATOR)
    assert notice[0] == OutboxState.FAILED
    # Not counted against the patient.
    async with UnitOfWork(sessions) as uow:
        progress = await views.progress(uow, anna, DUE + timedelta(days=1))
    assert progress.adherence_7.prescribed == 0


async def test_an_uncertain_send_counts_as_sent_and_is_never_repeated(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue, clock: Clock
) -> None:
    courier = RecordingCourier(
        clock, fail_with=SendFailed(Failure.UNCERTAIN, "Timed out"), failures_left=1
    )
    dispatcher = dispatcher_for(sessions, catalogue, clock, courier)
    anna = await enrol(ANNA, now=MORNING)
    clock.set(DUE)
    assert (await dispatcher.tick()).uncertain == 1
    for _minute in range(10):
        clock.advance(minutes=1)
        await dispatcher.tick()
    assert courier.attempts == 1
    assert await states(sessions, anna.id) == [
        (MONDAY, "sent"),
        (MONDAY + timedelta(days=1), "planned"),
    ]


async def test_a_429_waits_as_asked_without_counting_as_an_attempt(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue, clock: Clock
) -> None:
    limited = SendFailed(Failure.RATE_LIMITED, "Too Many Requests: retry after 3", 3)
    courier = RecordingCourier(clock, fail_with=limited, failures_left=5)
    dispatcher = dispatcher_for(sessions, catalogue, clock, courier)
    anna = await enrol(ANNA, now=MORNING)
    clock.set(DUE)
    for _ in range(5):
        await dispatcher.tick()
        clock.advance(seconds=2)
        await dispatcher.tick()  # not yet: 3 s were asked
        clock.advance(seconds=1)
    assert courier.attempts == 5
    assert (await dispatcher.tick()).sent == 1
    (sent, _following) = await all_sessions(sessions, anna.id)
    assert (sent.state, sent.attempts) == ("sent", 1)


async def linked_patient(
    sessions: SessionFactory, enrol: Enrol, therapist_user: int
) -> tuple[Patient, int]:
    async with UnitOfWork(sessions) as uow:
        therapist = await add_therapist(uow, therapist_user, "Dr. Weber")
        await uow.commit()
    anna = await enrol(ANNA, now=MORNING)
    async with UnitOfWork(sessions) as uow:
        patient = await uow.patients.get(anna.id or 0)
        assert patient is not None
        patient.therapist_id = therapist.id
        await uow.commit()
    return anna, therapist.id or 0


async def raise_alert(sessions: SessionFactory, patient: Patient, kind: AlertKind) -> None:
    async with UnitOfWork(sessions) as uow:
        stored = await uow.patients.get(patient.id or 0)
        assert stored is not None
        uow.alerts.add(alerts.new_alert(stored, kind, MORNING))
        await uow.commit()


async def test_alerts_are_retried_after_a_server_error_and_arrive_once_in_order(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue, clock: Clock
) -> None:
    anna, _therapist = await linked_patient(sessions, enrol, 900)
    await raise_alert(sessions, anna, AlertKind.PAIN_HIGH)
    await raise_alert(sessions, anna, AlertKind.PAIN_RISE)
    courier = RecordingCourier(clock, fail_with=SendFailed(Failure.PASSING, "Bad Gateway"))
    courier.failures_left = 1
    dispatcher = dispatcher_for(sessions, catalogue, clock, courier, concurrency=4)
    await dispatcher.tick()
    # The first alert failed; the second waits behind it rather than overtaking it.
    assert courier.messages == []
    for _ in range(5):
        clock.advance(seconds=15)
        await dispatcher.tick()
    assert [m.text for _chat, m in courier.messages] == [
        f"alert pain_high about {anna.id}",
        f"alert pain_rise about {anna.id}",
    ]
    rows = await outbox(sessions, 900)
    assert [(state, content) for state, content, _attempts in rows] == [
        ("sent", None),  # the content is dropped once it is out
        ("sent", None),
    ]
    assert [attempts for *_rest, attempts in rows] == [2, 1]


async def test_a_summary_part_that_failed_is_sent_again_alone(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue, clock: Clock
) -> None:
    await linked_patient(sessions, enrol, 900)
    sent_texts: list[str] = []

    class FailsOnChart(RecordingCourier):
        async def send(self, chat_id: int, message: Outgoing) -> int:
            if message.photo is not None and self.failures_left:
                self.failures_left -= 1
                raise SendFailed(Failure.PASSING, "Internal Server Error")
            if not message.text.startswith("alert"):  # (she has been silent a week)
                sent_texts.append(message.text)
            return await super().send(chat_id, message)

    dispatcher = dispatcher_for(sessions, catalogue, clock, FailsOnChart(clock, failures_left=1))
    await dispatcher.tick()  # the weekly summary is scheduled: next Monday 07:30 Berlin
    sent_texts.clear()  # (today's session)
    clock.set(MORNING + timedelta(days=7))
    await dispatcher.tick()
    assert sent_texts == ["summary for 1"]
    for _ in range(4):
        clock.advance(seconds=20)
        await dispatcher.tick()
    assert sent_texts == ["summary for 1", "chart"]
    assert [row[0] for row in await outbox(sessions, 900)] == ["sent", "sent", "sent"]


@pytest.mark.parametrize("workers", [2, 3])
async def test_several_dispatchers_send_every_session_exactly_once(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue, clock: Clock, workers: int
) -> None:
    patients = [await enrol(2000 + n, now=MORNING) for n in range(40)]
    courier = RecordingCourier(clock)

    class Slow(RecordingCourier):
        async def send_session(self, patient: Patient, session: Session) -> int:
            await asyncio.sleep(0.002)  # a send takes a moment: the workers overlap
            return await courier.send_session(patient, session)

    dispatchers = [
        dispatcher_for(sessions, catalogue, clock, Slow(clock), concurrency=3)
        for _ in range(workers)
    ]
    clock.set(DUE)
    results = await asyncio.gather(*(d.tick() for d in dispatchers))
    assert sum(r.sent for r in results) == 40
    assert sorted(chat for chat, _session in courier.sent) == sorted(p.chat_id for p in patients)
    assert len(set(courier.sent)) == 40
    async with UnitOfWork(sessions) as uow:
        planned = await uow.session.execute(
            text("SELECT count(*) FROM session WHERE state = 'planned'")
        )
        assert planned.scalar_one() == 40  # each patient's next day, planned once


async def test_a_crash_mid_round_leaves_claimed_only_what_was_on_the_wire(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue, clock: Clock
) -> None:
    for n in range(30):
        await enrol(2000 + n, now=MORNING)
    hanging: list[int] = []
    hang = asyncio.Event()

    class Hangs(RecordingCourier):
        async def send_session(self, patient: Patient, session: Session) -> int:
            if len(self.sent) >= 10:
                hanging.append(session.id or 0)
                await hang.wait()  # the process dies while these are on the wire
            return await super().send_session(patient, session)

    courier = Hangs(clock)
    dispatcher = dispatcher_for(sessions, catalogue, clock, courier, concurrency=4)
    clock.set(DUE)
    round_ = asyncio.create_task(dispatcher.tick())
    await wait_for(lambda: len(hanging) == 4)  # every courier has one on the wire
    round_.cancel()  # as abrupt as it gets inside one process
    async with UnitOfWork(sessions) as uow:
        counts: dict[str, int] = dict(
            (
                await uow.session.execute(
                    text("SELECT state, count(*) FROM session GROUP BY state")
                )
            ).all()
        )
    assert counts.get("sent") == 10
    assert counts.get("sending") == 4  # only what was on the wire: the couriers' concurrency
    assert counts.get("planned") == 30 - 10 - 4 + 10  # the rest untouched, and 10 tomorrows

    # A new process carries on: everything not on the wire goes out, nothing twice.
    after = RecordingCourier(clock)
    clock.advance(seconds=5)
    await dispatcher_for(sessions, catalogue, clock, after).tick()
    assert len(after.sent) == 30 - 10 - 4
    assert not {s for _c, s in after.sent} & {s for _c, s in courier.sent}
