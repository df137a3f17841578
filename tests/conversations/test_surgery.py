"""After an operation: enrolment asks when it was and whether the surgeon has cleared
exercise; nothing twisting is planned until the patient or their therapist records the
clearance (the real Application against the fake Bot API)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from coachbot.db import tables
from coachbot.domain.model import Patient
from coachbot.domain.vocabulary import Actor
from tests.conftest import Bot
from tests.conversations.flows import (
    answer_no_flags,
    button_data,
    consent,
    enrol,
    therapist_with_patients,
    toggle,
)
from tests.conversations.test_card_actions import card_message, patient_user, tap_edit
from tests.fakebot import FakeBotApi, FakeUser

TWISTING = {"open_book", "knee_rocking", "band_anti_rotation_press"}
STALE = "no longer valid"
MUELLER = 5002


async def enrol_after_operation(
    fake: FakeBotApi, user: FakeUser, *, when: str, cleared: str
) -> dict[str, Any]:
    """Enrol with "After an operation" and no equipment, answering the operation's day with
    a typed date or a span's button (`when`) and the clearance with a button (`cleared`)."""
    question = await answer_no_flags(fake, user, await consent(fake, user))
    await toggle(fake, user, question, "ob:cond:after_surgery")
    await fake.tap(user, question, "ob:cond:done")
    asked = await fake.next_message(user.chat_id)
    assert "When was your operation" in asked["text"]
    if when[0].isdigit():
        await fake.send(user, when)
        assert "Noted" in (await fake.next_message(user.chat_id))["text"]
    else:
        await fake.tap(user, asked, f"ob:surgery:{when}")
    asked = await fake.next_message(user.chat_id)
    assert "cleared you for full exercise" in asked["text"]
    await fake.tap(user, asked, f"ob:cleared:{cleared}")
    question = await fake.next_message(user.chat_id)
    note = ""
    if "gentle early exercises" in question["text"]:
        note = question["text"]
        question = await fake.next_message(user.chat_id)
    assert "ob:eq:done" in button_data(question)
    await fake.tap(user, question, "ob:eq:done")
    question = await fake.next_message(user.chat_id)
    await fake.tap(user, question, "ob:level:beginner")
    question = await fake.next_message(user.chat_id)
    await fake.tap(user, question, "ob:pain:3")
    await fake.next_message(user.chat_id)  # the time zone
    await fake.send(user, "Europe/Berlin")
    await fake.next_message(user.chat_id)
    question = await fake.next_message(user.chat_id)
    await fake.tap_button(user, question, "18:00")
    question = await fake.next_message(user.chat_id)
    await fake.tap(user, question, "ob:days:done")
    closing = await fake.next_message(user.chat_id)
    assert "all set" in closing["text"]
    fake.drain(user.chat_id)
    return {"note": note}


async def state(bot: Bot, user_id: int) -> tuple[Patient, set[str], set[str]]:
    """The patient, their plan's exercises and those of their sessions not sent yet."""
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(user_id)
        assert patient is not None and patient.id is not None
        plan = {item.exercise_id for item in await uow.plans.for_patient(patient.id)}
        upcoming = await uow.sessions.planned_from(patient.id, date(2026, 11, 23))
    return patient, plan, {e.exercise_id for s in upcoming for e in s.exercises}


async def notices(bot: Bot) -> list[str]:
    async with bot.uow() as uow:
        rows = await uow.session.execute(
            select(tables.outbox.c.text).where(tables.outbox.c.purpose == "notice")
        )
        return [str(text) for text in rows.scalars()]


async def test_not_cleared_after_an_operation_no_twisting_until_the_patient_records_it(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    said = await enrol_after_operation(fake, anna, when="12.10.2026", cleared="unsure")
    assert "/settings" in said["note"] and "no twisting" in said["note"]
    patient, plan, upcoming = await state(bot, anna.id)
    assert patient.surgery_on == date(2026, 10, 12) and not patient.surgery_date_approximate
    assert patient.cleared_at is None
    assert plan and upcoming and not (plan | upcoming) & TWISTING

    await fake.send(anna, "/settings")
    menu = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, menu, "My operation")
    screen = await fake.next_message(anna.chat_id)
    assert "12 Oct 2026 (6 weeks ago)" in screen["text"] and "not yet cleared" in screen["text"]
    await fake.tap_button(anna, screen, "My surgeon has cleared me")
    confirm = await fake.next_message(anna.chat_id)
    await fake.next_edit(anna.chat_id)  # the screen's buttons go
    await fake.tap_button(anna, confirm, "Yes, I have been cleared")
    assert "Noted" in (await fake.next_edit(anna.chat_id))["text"]
    patient, plan, upcoming = await state(bot, anna.id)
    assert patient.cleared_by == Actor.PATIENT
    assert plan & TWISTING
    assert upcoming <= plan
    assert await notices(bot) == []  # no therapist: nobody is told

    # The confirmation once more: already recorded, nothing changes.
    await fake.tap(anna, confirm, "surg:clear:y")
    assert "already recorded" in (await fake.next_edit(anna.chat_id))["text"]


async def test_a_future_or_unreadable_date_is_answered_and_the_question_stays(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    question = await answer_no_flags(fake, anna, await consent(fake, anna))
    await toggle(fake, anna, question, "ob:cond:after_surgery")
    await fake.tap(anna, question, "ob:cond:done")
    asked = await fake.next_message(anna.chat_id)
    for typed in ("24.12.2026", "next week"):
        await fake.send(anna, typed)
        assert "could not use that date" in (await fake.next_message(anna.chat_id))["text"]
    patient, _plan, _upcoming = await state(bot, anna.id)
    assert patient.step == "ob:surgery" and patient.surgery_on is None
    await fake.tap(anna, asked, "ob:surgery:lt3m")
    assert "cleared you" in (await fake.next_message(anna.chat_id))["text"]
    patient, _plan, _upcoming = await state(bot, anna.id)
    assert patient.surgery_date_approximate and patient.surgery_on is not None


async def test_the_therapist_sees_the_phase_and_records_the_clearance_from_the_card(
    fake: FakeBotApi, bot: Bot
) -> None:
    mueller = fake.user(MUELLER, "Dr. Müller", "en")
    (pid,) = await therapist_with_patients(
        bot, mueller, "Dr. Müller", ["Carla"], conditions=("after_surgery",)
    )
    carla = patient_user(fake, mueller, 0, "Carla")
    _patient, plan, _upcoming = await state(bot, carla.id)
    assert not plan & TWISTING
    card = await card_message(fake, mueller, pid)
    assert "After an operation (date not given): not yet cleared" in card["text"]
    confirm = await tap_edit(fake, mueller, card, f"pclr:{pid}")
    assert "cleared them for full exercise" in confirm["text"]
    after = await tap_edit(fake, mueller, confirm, f"pclr:{pid}:y")
    assert "Cleared after the operation" in after["text"]
    assert "cleared for full exercise on 23 Nov 2026" in after["text"]
    assert f"pclr:{pid}" not in button_data(after)
    told = await fake.next_message(carla.chat_id)
    assert "Dr. Müller" in told["text"] and "cleared you" in told["text"]
    patient, plan, upcoming = await state(bot, carla.id)
    assert patient.cleared_by == Actor.THERAPIST
    assert plan & TWISTING and upcoming <= plan
    assert await notices(bot) == []  # the therapist did it: no word back to them


async def test_the_patients_own_clearance_is_told_to_their_therapist(
    fake: FakeBotApi, bot: Bot
) -> None:
    mueller = fake.user(MUELLER, "Dr. Müller", "en")
    await therapist_with_patients(
        bot, mueller, "Dr. Müller", ["Carla"], conditions=("after_surgery",)
    )
    carla = patient_user(fake, mueller, 0, "Carla")
    await fake.send(carla, "/settings")
    menu = await fake.next_message(carla.chat_id)
    await fake.tap_button(carla, menu, "My operation")
    screen = await fake.next_message(carla.chat_id)
    await fake.tap(carla, screen, "surg:clear:ask")
    confirm = await fake.next_message(carla.chat_id)
    await fake.next_edit(carla.chat_id)  # the screen's buttons go
    await fake.tap(carla, confirm, "surg:clear:y")
    await fake.next_edit(carla.chat_id)
    word = await fake.next_message(mueller.chat_id)
    assert "Carla" in word["text"] and "cleared them for full exercise" in word["text"]


async def test_stale_and_forged_operation_buttons_change_nothing(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    mueller = fake.user(MUELLER, "Dr. Müller", "en")
    (pid,) = await therapist_with_patients(
        bot, mueller, "Dr. Müller", ["Carla"], conditions=("after_surgery",)
    )
    # Anna has no operation: a clearance button from somewhere is stale for her.
    await enrol(fake, anna)
    await fake.send(anna, "/help")
    help_message = await fake.next_message(anna.chat_id)
    for data in ("surg:clear:y", "surg:date:lt6w", "surg:show"):
        query = await fake.tap(anna, help_message, data)
        answer = await fake.callback_answer(query)
        assert STALE in str(answer.get("text", "")), answer
    patient, _plan, _upcoming = await state(bot, anna.id)
    assert patient.cleared_at is None and patient.surgery_on is None
    # A therapist's button forged by a patient, for someone else's patient.
    query = await fake.tap(anna, help_message, f"pclr:{pid}:y")
    await fake.callback_answer(query)
    assert "for therapists" in (await fake.next_message(anna.chat_id))["text"]
    carla = patient_user(fake, mueller, 0, "Carla")
    carla_now, _plan, _upcoming = await state(bot, carla.id)
    assert carla_now.cleared_at is None
