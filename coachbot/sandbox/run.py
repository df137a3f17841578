"""Starting the sandbox: the embedded Bot API, a database of its own, the real bot on
both, a therapist already signed up and a first patient, and the page."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import shutil
import signal
import socket
import sys
import tempfile
import webbrowser
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from coachbot.app import build_application, running
from coachbot.botapi import FakeBotApi
from coachbot.config import Settings
from coachbot.db.migrate import upgrade
from coachbot.domain.vocabulary import Language
from coachbot.sandbox.clock import SandboxClock
from coachbot.sandbox.people import People, Person
from coachbot.sandbox.timeline import Timeline
from coachbot.sandbox.web import SandboxPage
from coachbot.therapists import add_therapist
from conversations.context import CoachContext, Services

TOKEN = "123456:SANDBOX-no-real-token-needed"
BOT_USERNAME = "coachbot_sandbox_bot"
THERAPIST_NAME = "Dr. Lena Berg"
FIRST_PATIENT = "Anna"
# The page shows what arrives within a second; the budget is Telegram's as in production.
DISPATCH_INTERVAL_SECONDS = 1.0
KEEP_CALLS = 2000


@dataclass(frozen=True)
class Options:
    port: int = 8080
    open_browser: bool = True
    language: Language = Language.EN
    host: str = "127.0.0.1"


@dataclass(frozen=True)
class Running:
    """A running sandbox: the page's address and its parts (for tests and tools)."""

    url: str
    api: FakeBotApi
    people: People
    services: Services
    timeline: Timeline
    clock: SandboxClock


class PortTaken(Exception):
    """The page's port is in use (or not ours to listen on)."""


async def serve_sandbox(options: Options) -> None:
    """Run the sandbox until SIGINT or SIGTERM (or cancellation)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with sandbox(options) as running_sandbox:
        url = running_sandbox.url
        print(f"Coachbot sandbox: {url}", flush=True)
        print("Press Ctrl+C to stop (the sandbox forgets everything).", flush=True)
        if options.open_browser and not await asyncio.to_thread(_open_browser, url):
            print("Open that address in your browser.", flush=True)
        await stop.wait()


@contextlib.asynccontextmanager
async def sandbox(options: Options) -> AsyncIterator[Running]:
    """The sandbox running, until the block ends."""
    _check_port(options)  # before a few seconds of starting the bot, not after
    folder = Path(tempfile.mkdtemp(prefix="coachbot-sandbox-"))
    clock = SandboxClock()
    api = FakeBotApi(
        TOKEN,
        bot_username=BOT_USERNAME,
        bot_first_name="Coachbot",
        wall_clock=clock.timestamp,
        keep_calls=KEEP_CALLS,
    )
    try:
        await api.start()
        database_url = f"sqlite+aiosqlite:///{folder / 'sandbox.db'}"
        settings = Settings(
            _env_file=None,
            telegram_bot_token=TOKEN,
            telegram_api_base_url=api.base_url,
            telegram_bot_username=BOT_USERNAME,
            database_url=database_url,
            default_language=options.language.value,
            dispatch_interval_seconds=DISPATCH_INTERVAL_SECONDS,
        )
        await asyncio.to_thread(upgrade, database_url)
        application = build_application(settings, clock)
        async with running(application, poll_timeout=10):
            services: Services = application.bot_data[CoachContext.SERVICES_KEY]
            assert services.dispatcher is not None
            people = People(api)
            await _sign_up_therapist(
                api, services, people.add_therapist(THERAPIST_NAME, options.language)
            )
            people.add_patient(FIRST_PATIENT, options.language.value)
            timeline = Timeline(services, services.dispatcher, clock)
            page = SandboxPage(api, people, timeline, clock, settings.default_timezone)
            runner = web.AppRunner(page.application(), access_log=None, shutdown_timeout=1.0)
            await runner.setup()
            try:
                site = web.TCPSite(runner, options.host, options.port)
                try:
                    await site.start()
                except OSError as error:
                    raise _port_taken(error) from None
                host, port = runner.addresses[0][:2]
                url = f"http://{host}:{port}"
                yield Running(url, api, people, services, timeline, clock)
            finally:
                await runner.cleanup()
    finally:
        await api.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _check_port(options: Options) -> None:
    """PortTaken if the page's port is in use now (it could still be taken meanwhile:
    the page's own listen() says so too)."""
    if options.port == 0:
        return
    with socket.socket() as probe:
        # As the page's server will: a port left in TIME_WAIT by a sandbox just stopped
        # is free to use.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((options.host, options.port))
        except OSError as error:
            raise _port_taken(error) from None


def _port_taken(error: OSError) -> PortTaken:
    if error.errno == errno.EADDRINUSE:
        return PortTaken("in use")
    return PortTaken(os.strerror(error.errno or 0))


def _open_browser(url: str) -> bool:
    """Open the page in the desktop's browser, if there is a desktop: on a server over SSH
    Python's webbrowser would fall back to a text browser in this very terminal."""
    desktop = sys.platform in ("darwin", "win32") or any(
        os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY")
    )
    if not desktop:
        return False
    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False


async def _sign_up_therapist(api: FakeBotApi, services: Services, therapist: Person) -> None:
    """The operator's `coachbot therapist add`, and the therapist opening their link."""
    async with services.uow() as uow:
        record = await add_therapist(uow, therapist.user.first_name, services.clock())
        await uow.commit()
    await api.send(therapist.user, f"/start {record.signup_code}")
    await api.wait_until(
        lambda: bool(api.messages(therapist.user.chat_id)), 30.0, "the therapist's welcome"
    )
