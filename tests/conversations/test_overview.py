"""`/plan` and `/progress` as the patient sees them."""

from __future__ import annotations

from io import BytesIO

from PIL import Image

from tests.conftest import Bot, Clock, wait_for
from tests.conversations.flows import enrol, next_containing
from tests.conversations.test_checkin import patient_state, session_message
from tests.fakebot import FakeBotApi, FakeUser


async def test_plan_lists_exercises_with_doses_in_training_order(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    await fake.send(anna, "/plan")
    reply = await fake.next_message(anna.chat_id)
    text = reply["text"]
    assert text.index("Warm-up") < text.index("Main part") < text.index("Cool-down")
    assert "repetitions" in text or "hold" in text
    catalogue = bot.application.bot_data["services"].catalogue
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
        assert patient is not None and patient.id is not None
        items = await uow.plans.for_patient(patient.id)
    positions = [text.index(catalogue.exercises[i.exercise_id].title.en) for i in items]
    assert positions == sorted(positions)  # every exercise, in the plan's order


async def test_progress_shows_adherence_streak_pain_and_a_chart(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna, pain=4)
    outcomes = [("Done", "🟢 2"), ("Partly", "🟢 3"), ("Done", "🟢 2")]
    for day, (outcome, pain) in enumerate(outcomes):
        clock.advance(hours=9 if day == 0 else 24)
        message = await session_message(fake, anna)
        await fake.tap_button(anna, message, outcome)
        question = await next_containing(fake, anna, "How much does your back hurt")
        await fake.tap_button(anna, question, pain)
        question = await next_containing(fake, anna, "How hard")
        await fake.tap_button(anna, question, "Just right")
        await next_containing(fake, anna, "report is complete")
    clock.advance(hours=24)  # Thursday 18:00 passes unreported; at midnight it is missed
    await session_message(fake, anna)

    async def thursday_sent() -> bool:
        _patient, sessions, _reports = await patient_state(bot, anna)
        return any(s.local_date.day == 26 and s.state == "sent" for s in sessions)

    await wait_for(thursday_sent)
    clock.advance(hours=7)
    await bot.application.bot_data["services"].dispatcher.tick()
    fake.drain(anna.chat_id)
    await fake.send(anna, "/progress")
    summary = await fake.next_message(anna.chat_id)
    # done + partly + done + missed = 2.5 of 4 sessions
    assert "Last 7 days: 62% of 4 sessions" in summary["text"]
    assert "Streak: 0 sessions in a row" in summary["text"]
    assert "first week 2.3" in summary["text"]
    chart = await fake.next_message(anna.chat_id)
    assert chart["photo_bytes"].startswith(b"\x89PNG")
    with Image.open(BytesIO(chart["photo_bytes"])) as image:
        assert image.width >= 1000  # readable on a phone
    assert "28 days" in chart["caption"]


async def test_progress_in_german(fake: FakeBotApi, bot: Bot, bernd: FakeUser) -> None:
    await enrol(fake, bernd)
    await fake.send(bernd, "/progress")
    summary = await fake.next_message(bernd.chat_id)
    assert "Ihr Fortschritt" in summary["text"]
