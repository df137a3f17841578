"""The session a patient can follow: one short message at training time, and "▶ Start"
walking through it step by step in one message, through the real Application."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select

from coachbot.config import Settings
from coachbot.db import tables
from coachbot.domain.model import Session
from coachbot.i18n import Translator
from conversations.render import dose_text
from tests.conftest import Bot, Clock, start_bot, wait_for
from tests.conversations.flows import button_data, current, enrol
from tests.conversations.test_checkin import patient_state, session_message
from tests.fakebot import FakeBotApi, FakeUser, UploadedFile

SHORT = 1000  # "fits on one phone screen"


async def todays_session(bot: Bot, user: FakeUser) -> Session:
    _patient, sessions, _reports = await patient_state(bot, user)
    return sessions[0]


async def start(fake: FakeBotApi, user: FakeUser, message: dict[str, Any]) -> dict[str, Any]:
    """Tap "▶ Start"; the walk-through's message."""
    await fake.tap_button(user, message, "▶ Start")
    return await fake.next_message(user.chat_id)


async def turn(fake: FakeBotApi, user: FakeUser, walk: dict[str, Any], label: str) -> str:
    """Tap a button of the walk-through as it shows now; its caption after the edit."""
    await fake.tap_button(user, current(fake, user, walk), label)
    edited = await fake.next_edit(user.chat_id)
    assert edited["message_id"] == walk["message_id"]  # the same message, edited
    caption: str = edited["caption"]
    return caption


def labels(fake: FakeBotApi, user: FakeUser, walk: dict[str, Any]) -> list[str]:
    markup = current(fake, user, walk).get("reply_markup", {})
    return [button["text"] for row in markup.get("inline_keyboard", []) for button in row]


async def stored_files(bot: Bot) -> dict[str, str]:
    async with bot.uow() as uow:
        rows = await uow.session.execute(
            select(tables.telegram_file.c.digest, tables.telegram_file.c.file_id)
        )
        return {digest: file_id for digest, file_id in rows.all()}


async def test_the_session_is_one_short_message_with_start_and_the_report_buttons(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser, bernd: FakeUser
) -> None:
    await enrol(fake, anna)
    await enrol(fake, bernd)
    before = {user.id: len(fake.messages(user.chat_id)) for user in (anna, bernd)}
    clock.advance(hours=9)  # 18:00 in Berlin
    catalogue = bot.services.catalogue
    for user, language, greeting in ((anna, "en", "Hello Anna!"), (bernd, "de", "Guten Tag")):
        message = await session_message(fake, user)
        assert len(fake.messages(user.chat_id)) == before[user.id] + 1  # one message
        text = message["text"]
        assert len(text) < SHORT and text.startswith(greeting)
        session = await todays_session(bot, user)
        _ = Translator(language)
        for item in session.exercises:
            exercise = catalogue.exercises[item.exercise_id]
            assert exercise.title.get(language) in text
            dose = replace(item.dose, rest_seconds=0)
            assert dose_text(dose, _, exercise.each_side) in text
        assert ("About" if language == "en" else "Etwa") in text  # how long it takes
        assert ("traffic light" if language == "en" else "Schmerz-Ampel") in text
        data = button_data(message)
        assert data[0] == f"go:{session.id}"
        assert sorted(data[1:]) == sorted(
            f"rep:{session.id}:{outcome}" for outcome in ("done", "partly", "skipped")
        )


async def test_the_walk_through_visits_every_step_back_and_forth_and_ends_in_the_report(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    clock.advance(hours=9)
    message = await session_message(fake, anna)
    session = await todays_session(bot, anna)
    catalogue = bot.services.catalogue
    walk = await start(fake, anna, message)
    assert "animation" in walk  # the first exercise, moving
    titles = [catalogue.exercises[item.exercise_id].title.en for item in session.exercises]
    assert walk["caption"].startswith(f"1/{len(titles)} · {titles[0]}")
    assert "◀ Back" not in labels(fake, anna, walk)
    seen = [walk["caption"]]
    while "Next ▶" in labels(fake, anna, walk):
        seen.append(await turn(fake, anna, walk, "Next ▶"))
    for number, title in enumerate(titles, start=1):
        assert seen[number - 1].startswith(f"{number}/{len(titles)} · {title}")
    relaxation = catalogue.relaxation[session.relaxation_id or ""]
    lesson = catalogue.lessons[session.lesson_id or ""]
    assert any(f"Relaxation: {relaxation.title.en}" in caption for caption in seen)
    lesson_pages = [caption for caption in seen if f"Back school: {lesson.title.en}" in caption]
    assert lesson_pages
    # Every word of the lesson is there, over as many pages as it takes.
    for paragraph in lesson.body.en.split("\n\n"):
        assert paragraph.strip()[:40] in "\n".join(lesson_pages)
    assert "How did it go?" in seen[-1] and "traffic light" in seen[-1]
    assert {"✅ Done", "🌓 Partly", "⏭ Skipped today", "◀ Back"} <= set(labels(fake, anna, walk))
    # And back again, the same way.
    assert await turn(fake, anna, walk, "◀ Back") == seen[-2]
    assert await turn(fake, anna, walk, "Next ▶") == seen[-1]
    # One message for the whole walk: sent once, then edited; each picture uploaded once.
    assert len(fake.calls_to("sendAnimation")) == 1
    edits = [call for call in fake.calls_to("editMessageMedia") if call.ok]
    assert len(edits) == len(seen) + 1
    assert isinstance(edits[-1].params["media"]["media"], str)  # shown before: a file_id
    assert not edits[-1].params["media"]["media"].startswith("attach://")
    files = await stored_files(bot)
    assert len(files) == len(titles) + 2  # an animation each, the relaxation's, the lesson's

    await fake.tap_button(anna, current(fake, anna, walk), "Done")
    pain = await fake.next_message(anna.chat_id)
    assert "Great work" in pain["text"]
    # The report buttons went; the way back through the walk-through stays.
    assert labels(fake, anna, walk) == ["◀ Back"]
    # And from the session's own message too: it keeps only the way into the walk-through.
    assert labels(fake, anna, message) == ["▶ Start"]
    await fake.tap_button(anna, pain, "2")
    await fake.next_edit(anna.chat_id)
    await fake.next_message(anna.chat_id)  # the advice
    await fake.tap_button(anna, await fake.next_message(anna.chat_id), "Just right")
    assert "report is complete" in (await fake.next_message(anna.chat_id))["text"]
    assert "quick question" in (await fake.next_message(anna.chat_id))["text"]
    _patient, sessions, reports = await patient_state(bot, anna)
    assert [(r.outcome, r.pain_after) for r in reports] == [("done", 2)]
    assert sessions[0].walk_step == len(seen) - 1
    assert sessions[0].walk_message_id == walk["message_id"]
    # Back at the report screen later: recorded, no report buttons.
    fake.drain(anna.chat_id)
    await turn(fake, anna, walk, "◀ Back")
    assert "already recorded" in await turn(fake, anna, walk, "Next ▶")
    assert labels(fake, anna, walk) == ["◀ Back"]


async def test_the_walk_through_survives_a_restart_and_start_goes_on_where_it_was(
    fake: FakeBotApi, bot: Bot, settings: Settings, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    clock.advance(hours=9)
    message = await session_message(fake, anna)
    walk = await start(fake, anna, message)
    await turn(fake, anna, walk, "Next ▶")
    second = await turn(fake, anna, walk, "ℹ️ More")
    await bot.stop()

    restarted = await start_bot(settings, clock)
    try:
        third = await turn(fake, anna, walk, "Next ▶")  # the old message goes on
        assert third.startswith("3/") and third != second
        assert (await todays_session(restarted, anna)).walk_step == 2
        # "▶ Start" again: a new message where the walk-through had got to; the old
        # one's buttons go, and a tap on them meanwhile is answered as stale.
        stale = labels(fake, anna, walk)
        again = await start(fake, anna, message)
        assert again["caption"] == third
        await fake.wait_until(lambda: "reply_markup" not in current(fake, anna, walk))
        data = f"walk:{(await todays_session(restarted, anna)).id}:3"
        assert "Next ▶" in stale
        query = await fake.tap(anna, walk, data)
        answer = await fake.callback_answer(query)
        assert "no longer valid" in answer["text"] and answer.get("show_alert")
        assert (await todays_session(restarted, anna)).walk_message_id == again["message_id"]
        assert (await todays_session(restarted, anna)).walk_step == 2
    finally:
        await restarted.stop()


async def test_more_shows_breathing_mistakes_and_only_the_patients_cautions(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna, conditions=("herniated_disc",))
    clock.advance(hours=9)
    message = await session_message(fake, anna)
    session = await todays_session(bot, anna)
    catalogue = bot.services.catalogue
    walk = await start(fake, anna, message)
    left_out = 0
    for number, item in enumerate(session.exercises, start=1):
        exercise = catalogue.exercises[item.exercise_id]
        more = await turn(fake, anna, walk, "ℹ️ More")
        assert more.startswith(f"{number}/")
        assert exercise.breathing.en in more
        assert exercise.mistakes.en[0] in more
        for caution in exercise.cautions:
            shown = caution.en in more
            assert shown == (caution.general or "herniated_disc" in caution.concerns), caution
            left_out += not shown
        assert "📋 Steps" in labels(fake, anna, walk)
        steps = await turn(fake, anna, walk, "📋 Steps")
        assert exercise.steps.en[0] in steps and "⚠️" not in steps
        if number < len(session.exercises):
            await turn(fake, anna, walk, "Next ▶")
    assert left_out > 0  # the session holds cautions for others, and they stayed out


async def test_forged_and_others_walk_buttons_change_nothing(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser, bernd: FakeUser
) -> None:
    await enrol(fake, anna)
    await enrol(fake, bernd)
    clock.advance(hours=9)
    annas = await session_message(fake, anna)
    bernds = await session_message(fake, bernd)
    anna_session = (await todays_session(bot, anna)).id
    walk = await start(fake, anna, annas)
    # Bernd taps Anna's session: refused, in his language.
    query = await fake.tap(bernd, bernds, f"go:{anna_session}")
    await fake.callback_answer(query)
    assert "nicht für Sie" in (await fake.next_message(bernd.chat_id))["text"]
    # A step that is not there, and a tap on a message that is not the walk-through.
    for data, message in ((f"walk:{anna_session}:99", walk), (f"walk:{anna_session}:1", annas)):
        query = await fake.tap(anna, message, data)
        assert "no longer valid" in (await fake.callback_answer(query))["text"]
    session = await todays_session(bot, anna)
    assert session.walk_step == 0 and session.walk_message_id == walk["message_id"]
    assert fake.calls_to("editMessageMedia") == []


async def test_a_picture_telegram_forgot_is_uploaded_again(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    clock.advance(hours=9)
    message = await session_message(fake, anna)
    walk = await start(fake, anna, message)
    upload = fake.calls_to("sendAnimation")[0].params["animation"]
    assert isinstance(upload, UploadedFile)

    async def stored(file_id: str) -> bool:
        return list((await stored_files(bot)).values()) == [file_id]

    await wait_for(lambda: stored(walk["animation"]["file_id"]))
    fake.forget_files()
    again = await start(fake, anna, message)
    assert again["animation"]["file_id"] != walk["animation"]["file_id"]
    sends = fake.calls_to("sendAnimation")
    assert [call.ok for call in sends] == [True, False, True]
    assert "wrong file identifier" in (sends[1].description or "")
    await wait_for(lambda: stored(again["animation"]["file_id"]))  # the new id replaces it
