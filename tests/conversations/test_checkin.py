"""The daily session and the one-tap report, through the real Application."""

from __future__ import annotations

from typing import Any

from coachbot.domain.model import Patient, Report, Session
from tests.conftest import Bot, Clock, wait_for
from tests.conversations.flows import button_data, current, enrol, report_data
from tests.fakebot import FakeBotApi, FakeUser


async def patient_state(bot: Bot, user: FakeUser) -> tuple[Patient, list[Session], list[Report]]:
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(user.id)
        assert patient is not None and patient.id is not None
        sessions = list(await uow.sessions.for_patient(patient.id))
        reports = list(await uow.reports.for_patient(patient.id))
        return patient, sessions, reports


async def alerts_of(bot: Bot, user: FakeUser) -> list[str]:
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(user.id)
        assert patient is not None and patient.id is not None
        return [alert.kind for alert in await uow.alerts.for_patient(patient.id)]


async def session_message(fake: FakeBotApi, user: FakeUser) -> dict[str, Any]:
    """Wait for the session's messages; return the one with the report buttons."""
    while True:
        message = await fake.next_message(user.chat_id)
        if any(data.startswith("rep:") for data in button_data(message)):
            return message


async def test_session_arrives_at_local_time_and_report_is_recorded(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)  # 18:00 Berlin, every day
    clock.advance(hours=8, minutes=59)  # 17:59 Berlin
    await bot.application.bot_data["services"].dispatcher.tick()
    assert fake.messages(anna.chat_id)[-1]["text"].startswith("🎉")  # nothing sent yet

    clock.advance(minutes=1)  # 18:00 Berlin
    message = await session_message(fake, anna)
    assert "Your training for Monday, 23 November" in message["text"]
    assert "traffic light" in message["text"]  # the pain traffic light, before training

    await fake.tap_button(anna, message, "Done")
    pain_question = await fake.next_message(anna.chat_id)
    assert "Great work" in pain_question["text"]
    await fake.tap_button(anna, pain_question, "2")
    await fake.next_edit(anna.chat_id)
    advice = await fake.next_message(anna.chat_id)
    assert "🟢" in advice["text"]
    difficulty = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, difficulty, "Just right")
    closing = await fake.next_message(anna.chat_id)
    assert "report is complete" in closing["text"]

    _patient, sessions, reports = await patient_state(bot, anna)
    assert [s.state for s in sessions] == ["done", "planned"]  # and tomorrow's is planned
    assert sessions[1].local_date.isoformat() == "2026-11-24"
    assert [(r.outcome, r.pain_after, r.difficulty) for r in reports] == [("done", 2, "right")]
    assert await alerts_of(bot, anna) == []


async def test_second_tap_and_replay_change_nothing(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    clock.advance(hours=9)
    message = await session_message(fake, anna)
    await fake.tap(anna, message, report_data(message, "done"))
    await fake.next_message(anna.chat_id)
    query = await fake.tap(anna, message, report_data(message, "skipped"))  # on the same message
    await fake.callback_answer(query)
    reply = await fake.next_message(anna.chat_id)
    assert "already recorded" in reply["text"]
    _patient, sessions, reports = await patient_state(bot, anna)
    assert [r.outcome for r in reports] == ["done"]
    assert sessions[0].state == "done"


async def test_yesterdays_message_cannot_be_reported(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    clock.advance(hours=9)
    message = await session_message(fake, anna)
    clock.advance(hours=7)  # 01:00 the next day in Berlin
    await fake.wait_until(lambda: True)
    query = await fake.tap(anna, message, report_data(message, "done"))
    await fake.callback_answer(query)
    reply = await fake.next_message(anna.chat_id)
    assert "earlier day" in reply["text"]
    _patient, _sessions, reports = await patient_state(bot, anna)
    assert reports == []


async def test_high_pain_raises_an_alert_and_asks_the_safety_question(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna, pain=3)
    clock.advance(hours=9)
    message = await session_message(fake, anna)
    await fake.tap_button(anna, message, "Partly")
    pain_question = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, pain_question, "8")
    advice = await fake.next_message(anna.chat_id)
    assert "🔴" in advice["text"] and "Rest from the exercises" in advice["text"]
    # No therapist is linked: the patient is told to see their doctor, not a therapist.
    assert "please see your doctor" in advice["text"]
    check = await fake.next_message(anna.chat_id)
    assert "bladder" in check["text"]
    assert await alerts_of(bot, anna) == ["pain_rise"]
    assert "a little easier" in (await fake.next_message(anna.chat_id))["text"]
    await fake.tap_button(anna, check, "Yes")
    urgent = await fake.next_message(anna.chat_id)
    assert "do not exercise" in urgent["text"]
    patient, _sessions, _reports = await patient_state(bot, anna)
    assert patient.status == "stopped"
    assert "red_flag" in await alerts_of(bot, anna)


async def test_skipped_session_asks_pain_but_not_difficulty(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    clock.advance(hours=9)
    message = await session_message(fake, anna)
    await fake.tap_button(anna, message, "Skipped")
    pain_question = await fake.next_message(anna.chat_id)
    assert "skipped" in pain_question["text"]
    await fake.tap_button(anna, pain_question, "3")
    assert "🟢" in (await fake.next_message(anna.chat_id))["text"]
    assert "See you next session" in (await fake.next_message(anna.chat_id))["text"]
    _patient, sessions, reports = await patient_state(bot, anna)
    assert [(r.outcome, r.pain_after, r.difficulty) for r in reports] == [("skipped", 3, None)]
    assert sessions[0].state == "skipped"


async def test_pain_two_over_usual_is_fine_and_three_is_noted(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna, pain=2)
    clock.advance(hours=9)
    message = await session_message(fake, anna)
    await fake.tap_button(anna, message, "Done")
    pain_question = await fake.next_message(anna.chat_id)
    # The pain buttons show this person's traffic light: green up to usual + 2.
    labels = [b["text"] for row in pain_question["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[4] == "🟢 4" and labels[5] == "🟡 5" and labels[7] == "🔴 7"
    await fake.tap_button(anna, pain_question, "4")
    advice = await fake.next_message(anna.chat_id)
    assert "🟢" in advice["text"] and "therapist" not in advice["text"]
    assert await alerts_of(bot, anna) == []
    clock.advance(days=1)
    message = await session_message(fake, anna)
    await fake.tap_button(anna, message, "Done")
    await fake.tap_button(anna, await fake.next_message(anna.chat_id), "5")
    advice = await fake.next_message(anna.chat_id)
    assert "🟡" in advice["text"] and "therapist" not in advice["text"]
    assert await alerts_of(bot, anna) == ["pain_rise"]


async def test_today_sends_the_session_now_and_not_again_at_its_time(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    await fake.send(anna, "/today")
    message = await session_message(fake, anna)

    async def recorded() -> bool:
        _patient, sessions, _reports = await patient_state(bot, anna)
        todays = [s for s in sessions if s.local_date.isoformat() == "2026-11-23"]
        return todays[0].state == "sent" and todays[0].sent_message_id == message["message_id"]

    await wait_for(recorded)
    sent_before = len(fake.calls_to("sendMessage"))
    clock.advance(hours=9)  # 18:00: today's session was already sent
    dispatcher = bot.application.bot_data["services"].dispatcher
    await dispatcher.tick()
    assert len(fake.calls_to("sendMessage")) == sent_before
    _patient, sessions, _reports = await patient_state(bot, anna)
    assert [s.local_date.isoformat() for s in sessions] == ["2026-11-23", "2026-11-24"]


async def test_no_report_by_the_end_of_the_day_is_missed(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    clock.advance(hours=9)
    await session_message(fake, anna)
    clock.advance(hours=6)  # 00:00 in Berlin
    dispatcher = bot.application.bot_data["services"].dispatcher
    await dispatcher.tick()
    _patient, sessions, _reports = await patient_state(bot, anna)
    assert sessions[0].state == "missed"


async def test_a_german_patient_gets_everything_in_german(
    fake: FakeBotApi, bot: Bot, clock: Clock, bernd: FakeUser
) -> None:
    closing = await enrol(fake, bernd)
    assert "Montag, 23. November" in closing["text"]
    clock.advance(hours=9)
    message = await session_message(fake, bernd)
    assert "Ihr Training für Montag, 23. November" in message["text"]
    assert "Schmerz-Ampel" in message["text"]
    await fake.tap_button(bernd, message, "Erledigt")
    pain = await fake.next_message(bernd.chat_id)
    assert "Schmerz" in pain["text"]
    await fake.tap_button(bernd, pain, "8")
    advice = await fake.next_message(bernd.chat_id)
    # Bernd has no therapist: the advice names the doctor, never a therapist.
    assert "🔴" in advice["text"] and "Arzt" in advice["text"]
    assert "Therapeut" not in advice["text"]


async def test_lesson_check_question_after_the_report(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    clock.advance(hours=9)
    message = await session_message(fake, anna)
    # The session is one short message; relaxation and lesson come in the walk-through.
    assert "Back school:" not in message["text"]
    await fake.tap_button(anna, message, "▶ Start")
    walk = await fake.next_message(anna.chat_id)
    captions = [walk["caption"]]
    while len(button_data(current(fake, anna, walk))) < 4:  # until the report's buttons
        await fake.tap_button(anna, current(fake, anna, walk), "Next ▶")
        captions.append((await fake.next_edit(anna.chat_id))["caption"])
    assert any("Back school:" in caption for caption in captions)  # the first lesson
    assert any("Relaxation:" in caption for caption in captions)
    await fake.tap_button(anna, message, "Done")
    await fake.tap_button(anna, await fake.next_message(anna.chat_id), "🟢 1")
    await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, await fake.next_message(anna.chat_id), "Easy")
    await fake.next_message(anna.chat_id)  # report complete
    check = await fake.next_message(anna.chat_id)
    assert "quick question" in check["text"]
    _patient, sessions, _reports = await patient_state(bot, anna)
    catalogue = bot.application.bot_data["services"].catalogue
    lesson = catalogue.lessons[sessions[0].lesson_id]
    wrong = next(i for i, o in enumerate(lesson.check.options) if not o.correct)
    fake.drain(anna.chat_id)
    await fake.tap(anna, check, f"lq:{sessions[0].id}:{wrong}")
    answered = await fake.next_edit(anna.chat_id)
    assert "Not quite." in answered["text"]
    assert lesson.check.explanation.en[:30] in answered["text"]
    assert answered.get("reply_markup") is None
