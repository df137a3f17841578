"""The therapist is alerted once, in their language with the facts worded, and
acknowledges with one tap."""

from __future__ import annotations

from typing import Any

import pytest

from coachbot import therapists
from coachbot.domain.vocabulary import Language
from tests.conftest import START, Bot, Clock, wait_for
from tests.conversations.flows import enrol, next_containing
from tests.conversations.test_checkin import session_message
from tests.conversations.test_invites import invite_link
from tests.fakebot import FakeBotApi, FakeUser


async def sign_up(bot: Bot, user: FakeUser, name: str, language: str = "en") -> int:
    async with bot.uow() as uow:
        therapist = await therapists.add_therapist(uow, name, START)
        assert therapist.signup_code is not None and therapist.id is not None
        await therapists.sign_up_therapist(
            uow, therapist.signup_code, user.id, Language(language), "Europe/Berlin"
        )
        await uow.commit()
        return therapist.id


async def linked_patient(
    fake: FakeBotApi, bot: Bot, patient: FakeUser, language: str = "en", pain: int = 3
) -> FakeUser:
    """Enrol `patient` and link them to a therapist speaking `language`; returns the
    therapist."""
    weber = fake.user(5001, "Weber", language)
    therapist_id = await sign_up(bot, weber, "Dr. Weber", language)
    await enrol(fake, patient, pain=pain)
    async with bot.uow() as uow:
        stored = await uow.patients.by_user(patient.id)
        assert stored is not None
        stored.therapist_id = therapist_id
        await uow.commit()
    return weber


async def test_high_pain_alerts_the_therapist_once_and_acknowledging_stops_it(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    weber = await linked_patient(fake, bot, anna)
    clock.advance(hours=9)
    message = await session_message(fake, anna)
    await fake.tap_button(anna, message, "Done")
    await fake.tap_button(anna, await fake.next_message(anna.chat_id), "8")
    # One report, one alert message, naming what made it one.
    alerts = [await fake.next_message(weber.chat_id)]
    assert (
        "Anna reported pain 8/10 after today's session; their usual pain is 3/10"
        in (alerts[0]["text"])
    )
    assert "3 or more points above usual" in alerts[0]["text"]
    data = alerts[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await fake.tap_button(weber, alerts[0], "Acknowledge")
    assert "Acknowledged" in (await fake.next_message(weber.chat_id))["text"]
    query = await fake.tap(weber, alerts[0], data)  # a second tap on the same alert
    await fake.callback_answer(query)
    assert "already recorded" in (await fake.next_message(weber.chat_id))["text"]
    # Nothing is repeated on later ticks.
    await bot.application.bot_data["services"].dispatcher.tick()
    assert len([m for m in fake.messages(weber.chat_id) if "pain" in m["text"]]) == 1
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
        assert patient is not None and patient.id is not None
        seen = [a.seen_at is not None for a in await uow.alerts.for_patient(patient.id)]
    assert seen == [True]


async def test_silence_for_three_days_alerts_once(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    weber = await linked_patient(fake, bot, anna)
    dispatcher = bot.application.bot_data["services"].dispatcher
    clock.advance(days=3, hours=1)
    await dispatcher.tick()
    notice = await fake.next_message(weber.chat_id)
    assert "Anna has sent no report for 3 days" in notice["text"]
    clock.advance(days=1)
    await dispatcher.tick()
    assert [m["text"] for m in fake.messages(weber.chat_id)].count(notice["text"]) == 1


async def test_another_therapist_cannot_acknowledge(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    weber = await linked_patient(fake, bot, anna)
    await fake.member_update(anna, "kicked")
    notice = await fake.next_message(weber.chat_id)
    assert "blocked the bot" in notice["text"]
    # Once: neither later ticks nor a second "kicked" update repeat it.
    await fake.member_update(anna, "kicked")
    dispatcher = bot.services.dispatcher
    assert dispatcher is not None
    for _ in range(2):
        clock.advance(hours=1)
        await dispatcher.tick()
    assert [m["text"] for m in fake.messages(weber.chat_id)].count(notice["text"]) == 1
    other = fake.user(5002, "Other", "en")
    await sign_up(bot, other, "Dr. Other")
    await fake.send(other, "/start")
    own = await fake.next_message(other.chat_id)
    assert "Dr. Other" in own["text"]
    # A forged button in the other therapist's own chat naming Weber's alert.
    data = notice["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    query = await fake.tap(other, own, data)
    await fake.callback_answer(query)
    assert "not linked to you" in (await fake.next_message(other.chat_id))["text"]

    async def unseen() -> bool:
        async with bot.uow() as uow:
            patient = await uow.patients.by_user(anna.id)
            assert patient is not None and patient.id is not None
            return all(a.seen_at is None for a in await uow.alerts.for_patient(patient.id))

    await wait_for(unseen)


async def test_red_flag_alerts_the_therapist_once(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    weber = await linked_patient(fake, bot, anna)
    clock.advance(hours=9)
    message = await session_message(fake, anna)
    await fake.tap_button(anna, message, "Partly")
    await fake.tap_button(anna, await fake.next_message(anna.chat_id), "8")
    check = await next_containing(fake, anna, "bladder")
    await fake.tap_button(anna, check, "Yes")
    await next_containing(fake, anna, "do not exercise")

    def red_flag_notices() -> list[str]:
        return [m["text"] for m in fake.messages(weber.chat_id) if "🚨" in m.get("text", "")]

    await fake.wait_until(lambda: len(red_flag_notices()) == 1, what="the red-flag alert")
    assert "Anna answered yes to a red-flag question" in red_flag_notices()[0]
    assert "Training is stopped" in red_flag_notices()[0]
    dispatcher = bot.services.dispatcher
    assert dispatcher is not None
    for _ in range(3):
        clock.advance(hours=1)
        await dispatcher.tick()
    assert len(red_flag_notices()) == 1


# Each alert as the therapist reads it, whole, and its line on the card: the facts worded
# in the therapist's language, never a stored key or an English fragment.
CAUDA_EQUINA = {
    "en": "loss of bladder or bowel control or saddle numbness",
    "de": "Verlust der Blasen- oder Darmkontrolle oder Taubheit im Reithosenbereich",
}
WORDED: dict[str, dict[str, Any]] = {
    "en": {
        "alerts": [
            "⚠️ Anna reported pain 8/10 after today's session; their usual pain is 3/10 "
            "(3 or more points above usual).",
            f"🚨 Anna answered yes to a red-flag question: {CAUDA_EQUINA['en']}. Training is "
            "stopped and they were told to seek medical care.",
        ],
        "card": [
            "pain above usual (8/10, usual 3/10)",
            f"red-flag answer ({CAUDA_EQUINA['en']})",
        ],
        "silent": "🔕 Anna has sent no report for 3 days.",
        "silent_card": "no reports (3 days)",
    },
    "de": {
        "alerts": [
            "⚠️ Anna hat nach der heutigen Einheit Schmerz 8/10 gemeldet; der übliche Schmerz "
            "liegt bei 3/10 (3 oder mehr Punkte über dem Üblichen).",
            f"🚨 Anna hat eine Warnzeichen-Frage mit Ja beantwortet: {CAUDA_EQUINA['de']}. Das "
            "Training ist gestoppt, und es wurde geraten, ärztliche Hilfe zu suchen.",
        ],
        "card": [
            "Schmerz über dem Üblichen (8/10, üblich 3/10)",
            f"Warnzeichen-Antwort ({CAUDA_EQUINA['de']})",
        ],
        "silent": "🔕 Anna hat seit 3 Tagen keine Rückmeldung geschickt.",
        "silent_card": "keine Rückmeldungen (3 Tage)",
    },
}
RAW = ("cauda_equina", "red_flag", "(pain 8)", "None")


async def card_text(fake: FakeBotApi, bot: Bot, therapist: FakeUser, patient: FakeUser) -> str:
    async with bot.uow() as uow:
        stored = await uow.patients.by_user(patient.id)
        assert stored is not None
    fake.drain(therapist.chat_id)
    await fake.send(therapist, f"/patient {stored.id}")
    while True:  # the chart may come first, as a photo
        text: str = (await fake.next_message(therapist.chat_id)).get("text", "")
        if f"(#{stored.id})" in text:
            return text


@pytest.mark.parametrize("language", ["en", "de"])
async def test_pain_and_red_flag_alerts_word_their_facts_in_the_therapists_language(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser, language: str
) -> None:
    weber = await linked_patient(fake, bot, anna, language)
    clock.advance(hours=9)
    message = await session_message(fake, anna)
    await fake.tap_button(anna, message, "Partly")
    await fake.tap_button(anna, await fake.next_message(anna.chat_id), "8")
    await fake.tap_button(anna, await next_containing(fake, anna, "bladder"), "Yes")

    def alerts() -> list[str]:
        return [
            m["text"]
            for m in fake.messages(weber.chat_id)
            if m.get("text", "").startswith(("⚠️", "🚨"))
        ]

    # One alert for the report (whatever its signs), one for the red flag.
    await fake.wait_until(lambda: len(alerts()) == 2, what="two alerts")
    assert sorted(alerts()) == sorted(WORDED[language]["alerts"])
    card = await card_text(fake, bot, weber, anna)
    for line in WORDED[language]["card"]:
        assert line in card
    for raw in RAW:
        assert raw not in card
        assert not [text for text in alerts() if raw in text]


@pytest.mark.parametrize("language", ["en", "de"])
async def test_silence_counts_its_days_in_the_therapists_language(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser, language: str
) -> None:
    weber = await linked_patient(fake, bot, anna, language)
    dispatcher = bot.services.dispatcher
    assert dispatcher is not None
    clock.advance(days=3, hours=1)
    await dispatcher.tick()
    notice = await fake.next_message(weber.chat_id)
    assert notice["text"] == WORDED[language]["silent"]
    assert WORDED[language]["silent_card"] in await card_text(fake, bot, weber, anna)


async def test_a_red_flag_at_enrolment_names_the_sign_to_the_therapist(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    # Linked by an invite at consent, Anna says yes in the last group: recent trauma.
    weber = fake.user(5001, "Weber", "de")
    await sign_up(bot, weber, "Dr. Weber", "de")
    code = (await invite_link(fake, weber)).split("=", 1)[1]
    await fake.send(anna, f"/start {code}")
    await fake.tap_button(anna, await fake.next_message(anna.chat_id), "✅")
    question = await next_containing(fake, anna, "1 of 3")
    for _ in range(2):
        await fake.tap_button(anna, question, "None of these")
        question = await fake.next_message(anna.chat_id)
    assert "accident or injury" in question["text"]
    await fake.tap_button(anna, question, "Yes: pain since a fall")

    def red_flags() -> list[str]:
        return [m["text"] for m in fake.messages(weber.chat_id) if "🚨" in m.get("text", "")]

    await fake.wait_until(lambda: len(red_flags()) == 1, what="the red-flag alert")
    assert red_flags() == [
        "🚨 Anna hat eine Warnzeichen-Frage mit Ja beantwortet: Rückenschmerzen seit einem "
        "kürzlichen Sturz, Unfall oder einer Verletzung. Das Training ist gestoppt, und es "
        "wurde geraten, ärztliche Hilfe zu suchen."
    ]
    card = await card_text(fake, bot, weber, anna)
    assert (
        "Warnzeichen-Antwort (Rückenschmerzen seit einem kürzlichen Sturz, Unfall oder einer "
        "Verletzung)"
    ) in card
    assert "trauma" not in card
