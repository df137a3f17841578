"""Webhook mode: a small HTTP server that takes Telegram's posts, and the health checks.

Written by hand on tornado (python-telegram-bot's `webhooks` extra) rather than with PTB's
`Updater.start_webhook`, because that server serves the webhook path only: a host's health
checks need `/healthz` and `/readyz` on the same port (most hosts give a process one), and
PTB's handler logs every update's body at DEBUG, health answers included. What PTB's
handler does that matters is done here too: the secret header is checked (in constant
time), the update parsed and put on the application's update queue, and Telegram answered
at once; the handlers run after the answer, so a slow reply never makes Telegram retry.

A post without the right `X-Telegram-Bot-Api-Secret-Token` gets 403 and is not read.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Update
from tornado.httpserver import HTTPServer

from coachbot.health import Readiness
from conversations.context import CoachApplication

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are small; anything much bigger is not from Telegram.
MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Webhook:
    """Where Telegram posts (`url`, at the proxy) and where this process listens."""

    url: str
    path: str
    secret: str
    listen: str
    port: int


class _Updates(tornado.web.RequestHandler):
    """Telegram's posts: checked, queued, answered 200 before they are handled."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, coach: CoachApplication, secret: str) -> None:
        self.coach = coach
        self.secret = secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("webhook: a post without the right secret refused (403)")
            self.send_error(HTTPStatus.FORBIDDEN)
            return
        try:
            data = json.loads(self.request.body)
            update = Update.de_json(data, self.coach.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("webhook: a post that is not an update refused (400)")
            self.send_error(HTTPStatus.BAD_REQUEST)
            return
        await self.coach.update_queue.put(update)
        self.set_status(HTTPStatus.OK)
        self.finish()


class _Alive(tornado.web.RequestHandler):
    """The process runs and its event loop answers."""

    def get(self) -> None:
        self.write({"alive": True})


class _Ready(tornado.web.RequestHandler):
    """The database answers and, where this process dispatches, the dispatcher ticks."""

    def initialize(self, check: Callable[[], Awaitable[Readiness]]) -> None:
        self.check = check

    async def get(self) -> None:
        readiness = await self.check()
        if not readiness.ready:
            self.set_status(HTTPStatus.SERVICE_UNAVAILABLE)
        self.write(readiness.as_json())


class _Quiet(tornado.web.Application):
    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """No access log: health checks every few seconds would drown everything else."""


def routes(
    application: CoachApplication,
    webhook: Webhook,
    check: Callable[[], Awaitable[Readiness]],
) -> tornado.web.Application:
    handlers: list[Any] = [
        ("/healthz", _Alive),
        ("/readyz", _Ready, {"check": check}),
        (
            rf"{re.escape(webhook.path.rstrip('/'))}/?",
            _Updates,
            {"coach": application, "secret": webhook.secret},
        ),
    ]
    return _Quiet(handlers)


class WebhookServer:
    """The server on LISTEN:PORT: `start` listens, `stop` closes (again: nothing)."""

    def __init__(
        self,
        application: CoachApplication,
        webhook: Webhook,
        check: Callable[[], Awaitable[Readiness]],
    ) -> None:
        self._server = HTTPServer(routes(application, webhook, check), max_body_size=MAX_BODY_BYTES)
        self._webhook = webhook
        self._running = False

    def start(self) -> None:
        self._server.listen(self._webhook.port, address=self._webhook.listen)
        self._running = True
        log.info("webhook: listening on %s:%s", self._webhook.listen, self._webhook.port)

    async def stop(self) -> None:
        if self._running:
            self._running = False
            self._server.stop()
            await self._server.close_all_connections()
