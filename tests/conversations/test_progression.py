"""Progression from feedback, as the patient sees it."""

from __future__ import annotations

from sqlalchemy import select

from coachbot.db import tables
from tests.conftest import Bot, Clock
from tests.conversations.flows import enrol
from tests.conversations.test_checkin import patient_state, session_message
from tests.fakebot import FakeBotApi, FakeUser


async def report(fake: FakeBotApi, user: FakeUser, pain: str, difficulty: str) -> None:
    """Train with /today and report done, pain and difficulty."""
    await fake.send(user, "/today")
    message = await session_message(fake, user)
    await fake.tap_button(user, message, "Done")
    question = await fake.next_message(user.chat_id)
    await fake.tap_button(user, question, pain)
    await fake.next_message(user.chat_id)  # traffic light advice
    question = await fake.next_message(user.chat_id)
    await fake.tap_button(user, question, difficulty)
    await fake.next_message(user.chat_id)  # "report is complete"


async def plan_doses(bot: Bot, user: FakeUser) -> dict[str, tuple[int, int | None, int | None]]:
    patient, _sessions, _reports = await patient_state(bot, user)
    async with bot.uow() as uow:
        assert patient.id is not None
        items = await uow.plans.for_patient(patient.id)
    return {i.exercise_id: (i.sets, i.reps, i.hold_seconds) for i in items}


async def test_three_easy_sessions_make_the_plan_harder_and_say_why(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    before = await plan_doses(bot, anna)
    for day in range(3):
        if day:
            clock.advance(days=1)
        await report(fake, anna, "2", "Easy")
    news = await fake.next_message(anna.chat_id)
    assert "moves up a step" in news["text"] and "felt easy" in news["text"]
    after = await plan_doses(bot, anna)
    assert after != before
    for exercise_id, (sets, reps, hold) in after.items():
        old_sets, old_reps, old_hold = before[exercise_id]
        assert (sets, reps or 0, hold or 0) >= (old_sets, old_reps or 0, old_hold or 0)
    await fake.send(anna, "/mydata")
    document = await fake.next_message(anna.chat_id)
    while "document_bytes" not in document:  # the lesson's check question may come first
        document = await fake.next_message(anna.chat_id)
    assert b'"direction": "progress"' in document["document_bytes"]


async def test_high_pain_makes_the_plan_easier(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna, level="intermediate")
    await fake.send(anna, "/today")
    message = await session_message(fake, anna)
    await fake.tap_button(anna, message, "Done")
    question = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, question, "6")  # three above the usual 3
    assert "🟡" in (await fake.next_message(anna.chat_id))["text"]
    assert "safety question" in (await fake.next_message(anna.chat_id))["text"]
    news = await fake.next_message(anna.chat_id)
    assert "a little easier" in news["text"] and "3 or more points above" in news["text"]
    async with bot.uow() as uow:
        rows = (await uow.session.execute(select(tables.plan_change.c.status))).scalars().all()
    assert rows == ["applied"]
