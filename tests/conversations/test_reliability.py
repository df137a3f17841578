"""Faults from Telegram, blocked bots and restarts: nothing lost, nothing sent twice."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from coachbot.config import Settings
from coachbot.logs import configure_logging
from tests.conftest import Bot, Clock, make_settings, start_bot, wait_for
from tests.conversations.flows import answer_no_flags, consent, enrol, toggle
from tests.conversations.test_checkin import alerts_of, patient_state, session_message
from tests.fakebot import FakeBotApi, FakeUser


def sessions_sent(fake: FakeBotApi, user: FakeUser) -> int:
    return sum(1 for m in fake.messages(user.chat_id) if "Your training for" in m["text"])


async def retry_recorded(bot: Bot, anna: FakeUser, before: datetime | None = None) -> datetime:
    """Wait until the failed send is back in the queue (again, if it was to be tried
    `before`); when it will be tried next."""
    found: list[datetime] = []

    async def recorded() -> bool:
        _patient, sessions, _reports = await patient_state(bot, anna)
        retry = sessions[0].retry_at
        if sessions[0].state == "planned" and retry is not None and retry != before:
            found.append(retry)
        return bool(found)

    await wait_for(recorded)
    return found[0]


async def test_rate_limited_send_waits_as_asked_and_arrives_once(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    fake.fail("sendMessage", status=429, retry_after=1, chat_id=anna.chat_id)
    clock.advance(hours=9)
    retry = await retry_recorded(bot, anna)
    assert retry == clock.now + timedelta(seconds=1)  # as long as Telegram asked
    clock.set(retry)
    await session_message(fake, anna)
    assert sessions_sent(fake, anna) == 1

    async def recorded() -> bool:
        _patient, sessions, _reports = await patient_state(bot, anna)
        return sessions[0].state == "sent" and sessions[0].attempts == 1  # a 429 is no try

    await wait_for(recorded)


async def test_server_error_is_retried_later(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    fake.fail("sendMessage", status=502, chat_id=anna.chat_id)
    clock.advance(hours=9)
    retry = await retry_recorded(bot, anna)
    assert retry == clock.now + timedelta(seconds=15)  # the first retry comes after 15 s
    clock.set(retry)
    await session_message(fake, anna)
    assert sessions_sent(fake, anna) == 1


async def test_timeout_is_never_sent_twice(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    fake.fail("sendMessage", status=0, delay=3.0, chat_id=anna.chat_id)  # read timeout is 2 s
    clock.advance(hours=9)

    async def settled() -> bool:
        _patient, sessions, _reports = await patient_state(bot, anna)
        return sessions[0].state == "sent" and len(sessions) == 2

    await wait_for(settled, timeout=10)
    await fake.wait_until(lambda: sessions_sent(fake, anna) == 1, timeout=5)
    dispatcher = bot.application.bot_data["services"].dispatcher
    await dispatcher.tick()
    assert sessions_sent(fake, anna) == 1


async def test_forbidden_marks_the_patient_blocked(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    fake.block(anna)
    clock.advance(hours=9)

    async def blocked() -> bool:
        patient, _sessions, _reports = await patient_state(bot, anna)
        return patient.status == "blocked"

    await wait_for(blocked)
    assert await alerts_of(bot, anna) == ["bot_blocked"]
    clock.advance(days=1)
    dispatcher = bot.application.bot_data["services"].dispatcher
    await dispatcher.tick()
    _patient, sessions, _reports = await patient_state(bot, anna)
    assert all(s.state != "planned" for s in sessions)  # nothing more is planned or sent


async def test_blocking_and_coming_back_via_chat_member_updates(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    await fake.member_update(anna, "kicked")

    async def status(expected: str) -> bool:
        patient, _sessions, _reports = await patient_state(bot, anna)
        return patient.status == expected

    await wait_for(lambda: status("blocked"))
    _patient, sessions, _reports = await patient_state(bot, anna)
    assert sessions == []
    await fake.member_update(anna, "member")
    await wait_for(lambda: status("active"))
    _patient, sessions, _reports = await patient_state(bot, anna)
    assert [s.state for s in sessions] == ["planned"]


async def test_restart_mid_enrolment_goes_on_where_it_stopped(
    fake: FakeBotApi, bot: Bot, settings: Settings, clock: Clock, anna: FakeUser
) -> None:
    question = await answer_no_flags(fake, anna, await consent(fake, anna))
    await toggle(fake, anna, question, "ob:cond:poor_posture")
    await bot.stop()

    restarted = await start_bot(settings, clock)
    try:
        await fake.tap(anna, question, "ob:cond:done")
        equipment = await fake.next_message(anna.chat_id)
        assert "equipment" in equipment["text"] or "training" in equipment["text"]
        await fake.send(anna, "/start")
        assert "continue" in (await fake.next_message(anna.chat_id))["text"]
        again = await fake.next_message(anna.chat_id)
        assert again["text"] == equipment["text"]
        patient, _sessions, _reports = await patient_state(restarted, anna)
        assert patient.conditions == ["poor_posture"] and patient.step == "ob:eq"
    finally:
        await restarted.stop()


async def test_restart_catches_up_within_grace_and_misses_older(
    fake: FakeBotApi, bot: Bot, settings: Settings, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    await bot.stop()
    clock.advance(hours=10)  # down at 18:00; back at 19:00 Berlin: within the grace window
    restarted = await start_bot(settings, clock)
    try:
        await session_message(fake, anna)
        await restarted.stop()
        clock.advance(days=1, hours=5)  # tomorrow's 18:00 passed 5 hours ago: too late
        restarted = await start_bot(settings, clock)

        async def missed() -> bool:
            _patient, sessions, _reports = await patient_state(restarted, anna)
            return [s.state for s in sessions][:2] == ["missed", "missed"]

        await wait_for(missed)
        assert sessions_sent(fake, anna) == 1
    finally:
        await restarted.stop()


async def test_report_survives_a_restart_between_taps(
    fake: FakeBotApi, bot: Bot, settings: Settings, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    clock.advance(hours=9)
    message = await session_message(fake, anna)
    await fake.tap_button(anna, message, "Done")
    pain = await fake.next_message(anna.chat_id)
    await bot.stop()
    restarted = await start_bot(settings, clock)
    try:
        await fake.tap_button(anna, pain, "6")
        assert "🟡" in (await fake.next_message(anna.chat_id))["text"]
        _patient, _sessions, reports = await patient_state(restarted, anna)
        assert [(r.outcome, r.pain_after) for r in reports] == [("done", 6)]
        assert sessions_sent(fake, anna) == 1
    finally:
        await restarted.stop()


async def test_logs_hold_no_token_and_no_message_texts(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    handler = configure_logging("INFO", [fake.token])
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        await enrol(fake, anna)
        await fake.send(anna, "my back hurts a lot today")
        await fake.next_message(anna.chat_id)
        clock.advance(hours=9)
        await session_message(fake, anna)
        await wait_for(lambda: "dispatch: sent 1" in stream.getvalue())
        logging.getLogger("telegram.test").info("url %s/bot%s/getMe", fake.base_url, fake.token)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    output = stream.getvalue()
    assert fake.token not in output and "[REDACTED]" in output
    assert "my back hurts" not in output
    assert logging.getLogger("httpx").level == logging.WARNING


def test_run_without_token_prints_one_clear_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "coachbot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN" in lines[0] and "BotFather" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.sqlite_only(reason="holds SQLite's write lock with sqlite3")
async def test_a_busy_database_gets_a_friendly_answer_and_loses_nothing(
    fake: FakeBotApi, database_url: str, clock: Clock, anna: FakeUser
) -> None:
    settings = make_settings(fake, database_url, sqlite_busy_timeout_ms=100)
    running = await start_bot(settings, clock)
    try:
        await enrol(fake, anna)
        clock.advance(hours=9)
        message = await session_message(fake, anna)

        async def sent() -> bool:
            _patient, sessions, _reports = await patient_state(running, anna)
            return sessions[0].state == "sent"

        await wait_for(sent)
        # Another writer holds the database while Anna taps "Done".
        path = database_url.split("///", 1)[1]
        blocker = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
        # Waiting for the lock in a thread: the bot may be finishing a write of its own,
        # which needs this event loop to run.
        await asyncio.to_thread(blocker.execute, "BEGIN IMMEDIATE")
        try:
            await fake.tap_button(anna, message, "Done")
            reply = await fake.next_message(anna.chat_id)
            assert "busy" in reply["text"] and "try again" in reply["text"]
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        _patient, sessions, reports = await patient_state(running, anna)
        assert reports == [] and sessions[0].state == "sent"
        await fake.tap_button(anna, message, "Done")  # the buttons are still there
        assert "Great work" in (await fake.next_message(anna.chat_id))["text"]
    finally:
        await running.stop()


async def test_unexpected_error_apologises_and_notifies_the_operator(
    fake: FakeBotApi, database_url: str, clock: Clock, anna: FakeUser
) -> None:
    operator = fake.user(9999, "Operator", "en")
    await fake.send(operator, "hi")  # the operator has started a chat with the bot
    settings = make_settings(fake, database_url, operator_chat_id=operator.chat_id)
    running = await start_bot(settings, clock)
    try:
        await fake.next_message(operator.chat_id)  # the bot's answer to "hi"
        await fake.send(anna, "/start")
        welcome = await fake.next_message(anna.chat_id)
        fake.fail("editMessageText", status=502, chat_id=anna.chat_id, times=5)
        await fake.tap_button(anna, welcome, "No, thank you")
        reply = await fake.next_message(anna.chat_id)
        assert "went wrong" in reply["text"] and "try again" in reply["text"]
        notice = await fake.next_message(operator.chat_id)
        assert "NetworkError" in notice["text"]
        assert "thank you" not in notice["text"].lower()
    finally:
        await running.stop()


async def test_a_session_telegram_refuses_is_tried_three_times_and_reported_once(
    fake: FakeBotApi,
    database_url: str,
    clock: Clock,
    anna: FakeUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    operator = fake.user(9999, "Operator", "en")
    await fake.send(operator, "hi")  # the operator has started a chat with the bot
    settings = make_settings(fake, database_url, operator_chat_id=operator.chat_id)
    running = await start_bot(settings, clock)
    try:
        await fake.next_message(operator.chat_id)
        await enrol(fake, anna)
        refusal = "Bad Request: can't parse entities: unsupported start tag"
        fake.fail("sendMessage", status=400, chat_id=anna.chat_id, times=100, description=refusal)
        with caplog.at_level(logging.INFO):
            clock.advance(hours=9)
            retry = None
            for _attempt in range(2):  # after the first and second refusal: try again later
                retry = await retry_recorded(running, anna, retry)
                clock.set(retry)
            notice = await fake.next_message(operator.chat_id)
            dispatcher = running.services.dispatcher
            assert dispatcher is not None
            for _minute in range(30):  # half an hour more of dispatcher rounds
                clock.advance(minutes=1)
                await dispatcher.tick()
        assert len(refused(fake, anna)) == 3  # not once a tick for the rest of the day
        assert "could not deliver session" in notice["text"]
        assert "parse entities" in notice["text"]
        assert [r.levelname for r in caplog.records if "given up" in r.getMessage()] == ["ERROR"]
        _patient, sessions, _reports = await patient_state(running, anna)
        assert sessions[0].state == "undelivered" and sessions[0].failure is not None
        assert sessions[1].state == "planned"  # tomorrow's comes as usual
    finally:
        await running.stop()


def refused(fake: FakeBotApi, user: FakeUser) -> list[object]:
    return [c for c in fake.calls_to("sendMessage") if c.params.get("chat_id") == user.chat_id
            and c.error_code == 400]  # fmt: skip
