"""Becoming a therapist: `coachbot therapist add` prints a single-use deep link."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.conftest import Bot
from tests.conversations.flows import enrol
from tests.fakebot import FakeBotApi, FakeUser


async def coachbot(
    fake: FakeBotApi, database_url: str, cwd: Path, *args: str
) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env |= {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_URL": database_url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "coachbot",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_operator_adds_a_therapist_who_signs_up_with_the_link(
    fake: FakeBotApi, bot: Bot, database_url: str, anna: FakeUser, tmp_path: Path
) -> None:
    code, out, err = await coachbot(
        fake, database_url, tmp_path, "therapist", "add", "Dr. Anna Weber"
    )
    assert code == 0, err
    link = out.strip().splitlines()[-1]
    assert link.startswith("https://t.me/coachbot_test_bot?start=")
    signup = link.split("=", 1)[1]
    assert len(signup) >= 16  # at least 96 random bits

    weber = fake.user(3001, "Anna", "de")
    await fake.send(weber, f"/start {signup}")
    welcome = await fake.next_message(weber.chat_id)
    assert "Dr. Anna Weber" in welcome["text"] and "Therapeut" in welcome["text"]
    # Their chat gets the therapist commands (in their language); patients keep theirs.
    menu = fake.commands_by_scope[f"chat:{weber.chat_id}"]
    assert [c["command"] for c in next(iter(menu.values()))] == [
        "patients",
        "patient",
        "summary",
        "invite",
        "export",
        "help",
    ]
    assert "today" in [c["command"] for c in fake.commands_by_scope["default"][""]]
    await fake.send(weber, "/start")
    assert "Dr. Anna Weber" in (await fake.next_message(weber.chat_id))["text"]

    # The link is single-use: someone else gets the clear "not valid" answer.
    other = fake.user(3002, "Eve", "en")
    await fake.send(other, f"/start {signup}")
    assert "not valid" in (await fake.next_message(other.chat_id))["text"]

    code, out, _err = await coachbot(fake, database_url, tmp_path, "therapist", "list")
    assert code == 0 and "Dr. Anna Weber" in out and "signed up" in out
    therapist_id = out.split()[0]
    code, out, _err = await coachbot(
        fake, database_url, tmp_path, "therapist", "remove", therapist_id
    )
    assert code == 0
    code, out, _err = await coachbot(fake, database_url, tmp_path, "therapist", "list")
    assert "0 therapist(s)" in out
    code, _out, err = await coachbot(fake, database_url, tmp_path, "therapist", "remove", "999")
    assert code == 1 and "999" in err


async def test_a_patient_cannot_become_a_therapist_with_the_same_account(
    fake: FakeBotApi, bot: Bot, database_url: str, anna: FakeUser, tmp_path: Path
) -> None:
    await enrol(fake, anna)
    code, out, err = await coachbot(fake, database_url, tmp_path, "therapist", "add", "Dr. Beck")
    assert code == 0, err
    signup = out.strip().splitlines()[-1].split("=", 1)[1]
    await fake.send(anna, f"/start {signup}")
    reply = await fake.next_message(anna.chat_id)
    assert "another role" in reply["text"]
    code, out, _err = await coachbot(fake, database_url, tmp_path, "therapist", "list")
    assert "sign-up link not used yet" in out
