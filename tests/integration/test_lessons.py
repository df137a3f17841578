"""The back-school course session by session: each lesson once, in course order, and the
day's relaxation suited to the patient's conditions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from catalogue.loader import Catalogue
from coachbot import sessions as daily
from coachbot.db.uow import SessionFactory, UnitOfWork
from coachbot.domain.model import Session
from coachbot.domain.vocabulary import SessionState
from tests.integration.conftest import Enrol

# 18:00 in Berlin on Monday 23 November 2026.
DUE = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
ANNA = 1001


async def sessions_of(factory: SessionFactory, patient_id: int) -> list[Session]:
    async with UnitOfWork(factory) as uow:
        found = await uow.sessions.for_patient(patient_id)
        return sorted(found, key=lambda session: session.local_date)


async def send_planned(factory: SessionFactory, patient_id: int, catalogue: Catalogue) -> Session:
    """Send the patient's planned session at its due time; returns it."""
    (planned,) = [s for s in await sessions_of(factory, patient_id) if s.state == "planned"]
    assert planned.id is not None
    async with UnitOfWork(factory) as uow:
        await daily.mark_sent(uow, planned.id, 77, catalogue, planned.due_at)
        await uow.commit()
    return planned


async def test_a_patient_part_way_through_the_old_order_gets_the_doctor_lesson_next(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue
) -> None:
    anna = await enrol(ANNA)
    assert anna.id is not None
    # Taught before "When to see a doctor" moved to second place; tonight's session was
    # planned then too, with the fourth lesson of the old order.
    async with UnitOfWork(sessions) as uow:
        patient = await uow.patients.get(anna.id)
        assert patient is not None
        patient.lessons_taught = [
            "how_the_spine_works",
            "hurt_is_not_harm",
            "staying_active_in_a_flare_up",
        ]
        (tonight,) = await uow.sessions.planned_from(anna.id, date(2026, 11, 23))
        tonight.lesson_id = "pacing"
        await uow.commit()
    taught = [(await send_planned(sessions, anna.id, catalogue)).lesson_id]
    for _ in range(3):
        taught.append((await send_planned(sessions, anna.id, catalogue)).lesson_id)
    assert taught == ["pacing", "when_to_see_a_doctor", "sitting_at_a_desk", "standing_for_long"]
    async with UnitOfWork(sessions) as uow:
        patient = await uow.patients.get(anna.id)
        assert patient is not None
        assert patient.lessons_taught[3:] == taught


async def test_todays_session_on_a_rest_day_moves_the_next_session_on_a_lesson(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue
) -> None:
    anna = await enrol(ANNA, training_days=(0, 2, 4))  # Monday, Wednesday, Friday
    assert anna.id is not None
    monday = await send_planned(sessions, anna.id, catalogue)
    # Tuesday, a rest day: Anna asks for a session anyway, and it teaches the lesson
    # Wednesday's planned session holds.
    tuesday_morning = DUE + timedelta(hours=16)
    async with UnitOfWork(sessions) as uow:
        patient = await uow.patients.get(anna.id)
        assert patient is not None
        todays = await daily.open_today(uow, patient, catalogue, tuesday_morning)
        await uow.commit()
    assert todays.session.id is not None
    async with UnitOfWork(sessions) as uow:
        await daily.mark_sent(uow, todays.session.id, 78, catalogue, tuesday_morning)
        await uow.commit()
    found = await sessions_of(sessions, anna.id)
    assert [(s.local_date.day, s.state, s.lesson_id) for s in found] == [
        (23, SessionState.SENT, monday.lesson_id),
        (24, SessionState.SENT, "when_to_see_a_doctor"),
        (25, SessionState.PLANNED, "hurt_is_not_harm"),
    ]


async def test_the_days_relaxation_suits_the_patients_conditions(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue
) -> None:
    anna = await enrol(ANNA, conditions=["osteoporosis"])
    assert anna.id is not None
    for _ in range(len(catalogue.relaxation) + 1):
        await send_planned(sessions, anna.id, catalogue)
    relaxation = {s.relaxation_id for s in await sessions_of(sessions, anna.id)}
    assert "bedtime_back_routine" not in relaxation
    assert len(relaxation) == len(catalogue.relaxation) - 1
