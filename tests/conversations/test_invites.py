"""Therapists invite patients with a single-use deep link and QR code."""

from __future__ import annotations

from datetime import timedelta

from coachbot import therapists
from coachbot.domain.vocabulary import Language
from tests.conftest import START, Bot, Clock
from tests.conversations.flows import answer_no_flags, consent, enrol
from tests.fakebot import FakeBotApi, FakeUser


async def make_therapist(bot: Bot, user: FakeUser, name: str = "Dr. Weber") -> None:
    async with bot.uow() as uow:
        therapist = await therapists.add_therapist(uow, name, START)
        assert therapist.signup_code is not None
        await therapists.sign_up_therapist(
            uow, therapist.signup_code, user.id, Language.EN, "Europe/Berlin"
        )
        await uow.commit()


async def invite_link(fake: FakeBotApi, therapist: FakeUser) -> str:
    await fake.send(therapist, "/invite")
    message = await fake.next_message(therapist.chat_id)
    assert message["photo_bytes"].startswith(b"\x89PNG")  # the QR code
    caption: str = message["caption"]
    return next(word for word in caption.split() if word.startswith("https://t.me/"))


async def test_invite_enrols_a_new_patient_linked_to_the_therapist(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    weber = fake.user(5001, "Weber", "en")
    await make_therapist(bot, weber)
    link = await invite_link(fake, weber)
    assert link.startswith("https://t.me/coachbot_test_bot?start=")
    code = link.split("=", 1)[1]
    assert len(code) >= 16
    async with bot.uow() as uow:
        invite = await uow.invites.by_code(code)
    assert invite is not None and invite.expires_at == clock() + timedelta(days=14)

    await fake.send(anna, f"/start {code}")
    welcome = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, welcome, "✅")
    told = await fake.next_message(weber.chat_id)
    assert "Anna" in told["text"] and "linked to you" in told["text"]
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
        therapist = await uow.therapists.by_user(weber.id)
    assert patient is not None and therapist is not None
    assert patient.therapist_id == therapist.id

    # Used once: the next person is told clearly, and is not linked.
    bernd = fake.user(1002, "Bernd", "en")
    await fake.send(bernd, f"/start {code}")
    assert "not valid" in (await fake.next_message(bernd.chat_id))["text"]


async def test_an_enrolled_patient_links_after_confirming(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    weber = fake.user(5001, "Weber", "en")
    await make_therapist(bot, weber, "Dr. Weber")
    code = (await invite_link(fake, weber)).split("=", 1)[1]
    await fake.send(anna, f"/start {code}")
    question = await fake.next_message(anna.chat_id)
    assert "Dr. Weber invites you" in question["text"]
    await fake.tap_button(anna, question, "Yes")
    assert "now linked with Dr. Weber" in (await fake.next_message(anna.chat_id))["text"]
    assert "Anna" in (await fake.next_message(weber.chat_id))["text"]
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
    assert patient is not None and patient.therapist_id is not None


async def test_patients_cannot_use_therapist_commands(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    await answer_no_flags(fake, anna, await consent(fake, anna))
    await fake.send(anna, "/invite")
    assert "for therapists" in (await fake.next_message(anna.chat_id))["text"]
    async with bot.uow() as uow:
        assert await uow.therapists.all() == []
