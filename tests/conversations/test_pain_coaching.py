"""Pain-guided coaching as a chronic patient lives it: pain judged against their usual
pain, one alert per event, the next-morning check, and honest words about who reads what."""

from __future__ import annotations

from typing import Any

from coachbot.domain.vocabulary import AlertKind, Morning
from tests.conftest import Bot, Clock
from tests.conversations.flows import enrol
from tests.conversations.test_alerts import linked_patient
from tests.conversations.test_checkin import session_message
from tests.fakebot import FakeBotApi, FakeUser

SAFETY_QUESTION = "One more safety question"


async def report(fake: FakeBotApi, user: FakeUser, pain: int, outcome: str = "Done") -> None:
    """Report today's session (waiting for it) with `pain`."""
    message = await session_message(fake, user)
    await fake.tap_button(user, message, outcome)
    await fake.tap_button(user, await fake.next_message(user.chat_id), str(pain))


async def texts_until(fake: FakeBotApi, user: FakeUser, last: str) -> list[str]:
    """The patient's messages up to and including the first containing `last`."""
    texts = []
    while True:
        message = await fake.next_message(user.chat_id)
        texts.append(message["text"])
        if last in message["text"]:
            return texts


async def alerts_of(bot: Bot, user: FakeUser) -> list[Any]:
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(user.id)
        assert patient is not None and patient.id is not None
        return list(await uow.alerts.for_patient(patient.id))


async def tick(bot: Bot) -> None:
    dispatcher = bot.services.dispatcher
    assert dispatcher is not None
    await dispatcher.tick()


async def test_a_chronic_patient_reporting_usual_pain_is_neither_alerted_nor_alarmed(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    weber = await linked_patient(fake, bot, anna, pain=7)
    clock.advance(hours=9)
    await report(fake, anna, 7)
    texts = await texts_until(fake, anna, "How hard did the exercises feel")
    assert any("🟢 Pain 7/10, close to your usual 7/10" in text for text in texts)
    assert not any(SAFETY_QUESTION in text for text in texts)
    await tick(bot)
    assert await alerts_of(bot, anna) == []
    assert not any("pain" in m["text"] for m in fake.messages(weber.chat_id))


async def test_a_marked_rise_raises_exactly_one_alert_message_and_the_safety_question(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    weber = await linked_patient(fake, bot, anna, pain=7)
    clock.advance(hours=9)
    await report(fake, anna, 9)
    texts = await texts_until(fake, anna, SAFETY_QUESTION)
    assert any("Pain 9/10 is clearly more than your usual 7/10" in text for text in texts)
    assert any("I have let your therapist know." in text for text in texts)
    alert = await fake.next_message(weber.chat_id)
    assert (
        "Anna reported pain 9/10 after today's session; their usual pain is 7/10" in (alert["text"])
    )
    assert "severe pain" in alert["text"]
    await tick(bot)
    stored = await alerts_of(bot, anna)
    assert [(a.kind, a.pain, a.usual) for a in stored] == [(AlertKind.PAIN_RISE, 9, 7)]
    assert len([m for m in fake.messages(weber.chat_id) if "pain" in m["text"]]) == 1
    # "No" to the safety question: the lesson's question still comes when there is one.
    question = fake.messages(anna.chat_id)[-1]
    if SAFETY_QUESTION not in question["text"]:
        question = next(m for m in fake.messages(anna.chat_id) if SAFETY_QUESTION in m["text"])
    await fake.tap_button(anna, question, "No")
    reply = await fake.next_message(anna.chat_id)
    assert "Be gentle with your back today" in reply["text"]


async def test_an_unlinked_patient_is_never_told_a_therapist_will_see_it(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna, pain=2)
    clock.advance(hours=9)
    await report(fake, anna, 8)
    texts = await texts_until(fake, anna, SAFETY_QUESTION)
    assert any("please see your doctor" in text for text in texts)
    assert not any("therapist" in text.lower() for text in texts)
    assert [a.kind for a in await alerts_of(bot, anna)] == [AlertKind.PAIN_RISE]


async def morning_check(fake: FakeBotApi, user: FakeUser) -> dict[str, Any]:
    while True:
        message = await fake.next_message(user.chat_id)
        if "How is your back this morning" in message["text"]:
            return message


async def test_the_next_morning_check_comes_once_and_worse_twice_alerts(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    weber = await linked_patient(fake, bot, anna, pain=3)
    clock.advance(hours=9)  # 18:00 Berlin: the first session
    await report(fake, anna, 4)
    await texts_until(fake, anna, "How hard did the exercises feel")
    clock.advance(hours=14, minutes=59)  # 08:59 Berlin the next morning: not yet
    await tick(bot)
    assert not any("this morning" in m["text"] for m in fake.messages(anna.chat_id))
    clock.advance(minutes=2)  # 09:01
    await tick(bot)
    first = await morning_check(fake, anna)
    labels = [b["text"] for row in first["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["🙂 Better", "😐 Same", "🙁 Worse"]
    for _ in range(3):  # asked once, however often the dispatcher ticks
        clock.advance(minutes=30)
        await tick(bot)
    asked = [m for m in fake.messages(anna.chat_id) if "How is your back this" in m["text"]]
    assert len(asked) == 1
    await fake.tap_button(anna, first, "Worse")
    assert "Take it a little easier today" in (await fake.next_message(anna.chat_id))["text"]
    # A worse morning eases the plan: proposed to the therapist, who is linked.
    change = await fake.next_message(anna.chat_id)
    assert "because your back was worse than usual the morning after" in change["text"]
    assert await alerts_of(bot, anna) == []  # once is no alert
    # The same answer twice changes nothing.
    query = await fake.tap(anna, first, f"am:{first_session_id(first)}:worse")
    await fake.callback_answer(query)
    assert "already recorded" in (await fake.next_message(anna.chat_id))["text"]

    clock.advance(hours=8)  # 18:00: the second session, then the second morning
    await tick(bot)
    await report(fake, anna, 4)
    await texts_until(fake, anna, "How hard did the exercises feel")
    clock.advance(hours=15, minutes=1)
    await tick(bot)
    second = await morning_check(fake, anna)
    await fake.tap_button(anna, second, "Worse")
    reply = await fake.next_message(anna.chat_id)
    assert "worse two mornings in a row, so I have let your therapist know" in reply["text"]
    await tick(bot)
    alert = await fake.next_message(weber.chat_id)
    assert "back was worse than usual on the last two mornings" in alert["text"]
    kinds = [a.kind for a in await alerts_of(bot, anna)]
    assert kinds == [AlertKind.MORNING_WORSE]
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
        assert patient is not None and patient.id is not None
        answers = [r.morning for r in await uow.reports.for_patient(patient.id)]
        sessions = await uow.sessions.for_patient(patient.id)
    assert answers == [Morning.WORSE, Morning.WORSE]
    # Adherence counts the sessions as done, nothing more and nothing less.
    assert sorted(s.state for s in sessions if s.state != "planned") == ["done", "done"]


def first_session_id(message: dict[str, Any]) -> int:
    data: str = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    return int(data.split(":")[1])
