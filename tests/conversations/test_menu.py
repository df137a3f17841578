"""Patient commands and the friendly answers to the unexpected."""

from __future__ import annotations

import json
from datetime import date, time

from sqlalchemy import func, select

from coachbot.db import tables
from tests.conftest import Bot, Clock, wait_for
from tests.conversations.flows import enrol, report_data
from tests.conversations.test_checkin import patient_state, session_message
from tests.fakebot import FakeBotApi, FakeUser


async def test_help_lists_the_commands(fake: FakeBotApi, bot: Bot, anna: FakeUser) -> None:
    await fake.send(anna, "/help")
    reply = await fake.next_message(anna.chat_id)
    for command in ("/today", "/pause", "/resume", "/settings", "/mydata", "/delete"):
        assert command in reply["text"]
    assert "/start" in reply["text"]  # not enrolled yet


async def test_commands_are_registered_in_both_languages(fake: FakeBotApi, bot: Bot) -> None:
    english = {c["command"]: c["description"] for c in fake.commands[""]}
    german = {c["command"]: c["description"] for c in fake.commands["de"]}
    assert set(english) == set(german) >= {"today", "pause", "settings", "help", "delete"}
    assert english["today"] == "Today's training session"
    assert german["today"] != english["today"]


async def test_privacy_notice_on_request(fake: FakeBotApi, bot: Bot, anna: FakeUser) -> None:
    await fake.send(anna, "/privacy")
    reply = await fake.next_message(anna.chat_id)
    assert "Privacy" in reply["text"] and "/delete" in reply["text"]


async def test_unexpected_input_gets_a_friendly_pointer(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    await fake.send(anna, "/frobnicate")
    assert "/help" in (await fake.next_message(anna.chat_id))["text"]
    await fake.send_sticker(anna)
    assert "/help" in (await fake.next_message(anna.chat_id))["text"]
    await fake.send_photo_from_user(anna)
    assert "/help" in (await fake.next_message(anna.chat_id))["text"]
    await fake.send(anna, "hello?")
    assert "/start" in (await fake.next_message(anna.chat_id))["text"]
    await enrol(fake, anna)
    await fake.send(anna, "my back hurts today")
    reply = await fake.next_message(anna.chat_id)
    assert "/today" in reply["text"] and "therapist" in reply["text"]


async def test_a_command_for_another_bot_is_left_alone_with_a_pointer_to_help(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    await fake.send(anna, "/help@otherbot")
    reply = (await fake.next_message(anna.chat_id))["text"]
    assert "another bot (@otherbot)" in reply and "/help" in reply
    assert "do not know" not in reply
    await fake.send(anna, "/delete@otherbot")  # nothing of ours is carried out
    assert "another bot" in (await fake.next_message(anna.chat_id))["text"]
    await fake.send(anna, "/help@CoachBot_Test_Bot")  # our own name, in any case, is ours
    assert "What I can do" in (await fake.next_message(anna.chat_id))["text"]
    await fake.send(anna, "/frobnicate@coachbot_test_bot")
    assert "do not know that command" in (await fake.next_message(anna.chat_id))["text"]


async def test_text_during_a_button_question_repeats_the_question(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    await fake.send(anna, "/start")
    welcome = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, welcome, "✅")
    await fake.next_message(anna.chat_id)
    question = await fake.next_message(anna.chat_id)
    await fake.send(anna, "no")
    assert "buttons" in (await fake.next_message(anna.chat_id))["text"]
    again = await fake.next_message(anna.chat_id)
    assert again["text"] == question["text"]


async def test_forged_and_unknown_buttons_change_nothing(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser, bernd: FakeUser
) -> None:
    await enrol(fake, anna)
    await enrol(fake, bernd)
    clock.advance(hours=9)
    annas = await session_message(fake, anna)
    await session_message(fake, bernd)
    # Bernd forges a tap on Anna's session id.
    anna_session = report_data(annas, "done").split(":")[1]
    bernds_messages = fake.messages(bernd.chat_id)
    query = await fake.tap(bernd, bernds_messages[-1], f"rep:{anna_session}:done")
    await fake.callback_answer(query)
    # Bernd's Telegram is in German, and so are his answers.
    assert "nicht für Sie" in (await fake.next_message(bernd.chat_id))["text"]
    query = await fake.tap(bernd, bernds_messages[-1], "rep:999999:done")
    await fake.callback_answer(query)
    assert "nicht für Sie" in (await fake.next_message(bernd.chat_id))["text"]
    query = await fake.tap(bernd, bernds_messages[-1], "nonsense:1")
    answer = await fake.callback_answer(query)
    assert "nicht mehr gültig" in answer["text"]
    _patient, _sessions, reports = await patient_state(bot, anna)
    assert reports == []


async def test_pause_excuses_days_and_resume_plans_again(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    await fake.send(anna, "/pause")
    options = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, options, "1 week")
    paused = await fake.next_edit(anna.chat_id)
    assert "Monday, 30 November" in paused["text"]
    patient, sessions, _reports = await patient_state(bot, anna)
    assert patient.status == "paused" and patient.paused_until == date(2026, 11, 30)
    assert sessions == []  # today's session had not been sent yet, so it is dropped

    clock.advance(days=2)
    dispatcher = bot.application.bot_data["services"].dispatcher
    await dispatcher.tick()
    _patient, sessions, _reports = await patient_state(bot, anna)
    assert sessions == []  # nothing planned during the pause

    await fake.send(anna, "/resume")
    reply = await fake.next_message(anna.chat_id)
    assert "Welcome back" in reply["text"] and "Wednesday, 25 November" in reply["text"]
    patient, sessions, _reports = await patient_state(bot, anna)
    assert patient.status == "active"
    assert sessions[-1].state == "planned" and sessions[-1].local_date == date(2026, 11, 25)


async def test_pause_until_a_typed_date_resumes_by_itself(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    await fake.send(anna, "/pause")
    options = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, options, "date")
    await fake.next_edit(anna.chat_id)
    await fake.send(anna, "not a date")
    assert "could not read" in (await fake.next_message(anna.chat_id))["text"]
    await fake.send(anna, "26.11.")
    assert "Thursday, 26 November" in (await fake.next_message(anna.chat_id))["text"]
    clock.advance(days=3)  # 26 November, 09:00 in Berlin
    dispatcher = bot.application.bot_data["services"].dispatcher
    await dispatcher.tick()
    patient, sessions, _reports = await patient_state(bot, anna)
    assert patient.status == "active"
    assert sessions[-1].local_date == date(2026, 11, 26) and sessions[-1].state == "planned"


async def test_settings_change_time_and_days_and_reschedule(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    await fake.send(anna, "/settings")
    menu = await fake.next_message(anna.chat_id)
    assert "18:00" in menu["text"]
    await fake.tap_button(anna, menu, "Training time")
    times = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, times, "20:00")
    assert "20:00" in (await fake.next_edit(anna.chat_id))["text"]
    await fake.tap_button(anna, menu, "Training time")
    await fake.next_message(anna.chat_id)
    await fake.send(anna, "7.30")
    assert "07:30" in (await fake.next_message(anna.chat_id))["text"]
    patient, sessions, _reports = await patient_state(bot, anna)
    assert patient.prompt_time == time(7, 30)
    # 07:30 today has passed (it is 09:00), so the next session is tomorrow morning.
    assert [(s.local_date, s.due_at.hour, s.due_at.minute) for s in sessions] == [
        (date(2026, 11, 24), 6, 30)
    ]

    await fake.tap_button(anna, menu, "Training days")
    days = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, days, "Mon–Fri")
    await fake.next_edit(anna.chat_id)
    await fake.tap_button(anna, days, "Tue")  # Tuesday off
    await fake.next_edit(anna.chat_id)
    await fake.tap_button(anna, days, "Done")
    await fake.next_edit(anna.chat_id)
    patient, sessions, _reports = await patient_state(bot, anna)
    assert patient.training_days == [0, 2, 3, 4]
    assert [s.local_date for s in sessions] == [date(2026, 11, 25)]


async def test_settings_language_and_time_zone(fake: FakeBotApi, bot: Bot, anna: FakeUser) -> None:
    await enrol(fake, anna)
    await fake.send(anna, "/settings")
    menu = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, menu, "Time zone")
    await fake.next_message(anna.chat_id)
    await fake.send_location(anna, 40.71, -74.0)
    reply = await fake.next_message(anna.chat_id)
    assert "America/New_York" in reply["text"]
    patient, sessions, _reports = await patient_state(bot, anna)
    assert patient.timezone == "America/New_York"
    # 18:00 in New York is 23:00 UTC.
    assert sessions[-1].due_at.hour == 23

    await fake.tap_button(anna, menu, "Language")
    choice = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, choice, "Deutsch")
    switched = await fake.next_edit(anna.chat_id)
    assert "Deutsch" in switched["text"]
    await fake.send(anna, "/help")
    assert "Was ich kann" in (await fake.next_message(anna.chat_id))["text"]


async def test_mydata_sends_everything_as_json(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    clock.advance(hours=9)
    message = await session_message(fake, anna)
    await fake.tap_button(anna, message, "Done")
    pain = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, pain, "3")
    await fake.next_message(anna.chat_id)
    await fake.next_message(anna.chat_id)
    await fake.send(anna, "/mydata")
    document = await fake.next_message(anna.chat_id)
    data = json.loads(document["document_bytes"])
    assert data["patient"]["conditions"] == ["herniated_disc"]
    assert data["patient"]["baseline_pain"] == 3
    reported = [s for s in data["sessions"] if s["report"]]
    # What the patient answered, and nothing the bot never asks (pain before, a note).
    assert set(reported[0]["report"]) == {
        "outcome",
        "pain_after",
        "difficulty",
        "received_at",
        "morning",  # the next-morning check's answer
    }
    assert reported[0]["report"]["outcome"] == "done"
    assert reported[0]["report"]["pain_after"] == 3
    assert reported[0]["exercises"]


async def test_delete_erases_every_row_after_confirmation(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    clock.advance(hours=9)
    message = await session_message(fake, anna)
    await fake.tap_button(anna, message, "Done")
    await fake.next_message(anna.chat_id)
    fake.drain(anna.chat_id)
    await fake.send(anna, "/delete")
    confirm = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, confirm, "No")
    assert "Nothing was deleted" in (await fake.next_edit(anna.chat_id))["text"]
    await fake.send(anna, "/delete")
    confirm = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, confirm, "Yes, delete")
    assert "deleted" in (await fake.next_edit(anna.chat_id))["text"]

    async def rows() -> int:
        total = 0
        async with bot.uow() as uow:
            for table in (
                tables.patient,
                tables.plan_item,
                tables.session,
                tables.report,
                tables.alert,
            ):
                result = await uow.session.execute(select(func.count()).select_from(table))
                total += int(result.scalar_one())
        return total

    await wait_for(lambda: True)
    assert await rows() == 0
    await fake.send(anna, "/today")
    assert "/start" in (await fake.next_message(anna.chat_id))["text"]


async def test_settings_equipment_changes_the_plan(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    await enrol(fake, anna)  # no equipment
    patient, _sessions, _reports = await patient_state(bot, anna)
    async with bot.uow() as uow:
        assert patient.id is not None
        before = [item.exercise_id for item in await uow.plans.for_patient(patient.id)]
    catalogue = bot.application.bot_data["services"].catalogue
    assert all(not catalogue.exercises[e].equipment for e in before)

    await fake.send(anna, "/settings")
    menu = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, menu, "Equipment")
    choice = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, choice, "Elastic band")
    await fake.next_edit(anna.chat_id)
    await fake.tap_button(anna, choice, "Done")
    assert "Saved" in (await fake.next_edit(anna.chat_id))["text"]
    patient, sessions, _reports = await patient_state(bot, anna)
    assert patient.equipment == ["elastic_band"]
    assert patient.id is not None
    async with bot.uow() as uow:
        after = [item.exercise_id for item in await uow.plans.for_patient(patient.id)]
    assert any("elastic_band" in catalogue.exercises[e].equipment for e in after)
    assert [s.state for s in sessions] == ["planned"]  # the upcoming session follows the plan
