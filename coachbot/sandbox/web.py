"""The sandbox's web page and the small JSON API behind it (aiohttp, on 127.0.0.1).

The page (static/) asks for the whole state, then long-polls for the next change; what
a person does (type, tap, share a location) becomes what their Telegram app would have
sent to the bot, through the embedded Bot API. Every POST must be JSON, which a page of
another origin cannot send without the browser asking first (CORS), so no other site
can act in the sandbox.
"""

from __future__ import annotations

import asyncio
import json
import math
from datetime import time, timedelta
from importlib import resources
from typing import Any

from aiohttp import web

from coachbot.botapi import FakeBotApi
from coachbot.sandbox.clock import SandboxClock
from coachbot.sandbox.people import People, PeopleError, Person
from coachbot.sandbox.timeline import Timeline

JSON = dict[str, Any]

LONG_POLL_SECONDS = 25.0
ANSWER_SECONDS = 10.0  # how long a tap waits for the bot's answerCallbackQuery
MAX_TEXT = 4096
STATIC = {
    "index.html": "text/html",
    "sandbox.css": "text/css",
    "render.js": "text/javascript",
    "sandbox.js": "text/javascript",
    "icon.svg": "image/svg+xml",
}
# Browsers show these inline instead of downloading them (the page opens files in a tab).
SHOWN_AS_TEXT = {"text/csv", "application/json"}


class SandboxPage:
    """The routes of the page, its API and the files the bot sent."""

    def __init__(
        self,
        api: FakeBotApi,
        people: People,
        timeline: Timeline,
        clock: SandboxClock,
        zone: str,
    ) -> None:
        self._api = api
        self._people = people
        self._timeline = timeline
        self._clock = clock
        self._zone = zone
        self._moving = asyncio.Lock()

    def application(self) -> web.Application:
        app = web.Application(middlewares=[_json_posts_only])
        app.router.add_get("/", self._index)
        app.router.add_get("/static/{name}", self._static)
        app.router.add_get("/files/{file_id}", self._file)
        app.router.add_get("/api/state", self._state)
        app.router.add_post("/api/people", self._add_person)
        app.router.add_post("/api/send", self._send)
        app.router.add_post("/api/tap", self._tap)
        app.router.add_post("/api/location", self._location)
        app.router.add_post("/api/clock", self._move_clock)
        return app

    # ------------------------------------------------------------------ the page

    async def _index(self, request: web.Request) -> web.Response:
        return _static_file("index.html")

    async def _static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in STATIC:
            raise web.HTTPNotFound()
        return _static_file(name)

    async def _file(self, request: web.Request) -> web.Response:
        found = self._api.file(request.match_info["file_id"])
        if found is None:
            raise web.HTTPNotFound()
        data, mime, name = found
        shown = "text/plain" if mime in SHOWN_AS_TEXT else mime
        return web.Response(
            body=data,
            content_type=shown,
            charset="utf-8" if shown.startswith("text/") else None,
            headers={"Content-Disposition": f'inline; filename="{_safe_name(name)}"'},
        )

    # ------------------------------------------------------------------ reading

    async def _state(self, request: web.Request) -> web.Response:
        """The whole state; with ?after=V, once it differs from version V (or a while)."""
        after = request.query.get("after")
        if after is not None and after == str(self._api.version):
            await self._api.wait_for_change(self._api.version, LONG_POLL_SECONDS)
        return web.json_response(self.state())

    def state(self) -> JSON:
        return {
            "version": str(self._api.version),
            "clock": {"now": self._clock().isoformat(), "zone": self._zone},
            "bot": {"name": self._api.bot_first_name, "username": self._api.bot_username},
            "people": [self._person_state(person) for person in self._people],
        }

    def _person_state(self, person: Person) -> JSON:
        chat_id = person.user.chat_id
        return {
            **person.to_json(),
            "messages": [_shown(message) for message in self._api.chat_history(chat_id)],
            "keyboard": self._api.reply_markup(chat_id),
            "commands": self._commands(person),
        }

    def _commands(self, person: Person) -> list[JSON]:
        """The command menu Telegram would show this person: the most specific scope the
        bot set, in their language if it set one."""
        language = person.user.language_code or ""
        for scope in (f"chat:{person.user.chat_id}", "all_private_chats", "default"):
            by_language = self._api.commands_by_scope.get(scope) or {}
            commands = by_language.get(language) or by_language.get("")
            if commands:
                return commands
        return []

    # ------------------------------------------------------------------ acting

    async def _add_person(self, request: web.Request) -> web.Response:
        body = await _body(request)
        try:
            person = self._people.add_patient(str(body.get("name", "")), str(body.get("language")))
        except PeopleError as error:
            raise _bad(str(error)) from None
        self._api.notify()
        return web.json_response(person.to_json(), status=201)

    async def _send(self, request: web.Request) -> web.Response:
        body = await _body(request)
        person = self._person(body)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad("empty message")
        if len(text) > MAX_TEXT:
            raise _bad(f"a message has at most {MAX_TEXT} characters")
        sent = await self._api.send(person.user, text)
        return web.json_response({"message_id": sent["message_id"]})

    async def _tap(self, request: web.Request) -> web.Response:
        """A tap on an inline button; answers with the bot's callback answer (a toast or
        an alert the page shows), or none if the bot gave none in time."""
        body = await _body(request)
        person = self._person(body)
        message_id, data = body.get("message_id"), body.get("data")
        if not isinstance(message_id, int) or not isinstance(data, str):
            raise _bad("a tap needs message_id and data")
        message = {"chat": {"id": person.user.chat_id}, "message_id": message_id}
        if not any(m["message_id"] == message_id for m in self._api.messages(person.id)):
            raise web.HTTPNotFound(text="no such message")
        query_id = await self._api.tap(person.user, message, data)
        try:
            answer = await self._api.callback_answer(query_id, ANSWER_SECONDS)
        except AssertionError:
            return web.json_response({"answer": None})
        keep = ("text", "show_alert")
        return web.json_response({"answer": {k: answer[k] for k in keep if k in answer}})

    async def _location(self, request: web.Request) -> web.Response:
        body = await _body(request)
        person = self._person(body)
        latitude, longitude = body.get("latitude"), body.get("longitude")
        if not _coordinate(latitude, 90) or not _coordinate(longitude, 180):
            raise _bad("latitude -90..90 and longitude -180..180")
        assert isinstance(latitude, int | float) and isinstance(longitude, int | float)
        sent = await self._api.send_location(person.user, float(latitude), float(longitude))
        return web.json_response({"message_id": sent["message_id"]})

    async def _move_clock(self, request: web.Request) -> web.Response:
        """Let time pass: to the next session, by a day, or to next Monday 07:30."""
        body = await _body(request)
        to = body.get("to")
        async with self._moving:
            if to == "session":
                if not await self._timeline.to_next_session():
                    return web.json_response({"error": "no_session"}, status=409)
            elif to == "day":
                await self._timeline.pass_until(self._clock() + timedelta(days=1))
            elif to == "monday":
                monday = self._timeline.next_weekday(0, time(7, 30), self._zone)
                await self._timeline.pass_until(monday)
            else:
                raise _bad("to: session, day or monday")
        self._api.notify()
        return web.json_response({"now": self._clock().isoformat()})

    def _person(self, body: JSON) -> Person:
        person_id = body.get("person")
        person = self._people.get(person_id) if isinstance(person_id, int) else None
        if person is None:
            raise web.HTTPNotFound(text="no such person")
        return person


@web.middleware
async def _json_posts_only(request: web.Request, handler: Any) -> web.StreamResponse:
    if request.method == "POST" and request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="the sandbox's API takes JSON")
    response: web.StreamResponse = await handler(request)
    return response


async def _body(request: web.Request) -> JSON:
    try:
        body = json.loads(await request.read())
    except ValueError:
        raise _bad("not JSON") from None
    if not isinstance(body, dict):
        raise _bad("not a JSON object")
    return body


def _bad(reason: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=reason)


def _coordinate(value: Any, limit: float) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and -limit <= value <= limit
    )


def _shown(message: JSON) -> JSON:
    """A message as the page needs it: whose it is, without the repeated chat and sender."""
    shown = {key: value for key, value in message.items() if key not in ("from", "chat")}
    shown["mine"] = not message["from"]["is_bot"]
    return shown


def _safe_name(name: str) -> str:
    return "".join(c for c in name if c.isalnum() or c in "._- ") or "file"


def _static_file(name: str) -> web.Response:
    data = resources.files("coachbot.sandbox").joinpath("static", name).read_bytes()
    mime = STATIC[name]
    return web.Response(
        body=data,
        content_type=mime,
        charset="utf-8" if mime.startswith("text/") else None,
        headers={"Cache-Control": "no-cache"},
    )
