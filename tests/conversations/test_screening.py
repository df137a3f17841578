"""The red-flag screen through the real Application: three short groups at enrolment
and again from /settings, a yes stopping training with advice by urgency, honest words
about who reads the answer, and the therapist's card showing the last screen."""

from __future__ import annotations

from typing import Any

import pytest

from coachbot.domain.model import Patient
from coachbot.domain.vocabulary import PatientStatus, SessionState
from tests.conftest import START, Bot, Clock
from tests.conversations.flows import (
    button_data,
    consent,
    enrol,
    next_containing,
    sign_up_therapist,
)
from tests.fakebot import FakeBotApi, FakeUser

# What each group asks, as the patient reads it (a few words per warning sign).
GROUPS = {
    "en": [
        (
            "Safety check 1 of 3: Nerves, bladder and bowel",
            ["controlling your bladder", "during sex", "both legs", "foot slaps down"],
        ),
        (
            "Safety check 2 of 3: Your health in general",
            [
                "fever or chills",
                "losing weight",
                "since you were diagnosed with cancer, and no doctor has checked it",
                "weakened immune system",
                "at night or at rest that does not ease when you change position",
            ],
        ),
        (
            "Safety check 3 of 3: Falls and bones",
            [
                "serious fall",
                "osteoporosis (thin bones)",
                "first time after the age of 50, and no doctor has checked it yet",
            ],
        ),
    ],
    "de": [
        (
            "Sicherheitscheck 1 von 3: Nerven, Blase und Darm",
            ["Urin oder Stuhl", "beim Sex", "beiden Beinen", "Fuß beim Gehen"],
        ),
        (
            "Sicherheitscheck 2 von 3: Ihre Gesundheit allgemein",
            [
                "Fieber",
                "ungewollt abgenommen",
                "seit einer Krebsdiagnose",
                "geschwächtes Immunsystem",
                "nachts oder in Ruhe",
            ],
        ),
        (
            "Sicherheitscheck 3 von 3: Stürze und Knochen",
            ["schweren Sturz", "Osteoporose", "nach dem 50. Lebensjahr"],
        ),
    ],
}
NONE_LABEL = {"en": "✅ None of these", "de": "✅ Nichts davon"}
THERAPIST_WORDS = ("therapist", "Therapeut")


async def stored(bot: Bot, user: FakeUser) -> Patient:
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(user.id)
        assert patient is not None
        return patient


async def alerts(bot: Bot, user: FakeUser) -> list[tuple[str, str | None]]:
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(user.id)
        assert patient is not None and patient.id is not None
        return [(a.kind, a.red_flag) for a in await uow.alerts.for_patient(patient.id)]


async def link(bot: Bot, user: FakeUser, therapist_id: int) -> None:
    """The patient linked to a therapist (as an invite does)."""
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(user.id)
        assert patient is not None
        patient.therapist_id = therapist_id
        await uow.commit()


def labels_of(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


async def open_check(fake: FakeBotApi, user: FakeUser) -> dict[str, Any]:
    """/settings, then "Check warning signs"; returns the first group."""
    await fake.send(user, "/settings")
    menu = await fake.next_message(user.chat_id)
    await fake.tap_button(user, menu, "warning signs")
    return await next_containing(fake, user, "1 of 3")


@pytest.mark.parametrize("language", ["en", "de"])
async def test_the_full_screen_asks_three_groups_in_plain_words(
    fake: FakeBotApi, bot: Bot, clock: Clock, language: str
) -> None:
    user = fake.user(1001, "Anna", language)
    question = await consent(fake, user)
    for head, signs in GROUPS[language]:
        assert head in question["text"]
        for sign in signs:
            assert sign in question["text"]
        # A "Yes: ..." button per sign, and one "None of these".
        buttons = labels_of(question)
        assert len(buttons) == len(signs) + 1 and buttons[-1] == NONE_LABEL[language]
        assert all(label.startswith(("Yes: ", "Ja: ")) for label in buttons[:-1])
        await fake.tap_button(user, question, NONE_LABEL[language])
        question = await fake.next_message(user.chat_id)
    assert "ob:cond:done" in button_data(question)  # on to the profile
    patient = await stored(bot, user)
    assert patient.status == PatientStatus.ONBOARDING and patient.step == "ob:cond"
    assert patient.screened_at == START and patient.warning_signs == []
    assert await alerts(bot, user) == []


@pytest.mark.parametrize(
    ("none_first", "sign", "flag", "advice"),
    [
        (0, "Yes: a leg or foot", "one_leg_weakness", "needs a doctor's assessment today"),
        (0, "Yes: numbness or problems during sex", "sexual_dysfunction", "emergency number"),
        (1, "Yes: pain at night", "night_pain", "see your doctor before you start training"),
        (2, "Yes: first back pain after 50", "new_after_50", "see your doctor before"),
    ],
)
async def test_a_warning_sign_stops_enrolment_with_advice_by_its_urgency(
    fake: FakeBotApi,
    bot: Bot,
    anna: FakeUser,
    none_first: int,
    sign: str,
    flag: str,
    advice: str,
) -> None:
    question = await consent(fake, anna)
    for _ in range(none_first):
        await fake.tap_button(anna, question, "None of these")
        question = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, question, sign)
    told = (await fake.next_message(anna.chat_id))["text"]
    assert advice in told and "/resume" in told
    # Nobody is linked: the answer is for the patient's doctor, no therapist is promised.
    assert "show this message" in told
    assert not any(word in told for word in THERAPIST_WORDS)
    patient = await stored(bot, anna)
    assert patient.status == PatientStatus.STOPPED and patient.step is None
    assert patient.warning_signs == [flag] and patient.screened_at == START
    assert await alerts(bot, anna) == [("red_flag", flag)]
    await fake.send(anna, "/today")
    assert "safety" in (await fake.next_message(anna.chat_id))["text"]


async def test_a_linked_patient_is_told_their_therapist_has_the_answer(
    fake: FakeBotApi, bot: Bot, bernd: FakeUser
) -> None:
    weber = fake.user(5001, "Weber", "de")
    question = await consent(fake, bernd)
    await link(bot, bernd, await sign_up_therapist(bot, weber, "Dr. Weber", "de"))
    await fake.tap_button(bernd, question, "Nichts davon")
    question = await fake.next_message(bernd.chat_id)
    await fake.tap_button(bernd, question, "Ja: ungewollt abgenommen")
    told = (await fake.next_message(bernd.chat_id))["text"]
    assert "für Ihre Therapeutin oder Ihren Therapeuten notiert" in told
    assert "Ärztin oder Ihrem Arzt" in told

    def notices() -> list[str]:
        return [m["text"] for m in fake.messages(weber.chat_id) if "🚨" in m.get("text", "")]

    await fake.wait_until(lambda: len(notices()) == 1, what="the red-flag alert")
    assert "ungeklärter Gewichtsverlust" in notices()[0]


async def test_an_old_single_question_step_resumes_as_its_group(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    await consent(fake, anna)
    # Stored before the groups: Anna was at "Have you ever had cancer?".
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
        assert patient is not None
        patient.step = "ob:rf:cancer"
        await uow.commit()
    await fake.send(anna, "/start")
    assert "continue" in (await fake.next_message(anna.chat_id))["text"]
    question = await fake.next_message(anna.chat_id)
    assert "2 of 3" in question["text"] and "cancer" in question["text"]
    await fake.tap_button(anna, question, "None of these")
    question = await fake.next_message(anna.chat_id)
    assert "3 of 3" in question["text"]
    await fake.tap_button(anna, question, "None of these")
    question = await fake.next_message(anna.chat_id)
    assert "ob:cond:done" in button_data(question)
    assert (await stored(bot, anna)).step == "ob:cond"


async def test_checking_again_from_settings_records_a_clear_screen(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    clock.advance(days=3)
    question = await open_check(fake, anna)
    assert "Nerves, bladder and bowel" in question["text"]
    # Typed text instead of a button loses nothing: the same group is asked again.
    await fake.send(anna, "no")
    assert "buttons" in (await fake.next_message(anna.chat_id))["text"]
    question = await fake.next_message(anna.chat_id)
    assert "1 of 3" in question["text"]
    for number in (2, 3):
        await fake.tap_button(anna, question, "None of these")
        question = await fake.next_message(anna.chat_id)
        assert f"{number} of 3" in question["text"]
    await fake.tap_button(anna, question, "None of these")
    done = (await fake.next_message(anna.chat_id))["text"]
    assert "none of the warning signs" in done and "goes on as planned" in done
    assert not any(word in done for word in THERAPIST_WORDS)  # nobody is linked
    patient = await stored(bot, anna)
    assert patient.status == PatientStatus.ACTIVE and patient.step is None
    assert patient.screened_at == clock() and patient.warning_signs == []
    # A button of the finished check changes nothing.
    query = await fake.tap(anna, question, "rf:injury:trauma")
    assert "already answered" in (await fake.callback_answer(query)).get("text", "")
    assert (await stored(bot, anna)).status == PatientStatus.ACTIVE


async def test_a_yes_from_settings_stops_training_and_a_doctors_clearance_restarts_it(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    weber = fake.user(5001, "Weber", "en")
    await enrol(fake, anna)
    await link(bot, anna, await sign_up_therapist(bot, weber, "Dr. Weber"))
    question = await open_check(fake, anna)
    await fake.tap_button(anna, question, "None of these")
    question = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, question, "None of these")
    question = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, question, "Yes: steroids or osteoporosis")
    told = (await fake.next_message(anna.chat_id))["text"]
    assert "see your doctor before" in told and "noted this for your therapist" in told
    patient = await stored(bot, anna)
    assert patient.status == PatientStatus.STOPPED
    assert patient.warning_signs == ["fracture_risk"]
    async with bot.uow() as uow:
        assert patient.id is not None
        planned = await uow.sessions.for_patient(patient.id)
        assert planned and all(s.state == SessionState.EXCUSED for s in planned)

    def notices() -> list[str]:
        return [m["text"] for m in fake.messages(weber.chat_id) if "🚨" in m.get("text", "")]

    await fake.wait_until(lambda: len(notices()) == 1, what="the red-flag alert")
    assert "long-term steroids or osteoporosis, with a minor fall or strain" in notices()[0]

    # Stopped, the check cannot be taken again: a doctor's clearance comes first.
    await fake.send(anna, "/settings")
    menu = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, menu, "warning signs")
    assert "see a doctor first" in (await fake.next_message(anna.chat_id))["text"]
    assert (await stored(bot, anna)).step is None
    await fake.send(anna, "/resume")
    asked = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, asked, "Yes")
    assert "Training is on again" in (await fake.next_message(anna.chat_id))["text"]
    assert (await stored(bot, anna)).status == PatientStatus.ACTIVE


@pytest.mark.parametrize(
    ("language", "clear", "found"),
    [
        ("en", "Warning signs: none (checked 23.11.2026)", "⚠️ Warning signs on 26.11.2026: "),
        ("de", "Warnzeichen: keine (geprüft am 23.11.2026)", "⚠️ Warnzeichen am 26.11.2026: "),
    ],
)
async def test_the_card_shows_the_last_screen(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser, language: str, clear: str, found: str
) -> None:
    weber = fake.user(5001, "Weber", language)
    therapist_id = await sign_up_therapist(bot, weber, "Dr. Weber", language)
    await enrol(fake, anna)
    await link(bot, anna, therapist_id)
    assert clear in await card_text(fake, weber, anna, bot)
    clock.advance(days=3)
    question = await open_check(fake, anna)
    await fake.tap_button(anna, question, "Yes: both legs weak")
    await next_containing(fake, anna, "today")
    card = await card_text(fake, weber, anna, bot)
    both_legs = {"en": "new or worsening weakness in both legs", "de": "beiden Beinen"}
    assert found in card and both_legs[language] in card
    assert "leg_weakness" not in card


async def card_text(fake: FakeBotApi, therapist: FakeUser, patient: FakeUser, bot: Bot) -> str:
    pid = (await stored(bot, patient)).id
    fake.drain(therapist.chat_id)
    await fake.send(therapist, f"/patient {pid}")
    while True:  # the chart may come first, as a photo
        text: str = (await fake.next_message(therapist.chat_id)).get("text", "")
        if f"(#{pid})" in text:
            return text
