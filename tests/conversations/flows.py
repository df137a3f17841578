"""Steps a patient takes, shared by the conversation tests."""

from __future__ import annotations

from typing import Any

from coachbot import enrolment, therapists
from coachbot.domain.vocabulary import Condition, Language
from tests.conftest import START, Bot
from tests.fakebot import FakeBotApi, FakeUser

NO_FLAGS = 3  # the red-flag screen's groups, a message each


async def consent(fake: FakeBotApi, user: FakeUser) -> dict[str, Any]:
    """Send /start and agree; returns the first safety question."""
    await fake.send(user, "/start")
    welcome = await fake.next_message(user.chat_id)
    await fake.tap_button(user, welcome, "✅")
    await fake.next_message(user.chat_id)  # "First, a few safety questions"
    return await fake.next_message(user.chat_id)


async def answer_no_flags(
    fake: FakeBotApi, user: FakeUser, first: dict[str, Any]
) -> dict[str, Any]:
    """Answer every group of the safety check with "None of these"; returns the
    conditions question."""
    question = first
    for _ in range(NO_FLAGS):
        none = [data for data in button_data(question) if data.endswith(":none")]
        assert len(none) == 1, button_data(question)
        await fake.tap(user, question, none[0])
        question = await fake.next_message(user.chat_id)
    return question


def _only(message: dict[str, Any], data: str) -> str:
    """`data`, after checking the message really offers that button."""
    assert data in button_data(message), (data, button_data(message))
    return data


def _data(message: dict[str, Any], index: int, row: int = 0) -> str:
    data: str = message["reply_markup"]["inline_keyboard"][row][index]["callback_data"]
    return data


async def next_containing(fake: FakeBotApi, user: FakeUser, text: str) -> dict[str, Any]:
    """The next bot message containing `text`, skipping others (e.g. a lesson's check)."""
    while True:
        message = await fake.next_message(user.chat_id)
        if text in message["text"]:
            return message


def current(fake: FakeBotApi, user: FakeUser, message: dict[str, Any]) -> dict[str, Any]:
    """The message as the user sees it now (after edits)."""
    for candidate in fake.messages(user.chat_id):
        if candidate["message_id"] == message["message_id"]:
            return candidate
    raise AssertionError(f"message {message['message_id']} is gone")


async def toggle(fake: FakeBotApi, user: FakeUser, message: dict[str, Any], data: str) -> None:
    """Tap a multi-select button and wait until its keyboard shows the change."""
    before = current(fake, user, message).get("reply_markup")
    await fake.tap(user, message, _only(current(fake, user, message), data))
    await fake.wait_until(
        lambda: current(fake, user, message).get("reply_markup") != before, what="keyboard update"
    )


def report_data(message: dict[str, Any], outcome: str) -> str:
    """The callback data of a session's report button ("done", "partly", "skipped")."""
    return next(data for data in button_data(message) if data.endswith(f":{outcome}"))


def button_data(message: dict[str, Any]) -> list[str]:
    return [
        button["callback_data"]
        for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
        if "callback_data" in button
    ]


async def enrol(
    fake: FakeBotApi,
    user: FakeUser,
    *,
    conditions: tuple[str, ...] = ("herniated_disc",),
    equipment: tuple[str, ...] = (),
    level: str = "beginner",
    pain: int = 3,
    zone: str = "Europe/Berlin",
    time: str = "18:00",
) -> dict[str, Any]:
    """The whole enrolment with buttons; returns the closing message."""
    question = await answer_no_flags(fake, user, await consent(fake, user))
    for condition in conditions:
        await toggle(fake, user, question, f"ob:cond:{condition}")
    await fake.tap(user, question, _only(question, "ob:cond:done"))
    question = await fake.next_message(user.chat_id)
    for item in equipment:
        await toggle(fake, user, question, f"ob:eq:{item}")
    await fake.tap(user, question, _only(question, "ob:eq:done"))
    question = await fake.next_message(user.chat_id)
    await fake.tap(user, question, _only(question, f"ob:level:{level}"))
    question = await fake.next_message(user.chat_id)
    await fake.tap(user, question, _only(question, f"ob:pain:{pain}"))
    await fake.next_message(user.chat_id)  # the time-zone question
    await fake.send(user, zone)
    await fake.next_message(user.chat_id)  # "Time zone set to ..."
    question = await fake.next_message(user.chat_id)
    await fake.tap_button(user, question, time)
    question = await fake.next_message(user.chat_id)
    await fake.tap(user, question, _only(question, "ob:days:done"))
    closing = await fake.next_message(user.chat_id)
    fake.drain(user.chat_id)  # later next_edit calls see only edits from here on
    return closing


async def sign_up_therapist(bot: Bot, user: FakeUser, name: str, language: str = "en") -> int:
    """A therapist record whose Telegram account is `user`; returns its id."""
    async with bot.uow() as uow:
        therapist = await therapists.add_therapist(uow, name, START)
        assert therapist.signup_code is not None and therapist.id is not None
        await therapists.sign_up_therapist(
            uow, therapist.signup_code, user.id, Language(language), "Europe/Berlin"
        )
        await uow.commit()
        return therapist.id


async def therapist_with_patients(
    bot: Bot,
    user: FakeUser,
    name: str,
    patients: list[str],
    *,
    language: str = "en",
    conditions: tuple[str, ...] = (),
) -> list[int]:
    """A signed-up therapist with enrolled, linked patients (Telegram ids user.id*100+n,
    named `patients`); returns the patients' record ids."""
    therapist_id = await sign_up_therapist(bot, user, name, language)
    ids = []
    async with bot.uow() as uow:
        for n, first_name in enumerate(patients):
            patient = await enrolment.consent(
                uow,
                telegram_user_id=user.id * 100 + n,
                chat_id=user.id * 100 + n,
                language=Language(language),
                timezone="Europe/Berlin",
                first_step="ob:days",
                now=START,
                display_name=first_name,
            )
            patient.therapist_id = therapist_id
            patient.conditions = [Condition(condition) for condition in conditions]
            patient.baseline_pain = 3  # usual pain, as enrolment asks it
            await enrolment.finish_enrolment(uow, patient, bot.services.catalogue, START)
            assert patient.id is not None
            ids.append(patient.id)
        await uow.commit()
    return ids
