"""Each update reads who sent it once, for its handler and the error handler alike, and
buttons naming records no database could hold are answered like any stale button.

Counted in SQL statements on the bot's own engine: what a busy practice pays per tap."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import greenlet
import pytest
from sqlalchemy import event

from tests.conftest import Bot, Clock
from tests.conversations.flows import enrol, therapist_with_patients
from tests.conversations.test_card_actions import WEBER, card_message, plan_of, planned
from tests.conversations.test_card_authorisation import answer_to
from tests.conversations.test_checkin import session_message
from tests.fakebot import FakeBotApi, FakeUser

DISPATCHER = {"dispatch.py", "chores.py", "delivery.py"}
STALE = "This button is no longer valid. Send /today or /help."
# How a person is found: by their Telegram account.
BY_ACCOUNT = re.compile(r"FROM (patient|therapist)\s+WHERE \w+\.telegram_user_id = ", re.I)
PLAN = re.compile(r"FROM plan_item\s+WHERE plan_item\.patient_id = ", re.I)
BY_ID = re.compile(r"FROM patient\s+WHERE patient\.id = ", re.I)


@contextmanager
def statements(bot: Bot) -> Iterator[list[str]]:
    """The SQL the bot runs meanwhile (its own engine: writes and reads alike)."""
    engine = bot.services.sessions.kw["bind"]
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # The dispatcher shares the engine and may record a delivery meanwhile: not the tap's.
        if not DISPATCHER & set(_callers()):
            seen.append(" ".join(statement.split()))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


def _callers() -> list[str]:
    """The modules awaiting this statement: SQLAlchemy runs it in a greenlet, whose parent
    is suspended in the coroutines that asked for it."""
    frame = greenlet.getcurrent().parent.gr_frame
    names = []
    while frame is not None:
        names.append(Path(frame.f_code.co_filename).name)
        frame = frame.f_back
    return names


def matching(seen: list[str], pattern: re.Pattern[str]) -> list[str]:
    return [statement for statement in seen if pattern.search(statement)]


async def test_a_done_tap_reads_the_patient_once(
    fake: FakeBotApi, bot: Bot, clock: Clock, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    clock.advance(hours=9)
    message = await session_message(fake, anna)
    with statements(bot) as seen:
        await fake.tap_button(anna, message, "Done")
        assert "How much does your back hurt" in (await fake.next_message(anna.chat_id))["text"]
    assert len(matching(seen, BY_ACCOUNT)) == 1
    assert not matching(seen, BY_ID)


async def test_a_dose_change_reads_the_therapist_once_the_patient_and_the_plan_twice(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    [session] = await planned(bot, anton)
    today = {e.exercise_id for e in session.exercises}
    item = next(i for i in await plan_of(bot, anton) if i.exercise_id in today and i.reps)
    card = await card_message(fake, weber, anton)
    with statements(bot) as seen:
        query = await fake.tap(weber, card, f"dose:{anton}:{item.id}:sets:u")
        assert (await fake.callback_answer(query)).get("text") == "Dose changed."
        assert "✅ Dose changed." in (await fake.next_edit(weber.chat_id))["text"]
    # The therapist by account once (the patient table first: they might be a patient);
    # their patient once to change the dose and once more to show it, in a read-only
    # transaction after the change was committed.
    assert len(matching(seen, BY_ACCOUNT)) == 2
    assert len(matching(seen, BY_ID)) == 2
    # The plan once to change it (its unsent session rebuilt from that same read), once
    # to show it: ten statements in all where there were fifteen.
    assert len(matching(seen, PLAN)) == 2
    assert len(seen) <= 10


async def test_the_error_handler_does_not_look_the_person_up_again(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    card = await card_message(fake, weber, anton)
    with statements(bot) as seen:
        answer = await answer_to(fake, weber, card, f"lock:{anton + 1000}:y")
    assert "not linked to you" in answer
    assert len(matching(seen, BY_ACCOUNT)) == 2  # patient table, then therapist table


@pytest.mark.parametrize(
    "forged",
    ["lock:{pid}0000000000000000000:y", "lock:१:y", "dose:{pid}:١:sets:u", "card:{pid}\n"],
)
async def test_ids_no_database_holds_are_answered_as_stale_buttons(
    fake: FakeBotApi, bot: Bot, caplog: pytest.LogCaptureFixture, forged: str
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    card = await card_message(fake, weber, anton)
    with caplog.at_level(logging.INFO):
        assert await answer_to(fake, weber, card, forged.format(pid=anton)) == STALE
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    async with bot.uow() as uow:
        patient = await uow.patients.get(anton)
    assert patient is not None and not patient.plan_locked


async def test_a_patient_tapping_a_forged_card_button_is_refused_without_a_second_look(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    welcome = fake.messages(anna.chat_id)[-1]
    with statements(bot) as seen:
        answer = await answer_to(fake, anna, welcome, "pc:1")
    assert "This command is for therapists" in answer or "not for you" in answer
    assert len(matching(seen, BY_ACCOUNT)) == 1
