"""Enrolment through the real Application against the fake Bot API."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import Table, func, select

from coachbot.db import tables
from coachbot.domain.model import Invite, Therapist
from coachbot.domain.vocabulary import PatientStatus
from tests.conftest import Bot, Clock
from tests.conversations.flows import answer_no_flags, button_data, consent, enrol
from tests.fakebot import FakeBotApi, FakeUser


async def count(bot: Bot, table: Table) -> int:
    async with bot.uow() as uow:
        result = await uow.session.execute(select(func.count()).select_from(table))
        return int(result.scalar_one())


async def test_welcome_explains_and_asks_consent_storing_nothing(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    await fake.send(anna, "/start")
    welcome = await fake.next_message(anna.chat_id)
    assert "not a doctor" in welcome["text"]
    assert "emergenc" in welcome["text"]
    assert "/mydata" in welcome["text"] and "/delete" in welcome["text"]
    assert "consent:en:yes" in button_data(welcome)
    assert await count(bot, tables.patient) == 0

    await fake.tap_button(anna, welcome, "No, thank you")
    edited = await fake.next_edit(anna.chat_id)
    assert "stored nothing" in edited["text"]
    assert await count(bot, tables.patient) == 0


async def test_welcome_in_german_for_a_german_client_and_switchable(
    fake: FakeBotApi, bot: Bot, bernd: FakeUser
) -> None:
    await fake.send(bernd, "/start")
    welcome = await fake.next_message(bernd.chat_id)
    assert "Willkommen" in welcome["text"]
    await fake.tap_button(bernd, welcome, "English")
    english = await fake.next_edit(bernd.chat_id)
    assert "Welcome to Coachbot" in english["text"]
    assert "consent:en:yes" in button_data(english)


async def test_full_enrolment_schedules_the_first_session(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    closing = await enrol(fake, anna, conditions=("herniated_disc", "poor_posture"))
    assert "all set" in closing["text"]
    # 09:00 in Berlin now, training at 18:00: the first session is today.
    assert "Monday, 23 November" in closing["text"]
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
        assert patient is not None and patient.id is not None
        assert patient.status == PatientStatus.ACTIVE
        assert patient.conditions == ["herniated_disc", "poor_posture"]
        assert patient.timezone == "Europe/Berlin"
        assert patient.prompt_time == time(18, 0)
        assert patient.baseline_pain == 3
        plan = await uow.plans.for_patient(patient.id)
        assert len(plan) >= 3
        session = await uow.sessions.latest(patient.id)
        assert session is not None and session.state == "planned"
        assert session.due_at.hour == 17  # 18:00 CET


async def test_red_flag_stops_enrolment_and_records_an_alert(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    question = await consent(fake, anna)
    assert "bladder" in question["text"]
    await fake.tap_button(anna, question, "Yes: bladder")
    advice = await fake.next_message(anna.chat_id)
    assert "do not exercise" in advice["text"]
    assert "emergency" in advice["text"]
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
        assert patient is not None and patient.id is not None
        assert patient.status == PatientStatus.STOPPED
        alerts = await uow.alerts.for_patient(patient.id)
        assert [(a.kind, a.red_flag) for a in alerts] == [("red_flag", "cauda_equina")]
    await fake.send(anna, "/today")
    reply = await fake.next_message(anna.chat_id)
    assert "safety" in reply["text"]


async def test_start_again_keeps_everything(fake: FakeBotApi, bot: Bot, anna: FakeUser) -> None:
    await enrol(fake, anna)
    await fake.send(anna, "/start")
    reply = await fake.next_message(anna.chat_id)
    assert "already enrolled" in reply["text"]
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
        assert patient is not None and patient.status == PatientStatus.ACTIVE
        assert patient.conditions == ["herniated_disc"]


async def test_stale_question_button_is_answered_and_changes_nothing(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    first = await consent(fake, anna)
    second_question = await answer_no_flags(fake, anna, first)
    # Tapping "Yes" on the first (answered) safety question must not stop anything.
    query = await fake.tap(anna, first, "ob:rf:nerves:cauda_equina")
    answer = await fake.callback_answer(query)
    assert "already answered" in answer.get("text", "")
    again = await fake.next_message(anna.chat_id)
    assert again["text"] == second_question["text"]
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
        assert patient is not None and patient.status == PatientStatus.ONBOARDING


async def test_unknown_invite_code_gets_a_clear_message(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    await fake.send(anna, "/start not-a-real-code")
    reply = await fake.next_message(anna.chat_id)
    assert "invite link is not valid" in reply["text"]
    welcome = await fake.next_message(anna.chat_id)
    assert "consent:en:yes" in button_data(welcome)


async def test_invite_links_the_patient_to_the_therapist_once(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser, bernd: FakeUser
) -> None:
    async with bot.uow() as uow:
        therapist = Therapist(telegram_user_id=5000, name="Dr. Weber", created_at=clock())
        uow.session.add(therapist)
        await uow.flush()
        assert therapist.id is not None
        uow.session.add(
            Invite(
                code="Invite-Code-1234",
                therapist_id=therapist.id,
                expires_at=clock() + timedelta(days=14),
            )
        )
        await uow.commit()
    await fake.send(anna, "/start Invite-Code-1234")
    welcome = await fake.next_message(anna.chat_id)
    assert "consent:en:yes:Invite-Code-1234" in button_data(welcome)
    await fake.tap_button(anna, welcome, "✅")
    await fake.next_message(anna.chat_id)
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
        invite = await uow.invites.by_code("Invite-Code-1234")
        assert patient is not None and invite is not None
        assert patient.therapist_id == therapist.id and invite.used_by == patient.id
    # The code is single-use: Bernd gets the clear message.
    await fake.send(bernd, "/start Invite-Code-1234")
    assert "nicht mehr gültig" in (await fake.next_message(bernd.chat_id))["text"]


async def test_replayed_update_changes_nothing(fake: FakeBotApi, bot: Bot, anna: FakeUser) -> None:
    first = await consent(fake, anna)
    await fake.tap(anna, first, "ob:rf:nerves:none")
    second = await fake.next_message(anna.chat_id)
    # The very same tap arrives again (Telegram redelivers after a lost confirmation).
    query = await fake.tap(anna, first, "ob:rf:nerves:none")
    assert "already answered" in (await fake.callback_answer(query)).get("text", "")
    assert (await fake.next_message(anna.chat_id))["text"] == second["text"]
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
        assert patient is not None and patient.step == "ob:rf:illness"


async def test_quick_taps_are_applied_in_the_order_tapped(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    question = await answer_no_flags(fake, anna, await consent(fake, anna))
    # Three taps in a row, without waiting for the bot in between.
    await fake.tap(anna, question, "ob:cond:poor_posture")
    await fake.tap(anna, question, "ob:cond:frequent_tension")
    await fake.tap(anna, question, "ob:cond:done")
    following = await fake.next_message(anna.chat_id)
    assert "equipment" in following["text"] or "training" in following["text"]
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
        assert patient is not None
        assert patient.conditions == ["poor_posture", "frequent_tension"]
        assert patient.step == "ob:eq"
    assert not any(
        "already answered" in str(c.params) for c in fake.calls_to("answerCallbackQuery")
    )


async def test_time_zone_from_a_shared_location(fake: FakeBotApi, bot: Bot, anna: FakeUser) -> None:
    question = await answer_no_flags(fake, anna, await consent(fake, anna))
    await fake.tap(anna, question, "ob:cond:done")
    question = await fake.next_message(anna.chat_id)
    await fake.tap(anna, question, "ob:eq:done")
    question = await fake.next_message(anna.chat_id)
    await fake.tap(anna, question, "ob:level:beginner")
    question = await fake.next_message(anna.chat_id)
    await fake.tap(anna, question, "ob:pain:2")
    question = await fake.next_message(anna.chat_id)
    keyboard = fake.reply_keyboard(anna.chat_id)
    assert keyboard is not None and keyboard[0] == ["📍 Share my location"]
    await fake.send(anna, "Atlantis")
    assert "could not find" in (await fake.next_message(anna.chat_id))["text"]
    await fake.send_location(anna, 48.21, 16.37)  # Vienna
    reply = await fake.next_message(anna.chat_id)
    assert "Europe/Vienna" in reply["text"]
    assert fake.reply_keyboard(anna.chat_id) is None  # the location keyboard is gone
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
        assert patient is not None and patient.timezone == "Europe/Vienna"
        assert patient.step == "ob:time"


async def time_zone_question(fake: FakeBotApi, user: FakeUser) -> None:
    """Enrolment up to the time-zone question."""
    question = await answer_no_flags(fake, user, await consent(fake, user))
    for data in ("ob:cond:done", "ob:eq:done", "ob:level:beginner", "ob:pain:2"):
        await fake.tap(user, question, data)
        question = await fake.next_message(user.chat_id)


async def test_an_edited_answer_is_not_taken_and_the_person_is_told_once(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    await time_zone_question(fake, anna)
    typed = await fake.send(anna, "Atlantis")
    assert "could not find" in (await fake.next_message(anna.chat_id))["text"]
    await fake.edit(anna, typed, "Lisbon")
    note = await fake.next_message(anna.chat_id)
    assert "send your answer again as a new message" in note["text"]
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
        assert patient is not None and patient.timezone != "Europe/Lisbon"
        assert patient.step == "ob:tz"  # still the same question
    await fake.edit(anna, typed, "Lisboa")  # the same message again: no second note
    await fake.send(anna, "Vienna")
    assert "Europe/Vienna" in (await fake.next_message(anna.chat_id))["text"]
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
        assert patient is not None and patient.timezone == "Europe/Vienna"


async def test_a_live_location_moving_on_is_no_answer_and_gets_no_reply(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    await time_zone_question(fake, anna)
    shared = await fake.send_location(anna, 48.21, 16.37, live_period=900)  # Vienna
    assert "Europe/Vienna" in (await fake.next_message(anna.chat_id))["text"]
    await fake.next_message(anna.chat_id)  # the training-time question
    await fake.move_live_location(anna, shared, 38.72, -9.14)  # on the way to Lisbon
    await fake.send(anna, "/privacy")  # handled after the move: nothing came in between
    assert "privacy" in (await fake.next_message(anna.chat_id))["text"].lower()
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
        assert patient is not None and patient.timezone == "Europe/Vienna"
        assert patient.step == "ob:time"
