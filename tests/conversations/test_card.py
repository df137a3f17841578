"""The patient card: reached from /patients, with the plan, the 28-day strip and a chart."""

from __future__ import annotations

from tests.conftest import Bot
from tests.conversations.flows import button_data, therapist_with_patients
from tests.fakebot import FakeBotApi


async def test_card_from_the_roster_shows_profile_plan_strip_and_chart(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(5001, "Weber", "en")
    [anton] = await therapist_with_patients(
        bot, weber, "Dr. Weber", ["Anton"], conditions=("herniated_disc",)
    )
    await fake.send(weber, "/patients")
    roster = await fake.next_message(weber.chat_id)
    assert f"card:{anton}" in button_data(roster)
    await fake.tap(weber, roster, f"card:{anton}")
    card = await fake.next_message(weber.chat_id)
    text = card["text"]
    assert f"Anton (#{anton})" in text
    assert "Herniated disc" in text and "Training at 18:00" in text
    assert "Last 28 days" in text and "Plan" in text
    async with bot.uow() as uow:
        plan = await uow.plans.for_patient(anton)
    catalogue = bot.services.catalogue
    for item in plan:
        assert catalogue.exercises[item.exercise_id].title.en in text
    assert f"plan:{anton}" in button_data(card)


async def test_walk_through_every_card_action(fake: FakeBotApi, bot: Bot) -> None:
    weber = fake.user(5001, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    patient_chat = weber.id * 100
    fake.user(patient_chat, "Anton", "en")
    await fake.send(weber, f"/patient {anton}")
    card = await fake.next_message(weber.chat_id)
    fake.drain(weber.chat_id)

    await fake.tap(weber, card, f"plan:{anton}")
    plan = await fake.next_edit(weber.chat_id)
    first_item = next(d for d in button_data(plan) if d.startswith("item:"))
    await fake.tap(weber, card, first_item)
    item = await fake.next_edit(weber.chat_id)
    up = next(d for d in button_data(item) if d.endswith(":sets:u"))
    await fake.tap(weber, card, up)
    item = await fake.next_edit(weber.chat_id)
    assert "Dose changed" in item["text"]
    swap = next(d for d in button_data(item) if d.startswith("swap:"))
    await fake.tap(weber, card, swap)
    options = await fake.next_edit(weber.chat_id)
    choice = next(d for d in button_data(options) if d.startswith("sw:"))
    await fake.tap(weber, card, choice)
    edited = await fake.next_edit(weber.chat_id)
    assert "🔁" in edited["text"]
    await fake.tap(weber, card, f"addk:{anton}")
    kinds = await fake.next_edit(weber.chat_id)
    await fake.tap(weber, card, f"addk:{anton}:strength")
    options = await fake.next_edit(weber.chat_id)
    choice = next(d for d in button_data(options) if d.startswith("add:"))
    await fake.tap(weber, card, choice)
    edited = await fake.next_edit(weber.chat_id)
    assert "➕" in edited["text"], kinds
    await fake.tap(weber, card, f"lock:{anton}:y")
    edited = await fake.next_edit(weber.chat_id)
    assert "🔒 Plan locked" in edited["text"]
    await fake.tap(weber, card, f"ptime:{anton}:0700")
    edited = await fake.next_edit(weber.chat_id)
    assert "07:00" in edited["text"]
    told = await fake.next_message(patient_chat)
    assert "07:00" in told["text"]
    await fake.tap(weber, card, f"ppause:{anton}:7")
    edited = await fake.next_edit(weber.chat_id)
    assert "Paused" in edited["text"]
    assert "paused" in (await fake.next_message(patient_chat))["text"]
    await fake.tap(weber, card, f"presume:{anton}")
    edited = await fake.next_edit(weber.chat_id)
    assert "restarted" in (await fake.next_message(patient_chat))["text"]
    await fake.tap(weber, card, f"msg:{anton}")
    await fake.next_edit(weber.chat_id)
    await fake.send(weber, "Keep going <3")
    assert "Sent to Anton" in (await fake.next_message(weber.chat_id))["text"]
    assert "Keep going <3" in (await fake.next_message(patient_chat))["text"]
    await fake.tap(weber, card, f"unl:{anton}:y")
    edited = await fake.next_edit(weber.chat_id)
    assert "unlinked" in edited["text"]
    async with bot.uow() as uow:
        stored = await uow.patients.get(anton)
        assert stored is not None and stored.therapist_id is None


async def test_no_exercise_to_add_or_swap_is_said_in_an_alert(fake: FakeBotApi, bot: Bot) -> None:
    weber = fake.user(5001, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    await fake.send(weber, f"/patient {anton}")
    card = await fake.next_message(weber.chat_id)
    # Without a vibration plate no vibration exercise is possible.
    query = await fake.tap(weber, card, f"addk:{anton}:vibration")
    answer = await fake.callback_answer(query)
    assert answer.get("show_alert") and "No other exercise" in answer["text"]
    assert "Edit plan" in str(card["reply_markup"])  # the card stayed as it was
