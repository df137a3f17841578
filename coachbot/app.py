"""The composition root: builds the PTB Application with every service wired in."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, Defaults

from catalogue.loader import BUILTIN, load_catalogue
from coachbot.config import Settings
from coachbot.db.engine import create_engine, session_factory
from coachbot.dispatch import Dispatcher
from coachbot.i18n import LANGUAGES
from conversations import register
from conversations.checkin import TelegramSessionSender
from conversations.context import CoachApplication, CoachContext, Services, tr
from conversations.menu import bot_commands
from conversations.ordering import PerPersonOrder
from conversations.summary import TelegramSummarySender
from conversations.therapist import TelegramAlertSender
from conversations.therapist import set_commands as set_therapist_commands

log = logging.getLogger(__name__)

DISPATCH_JOB = "dispatch"


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_application(
    settings: Settings, clock: Callable[[], datetime] = utc_now
) -> CoachApplication:
    """A ready-to-run Application; services start in post_init and stop in post_shutdown."""
    catalogue = load_catalogue([BUILTIN, *settings.extra_catalogue_folders])
    engine = create_engine(settings.database_url, settings.sqlite_busy_timeout_ms)
    services = Services(
        settings=settings,
        catalogue=catalogue,
        sessions=session_factory(engine),
        clock=clock,
    )

    async def post_init(application: CoachApplication) -> None:
        sender = TelegramSessionSender(application.bot, catalogue)
        services.dispatcher = Dispatcher(
            services.uow,
            catalogue,
            clock,
            sender,
            grace=settings.catch_up_grace,
            messages_per_second=settings.dispatch_messages_per_second,
            batch_size=settings.dispatch_batch_size,
            alert_sender=TelegramAlertSender(application.bot),
            silent_days=settings.silent_days,
            summary_sender=TelegramSummarySender(application.bot),
        )
        for language in LANGUAGES:
            await application.bot.set_my_commands(
                bot_commands(tr(language)), language_code=None if language == "en" else language
            )
        await _therapist_menus(application, services)
        assert application.job_queue is not None
        application.job_queue.run_repeating(
            _tick, interval=settings.dispatch_interval_seconds, first=0.0, name=DISPATCH_JOB
        )
        log.info("coachbot started as @%s", application.bot.username)

    async def post_shutdown(application: CoachApplication) -> None:
        await engine.dispose()

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
        .rate_limiter(AIORateLimiter(max_retries=settings.telegram_max_retries))
        # Different people concurrently, each person's taps in the order tapped.
        .concurrent_updates(PerPersonOrder())
        .read_timeout(timeout)
        .write_timeout(timeout)
        .connect_timeout(timeout)
        # A long poll waits up to its own timeout before Telegram answers.
        .get_updates_read_timeout(timeout + 30)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data[CoachContext.SERVICES_KEY] = services
    register(application)
    return application


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
    dispatcher = context.services.dispatcher
    if dispatcher is not None:
        await dispatcher.tick()
