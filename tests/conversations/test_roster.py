"""`/patients`: each therapist sees only their own patients, attention first, paged."""

from __future__ import annotations

from coachbot.domain.model import Alert
from coachbot.domain.vocabulary import AlertKind
from tests.conftest import START, Bot
from tests.conversations.flows import button_data, therapist_with_patients
from tests.fakebot import FakeBotApi, FakeUser


async def test_each_therapist_sees_only_their_own_patients_attention_first(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    weber = fake.user(5001, "Weber", "en")
    beck = fake.user(5002, "Beck", "en")
    await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton", "Berta"])
    await therapist_with_patients(bot, beck, "Dr. Beck", ["Carla"])
    async with bot.uow() as uow:
        berta = await uow.patients.by_user(5001 * 100 + 1)
        assert berta is not None and berta.id is not None
        # Already sent to the therapist, so no notice races the roster reply.
        uow.alerts.add(
            Alert(
                patient_id=berta.id, kind=AlertKind.PAIN_HIGH, created_at=START, notified_at=START
            )
        )
        await uow.commit()
    await fake.send(weber, "/patients")
    roster = await fake.next_message(weber.chat_id)
    text = roster["text"]
    assert "Carla" not in text
    assert text.index("Berta") < text.index("Anton")  # the open alert comes first
    assert "⚠️ 1" in text
    await fake.send(beck, "/patients")
    text = (await fake.next_message(beck.chat_id))["text"]
    assert "Carla" in text and "Anton" not in text and "Berta" not in text

    await fake.send(anna, "/patients")
    assert "for therapists" in (await fake.next_message(anna.chat_id))["text"]


async def test_roster_pages(fake: FakeBotApi, bot: Bot) -> None:
    weber = fake.user(5001, "Weber", "en")
    names = [f"Patient{n:02d}" for n in range(12)]
    await therapist_with_patients(bot, weber, "Dr. Weber", names)
    await fake.send(weber, "/patients")
    first = await fake.next_message(weber.chat_id)
    assert "page 1 of 2" in first["text"] and first["text"].count("•") == 10
    assert [d for d in button_data(first) if d.startswith("ros:")] == ["ros:1"]
    assert len([d for d in button_data(first) if d.startswith("card:")]) == 10
    fake.drain(weber.chat_id)
    await fake.tap(weber, first, "ros:1")
    second = await fake.next_edit(weber.chat_id)
    assert "page 2 of 2" in second["text"] and second["text"].count("•") == 2
    assert [d for d in button_data(second) if d.startswith("ros:")] == ["ros:0"]
    shown = {name for name in names if name in first["text"] or name in second["text"]}
    assert shown == set(names)
