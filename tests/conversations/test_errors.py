"""The one error handler: never raises, never apologises for a reply that may have
arrived, and answers every button press exactly once."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import Bot, Clock
from tests.conversations.flows import consent, enrol, therapist_with_patients
from tests.conversations.test_card_actions import card_message
from tests.conversations.test_checkin import session_message
from tests.fakebot import QUERY_INVALID, FakeBotApi, FakeUser

APOLOGY = "went wrong"
GONE = "That message is no longer there"


def answers_to(fake: FakeBotApi, query_id: str) -> int:
    return sum(
        1
        for call in fake.calls_to("answerCallbackQuery")
        if call.params.get("callback_query_id") == query_id
    )


async def test_a_reply_that_timed_out_is_not_followed_by_an_apology(
    fake: FakeBotApi, bot: Bot, anna: FakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    await fake.send(anna, "/help")
    await fake.next_message(anna.chat_id)
    # The reply arrives, but only after the bot stopped waiting (read timeout 2 s).
    fake.fail("sendMessage", status=0, delay=3.0, chat_id=anna.chat_id)
    with caplog.at_level(logging.WARNING):
        await fake.send(anna, "/help")
        reply = await fake.next_message(anna.chat_id, timeout=10)
        assert "/today" in reply["text"]
        await fake.wait_until(lambda: any(c.client_gone for c in fake.calls_to("sendMessage")))
        await fake.send(anna, "/privacy")  # the bot carries on as usual
        assert "privacy" in (await fake.next_message(anna.chat_id))["text"].lower()
    assert not any(APOLOGY in m["text"] for m in fake.messages(anna.chat_id))
    assert "uncaught error" not in caplog.text.lower()
    assert "Traceback" not in caplog.text


async def test_a_tap_answered_too_late_still_counts_and_is_answered_once(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    clock.advance(hours=9)
    message = await session_message(fake, anna)
    # Telegram refuses the answer (the tap waited too long), as after a restart.
    fake.fail("answerCallbackQuery", status=400, description=QUERY_INVALID)
    query = await fake.tap_button(anna, message, "Done")
    pain = await fake.next_message(anna.chat_id)
    assert "Great work" in pain["text"]  # the tap took effect all the same
    assert answers_to(fake, query) == 1  # and no second, refused, empty answer
    assert not any(APOLOGY in m["text"] for m in fake.messages(anna.chat_id))


async def test_when_the_error_handlers_own_reply_fails_nothing_escapes(
    fake: FakeBotApi, bot: Bot, anna: FakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    await fake.send(anna, "/start")
    welcome = await fake.next_message(anna.chat_id)
    # The handler's edit fails (a server error, each of its tries), and so does the
    # apology after it.
    fake.fail("editMessageText", status=502, chat_id=anna.chat_id, times=3)
    fake.fail("sendMessage", status=502, chat_id=anna.chat_id, times=3)
    with caplog.at_level(logging.WARNING):
        query = await fake.tap_button(anna, welcome, "No, thank you")
        await fake.callback_answer(query)
        await fake.wait_until(
            lambda: sum(1 for c in fake.calls_to("sendMessage") if not c.ok) >= 3,
            what="the apology tried",
        )
        await fake.send(anna, "/privacy")  # still answering
        assert "privacy" in (await fake.next_message(anna.chat_id, timeout=10))["text"].lower()
    assert answers_to(fake, query) == 1
    assert "uncaught error" not in caplog.text.lower()
    assert "error handler could not answer" in caplog.text


async def test_a_429_in_one_chat_does_not_hold_up_another(
    fake: FakeBotApi, bot: Bot, anna: FakeUser, bernd: FakeUser
) -> None:
    fake.fail("sendMessage", status=429, retry_after=2, chat_id=anna.chat_id)
    await fake.send(anna, "/help")
    await fake.wait_until(lambda: any(c.error_code == 429 for c in fake.calls_to("sendMessage")))
    asked_at = fake.calls_to("sendMessage")[-1].at
    await fake.send(bernd, "/help")
    bernds = await fake.next_message(bernd.chat_id)
    annas = await fake.next_message(anna.chat_id)
    bernd_at = fake.delivered(bernd.chat_id)[-1].at
    anna_at = fake.delivered(anna.chat_id)[-1].at
    assert "/today" in bernds["text"] and "/today" in annas["text"]
    # Bernd was answered while Anna's chat waited the 2 s Telegram asked for.
    assert bernd_at < anna_at
    assert anna_at - asked_at >= 2.0


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_a_tap_on_a_card_deleted_meanwhile_is_answered_without_a_traceback(
    fake: FakeBotApi, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    weber = fake.user(5001, "Weber", "en")
    (pid,) = await therapist_with_patients(bot, weber, "Dr. Weber", ["Gina"])
    card = await card_message(fake, weber, pid)
    with caplog.at_level(logging.INFO):
        query = await fake.tap(weber, card, f"lock:{pid}:y")
        # Deleted on another device while the tap was on its way (the bot sees the tap after).
        await fake.delete(weber, card)
        reply = await fake.next_message(weber.chat_id)
    assert reply["text"].startswith(GONE) and "/patients" in reply["text"]
    assert answers_to(fake, query) == 1
    assert any((c.description or "").endswith("to edit not found") for c in fake.errors())
    async with bot.uow() as uow:
        patient = await uow.patients.get(pid)
        assert patient is not None and patient.plan_locked  # the tap itself took effect
    assert not any(APOLOGY in m.get("text", "") for m in fake.messages(weber.chat_id))
    assert tracebacks(caplog) == []
    assert fake.calls_to("sendMessage")[-1].params["chat_id"] == weber.chat_id  # no operator


async def test_an_answer_on_a_question_deleted_meanwhile_still_brings_the_next(
    fake: FakeBotApi, bot: Bot, anna: FakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    first = await consent(fake, anna)
    with caplog.at_level(logging.INFO):
        await fake.tap_button(anna, first, "No")
        await fake.delete(anna, first)  # its buttons go with it: nothing left to take away
        second = await fake.next_message(anna.chat_id)
    assert "reply_markup" in second and second["text"] != first["text"]  # the next question
    assert not any(GONE in m["text"] or APOLOGY in m["text"] for m in fake.messages(anna.chat_id))
    assert tracebacks(caplog) == []


async def test_done_on_a_session_deleted_meanwhile_is_recorded_and_asks_for_pain(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    await enrol(fake, anna)
    clock.advance(hours=9)
    session = await session_message(fake, anna)
    with caplog.at_level(logging.INFO):
        await fake.tap_button(anna, session, "Done")
        await fake.delete(anna, session)
        pain = await fake.next_message(anna.chat_id)
    assert "How much does your back hurt" in pain["text"]
    assert "reply_markup" in pain
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
        assert patient is not None and patient.last_report_at is not None
    assert not any(GONE in m["text"] or APOLOGY in m["text"] for m in fake.messages(anna.chat_id))
    assert tracebacks(caplog) == []


async def test_a_reply_meeting_a_server_error_is_tried_again_and_the_report_goes_on(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram answers 502 to the pain advice, twice: the advice still comes, once, and
    the report goes on to its last question, with no apology and no traceback."""
    await enrol(fake, anna)
    clock.advance(hours=9)
    message = await session_message(fake, anna)
    await fake.tap_button(anna, message, "Done")
    pain = await fake.next_message(anna.chat_id)
    fake.fail("sendMessage", status=502, chat_id=anna.chat_id, times=2)
    with caplog.at_level(logging.INFO):
        await fake.tap_button(anna, pain, "3")
        advice = await fake.next_message(anna.chat_id)
        assert advice["text"].startswith("🟢 Pain 3/10")
        question = await fake.next_message(anna.chat_id)
        assert "How hard did the exercises feel" in question["text"]
    texts = [m["text"] for m in fake.messages(anna.chat_id)]
    assert sum(text.startswith("🟢 Pain 3/10") for text in texts) == 1
    assert not any("went wrong" in text for text in texts)
    assert "Traceback" not in caplog.text and "uncaught" not in caplog.text.lower()
