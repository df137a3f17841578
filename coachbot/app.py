"""The composition root: builds the PTB Application with every service wired in, and runs
it in one of three roles.

- `all` (the default, right for a small host): receives and answers updates, and sends
  what falls due;
- `updates`: only receives and answers updates; exactly one process may (the "updates"
  lease; a second one refuses to start);
- `dispatch`: only sends what falls due; any number may run on one database.

Updates arrive by long polling, or (`webhook`, see coachbot/webhook.py) posted by Telegram
to our own HTTP server, which also answers the host's health checks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, TelegramError
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults

from catalogue.loader import BUILTIN, Catalogue, load_catalogue
from coachbot.budget import SendBudget
from coachbot.config import Settings
from coachbot.db import leases
from coachbot.db.budget import SharedStore
from coachbot.db.engine import create_engine, session_factory
from coachbot.dispatch import Dispatcher
from coachbot.domain.vocabulary import Language
from coachbot.health import Heartbeat, ReadinessCheck
from coachbot.webhook import Webhook, WebhookServer
from conversations import register
from conversations.context import CoachApplication, CoachContext, Services, tr
from conversations.delivery import TelegramCourier
from conversations.flood import FloodControl
from conversations.menu import bot_commands
from conversations.ordering import PerPersonOrder
from conversations.therapist import set_commands as set_therapist_commands

log = logging.getLogger(__name__)

DISPATCH_JOB = "dispatch"
HEARTBEAT_KEY = "coachbot.heartbeat"
# Edited messages too, only to tell the person that edits are not read (registry.py).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
# The one process receiving updates renews its lease this often; it lapses after TTL.
UPDATES_RENEW = timedelta(seconds=10)
UPDATES_TTL = timedelta(seconds=30)
BUDGET_BUSY_TIMEOUT_MS = 250


class Role(StrEnum):
    ALL = "all"
    UPDATES = "updates"
    DISPATCH = "dispatch"

    @property
    def receives_updates(self) -> bool:
        return self is not Role.DISPATCH

    @property
    def dispatches(self) -> bool:
        return self is not Role.UPDATES


class WebhookRefused(Exception):
    """Telegram refused to set the webhook (its description says why)."""


class AnotherReceiver(Exception):
    """Another live process receives updates for this bot already."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_application(
    settings: Settings,
    clock: Callable[[], datetime] = utc_now,
    role: Role = Role.ALL,
    *,
    catalogue: Catalogue | None = None,
) -> CoachApplication:
    """A ready-to-run Application; services start in post_init and stop in post_shutdown.

    `catalogue`, when given, is used instead of loading the settings' folders: the app only
    reads it, so tests share one loaded per session (loading takes about half a second).
    """
    if catalogue is None:
        catalogue = load_catalogue([BUILTIN, *settings.extra_catalogue_folders])
    engine = create_engine(settings.database_url, settings.sqlite_busy_timeout_ms)
    services = Services(
        settings=settings,
        catalogue=catalogue,
        sessions=session_factory(engine),
        reads=session_factory(engine, read_only=True),
        clock=clock,
    )
    # The budget has its own connections with a short busy timeout: should another
    # writer hold SQLite's lock, replies fall back to pacing alone at once.
    budget_engine = create_engine(settings.database_url, BUDGET_BUSY_TIMEOUT_MS)
    store = SharedStore(budget_engine)
    budget = SendBudget(
        store,
        rate=settings.send_messages_per_second,
        chat_rate=settings.chat_messages_per_second,
        chat_burst=settings.chat_burst,
    )

    heartbeat = Heartbeat(settings.dispatch_interval_seconds) if role.dispatches else None

    async def post_init(application: CoachApplication) -> None:
        if role.dispatches:
            services.dispatcher = Dispatcher(
                services.uow,
                catalogue,
                clock,
                TelegramCourier(application.bot, catalogue, budget),
                grace=settings.catch_up_grace,
                concurrency=settings.dispatch_concurrency,
                batch_size=settings.dispatch_batch_size,
                silent_days=settings.silent_days,
                operator_chat_id=settings.operator_chat_id,
                backoff=settings.dispatch_retry,
                read=services.read,
            )
            assert application.job_queue is not None
            application.job_queue.run_repeating(
                _tick,
                interval=settings.dispatch_interval_seconds,
                first=0.0,
                name=DISPATCH_JOB,
                data=heartbeat,
            )
        if role.receives_updates:
            for language in Language:
                await application.bot.set_my_commands(
                    bot_commands(tr(language)),
                    language_code=None if language is Language.EN else language.value,
                )
            await _therapist_menus(application, services)
        log.info("coachbot started as @%s (role %s)", application.bot.username, role)

    async def post_stop(application: CoachApplication) -> None:
        if services.dispatcher is not None:
            services.dispatcher.stop()

    async def post_shutdown(application: CoachApplication) -> None:
        await engine.dispose()
        await store.close()
        await budget_engine.dispose()

    timeout = settings.telegram_read_timeout
    application: CoachApplication = (
        ApplicationBuilder()
        .token(settings.token())
        .base_url(f"{settings.telegram_api_base_url}/bot")
        .base_file_url(f"{settings.telegram_api_base_url}/file/bot")
        .context_types(ContextTypes(context=CoachContext))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                tzinfo=UTC,
            )
        )
        .rate_limiter(FloodControl(budget, max_retries=settings.telegram_max_retries))
        # Different people concurrently, each person's taps in the order tapped.
        .concurrent_updates(PerPersonOrder())
        # The dispatcher's couriers and replies share the pool; room for both.
        .connection_pool_size(settings.dispatch_concurrency + 64)
        .read_timeout(timeout)
        .write_timeout(timeout)
        .connect_timeout(timeout)
        # A long poll waits up to its own timeout before Telegram answers.
        .get_updates_read_timeout(timeout + 30)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data[CoachContext.SERVICES_KEY] = services
    if heartbeat is not None:
        application.bot_data[HEARTBEAT_KEY] = heartbeat
    if role.receives_updates:
        register(application)
    return application


def _polling_failed(error: TelegramError) -> None:
    """getUpdates failed: PTB tries again with a growing pause. A network fault or a 5xx
    is Telegram's passing trouble, so one line each, without PTB's traceback; another
    process polling with the same token is the operator's to fix."""
    if isinstance(error, Conflict):
        log.error("polling: another process receives this bot's updates: %s", error)
    else:
        log.warning("polling: getUpdates failed, trying again: %s", error)


@contextlib.asynccontextmanager
async def running(
    application: CoachApplication,
    role: Role = Role.ALL,
    *,
    poll_interval: float = 0.0,
    poll_timeout: int = 10,
    webhook: Webhook | None = None,
) -> AsyncIterator[None]:
    """The application started in its role, and stopped in order on leaving (the steps
    of `Application.run_polling`, which owns the event loop and cannot take a role).

    With `webhook`, updates come from Telegram's posts to our server instead of polling;
    the webhook stays set on leaving, so Telegram keeps what arrives meanwhile for the next
    start (polling, on its start, deletes it)."""
    if webhook is not None and not role.receives_updates:
        raise ValueError("a process that receives no updates has no webhook")
    services: Services = application.bot_data[CoachContext.SERVICES_KEY]
    holder = leases.holder_name()
    renewal: asyncio.Task[None] | None = None
    await application.initialize()
    try:
        if role.receives_updates:
            await _claim_updates(services, holder)
            renewal = asyncio.create_task(_renew_updates(services, holder))
        if application.post_init:
            await application.post_init(application)
        if webhook is not None:
            async with _webhook_running(application, webhook):
                yield
            return
        if role.receives_updates:
            assert application.updater is not None
            await application.updater.start_polling(
                poll_interval=poll_interval,
                timeout=poll_timeout,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
                error_callback=_polling_failed,
            )
        await application.start()
        try:
            yield
        finally:
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            if application.post_stop:
                await application.post_stop(application)
            await application.stop()
    finally:
        if renewal is not None:
            renewal.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewal
            await _release_updates(services, holder)
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


@contextlib.asynccontextmanager
async def _webhook_running(application: CoachApplication, webhook: Webhook) -> AsyncIterator[None]:
    """Our server listening first, then the webhook set, so that Telegram's first post
    finds it; on leaving, the server closed first, then the application stopped with what
    it had queued."""
    check = ReadinessCheck(
        application.bot_data[CoachContext.SERVICES_KEY].settings.database_url,
        application.bot_data.get(HEARTBEAT_KEY),
    )
    server = WebhookServer(application, webhook, check)
    server.start()
    try:
        try:
            await application.bot.set_webhook(
                url=webhook.url,
                secret_token=webhook.secret,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
        except BadRequest as error:
            raise WebhookRefused(error.message) from None
        log.info("webhook: set; updates arrive at %s", webhook.path)
        await application.start()
        try:
            yield
        finally:
            await server.stop()
            if application.post_stop:
                await application.post_stop(application)
            await application.stop()
    finally:
        await server.stop()
        await check.close()


async def serve(application: CoachApplication, role: Role, webhook: Webhook | None = None) -> None:
    """Run until SIGINT or SIGTERM, then stop gracefully."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with running(application, role, webhook=webhook):
        await stop.wait()


async def _claim_updates(services: Services, holder: str) -> None:
    """Take the "updates" lease, or raise AnotherReceiver. A lease left by a process that
    died on this host is taken at once; one from another host once it lapses unrenewed."""
    first_seen: datetime | None = None
    while True:
        now = utc_now()
        async with services.uow() as uow:
            if await leases.acquire(uow.session, leases.UPDATES, holder, now, UPDATES_TTL):
                await uow.commit()
                return
            current = await leases.read(uow.session, leases.UPDATES)
        assert current.holder is not None
        if leases.alive_here(current.holder):
            raise AnotherReceiver(current.holder)
        if first_seen is None:
            first_seen = current.expires_at
            log.info("another process held the updates lease; waiting to see if it lapses")
        elif current.expires_at != first_seen:
            raise AnotherReceiver(current.holder)  # renewed: it is alive
        await asyncio.sleep(2.0)


async def _renew_updates(services: Services, holder: str) -> None:
    while True:
        await asyncio.sleep(UPDATES_RENEW.total_seconds())
        try:
            async with services.uow() as uow:
                if not await leases.acquire(
                    uow.session, leases.UPDATES, holder, utc_now(), UPDATES_TTL
                ):
                    log.error("the updates lease was taken by another process")
                await uow.commit()
        except Exception as error:
            log.warning("updates lease not renewed: %s", error)


async def _release_updates(services: Services, holder: str) -> None:
    with contextlib.suppress(Exception):
        async with services.uow() as uow:
            await leases.release(uow.session, leases.UPDATES, holder)
            await uow.commit()


async def _therapist_menus(application: CoachApplication, services: Services) -> None:
    """Every signed-up therapist's chat shows the therapist commands (also those who
    signed up before a new command existed)."""
    async with services.uow() as uow:
        therapists = await uow.therapists.all()
    for therapist in therapists:
        try:
            await set_therapist_commands(application.bot, therapist)
        except TelegramError as error:
            log.warning("therapist %s: command menu not set: %s", therapist.id, error)


async def _tick(context: CoachContext) -> None:
    """The JobQueue's tick starts a round of the dispatcher, unless one is still going.

    The round runs as its own task, so a long burst does not keep the job itself running
    (APScheduler would warn about every tick skipped meanwhile)."""
    assert context.job is not None
    heartbeat: Heartbeat | None = context.job.data  # type: ignore[assignment]
    if heartbeat is not None:
        heartbeat.beat()
    dispatcher = context.services.dispatcher
    if dispatcher is not None and not dispatcher.busy:
        context.application.create_task(dispatcher.tick(), name="dispatch round")
