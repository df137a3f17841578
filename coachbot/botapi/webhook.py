"""The fake Bot API's webhook: setWebhook, deleteWebhook, getWebhookInfo and delivery.

As on Telegram: while a webhook is set, getUpdates answers 409, and every update a test
pushes (`fake.send`, `fake.tap`, ...) is POSTed to the webhook's URL as JSON with the
`X-Telegram-Bot-Api-Secret-Token` header, one at a time and in order; an update is gone
once the bot answered 2xx, and tried again after a growing pause otherwise (a refused,
failed or unanswered post is recorded as the webhook's last error). Deleting the webhook
keeps the undelivered updates for getUpdates, unless asked to drop them.

Telegram posts to the https URL, which a TLS-terminating proxy forwards to the bot; the
fake plays that proxy too: `route_to("http://127.0.0.1:8080")` makes it post to that origin
at the URL's own path (without a route it posts to the URL as given).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp

from coachbot.botapi.errors import ApiError

if TYPE_CHECKING:
    from coachbot.botapi.state import BotApiState

JSON = dict[str, Any]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
GET_UPDATES_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_PORTS = (80, 88, 443, 8443)
FIRST_RETRY = 0.05
LAST_RETRY = 1.0
POST_TIMEOUT = 10.0


@dataclass
class WebhookPost:
    """One post of an update to the webhook, and how it was answered (None: no answer)."""

    update_id: int
    url: str
    status: int | None
    at: float


class FakeWebhook:
    """The webhook state of one FakeBotApi, and its delivery task."""

    def __init__(self, fake: BotApiState) -> None:
        self._fake = fake
        self.url = ""
        self.secret: str | None = None
        self.max_connections = 40
        self.route: str | None = None
        self.posts: list[WebhookPost] = []
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self._task: asyncio.Task[None] | None = None

    def route_to(self, origin: str) -> None:
        """Post to `origin` (scheme://host:port) at the webhook URL's path: the proxy."""
        self.route = origin.rstrip("/")
        self._fake._notify()

    # ---------------------------------------------------------------- the API methods

    async def set_webhook(self, params: JSON) -> bool:
        url = params.get("url")
        if not isinstance(url, str):
            raise ApiError(400, 'Bad Request: parameter "url" is required')
        if not url:
            return await self.delete_webhook(params)
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        if (parts.port or 443) not in _PORTS:
            raise ApiError(
                400,
                "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
            )
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_RE.fullmatch(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        connections = params.get("max_connections", 40)
        if not isinstance(connections, int) or not 1 <= connections <= 100:
            connections = 40
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._fake._allowed_updates = [str(kind) for kind in allowed]
        if params.get("drop_pending_updates") is True:
            self._fake._updates.clear()
        self.url, self.secret, self.max_connections = url, secret, connections
        self.last_error_date = self.last_error_message = None
        self._fake._notify()
        return True

    async def delete_webhook(self, params: JSON) -> bool:
        if params.get("drop_pending_updates") is True:
            self._fake._updates.clear()
        self.url, self.secret = "", None
        self._fake._notify()
        return True

    async def get_webhook_info(self, params: JSON) -> JSON:
        info: JSON = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": sum(
                1 for update in self._fake._updates if self._fake._deliverable(update)
            ),
        }
        if self.url:
            info["max_connections"] = self.max_connections
            if self._fake._allowed_updates:
                info["allowed_updates"] = list(self._fake._allowed_updates)
            if self.last_error_date is not None:
                info["last_error_date"] = self.last_error_date
                info["last_error_message"] = self.last_error_message
        return info

    # ---------------------------------------------------------------- delivery

    def start(self) -> None:
        self._task = asyncio.create_task(self._deliver(), name="fake webhook delivery")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def refused(self) -> list[WebhookPost]:
        """The posts the bot did not answer with 2xx."""
        return [post for post in self.posts if post.status is None or post.status >= 300]

    def _next(self) -> JSON | None:
        fake = self._fake
        fake._updates = [u for u in fake._updates if fake._deliverable(u)]
        return fake._updates[0] if self.url and fake._updates else None

    def _target(self) -> str:
        if self.route is None:
            return self.url
        parts = urlsplit(self.url)
        return f"{self.route}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")

    async def _deliver(self) -> None:
        pause = FIRST_RETRY
        timeout = aiohttp.ClientTimeout(total=POST_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            closing = self._fake._closing
            # Closing ends the wait too: Python 3.11's wait_for may swallow the cancel
            # that stop() sends right after waking every waiter.
            while not closing.is_set():
                await self._fake._wait(lambda: closing.is_set() or self._next() is not None, 3600)
                update = self._next()
                if update is None or closing.is_set():
                    continue
                if await self._post(session, update):
                    pause = FIRST_RETRY
                    with contextlib.suppress(ValueError):
                        self._fake._updates.remove(update)
                else:
                    await self._fake._pause(pause)
                    pause = min(pause * 2, LAST_RETRY)
                self._fake._notify()

    async def _post(self, session: aiohttp.ClientSession, update: JSON) -> bool:
        headers = {SECRET_HEADER: self.secret} if self.secret else {}
        url = self._target()
        status: int | None = None
        problem = None
        try:
            async with session.post(url, json=copy.deepcopy(update), headers=headers) as answer:
                status = answer.status
                await answer.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            problem = f"Connection failed: {type(error).__name__}"
        self.posts.append(WebhookPost(update["update_id"], url, status, self._fake.clock()))
        if status is not None and 200 <= status < 300:
            return True
        self.last_error_date = int(time.time())
        self.last_error_message = problem or f"Wrong response from the webhook: {status}"
        return False
