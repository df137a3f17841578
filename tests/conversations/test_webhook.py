"""`coachbot run --webhook` as an operator runs it behind a TLS-terminating proxy: the real
process against the fake Bot API, which sets the webhook, posts the updates people send
to it (playing the proxy too) and checks the secret, as Telegram does."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from coachbot.app import ALLOWED_UPDATES
from coachbot.botapi import GET_UPDATES_CONFLICT, SECRET_HEADER
from coachbot.db import tables
from coachbot.db.engine import create_engine
from tests import databases
from tests.botprocess import BotProcess
from tests.conftest import wait_for
from tests.fakebot import FakeBotApi

SECRET = "s3cret_Webhook-token_0123456789"
PUBLIC_URL = "https://bot.example.org/telegram/updates"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


def webhook_process(fake: FakeBotApi, url: str, tmp_path: Path, **env: str) -> BotProcess:
    """A `coachbot run --webhook` on a free port, the fake's "proxy" forwarding to it."""
    port = free_port()
    fake.webhook.route_to(f"http://127.0.0.1:{port}")
    settings = {
        "WEBHOOK_URL": PUBLIC_URL,
        "WEBHOOK_SECRET": SECRET,
        "PORT": str(port),
        "LISTEN": "127.0.0.1",
        **env,
    }
    return BotProcess(fake, url, tmp_path, webhook=True, **settings)


def local(bot: BotProcess, path: str) -> str:
    return f"http://127.0.0.1:{bot.env['PORT']}{path}"


async def started(fake: FakeBotApi, bot: BotProcess) -> None:
    await bot.start()
    await fake.wait_until(
        lambda: bool(fake.webhook.url and fake.commands.get("de")), timeout=30, what="webhook set"
    )


async def status(http: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, Any]]:
    async with http.get(url) as answer:
        return answer.status, await answer.json()


async def patients(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return int(
                (
                    await connection.execute(select(func.count()).select_from(tables.patient))
                ).scalar_one()
            )
    finally:
        await engine.dispose()


async def test_webhook_answers_people_and_refuses_posts_without_the_secret(
    fake: FakeBotApi, database_url: str, tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    bot = webhook_process(fake, database_url, tmp_path)
    await started(fake, bot)
    try:
        registered = fake.calls_to("setWebhook")[-1].params
        assert registered["url"] == PUBLIC_URL
        assert registered["secret_token"] == SECRET
        assert registered["allowed_updates"] == ALLOWED_UPDATES
        assert registered.get("drop_pending_updates") in (None, False)
        assert not fake.calls_to("getUpdates"), "a webhook process must not poll"
        # As on Telegram, polling while a webhook is set is refused.
        async with http.post(f"{fake.base_url}/bot{fake.token}/getUpdates") as refused:
            assert refused.status == 409
            assert (await refused.json())["description"] == GET_UPDATES_CONFLICT

        olga = fake.user(3001, "Olga", "en")
        await fake.send(olga, "/start")
        welcome = await fake.next_message(olga.chat_id, timeout=15)
        assert "Welcome" in welcome["text"]

        # Someone who found the address forges Olga's consent: without the right secret
        # it is refused, and the bot neither answers nor stores anything.
        forged = {
            "update_id": 1,
            "callback_query": {
                "id": "1",
                "from": olga.to_api(),
                "message": welcome,
                "chat_instance": "1",
                "data": "consent:en:yes",
            },
        }
        for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}):
            async with http.post(
                local(bot, "/telegram/updates"), json=forged, headers=headers
            ) as a:
                assert a.status == 403
        # Olga's own tap, delivered by Telegram after the forgeries, is what she sees.
        await fake.tap_button(olga, welcome, "No, thank you")
        assert "stored nothing" in (await fake.next_edit(olga.chat_id, timeout=15))["text"]
        assert len(fake.messages(olga.chat_id)) == 1
        assert await patients(database_url) == 0
        assert not fake.webhook.refused(), "Telegram's own posts must be accepted"

        assert await status(http, local(bot, "/healthz")) == (200, {"alive": True})
        assert await status(http, local(bot, "/readyz")) == (200, {"ready": True, "reason": "ok"})
    finally:
        assert await bot.stop() == 0, bot.log
    assert SECRET not in bot.log and fake.token not in bot.log
    assert "Traceback" not in bot.log, bot.log
    # Stopping leaves the webhook set: Telegram keeps what arrives until the next start.
    assert fake.webhook.url == PUBLIC_URL


async def test_readyz_fails_while_the_database_is_unreachable(
    fake: FakeBotApi, database_backend: str, tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    url = databases.fresh_database(database_backend, folder)
    bot = webhook_process(fake, url, tmp_path)
    await started(fake, bot)
    ready = local(bot, "/readyz")
    try:
        await wait_for(lambda: _answers(http, ready, 200), timeout=10)
        _unreachable(url, folder, True)
        try:
            await wait_for(lambda: _answers(http, ready, 503), timeout=10)
            _code, body = await status(http, ready)
            assert body["ready"] is False and body["reason"].startswith("database")
            assert (await status(http, local(bot, "/healthz")))[0] == 200  # alive all along
        finally:
            _unreachable(url, folder, False)
        await wait_for(lambda: _answers(http, ready, 200), timeout=10)
    finally:
        assert await bot.stop() == 0, bot.log
        databases.drop_database(url)


async def _answers(http: aiohttp.ClientSession, url: str, code: int) -> bool:
    return (await status(http, url))[0] == code


def _unreachable(url: str, folder: Path, cut: bool) -> None:
    """PostgreSQL refuses new connections to the database; SQLite's folder is moved away
    (open connections keep their files, new ones find none, and none is created)."""
    if databases.is_postgres(url):
        databases.accept_connections(url, not cut)
    elif cut:
        folder.rename(folder.with_name("data-away"))
    else:
        folder.with_name("data-away").rename(folder)


async def test_switching_back_to_polling_deletes_the_webhook_and_loses_nothing(
    fake: FakeBotApi, database_url: str, tmp_path: Path
) -> None:
    hooked = webhook_process(fake, database_url, tmp_path)
    await started(fake, hooked)
    assert await hooked.stop() == 0, hooked.log
    # Written while no process runs: Telegram holds it for the webhook.
    olga = fake.user(3002, "Olga", "en")
    await fake.send(olga, "/start")
    assert fake.pending_updates == 1

    polling = BotProcess(fake, database_url, tmp_path)
    await polling.start()
    try:
        welcome = await fake.next_message(olga.chat_id, timeout=30)
        assert "Welcome" in welcome["text"]
        assert fake.webhook.url == ""
        assert fake.calls_to("deleteWebhook")[-1].params.get("drop_pending_updates") in (
            None,
            False,
        )
        await fake.wait_until(lambda: fake.waiting_polls >= 1, timeout=30, what="polling")
        ivan = fake.user(3003, "Ivan", "en")
        await fake.send(ivan, "/start")
        assert "Welcome" in (await fake.next_message(ivan.chat_id, timeout=15))["text"]
    finally:
        assert await polling.stop() == 0, polling.log
    # It never polled while the webhook was still set.
    assert not [c for c in fake.calls_to("getUpdates") if c.description == GET_UPDATES_CONFLICT]
    assert "Traceback" not in polling.log


@pytest.mark.parametrize(
    ("env", "role", "says"),
    [
        ({"WEBHOOK_SECRET": ""}, "all", "WEBHOOK_SECRET is not set"),
        ({"WEBHOOK_SECRET": "no spaces allowed"}, "all", "WEBHOOK_SECRET: "),
        ({"WEBHOOK_URL": "http://bot.example.org/hook"}, "all", "https://"),
        ({"WEBHOOK_URL": ""}, "all", "WEBHOOK_URL is not set"),
        ({}, "dispatch", "--role dispatch never does"),
    ],
)
async def test_webhook_refuses_to_start_without_what_it_needs(
    fake: FakeBotApi, tmp_path: Path, env: dict[str, str], role: str, says: str
) -> None:
    bot = webhook_process(fake, f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", tmp_path, **env)
    bot.role = role
    await bot.start()
    assert await bot.exited() != 0
    assert says in bot.log, bot.log
    assert "Traceback" not in bot.log
    assert not fake.calls_to("setWebhook")
