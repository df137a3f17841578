"""A therapist sees and changes only their own patients; a patient never reaches a therapist
command; a pressed button or a typed id naming another therapist's patient, an expired or
used invite, or a forged callback changes nothing and is answered with a clear refusal."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from coachbot import access, enrolment, pauses, plans
from coachbot.db import tables
from coachbot.domain.vocabulary import Kind, Language, PatientStatus
from tests.conftest import Bot, Clock
from tests.conversations.flows import button_data, next_containing, therapist_with_patients
from tests.conversations.test_card_actions import (
    card_message,
    patient_user,
    plan_of,
    propose,
    tap_edit,
)
from tests.fakebot import FakeBotApi, FakeUser

WEBER = 5001  # her patients' Telegram ids are 500100, 500101, 500102
BECK = 5002  # his are 500200, 500201
NOT_YOURS = (
    "That patient is not linked to you, so nothing was shown or changed. /patients lists yours."
)
FOR_THERAPISTS = "This command is for therapists. /help shows what you can do."
FOR_PATIENTS = "This command is for patients. /help lists yours."


# --- helpers ---------------------------------------------------------------------------------


async def snapshot(bot: Bot) -> dict[str, Any]:
    """Everything a card action could change, for every patient and therapist."""
    state: dict[str, Any] = {}
    async with bot.uow() as uow:
        ids = (await uow.session.execute(select(tables.patient.c.id))).scalars().all()
        for pid in sorted(ids):
            patient = await uow.patients.get(pid)
            assert patient is not None
            state[f"patient {pid}"] = asdict(patient)
            state[f"plan {pid}"] = [asdict(i) for i in await uow.plans.for_patient(pid)]
            state[f"changes {pid}"] = [asdict(c) for c in await uow.plan_changes.for_patient(pid)]
            state[f"sessions {pid}"] = [asdict(s) for s in await uow.sessions.for_patient(pid)]
        for therapist in await uow.therapists.all():
            # (When the next summary is due is the dispatcher's bookkeeping.)
            state[f"therapist {therapist.id}"] = asdict(therapist) | {"next_summary_at": None}
        for table in (tables.invite, tables.alert, tables.report):
            count = select(func.count()).select_from(table)
            state[f"rows {table.name}"] = (await uow.session.execute(count)).scalar_one()
    return state


async def answer_to(fake: FakeBotApi, user: FakeUser, message: dict[str, Any], data: str) -> str:
    """Tap `data` on `message`; the bot's refusal, whether a pop-up alert or a chat message.
    Fails if the bot edited anything instead."""
    edits = len(fake.calls_to("editMessageText"))
    query = await fake.tap(user, message, data)
    answer = await fake.callback_answer(query)
    if answer.get("show_alert"):
        text = str(answer.get("text", ""))
    else:
        text = str((await fake.next_message(user.chat_id))["text"])
    assert len(fake.calls_to("editMessageText")) == edits, f"{data} edited a message"
    return text


async def reply_to(fake: FakeBotApi, user: FakeUser, text: str) -> dict[str, Any]:
    await fake.send(user, text)
    return await fake.next_message(user.chat_id)


def sent_to(fake: FakeBotApi, *chat_ids: int) -> int:
    return sum(len(fake.messages(chat_id)) for chat_id in chat_ids)


async def two_practices(
    fake: FakeBotApi, bot: Bot, clock: Clock
) -> tuple[FakeUser, FakeUser, list[int], list[int]]:
    """Dr. Weber with Anton (a proposal pending), Berta (paused) and Carl; Dr. Beck with
    Dora and Emil. Every patient's Telegram account exists, so any message to them shows."""
    weber = fake.user(WEBER, "Weber", "en")
    beck = fake.user(BECK, "Beck", "en")
    webers = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton", "Berta", "Carl"])
    becks = await therapist_with_patients(bot, beck, "Dr. Beck", ["Dora", "Emil"])
    for n, name in enumerate(["Anton", "Berta", "Carl"]):
        patient_user(fake, weber, n, name)
    for n, name in enumerate(["Dora", "Emil"]):
        patient_user(fake, beck, n, name)
    await propose(bot, webers[0], clock())
    async with bot.uow() as uow:
        berta = await uow.patients.get(webers[1])
        assert berta is not None
        await pauses.pause(uow, await access.patient_of(uow, berta.telegram_user_id), None, clock())
        await uow.commit()
    return weber, beck, webers, becks


def patient_chats(therapist: FakeUser, count: int) -> list[int]:
    return [therapist.id * 100 + n for n in range(count)]


# --- another therapist's patient ----------------------------------------------------------------


async def test_every_card_button_naming_another_therapists_patient_is_refused(
    fake: FakeBotApi, bot: Bot, clock: Clock, subtests: pytest.Subtests
) -> None:
    weber, beck, webers, _becks = await two_practices(fake, bot, clock)
    anton, berta = webers[0], webers[1]
    catalogue = bot.services.catalogue
    async with bot.uow() as uow:
        patient = await uow.patients.get(anton)
        assert patient is not None
        items = await uow.plans.for_patient(anton)
        [change] = await uow.plan_changes.for_patient(anton)
    item = items[0]
    kind = catalogue.exercises[item.exercise_id].kinds[0]
    swap_to = plans.candidates(catalogue, patient, items, kind)[0]
    addable = plans.candidates(catalogue, patient, items, Kind.STRENGTH)[0]
    forged = [
        f"card:{anton}",
        f"pc:{anton}",
        f"plan:{anton}",
        f"item:{anton}:{item.id}",
        f"dose:{anton}:{item.id}:sets:u",
        f"dose:{anton}:{item.id}:sets:d",
        f"rm:{anton}:{item.id}",
        f"swap:{anton}:{item.id}",
        f"sw:{anton}:{item.id}:{swap_to}",
        f"addk:{anton}",
        f"addk:{anton}:strength",
        f"add:{anton}:{addable}",
        f"lock:{anton}:y",
        f"lock:{anton}:n",
        f"prop:{anton}:{change.id}:a",
        f"prop:{anton}:{change.id}:r",
        f"ptime:{anton}",
        f"ptime:{anton}:0700",
        f"ppause:{anton}",
        f"ppause:{anton}:7",
        f"ppause:{anton}:open",
        f"presume:{berta}",
        f"msg:{anton}",
        f"msg:{anton}:x",
        f"unl:{anton}",
        f"unl:{anton}:y",
    ]
    families = {data.split(":")[0] for data in forged}
    assert families == {
        *("card", "pc", "plan", "item", "dose", "rm", "swap", "sw", "addk", "add", "lock"),
        *("prop", "ptime", "ppause", "presume", "msg", "unl"),
    }
    # Beck forges the taps on his own roster, the only place he can tap.
    roster = await reply_to(fake, beck, "/patients")
    assert "Anton" not in roster["text"] and "Dora" in roster["text"]
    before = await snapshot(bot)
    chats = [weber.chat_id, *patient_chats(weber, 3), *patient_chats(beck, 2)]
    for data in forged:
        with subtests.test(data=data):
            assert await answer_to(fake, beck, roster, data) == NOT_YOURS
            assert await snapshot(bot) == before
            assert sent_to(fake, *chats) == 0
    # Afterwards Beck's typed text goes to no one (no "message" step was set).
    assert "Please use a command" in (await reply_to(fake, beck, "Hello Anton"))["text"]
    assert sent_to(fake, *chats) == 0


async def test_a_typed_id_of_another_therapists_patient_or_of_no_one_is_refused(
    fake: FakeBotApi, bot: Bot, clock: Clock
) -> None:
    _weber, beck, webers, becks = await two_practices(fake, bot, clock)
    before = await snapshot(bot)
    for pid in (*webers, max(*webers, *becks) + 1, 999_999):
        reply = await reply_to(fake, beck, f"/patient {pid}")
        assert reply["text"] == NOT_YOURS
        assert "reply_markup" not in reply
    # One refusal each, no chart and no card.
    assert len(fake.messages(beck.chat_id)) == len(webers) + 2
    assert await snapshot(bot) == before
    # His own patient he does see.
    card = await card_message(fake, beck, becks[0])
    assert card["text"].startswith(f"Dora (#{becks[0]})")
    await fake.send(beck, "/patients")
    roster = await fake.next_message(beck.chat_id)
    assert {d for d in button_data(roster) if d.startswith("card:")} == {
        f"card:{pid}" for pid in becks
    }


async def test_an_item_of_another_patient_of_the_same_therapist_changes_nothing(
    fake: FakeBotApi, bot: Bot, clock: Clock
) -> None:
    weber, _beck, webers, _becks = await two_practices(fake, bot, clock)
    anton, carl = webers[0], webers[2]
    catalogue = bot.services.catalogue
    async with bot.uow() as uow:
        patient = await uow.patients.get(anton)
        assert patient is not None
        antons = await uow.plans.for_patient(anton)
        [change] = await uow.plan_changes.for_patient(anton)
    carls_item = (await plan_of(bot, carl))[0]
    kind = catalogue.exercises[carls_item.exercise_id].kinds[0]
    swap_to = plans.candidates(catalogue, patient, antons, kind)[0]
    card = await card_message(fake, weber, carl)  # Carl's card, naming Anton's records
    before = await snapshot(bot)
    for data in (
        f"item:{carl}:{antons[0].id}",
        f"dose:{carl}:{antons[0].id}:sets:u",
        f"dose:{carl}:{antons[0].id}:reps:d",
        f"rm:{carl}:{antons[0].id}",
        f"swap:{carl}:{antons[0].id}",
        f"sw:{carl}:{antons[0].id}:{swap_to}",
        f"prop:{carl}:{change.id}:a",
        f"prop:{carl}:{change.id}:r",
    ):
        text = await answer_to(fake, weber, card, data)
        assert text, data
        assert await snapshot(bot) == before, data
    assert sent_to(fake, *patient_chats(weber, 3)) == 0


async def test_removing_an_exercise_already_removed_is_not_refused_as_the_last_three(
    fake: FakeBotApi, bot: Bot
) -> None:
    """Two cards of Anton open; the exercise shown in one is removed in the other. Its
    buttons change nothing, and the refusal must not claim the plan is down to three
    exercises: it has thirteen, the exercise is simply gone."""
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    item = (await plan_of(bot, anton))[0]
    first = await card_message(fake, weber, anton)
    await tap_edit(fake, weber, first, f"item:{anton}:{item.id}")
    second = await card_message(fake, weber, anton)
    await tap_edit(fake, weber, second, f"rm:{anton}:{item.id}")
    assert len(await plan_of(bot, anton)) > 3
    before = await snapshot(bot)
    text = await answer_to(fake, weber, first, f"dose:{anton}:{item.id}:sets:u")
    assert "nothing was changed" in text
    text = await answer_to(fake, weber, first, f"rm:{anton}:{item.id}")
    assert await snapshot(bot) == before
    assert "at least three" not in text, text


async def test_a_forged_swap_to_another_kind_of_exercise_changes_nothing(
    fake: FakeBotApi, bot: Bot
) -> None:
    """The swap menu offers exercises of the same kind only; a forged choice of another
    kind (a warm-up replaced by a strength exercise) must not get through either."""
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    catalogue = bot.services.catalogue
    async with bot.uow() as uow:
        patient = await uow.patients.get(anton)
        assert patient is not None
        items = await uow.plans.for_patient(anton)
    warm_up = next(
        i for i in items if catalogue.exercises[i.exercise_id].kinds[0] == "mobilization"
    )
    strength = plans.candidates(catalogue, patient, items, Kind.STRENGTH)[0]
    card = await card_message(fake, weber, anton)
    before = await snapshot(bot)
    query = await fake.tap(weber, card, f"sw:{anton}:{warm_up.id}:{strength}")
    await fake.callback_answer(query)  # the bot has committed whatever it did
    plan = [i.exercise_id for i in await plan_of(bot, anton)]
    assert plan == [i.exercise_id for i in items], f"{warm_up.exercise_id} became {strength}"
    assert await snapshot(bot) == before
    assert "Nothing was changed" in (await fake.next_message(weber.chat_id))["text"]


# --- patients and therapist commands ---------------------------------------------------------


async def test_a_patient_never_reaches_a_therapist_command(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    patient = patient_user(fake, weber, 0, "Anton")
    before = await snapshot(bot)
    commands = ["/patients", "/patient 1", f"/patient {anton}", "/summary", "/export", "/invite"]
    for user in (patient, anna):  # a linked patient, and someone not enrolled at all
        for command in commands:
            assert (await reply_to(fake, user, command))["text"] == FOR_THERAPISTS, command
        assert len(fake.messages(user.chat_id)) == len(commands)  # and nothing else
    assert await snapshot(bot) == before  # no invite, no therapist, nothing changed
    assert fake.messages(weber.chat_id) == []


async def test_a_patient_forging_card_buttons_changes_nothing(
    fake: FakeBotApi, bot: Bot, clock: Clock
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    patient = patient_user(fake, weber, 0, "Anton")
    change = await propose(bot, anton, clock())
    item = (await plan_of(bot, anton))[0]
    help_message = await reply_to(fake, patient, "/help")
    before = await snapshot(bot)
    for data in (
        f"card:{anton}",
        f"plan:{anton}",
        f"dose:{anton}:{item.id}:sets:u",
        f"rm:{anton}:{item.id}",
        f"lock:{anton}:y",
        f"prop:{anton}:{change.id}:a",
        f"ptime:{anton}:0600",
        f"ppause:{anton}:open",
        f"msg:{anton}",
        f"unl:{anton}:y",
    ):
        assert await answer_to(fake, patient, help_message, data) == FOR_THERAPISTS, data
    assert await snapshot(bot) == before
    assert fake.messages(weber.chat_id) == []


async def test_a_therapist_using_a_patient_command_gets_a_clear_answer(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    before = await snapshot(bot)
    commands = ["/today", "/plan", "/progress", "/pause", "/resume", "/settings", "/mydata"]
    for command in [*commands, "/delete"]:
        assert (await reply_to(fake, weber, command))["text"] == FOR_PATIENTS, command
    assert len(fake.messages(weber.chat_id)) == len(commands) + 1  # and nothing else
    assert await snapshot(bot) == before


# --- an erased patient, an unlinked one ----------------------------------------------------


async def test_an_erased_patient_leaves_the_roster_and_their_old_card_refuses(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    anton, _berta = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton", "Berta"])
    patient = patient_user(fake, weber, 0, "Anton")
    card = await card_message(fake, weber, anton)
    roster = await reply_to(fake, weber, "/patients")
    assert f"card:{anton}" in button_data(roster)

    confirm = await reply_to(fake, patient, "/delete")
    await fake.tap(patient, confirm, "del:yes")
    assert "Everything is deleted" in (await fake.next_edit(patient.chat_id))["text"]
    async with bot.uow() as uow:
        assert await uow.patients.get(anton) is None

    now = await reply_to(fake, weber, "/patients")
    assert "Anton" not in now["text"] and "Berta" in now["text"]
    assert f"card:{anton}" not in button_data(now)
    before = await snapshot(bot)
    for message, data in (
        (roster, f"card:{anton}"),
        (card, f"plan:{anton}"),
        (card, f"ptime:{anton}:0700"),
        (card, f"msg:{anton}"),
        (card, f"unl:{anton}:y"),
    ):
        assert await answer_to(fake, weber, message, data) == NOT_YOURS, data
    assert (await reply_to(fake, weber, f"/patient {anton}"))["text"] == NOT_YOURS
    assert await snapshot(bot) == before


async def test_an_unlinked_patients_old_card_refuses(fake: FakeBotApi, bot: Bot) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    patient_user(fake, weber, 0, "Anton")
    old = await card_message(fake, weber, anton)
    card = await card_message(fake, weber, anton)
    await tap_edit(fake, weber, card, f"unl:{anton}:y")
    before = await snapshot(bot)
    for data in (f"plan:{anton}", f"lock:{anton}:y", f"ppause:{anton}:7", f"unl:{anton}:y"):
        assert await answer_to(fake, weber, old, data) == NOT_YOURS, data
    assert await snapshot(bot) == before


# --- invites (used and expired ones at /start are in test_invites.py) --------------------------


async def enrolled_alone(bot: Bot, user: FakeUser, now: datetime) -> int:
    """An enrolled patient without a therapist; returns the record id."""
    async with bot.uow() as uow:
        patient = await enrolment.consent(
            uow,
            telegram_user_id=user.id,
            chat_id=user.id,
            language=Language.EN,
            timezone="Europe/Berlin",
            first_step="ob:days",
            now=now,
            display_name=user.first_name,
        )
        await enrolment.finish_enrolment(uow, patient, bot.services.catalogue, now)
        await uow.commit()
        assert patient.id is not None
        return patient.id


async def invite_code(fake: FakeBotApi, therapist: FakeUser) -> str:
    await fake.send(therapist, "/invite")
    caption = str((await fake.next_message(therapist.chat_id))["caption"])
    link = next(word for word in caption.split() if word.startswith("https://t.me/"))
    return link.split("=", 1)[1]


async def test_an_expired_invite_at_start_links_no_one(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    await therapist_with_patients(bot, weber, "Dr. Weber", [])
    code = await invite_code(fake, weber)
    clock.advance(days=14)  # valid for 14 days: now it has run out
    reply = await reply_to(fake, anna, f"/start {code}")
    assert "invite link is not valid any more" in reply["text"]
    welcome = await fake.next_message(anna.chat_id)
    assert "consent:en:yes" in button_data(welcome)
    assert not any(code in data for data in button_data(welcome))
    await fake.tap(anna, welcome, "consent:en:yes")
    await fake.next_edit(anna.chat_id)
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
        invite = await uow.invites.by_code(code)
    assert patient is not None and patient.therapist_id is None
    assert invite is not None and invite.used_by is None
    assert not any("linked to you" in m.get("text", "") for m in fake.messages(weber.chat_id))


@pytest.mark.parametrize("how", ["expired", "used"])
async def test_an_invite_that_lapses_before_the_patient_confirms_links_no_one(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser, how: str
) -> None:
    """An enrolled patient is asked "link to Dr. Weber?"; before they tap Yes the invite
    expires, or someone else uses it."""
    weber = fake.user(WEBER, "Weber", "en")
    await therapist_with_patients(bot, weber, "Dr. Weber", [])
    anna_id = await enrolled_alone(bot, anna, clock())
    code = await invite_code(fake, weber)
    question = await reply_to(fake, anna, f"/start {code}")
    assert "Dr. Weber invites you" in question["text"]
    bernd = fake.user(1002, "Bernd", "en")
    bernd_id = None
    if how == "expired":
        clock.advance(days=14)
    else:
        bernd_id = await enrolled_alone(bot, bernd, clock())
        other = await reply_to(fake, bernd, f"/start {code}")
        await fake.tap(bernd, other, f"link:{code}:y")
        assert "now linked with Dr. Weber" in (await fake.next_message(bernd.chat_id))["text"]
    await fake.tap(anna, question, f"link:{code}:y")
    # (Two weeks on, the dispatcher may be sending Anna her sessions meanwhile.)
    reply = await next_containing(fake, anna, "invite link")
    assert reply["text"] == (
        "This invite link is not valid any more. Please ask your therapist for a new one."
    )
    async with bot.uow() as uow:
        patient = await uow.patients.get(anna_id)
        invite = await uow.invites.by_code(code)
    assert patient is not None and patient.therapist_id is None
    assert patient.status == PatientStatus.ACTIVE
    assert invite is not None and invite.used_by == bernd_id
    assert not any("Anna" in m.get("text", "") for m in fake.messages(weber.chat_id))


async def test_a_forged_link_button_with_an_unknown_code_links_no_one(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    await therapist_with_patients(bot, weber, "Dr. Weber", [])
    anna_id = await enrolled_alone(bot, anna, clock())
    message = await reply_to(fake, anna, "/help")
    text = await answer_to(fake, anna, message, "link:NotARealInviteCode123:y")
    assert "invite link is not valid any more" in text
    async with bot.uow() as uow:
        patient = await uow.patients.get(anna_id)
    assert patient is not None and patient.therapist_id is None
    assert fake.messages(weber.chat_id) == []
