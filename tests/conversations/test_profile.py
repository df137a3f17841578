"""Conditions and level after enrolment: in /settings (English and German) and from the
therapist's card; the plan follows and the other side is told."""

from __future__ import annotations

from typing import Any

from coachbot import plans
from coachbot.domain.vocabulary import Condition, Level
from tests.conftest import Bot
from tests.conversations.flows import button_data, enrol, therapist_with_patients, toggle
from tests.conversations.test_card_actions import card_message, patient_user, tap_edit
from tests.conversations.test_surgery import TWISTING, state
from tests.fakebot import FakeBotApi, FakeUser

SCHNEIDER = 5003


async def edit_containing(fake: FakeBotApi, user: FakeUser, text: str) -> dict[str, Any]:
    """The next edit in the chat whose text contains `text` (a keyboard's own edits skipped)."""
    while True:
        edited = await fake.next_edit(user.chat_id)
        if text in edited.get("text", ""):
            return edited


async def test_settings_conditions_add_an_operation_ask_about_it_and_tell_the_therapist(
    fake: FakeBotApi, bot: Bot
) -> None:
    schneider = fake.user(SCHNEIDER, "Dr. Schneider", "en")
    await therapist_with_patients(bot, schneider, "Dr. Schneider", ["Dora"])
    dora = patient_user(fake, schneider, 0, "Dora")
    _patient, before, _upcoming = await state(bot, dora.id)
    assert before & TWISTING  # no operation: rotation as usual

    await fake.send(dora, "/settings")
    menu = await fake.next_message(dora.chat_id)
    assert "Conditions: –" in menu["text"] and "Level: beginner" in menu["text"]
    await fake.tap_button(dora, menu, "My conditions")
    choice = await fake.next_message(dora.chat_id)
    await toggle(fake, dora, choice, "sch:cond::after_surgery")
    # Nothing is stored before Done.
    patient, _plan, _upcoming = await state(bot, dora.id)
    assert patient.conditions == []
    await fake.tap_button(dora, choice, "Done")
    await edit_containing(fake, dora, "Saved")
    asked = await fake.next_message(dora.chat_id)
    assert "When was your operation" in asked["text"]
    await fake.tap_button(dora, asked, "6 weeks to 3 months ago")
    await fake.next_edit(dora.chat_id)
    asked = await fake.next_message(dora.chat_id)
    await fake.tap_button(dora, asked, "Not yet")
    await edit_containing(fake, dora, "gentle early exercises")

    patient, plan, upcoming = await state(bot, dora.id)
    assert patient.conditions == [Condition.AFTER_SURGERY]
    assert patient.surgery_date_approximate and patient.cleared_at is None
    assert not (plan | upcoming) & TWISTING
    word = await fake.next_message(schneider.chat_id)
    assert "Dora" in word["text"] and "Conditions added: After an operation" in word["text"]


async def test_settings_level_in_german_brings_the_new_doses(
    fake: FakeBotApi, bot: Bot, bernd: FakeUser
) -> None:
    await enrol(fake, bernd)
    await fake.send(bernd, "/settings")
    menu = await fake.next_message(bernd.chat_id)
    await fake.tap_button(bernd, menu, "Niveau")
    choice = await fake.next_message(bernd.chat_id)
    await fake.tap(bernd, choice, "set:level:advanced")
    assert "Gespeichert" in (await fake.next_edit(bernd.chat_id))["text"]
    patient, _plan, _upcoming = await state(bot, bernd.id)
    assert patient.level == Level.ADVANCED
    catalogue = bot.services.catalogue
    async with bot.uow() as uow:
        for item in await uow.plans.for_patient(patient.id or 0):
            assert item.dose == plans.catalogue_dose(catalogue, item.exercise_id, Level.ADVANCED)

    await fake.send(bernd, "/settings")
    menu = await fake.next_message(bernd.chat_id)
    assert "Niveau: fortgeschrittenes Niveau" in menu["text"]
    await fake.tap_button(bernd, menu, "Meine Beschwerden")
    choice = await fake.next_message(bernd.chat_id)
    await toggle(fake, bernd, choice, "sch:cond:h:osteoporosis")
    await fake.tap_button(bernd, choice, "Fertig")
    await edit_containing(fake, bernd, "Gespeichert")
    patient, _plan, _upcoming = await state(bot, bernd.id)
    assert patient.conditions == [Condition.OSTEOPOROSIS, Condition.HERNIATED_DISC]


async def test_the_card_changes_conditions_and_level_and_tells_the_patient(
    fake: FakeBotApi, bot: Bot
) -> None:
    schneider = fake.user(SCHNEIDER, "Dr. Schneider", "en")
    (pid,) = await therapist_with_patients(bot, schneider, "Dr. Schneider", ["Dora"])
    dora = patient_user(fake, schneider, 0, "Dora")
    card = await card_message(fake, schneider, pid)
    menu = await tap_edit(fake, schneider, card, f"pcnd:{pid}")
    assert "Conditions of Dora" in menu["text"]
    await toggle(fake, schneider, menu, f"pcnd:{pid}::after_surgery")
    await fake.tap(schneider, menu, f"pcnd:{pid}:a:done")
    saved = await edit_containing(fake, schneider, "Saved")
    assert "Conditions added: After an operation" in saved["text"]
    assert "not yet cleared" in saved["text"]
    assert f"pclr:{pid}" in button_data(saved)
    told = await fake.next_message(dora.chat_id)
    assert "Dr. Schneider" in told["text"] and "My operation" in told["text"]
    _patient, plan, upcoming = await state(bot, dora.id)
    assert not (plan | upcoming) & TWISTING

    menu = await tap_edit(fake, schneider, saved, f"plvl:{pid}")
    saved = await tap_edit(fake, schneider, menu, f"plvl:{pid}:intermediate")
    assert "Level: intermediate" in saved["text"]
    patient, _plan, _upcoming = await state(bot, dora.id)
    assert patient.level == Level.INTERMEDIATE
    assert "intermediate" in (await fake.next_message(dora.chat_id))["text"]


async def test_forged_and_stale_profile_buttons_change_nothing(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    schneider = fake.user(SCHNEIDER, "Dr. Schneider", "en")
    (pid,) = await therapist_with_patients(bot, schneider, "Dr. Schneider", ["Dora"])
    await enrol(fake, anna)
    await fake.send(anna, "/help")
    help_message = await fake.next_message(anna.chat_id)
    # Not a word the family knows: the stale-button answer.
    for data in ("sch:cond:h:done:x", "plvl:1:expert", "pcnd:1:zz9:done"):
        query = await fake.tap(anna, help_message, data)
        answer = await fake.callback_answer(query)
        assert "no longer valid" in str(answer.get("text", "")), (data, answer)
    # A therapist's button, forged by a patient.
    await fake.tap(anna, help_message, f"plvl:{pid}:advanced")
    assert "for therapists" in (await fake.next_message(anna.chat_id))["text"]
    patient, _plan, _upcoming = await state(bot, patient_user(fake, schneider, 0, "Dora").id)
    assert patient.level == Level.BEGINNER
