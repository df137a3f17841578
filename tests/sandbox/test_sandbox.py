"""`coachbot sandbox` in-process: its JSON API as the page uses it, and a week of training
lived through by moving its clock (session, report, next-morning check, missed day,
silence alert, weekly summary)."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import select

from coachbot.botapi import FakeBotApi, FakeUser
from coachbot.db import tables
from coachbot.domain.vocabulary import SessionState
from coachbot.sandbox.people import Person
from coachbot.sandbox.run import Options, Running, sandbox
from tests.conversations.flows import enrol, report_data

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
async def running() -> AsyncIterator[Running]:
    async with sandbox(Options(port=0, open_browser=False)) as started:
        yield started


@pytest.fixture
async def page(running: Running) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(running.url) as client:
        yield client


def person(running: Running, role: str) -> Person:
    return next(p for p in running.people if p.role == role)


async def post(client: aiohttp.ClientSession, path: str, body: Any) -> tuple[int, Any]:
    async with client.post(path, json=body) as response:
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.text()


async def move(client: aiohttp.ClientSession, to: str) -> datetime:
    status, answer = await post(client, "/api/clock", {"to": to})
    assert status == 200, answer
    return datetime.fromisoformat(answer["now"])


async def session_states(running: Running) -> list[SessionState]:
    async with running.services.read() as uow:
        rows = await uow.session.execute(
            select(tables.session.c.state).order_by(tables.session.c.local_date)
        )
        return [SessionState(state) for state in rows.scalars()]


async def test_the_page_starts_with_a_signed_up_therapist_and_a_patient_to_start(
    running: Running, page: aiohttp.ClientSession
) -> None:
    async with page.get("/") as response:
        assert response.status == 200 and "Coachbot sandbox" in await response.text()
    async with page.get("/api/state") as response:
        state = await response.json()
    therapist, patient = state["people"]
    assert therapist["role"] == "therapist" and therapist["name"] == "Dr. Lena Berg"
    assert therapist["messages"][0]["text"].startswith("/start ")  # the sign-up link, followed
    assert "Welcome, Dr. Lena Berg!" in therapist["messages"][1]["text"]
    assert [c["command"] for c in therapist["commands"]][:2] == ["patients", "patient"]
    assert patient == {**patient, "name": "Anna", "role": "patient", "messages": []}
    assert "today" in [c["command"] for c in patient["commands"]]

    # A long poll answers once something changes: here, the patient writing.
    async def changed(version: str) -> dict[str, Any]:
        async with page.get(f"/api/state?after={version}") as response:
            assert response.status == 200
            fresh: dict[str, Any] = await response.json()
            return fresh

    waiting = asyncio.create_task(changed(state["version"]))
    status, _ = await post(page, "/api/send", {"person": patient["id"], "text": "/start"})
    assert status == 200
    seen = await asyncio.wait_for(waiting, 5)
    while not seen["people"][1]["messages"]:  # an earlier change (the bot polling) came first
        seen = await asyncio.wait_for(changed(seen["version"]), 5)
    assert seen["people"][1]["messages"][0] == {
        **seen["people"][1]["messages"][0],
        "text": "/start",
        "mine": True,
    }
    welcome = await running.api.next_message(patient["id"])
    assert "Welcome to Coachbot" in welcome["text"]


async def test_the_api_refuses_what_no_telegram_app_could_send(
    running: Running, page: aiohttp.ClientSession
) -> None:
    anna = person(running, "patient")
    async with page.post("/api/send", data="person=600001&text=hi") as form:
        assert form.status == 415  # not JSON: another site's form cannot act here
    assert (await post(page, "/api/send", {"person": 1, "text": "hi"}))[0] == 404
    assert (await post(page, "/api/send", {"person": anna.id, "text": "  "}))[0] == 400
    location = {"person": anna.id, "latitude": 95, "longitude": 10}
    assert (await post(page, "/api/location", location))[0] == 400
    tap = {"person": anna.id, "message_id": 99, "data": "walk:1:1"}
    assert (await post(page, "/api/tap", tap))[0] == 404
    assert (await post(page, "/api/clock", {"to": "yesterday"}))[0] == 400
    status, answer = await post(page, "/api/clock", {"to": "session"})
    assert (status, answer) == (409, {"error": "no_session"})  # nobody enrolled yet
    status, answer = await post(page, "/api/people", {"name": " ", "language": "de"})
    assert status == 400 and "name" in answer
    status, added = await post(page, "/api/people", {"name": "Bernd", "language": "de"})
    assert status == 201 and added["language"] == "de"
    assert running.api.chat_history(anna.id) == []  # nothing reached the bot
    assert not running.api.calls_to("answerCallbackQuery")


async def test_a_week_in_minutes_session_report_morning_missed_day_silence_and_summary(
    running: Running, page: aiohttp.ClientSession
) -> None:
    api = running.api
    lena, anna = person(running, "therapist"), person(running, "patient")
    api.drain(lena.id)
    await enrol(api, anna.user, time="18:00")
    # The therapist's invite, opened by the patient.
    await post(page, "/api/send", {"person": lena.id, "text": "/invite"})
    invite = await next_with(api, lena.user, "Invite for one new patient")
    code = invite["caption"].split("start=")[1].split()[0]
    await post(page, "/api/send", {"person": anna.id, "text": f"/start {code}"})
    question = await next_with(api, anna.user, "Link your account?")
    status, _ = await post(
        page,
        "/api/tap",
        {"person": anna.id, "message_id": question["message_id"], "data": button(question, "Yes")},
    )
    assert status == 200
    await next_with(api, lena.user, "Anna is now linked")

    # To the next session: it arrives at 18:00 Berlin time, the clock stopping there.
    now = await move(page, "session")
    assert now.astimezone(BERLIN).time().replace(second=0, microsecond=0) == time(18, 0)
    session = await next_with(api, anna.user, "Your training for")
    status, _ = await post(
        page,
        "/api/tap",
        {
            "person": anna.id,
            "message_id": session["message_id"],
            "data": report_data(session, "done"),
        },
    )
    pain = await next_with(api, anna.user, "How much does your back hurt right now?")
    await post(
        page,
        "/api/tap",
        {"person": anna.id, "message_id": pain["message_id"], "data": button(pain, "3")},
    )

    # A day later: the next-morning check came at 09:00, then the day's session at 18:00.
    before = now
    now = await move(page, "day")
    assert (now - before).total_seconds() >= 24 * 3600
    morning = await next_with(api, anna.user, "How is your back this morning")
    assert datetime.fromtimestamp(morning["date"], UTC).astimezone(BERLIN).hour == 9
    second = await next_with(api, anna.user, "Your training for")
    assert second["message_id"] > morning["message_id"]

    # Unanswered, that session's day ends as missed on the way to the next session.
    now = await move(page, "session")
    third = await next_with(api, anna.user, "Your training for")
    assert third["message_id"] > second["message_id"]
    assert (await session_states(running))[:3] == [
        SessionState.DONE,
        SessionState.MISSED,
        SessionState.SENT,
    ]

    # No report for days: the therapist hears of the silence.
    await move(page, "day")
    await move(page, "day")
    await next_with(api, lena.user, "Anna has sent no report for 3 days")

    # Next Monday 07:30: the weekly summary.
    now = await move(page, "monday")
    local = now.astimezone(BERLIN)
    assert (local.weekday(), local.hour, local.minute) == (0, 7, 30)
    summary = await next_with(api, lena.user, "Your weekly summary")
    assert "Anna" in (summary.get("text") or summary.get("caption") or "")


async def next_with(api: FakeBotApi, user: FakeUser, text: str) -> dict[str, Any]:
    """The next bot message to `user` whose text or caption contains `text`."""
    while True:
        message = await api.next_message(user.chat_id, timeout=30)
        if text in (message.get("text") or message.get("caption") or ""):
            return message


def button(message: dict[str, Any], label: str) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        for candidate in row:
            if label in candidate["text"]:
                data: str = candidate["callback_data"]
                return data
    raise AssertionError(f"no button {label!r}: {message['reply_markup']}")


async def test_a_taken_port_is_said_in_one_line_with_what_to_do(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "coachbot",
            "sandbox",
            "--port",
            str(port),
            "--no-browser",
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 1
    assert err.decode().strip() == (
        f"coachbot: the sandbox's page cannot use port {port} (in use); try another one, "
        f"e.g. `coachbot sandbox --port {port + 1}`."
    )
    assert "Coachbot sandbox:" not in out.decode()
