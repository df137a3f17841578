"""An embedded Telegram Bot API server: the sandbox's Telegram (`coachbot sandbox`) and the
tests'.

`FakeBotApi` serves the Bot API over real HTTP on 127.0.0.1 (aiohttp), so the real bot, with
python-telegram-bot's default HTTPXRequest, talks to it exactly as it would talk to Telegram:

    fake = FakeBotApi()
    await fake.start()
    app = ApplicationBuilder().token(fake.token).base_url(f"{fake.base_url}/bot").build()
    ...                                       # start polling as usual
    anna = fake.user(1001)
    await fake.send(anna, "/start")           # the user writes to the bot
    reply = await fake.next_message(anna.id)  # what the bot answered (waits, no sleeps)
    await fake.tap_button(anna, reply, "Yes") # the user taps an inline button
    await fake.stop()

It serves only the methods Coachbot calls (any other answers 404 "method not found", so a call
the bot starts making shows up at once): getMe, getUpdates, setWebhook, deleteWebhook,
getWebhookInfo (with delivery to the webhook: see webhook.py), setMyCommands, sendMessage,
sendPhoto, sendAnimation, sendDocument, editMessageText, editMessageMedia,
editMessageReplyMarkup and answerCallbackQuery. Responses follow the real API's shapes
(``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N, "description": ...}``) and
its important validations (methods.py), so nothing should rely on a quirk of this fake; where
the fake deliberately differs it is stricter (formatting.py, media.py).

`FakeBotApi` is composed here of what users do (users.py), what tests observe (observing.py),
the faults it injects (faults.py) and the Bot API methods (methods.py), on the state they all
share (state.py); this module serves them over HTTP.

The tests import it as ``from tests.fakebot import FakeBotApi, FakeUser`` (pytest's pythonpath
is "."), the sandbox from ``coachbot.botapi``.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from coachbot.botapi.calls import JSON, ApiCall, UploadedFile
from coachbot.botapi.errors import ApiError, bad
from coachbot.botapi.faults import FaultInjection
from coachbot.botapi.limits import FLOOD_COUNTED, Bucket
from coachbot.botapi.media import MAX_UPLOAD_BYTES
from coachbot.botapi.methods import BotApiMethods
from coachbot.botapi.observing import Observing
from coachbot.botapi.users import UserActions
from coachbot.botapi.webhook import FakeWebhook

_INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "message_thread_id",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "drop_pending_updates",
        "protect_content",
        "show_alert",
        "disable_web_page_preview",
        "disable_content_type_detection",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "link_preview_options",
        "media",
    }
)

Handler = Callable[[JSON], Awaitable[Any]]


class FakeBotApi(UserActions, Observing, FaultInjection, BotApiMethods):
    """A fake Telegram Bot API on 127.0.0.1 (see the module docstring)."""

    def __init__(
        self,
        token: str = "123456:TEST-fake-token",
        bot_username: str = "coachbot_test_bot",
        bot_id: int = 123456,
        bot_first_name: str = "Coachbot",
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        keep_calls: int | None = None,
    ) -> None:
        """`clock` (seconds, monotonic) drives the flood model and `ApiCall.at`; a test may
        inject a hand-moved one to check the buckets exactly without waiting. `wall_clock`
        (Unix seconds) dates messages: the sandbox's moves with the bot's clock. With
        `keep_calls`, `calls` holds only that many of the latest (a long-running sandbox
        would otherwise keep every upload for ever)."""
        super().__init__(
            token,
            bot_username,
            bot_id,
            bot_first_name,
            clock=clock,
            wall_clock=wall_clock,
            keep_calls=keep_calls,
        )
        self.webhook = FakeWebhook(self)
        self._runner: web.AppRunner | None = None
        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            # PTB's Updater deletes the webhook before it polls.
            "setWebhook": self.webhook.set_webhook,
            "deleteWebhook": self.webhook.delete_webhook,
            "getWebhookInfo": self.webhook.get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendAnimation": self._send_animation,
            "editMessageMedia": self._edit_message_media,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
        }
        self._method_names = {name.lower(): name for name in self._handlers}

    # ---------------------------------------------------------------- lifecycle

    async def start(self, port: int = 0) -> None:
        """Serve on 127.0.0.1 on `port` (0: a free one); sets `base_url`."""
        if self._runner is not None:
            raise RuntimeError("FakeBotApi already started")
        self._closing = asyncio.Event()
        self._changed = asyncio.Event()
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown_path)
        runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=2.0, handler_cancellation=False
        )
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        self.webhook.start()

    async def stop(self) -> None:
        """Release pending getUpdates and delayed requests, then close the server."""
        self._closing.set()
        self._notify()
        await self.webhook.stop()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ---------------------------------------------------------------- internals: HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        method = self._method_names.get(name.lower(), name)
        params: JSON = {}
        cause: str | None = None  # the fault model shaping the answer, for ApiCall.fault
        late = 0.0  # chaos: the answer is held back this long after the effect
        try:
            if request.match_info["token"] != self.token:
                if re.fullmatch(r"\d+:[\w-]+", request.match_info["token"]):
                    raise ApiError(401, "Unauthorized")
                raise ApiError(404, "Not Found")
            params = await self._read_params(request)
            handler = self._handlers.get(method)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            fault = self._take_fault(method, params)
            chaos = None if fault is not None or self._chaos is None else self._chaos.roll(method)
            if fault is not None:
                cause = "fail"
                if fault.delay:
                    await self._pause(fault.delay)
                error = fault.error()
                if error is not None:
                    raise error
            elif chaos is not None:
                cause = "chaos"
                if isinstance(chaos, ApiError):
                    raise chaos
                late = chaos
            buckets: list[Bucket] = []
            if self._flood is not None and method in FLOOD_COUNTED:
                buckets = self._flood.buckets(params, self.clock())
                refusal = self._flood_refusal(buckets)
                if refusal is not None:
                    cause = "flood"
                    raise refusal
            # Handlers of counted methods never await, so no other request can take the token
            # between the check above and the take below, and a failed request takes none.
            result = await handler(params)
            for bucket in buckets:
                bucket.tokens -= 1.0
        except ApiError as error:
            body: JSON = {"ok": False, "error_code": error.code, "description": error.description}
            if error.parameters:
                body["parameters"] = error.parameters
            call = ApiCall(method, params, False, None, error.code, error.description)
            status = error.code
        except Exception as exc:
            self.internal_errors.append(exc)
            description = f"Internal Server Error: fake bug: {exc!r}"
            body = {"ok": False, "error_code": 500, "description": description}
            call, status = ApiCall(method, params, False, None, 500, description), 500
        else:
            body, status = {"ok": True, "result": result}, 200
            call = ApiCall(method, params, True, result, None)
        call.at, call.fault = self.clock(), cause
        call.client_gone = _client_gone(request)
        self.calls.append(call)
        if self._keep_calls is not None and len(self.calls) > self._keep_calls:
            del self.calls[: len(self.calls) - self._keep_calls]
        self._notify()
        if late:
            await self._pause(late)
            call.client_gone = _client_gone(request)
            self._notify()
        return web.json_response(body, status=status)

    async def _handle_unknown_path(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    async def _read_params(self, request: web.Request) -> JSON:
        params: JSON = dict(request.query)
        content_type = request.content_type
        if request.can_read_body and content_type == "application/json":
            try:
                body = json.loads(await request.read() or b"{}")
            except ValueError:
                raise bad("can't parse request JSON object") from None
            if not isinstance(body, dict):
                raise bad("can't parse request JSON object")
            params.update(body)
        elif request.can_read_body and content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = UploadedFile(
                        key, value.filename, value.content_type, value.file.read()
                    )
                else:
                    params[key] = value
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                attached = params.pop(value[len("attach://") :], None)
                if not isinstance(attached, UploadedFile):
                    raise bad(f"file of {key} not found in the request")
                params[key] = attached
        return _coerce(params)


def _client_gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


def _coerce(params: JSON) -> JSON:
    """Give form fields (always strings) their API types, as the real API does."""
    result: JSON = {}
    for key, value in params.items():
        if isinstance(value, str):
            if key in _INT_FIELDS:
                try:
                    value = int(value)
                except ValueError:
                    if key != "chat_id":  # "@channelusername" is a chat id too
                        raise bad(f"invalid {key} specified") from None
            elif key in _BOOL_FIELDS:
                value = value.lower() in ("true", "1")
            elif key in _JSON_FIELDS:
                try:
                    value = json.loads(value) if value else None
                except ValueError:
                    raise bad(f"can't parse {key} JSON object") from None
        result[key] = value
    return result
