"""A fake Telegram Bot API server for Coachbot's tests.

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
getWebhookInfo (with delivery to the webhook: see tests/fakewebhook.py), setMyCommands,
sendMessage, sendPhoto, sendAnimation, sendDocument, editMessageText, editMessageMedia,
editMessageReplyMarkup and answerCallbackQuery. Responses follow the real API's shapes
(``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N, "description": ...}``) and
its important validations (empty or too long texts, HTML parse errors, "message is not
modified", callback_data over 64 bytes, ...), so nothing should rely on a quirk of this fake.
Where the fake deliberately differs it is stricter: a bare ``&`` in HTML text is an error here,
while Telegram tolerates it; text is HTML or plain (Coachbot sends nothing else); photos are
PNG and animations GIF (the only images Coachbot draws); editMessageMedia edits a message that
has media (Telegram's newer API may also add media to a text message) to a photo or an
animation. A file goes up as an upload or as the file_id of a file the bot sent before (a
file_id of another kind, or one the fake never gave, is refused as Telegram refuses it); URLs
are not fetched.

Observation: `calls` records every request; `messages(chat_id)` gives the current state of
every bot message in a chat; `next_message`/`next_edit` walk per-chat cursors through what the
bot sent and edited (each returns a snapshot taken when the message was sent or edited);
`callback_answer` waits for answerCallbackQuery; `wait_until` waits for any condition;
`errors()` lists failed calls the bot received. All waiting re-checks after every request the
fake handles, never by sleeping a fixed time. For delivery tests and benchmarks, every call
carries a monotonic timestamp (`ApiCall.at`): `delivered(chat_id)` lists the successful
message-producing calls to a chat (so duplicates and lost messages show), `rate_between()`
measures how fast the bot sent, `flood_refusals()` lists the 429s of the flood model.

Import it as ``from tests.fakebot import FakeBotApi, FakeUser`` (pytest's pythonpath is ".").

Faults: `fail()` makes the next matching requests answer 429/403/5xx or answer late (to
trigger client timeouts; a delayed request still takes effect afterwards, as a timed-out
request to Telegram may have). `block()` makes the bot's sends to a user answer 403.
`chaos()` makes a seeded random share of requests fail or answer late, for retry and
idempotency tests. `flood_control()` switches on Telegram's flood limits as token buckets
(about 30 messages/s per bot, 1/s per chat, small bursts): a message beyond them answers 429
"retry after N" and has no effect. Both are off by default. `ApiCall.fault` tells which of
fail/chaos/flood shaped an answer. The flood model runs on `FakeBotApi(clock=...)`,
time.monotonic() unless a test injects a clock it moves by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import math
import mimetypes
import random
import re
import struct
import time
import zlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from coachbot.botapi.webhook import GET_UPDATES_CONFLICT, FakeWebhook

__all__ = [
    "FLOOD_COUNTED",
    "ApiCall",
    "ApiError",
    "FakeBotApi",
    "FakeUser",
    "UploadedFile",
    "make_png",
    "parse_html",
]

JSON = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
WRONG_FILE = "Bad Request: wrong file identifier/HTTP URL specified"
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"

# The methods Telegram's flood limits count, of those the fake serves: the ones that produce or
# change a message. Everything else (getUpdates, answerCallbackQuery, ...) is never counted nor
# refused by the flood model.
FLOOD_COUNTED = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendAnimation",
        "sendDocument",
        "editMessageText",
        "editMessageMedia",
        "editMessageReplyMarkup",
    }
)

# The 400 a chaos failure answers: for a send, a refusal of its content (a bot that took a
# random "chat not found" for a blocked user would wrongly stop writing to people); for an
# edit, what Telegram says when the message vanished meanwhile.
_CHAOS_BAD_REQUEST = {
    "sendMessage": "can't parse entities: can't find end of the entity starting at byte offset 7",
    "sendPhoto": "can't parse entities: can't find end of the entity starting at byte offset 7",
    "sendAnimation": "can't parse entities: can't find end of the entity starting at byte offset 7",
    "sendDocument": "can't parse entities: can't find end of the entity starting at byte offset 7",
    "editMessageText": "message to edit not found",
    "editMessageMedia": "message to edit not found",
    "editMessageReplyMarkup": "message to edit not found",
    "answerCallbackQuery": QUERY_INVALID.removeprefix("Bad Request: "),
}

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: BLOCKED,
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

# Update types the real API leaves out while allowed_updates is unset or empty.
_NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

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
_INLINE_BUTTON_KINDS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "web_app",
    "callback_game",
    "pay",
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


class ApiError(Exception):
    """An error answer of the Bot API (raised inside the fake, turned into a response)."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request, as it appears in `ApiCall.params`."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class ApiCall:
    """One request the fake handled. `params` are coerced to API types (ints, objects)."""

    method: str
    params: JSON
    ok: bool
    result: Any
    error_code: int | None
    description: str | None = None
    client_gone: bool = False  # the client had disconnected (e.g. timed out) before the answer
    # When the fake decided the answer (time.monotonic(), or the fake's injected clock); for a
    # successful call that is when its effect happened, even if the answer was held back.
    at: float = field(default_factory=time.monotonic)
    # Which fault model shaped the answer: "fail" (fail()), "chaos" (chaos(), an error or a late
    # answer) or "flood" (a 429 of flood_control()); None for an ordinary answer.
    fault: str | None = None


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user writing to the bot in a private chat (chat id == user id)."""

    id: int
    first_name: str = "Anna"
    language_code: str | None = "en"

    @property
    def chat_id(self) -> int:
        return self.id

    def to_api(self) -> JSON:
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def chat(self) -> JSON:
        return {"id": self.id, "type": "private", "first_name": self.first_name}


@dataclass
class _Fault:
    method: str  # lower case
    status: int
    remaining: int
    chat_id: int | None
    retry_after: int | None
    delay: float | None
    description: str | None

    def error(self) -> ApiError | None:
        if self.status == 0:
            return None
        parameters: JSON | None = None
        if self.status == 429:
            retry_after = 1 if self.retry_after is None else self.retry_after
            description = f"Too Many Requests: retry after {retry_after}"
            parameters = {"retry_after": retry_after}
        else:
            try:
                phrase = HTTPStatus(self.status).phrase
            except ValueError:
                phrase = "Error"
            description = _DEFAULT_DESCRIPTIONS.get(self.status, phrase)
            if self.retry_after is not None:
                parameters = {"retry_after": self.retry_after}
        return ApiError(self.status, self.description or description, parameters)


@dataclass
class _Bucket:
    """A token bucket: at most `burst` tokens, refilled at `rate` tokens per second."""

    rate: float
    burst: int
    tokens: float
    at: float

    def wait(self, now: float) -> float:
        """Seconds until the bucket holds a whole token (0.0: it holds one now)."""
        self.tokens = min(float(self.burst), self.tokens + max(0.0, now - self.at) * self.rate)
        self.at = now
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate


@dataclass
class _Flood:
    """Telegram's flood limits: one bucket for the whole bot, one per chat (made when needed)."""

    bot: _Bucket
    chat_rate: float
    chat_burst: int
    chats: dict[int, _Bucket] = field(default_factory=dict)

    def buckets(self, params: JSON, now: float) -> list[_Bucket]:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):  # no chat (inline message) or one the API rejects
            return [self.bot]
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.chats[chat_id] = _Bucket(
                self.chat_rate, self.chat_burst, self.chat_burst, now
            )
        return [self.bot, chat]


@dataclass
class _Chaos:
    rate: float
    statuses: tuple[int, ...]
    timeout_share: float
    delay: float
    methods: frozenset[str]  # lower case
    rng: random.Random

    def roll(self, method: str) -> ApiError | float | None:
        """None: no fault; a float: answer that many seconds late; else the error to answer."""
        if method.lower() not in self.methods or self.rng.random() >= self.rate:
            return None
        if self.rng.random() < self.timeout_share:
            return self.delay
        status = self.rng.choice(self.statuses)
        description = None
        if status == 400:
            description = f"Bad Request: {_CHAOS_BAD_REQUEST.get(method, 'chat not found')}"
        error = _Fault(method.lower(), status, 1, None, None, None, description).error()
        assert error is not None  # chaos() only accepts error statuses
        return error


@dataclass
class _Chat:
    user: FakeUser
    blocked: bool = False
    last_message_id: int = 0
    bot_message_ids: list[int] = field(default_factory=list)
    reply_keyboard: JSON | None = None


@dataclass
class _Stored:
    api: JSON
    extras: JSON
    from_bot: bool
    deleted: bool = False  # by the user (`delete`): gone for the bot's edits too

    def view(self) -> JSON:
        return copy.deepcopy({**self.api, **self.extras})


@dataclass
class _File:
    file_id: str
    file_unique_id: str
    data: bytes
    sizes: list[JSON] = field(default_factory=list)  # for photos: the PhotoSize list
    kind: str = "document"  # "photo", "animation", "document", "sticker"
    api: JSON = field(default_factory=dict)  # for animations: the Animation object

    @property
    def file_size(self) -> int:
        return len(self.data)


# --------------------------------------------------------------------------------------------
# Text formatting: HTML, MarkdownV2 and legacy Markdown, and Telegram's automatic entities.


def _u16(text: str) -> int:
    """Length of `text` in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _entities_error(message: str) -> ApiError:
    return _bad(f"can't parse entities: {message}")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


_HTML_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_START_TAG_RE = re.compile(
    r"<([A-Za-z][A-Za-z0-9-]*)"
    r"((?:\s+[^\s=>/\"']+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_HTML_ATTR_RE = re.compile(r"([^\s=>/\"']+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")
_HTML_END_TAG_RE = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>")
_HTML_TAG_NAME_RE = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)")
_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


def _html_unescape(value: str) -> str:
    def repl(match: re.Match[str]) -> str:
        return _html_char(match) or match.group(0)

    return _HTML_ENTITY_RE.sub(repl, value)


def _html_char(match: re.Match[str]) -> str | None:
    decimal, hexadecimal, name = match.groups()
    if name:
        return _HTML_NAMED[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def parse_html(text: str) -> tuple[str, list[JSON]]:
    """Parse Telegram-style HTML into (plain text, entities) or raise a 400 `ApiError`."""
    out: list[str] = []
    pos = 0  # UTF-16 offset in the output
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[JSON] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "&":
            match = _HTML_ENTITY_RE.match(text, i)
            decoded = _html_char(match) if match else None
            if match is None or decoded is None:
                raise _entities_error(
                    f"Unescaped '&' at byte offset {_byte_offset(text, i)}: use &amp;"
                )
            out.append(decoded)
            pos += _u16(decoded)
            i = match.end()
            continue
        if char != "<":
            out.append(char)
            pos += _u16(char)
            i += 1
            continue
        offset = _byte_offset(text, i)
        if text.startswith("</", i):
            end = _HTML_END_TAG_RE.match(text, i)
            if end is None:
                raise _entities_error(f"Unclosed end tag at byte offset {offset}")
            name = end.group(1).lower()
            if not stack:
                raise _entities_error(f"Unexpected end tag at byte offset {offset}")
            top_name, start, top_attrs = stack[-1]
            if top_name != name:
                raise _entities_error(
                    f'Unmatched end tag at byte offset {offset}, expected "</{top_name}>", '
                    f'found "</{name}>"'
                )
            stack.pop()
            entity = _html_entity(top_name, start, pos - start, top_attrs, stack)
            if entity is not None:
                entities.append(entity)
            i = end.end()
            continue
        start_tag = _HTML_START_TAG_RE.match(text, i)
        name_match = _HTML_TAG_NAME_RE.match(text, i)
        tag_name = name_match.group(1).lower() if name_match else ""
        if tag_name not in _HTML_TAGS:
            raise _entities_error(f'Unsupported start tag "{tag_name}" at byte offset {offset}')
        if start_tag is None:
            raise _entities_error(f"Unclosed start tag at byte offset {offset}")
        attrs: dict[str, str] = {}
        for attr in _HTML_ATTR_RE.finditer(start_tag.group(2)):
            value = next((v for v in attr.groups()[1:] if v is not None), "")
            attrs[attr.group(1).lower()] = _html_unescape(value)
        if tag_name == "span" and attrs.get("class") != "tg-spoiler":
            raise _entities_error(
                f'Tag "span" must have class "tg-spoiler" at byte offset {offset}'
            )
        if tag_name == "tg-emoji" and not attrs.get("emoji-id"):
            raise _entities_error(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}'
            )
        stack.append((tag_name, pos, attrs))
        i = start_tag.end()
    if stack:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), entities


def _html_entity(
    tag: str,
    offset: int,
    length: int,
    attrs: dict[str, str],
    stack: list[tuple[str, int, dict[str, str]]],
) -> JSON | None:
    kind = _HTML_TAGS[tag]
    if tag == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-") and len(language) > len("language-"):
            stack[-1][2]["_language"] = language[len("language-") :]
            return None
    if length <= 0:
        return None
    entity: JSON = {"offset": offset, "length": length, "type": kind}
    if kind == "text_link":
        url = attrs.get("href", "")
        if not url:
            return None
        entity["url"] = url
    elif kind == "pre" and attrs.get("_language"):
        entity["language"] = attrs["_language"]
    elif kind == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = attrs["emoji-id"]
    return entity


_AUTO_PATTERNS = (
    ("url", re.compile(r"\bhttps?://[^\s<>\"]+")),
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#(?=\w*[^\W\d_])\w{1,256}")),
)
_NO_AUTO_INSIDE = frozenset({"code", "pre", "text_link", "text_mention", "custom_emoji"})


def _auto_entities(text: str, entities: list[JSON]) -> list[JSON]:
    """The entities Telegram detects by itself: urls, /commands, @mentions, #hashtags."""
    prefix = [0]
    for char in text:
        prefix.append(prefix[-1] + _u16(char))
    taken = [
        (e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] in _NO_AUTO_INSIDE
    ]
    found: list[JSON] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            begin, end = match.start(), match.end()
            if kind == "url":
                while end > begin and text[end - 1] in ".,;:!?)'":
                    end -= 1
            start16, end16 = prefix[begin], prefix[end]
            if any(start16 < b and a < end16 for a, b in taken):
                continue
            taken.append((start16, end16))
            found.append({"offset": start16, "length": end16 - start16, "type": kind})
    return found


def _sort_entities(entities: list[JSON]) -> list[JSON]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip leading/trailing whitespace as Telegram does, keeping entities aligned."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    left = _u16(text[: len(text) - len(text.lstrip())])
    total = _u16(stripped)
    result: list[JSON] = []
    for entity in entities:
        start = max(0, entity["offset"] - left)
        end = min(entity["offset"] + entity["length"] - left, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


def format_text(text: Any, parse_mode: Any, entities: Any) -> tuple[str, list[JSON]]:
    """Turn the sent text into what Telegram shows: (plain text, sorted entities)."""
    raw = "" if text is None else str(text)
    mode = str(parse_mode or "").lower()
    parsed: list[JSON]
    if mode in ("", "none"):
        plain = raw
        parsed = _check_entities(entities, _u16(raw))
    elif mode == "html":
        plain, parsed = parse_html(raw)
    else:
        raise _bad("unsupported parse_mode")
    plain, parsed = _trim(plain, parsed)
    parsed = parsed + _auto_entities(plain, parsed)
    return plain, _sort_entities(parsed)


def _check_entities(entities: Any, length: int) -> list[JSON]:
    if entities is None:
        return []
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise _bad("can't parse entities JSON object")
    result: list[JSON] = []
    for entity in entities:
        offset, size = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(size, int) or "type" not in entity:
            raise _bad('can\'t parse MessageEntity: Field "type" must be of type String')
        if size > 0 and offset >= 0 and offset + size <= length:
            result.append(dict(entity))
    return result


# --------------------------------------------------------------------------------------------
# Images: the size of a PNG for sendPhoto, and a small PNG maker for tests.


def make_png(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid RGB PNG of the given size (use as photo bytes in tests)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG image; None if it is not one (Coachbot sends only PNGs)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR" or len(data) < 24:
        return None
    width, height = struct.unpack(">II", data[16:24])
    if width <= 0 or height <= 0:
        return None
    return width, height


def gif_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a GIF image; None if it is not one."""
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 10:
        return None
    width, height = struct.unpack("<HH", data[6:10])
    return (width, height) if width and height else None


def _photo_dimensions(width: int, height: int) -> list[tuple[int, int]]:
    """The sizes Telegram keeps of a photo: thumbnails up to 1280 px and the original (≤2560)."""
    longest = max(width, height)
    sizes: list[tuple[int, int]] = []
    for cap in (90, 320, 800, 1280, 2560):
        if longest > cap:
            scale = cap / longest
            sizes.append((max(1, round(width * scale)), max(1, round(height * scale))))
        if longest <= cap:
            sizes.append((width, height))
            break
    return sizes


# --------------------------------------------------------------------------------------------
# Reply markup.


def _check_reply_markup(markup: Any) -> JSON | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
        for row in rows:
            for button in row:
                _check_inline_button(button)
        return markup
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('Field "keyboard" of the ReplyKeyboardMarkup must be an Array')
        for row in rows:
            for button in row:
                label = button.get("text") if isinstance(button, dict) else button
                if not isinstance(label, str):
                    raise _bad("can't parse keyboard button: Text must be a String")
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise _bad("can't parse reply keyboard markup JSON object")


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise _bad("can't parse inline keyboard button: Text must be a String")
    kinds = [kind for kind in _INLINE_BUTTON_KINDS if kind in button]
    if not kinds:
        raise _bad(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise _bad("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        parts = urlsplit(url) if isinstance(url, str) else None
        if (
            parts is None
            or parts.scheme not in ("http", "https", "tg", "ton")
            or not (parts.netloc or parts.scheme == "tg")
        ):
            raise _bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _inline_markup(markup: JSON | None) -> JSON | None:
    """The inline keyboard a message shows for the sent markup (None if no inline buttons)."""
    if markup is None or "inline_keyboard" not in markup:
        return None
    if not any(markup["inline_keyboard"]):
        return None
    return copy.deepcopy(markup)


# --------------------------------------------------------------------------------------------
# The server.

Handler = Callable[[JSON], Awaitable[Any]]


class FakeBotApi:
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
        self.token = token
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.bot_first_name = bot_first_name
        self.base_url = ""
        self.calls: list[ApiCall] = []
        self.commands: dict[str, list[JSON]] = {}
        self.commands_by_scope: dict[str, dict[str, list[JSON]]] = {}
        self.internal_errors: list[BaseException] = []
        self._chats: dict[int, _Chat] = {}
        self._stored: dict[tuple[int, int], _Stored] = {}
        self._sent_log: dict[int, list[JSON]] = {}
        self._edit_log: dict[int, list[JSON]] = {}
        self._message_cursor: dict[int, int] = {}
        self._edit_cursor: dict[int, int] = {}
        self._updates: list[JSON] = []
        self._next_update_id = 700_000_001
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._waiting_polls = 0
        self._queries: dict[str, JSON] = {}
        self._answers: dict[str, JSON] = {}
        self._next_query = 0
        self._next_file = 0
        self._files: dict[str, _File] = {}  # every file the bot sent, by each of its ids
        self._faults: list[_Fault] = []
        self._flood: _Flood | None = None
        self._chaos: _Chaos | None = None
        self.clock = clock
        self.wall_clock = wall_clock
        self._keep_calls = keep_calls
        # Counts every change a watcher could see (see `wait_for_change`).
        self.version = 0
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.webhook = FakeWebhook(self)
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

    # ---------------------------------------------------------------- acting as a user

    def user(
        self, user_id: int, first_name: str = "Anna", language_code: str | None = "en"
    ) -> FakeUser:
        """A user with a private chat with the bot, which they have opened."""
        user = FakeUser(user_id, first_name, language_code)
        chat = self._chats.get(user_id)
        if chat is None:
            self._chats[user_id] = _Chat(user=user)
        else:
            chat.user = user
        return user

    async def send(self, user: FakeUser, text: str) -> dict[str, Any]:
        """The user sends a text message ("/cmd args" gets a bot_command entity)."""
        if not text.strip():
            raise ValueError("Telegram clients cannot send empty messages")
        plain, entities = _trim(text, [])
        entities = _sort_entities(_auto_entities(plain, []))
        content: JSON = {"text": plain}
        if entities:
            content["entities"] = entities
        return self._user_message(user, content)

    async def send_location(
        self, user: FakeUser, latitude: float, longitude: float, *, live_period: int | None = None
    ) -> dict[str, Any]:
        """The user shares a location (a live one for `live_period` seconds if given)."""
        location: JSON = {"latitude": latitude, "longitude": longitude}
        if live_period is not None:
            location["live_period"] = live_period
        return self._user_message(user, {"location": location})

    async def edit(self, user: FakeUser, message: dict[str, Any], text: str) -> dict[str, Any]:
        """The user edits a text message they sent: the bot gets an `edited_message` update
        (the message as it is now, with `edit_date`)."""
        stored = self._own_message(user, message)
        if "text" not in stored.api:
            raise AssertionError("only a text message can be edited to a new text")
        plain, _entities = _trim(text, [])
        entities = _sort_entities(_auto_entities(plain, []))
        stored.api["text"] = plain
        if entities:
            stored.api["entities"] = entities
        else:
            stored.api.pop("entities", None)
        return self._edited(stored)

    async def move_live_location(
        self, user: FakeUser, message: dict[str, Any], latitude: float, longitude: float
    ) -> dict[str, Any]:
        """A live location the user shares moves on: Telegram sends it as an edit."""
        stored = self._own_message(user, message)
        if "live_period" not in stored.api.get("location", {}):
            raise AssertionError("only a live location moves on")
        stored.api["location"].update(latitude=latitude, longitude=longitude)
        return self._edited(stored)

    async def send_sticker(self, user: FakeUser, emoji: str = "👍") -> dict[str, Any]:
        """The user sends a sticker."""
        file = self._new_file(b"RIFF\x00\x00\x00\x00WEBPVP8X", "sticker")
        sticker: JSON = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": file.file_size,
        }
        return self._user_message(user, {"sticker": sticker})

    async def send_photo_from_user(
        self, user: FakeUser, *, caption: str | None = None, data: bytes | None = None
    ) -> dict[str, Any]:
        """The user sends a photo (a small generated PNG unless `data` is given)."""
        photo = self._photo_file(data if data is not None else make_png(40, 30))
        content: JSON = {"photo": copy.deepcopy(photo.sizes)}
        if caption:
            content["caption"] = caption
        return self._user_message(user, content)

    async def tap(self, user: FakeUser, message: dict[str, Any], data: str) -> str:
        """The user taps a button of a bot message with callback data `data` (may be forged)."""
        stored = self._lookup(message)
        query_id = str(4_000_000_000_000_000_000 + self._next_query * 7919 + user.id % 7919)
        self._next_query += 1
        query: JSON = {
            "id": query_id,
            "from": user.to_api(),
            "message": copy.deepcopy(stored.api),
            "chat_instance": self._chat_instance(stored.api["chat"]["id"]),
            "data": data,
        }
        self._queries[query_id] = query
        self.push_update({"callback_query": query})
        return query_id

    async def tap_button(self, user: FakeUser, message: dict[str, Any], label: str) -> str:
        """Tap the inline button whose text contains `label` (case-insensitive).

        Looks at the message's CURRENT keyboard. An exact (case-insensitive) match wins over
        partial ones; several partial matches are an error.
        """
        stored = self._lookup(message)
        rows = (stored.api.get("reply_markup") or {}).get("inline_keyboard", [])
        buttons = [button for row in rows for button in row]
        wanted = label.casefold()
        matches = [b for b in buttons if b["text"].casefold() == wanted] or [
            b for b in buttons if wanted in b["text"].casefold()
        ]
        listing = ", ".join(repr(b["text"]) for b in buttons) or "no inline buttons"
        if len(matches) != 1:
            problem = "no button" if not matches else f"{len(matches)} buttons"
            raise AssertionError(
                f"{problem} matching {label!r} on message {stored.api['message_id']} "
                f"({stored.api.get('text', stored.api.get('caption', ''))!r}); buttons: {listing}"
            )
        button = matches[0]
        if "callback_data" not in button:
            raise AssertionError(f"button {button['text']!r} has no callback_data: {button}")
        return await self.tap(user, message, button["callback_data"])

    async def delete(self, user: FakeUser, message: dict[str, Any]) -> None:
        """The user deletes a message of their chat with the bot for both sides, as private
        chats allow. Telegram tells the bot nothing; its later edits of the message answer
        400 "message to edit not found". A tap made before still arrives."""
        stored = self._lookup(message)
        if stored.api["chat"]["id"] != user.id:
            raise AssertionError(f"message {stored.api['message_id']} is not in {user}'s chat")
        stored.deleted = True
        self._notify()

    async def member_update(self, user: FakeUser, status: str) -> None:
        """A my_chat_member update: "kicked" (the user blocked the bot) or "member" (unblocked).

        Blocking also makes the bot's sends to the user answer 403, as on Telegram.
        """
        if status not in ("kicked", "member"):
            raise ValueError("status must be 'kicked' or 'member'")
        chat = self._chat_of(user)
        old = "member" if status == "kicked" else "kicked"
        new_member: JSON = {"user": self._bot_user(), "status": status}
        old_member: JSON = {"user": self._bot_user(), "status": old}
        if status == "kicked":
            new_member["until_date"] = 0
        else:
            old_member["until_date"] = 0
        chat.blocked = status == "kicked"
        self.push_update(
            {
                "my_chat_member": {
                    "chat": user.chat(),
                    "from": user.to_api(),
                    "date": int(self.wall_clock()),
                    "old_chat_member": old_member,
                    "new_chat_member": new_member,
                }
            }
        )

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue a raw update for getUpdates or the webhook (its update_id is assigned here)."""
        body = {k: v for k, v in update.items() if k != "update_id"}
        self._updates.append({"update_id": self._next_update_id, **body})
        self._next_update_id += 1
        self._notify()

    # ---------------------------------------------------------------- observing the bot

    def calls_to(self, method: str) -> list[ApiCall]:
        """The recorded calls of one method (name case-insensitive)."""
        wanted = method.lower()
        return [call for call in self.calls if call.method.lower() == wanted]

    def errors(self) -> list[ApiCall]:
        """Failed calls whose answer the client received (abandoned requests left out, e.g.
        the long poll PTB's Updater drops on stop, which Telegram and the fake end with 409)."""
        return [call for call in self.calls if not call.ok and not call.client_gone]

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Every bot message in the chat, in order, in its current state (deleted ones dropped)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        stored = [self._stored[(chat_id, mid)] for mid in chat.bot_message_ids]
        return [message.view() for message in stored if not message.deleted]

    async def next_message(self, chat_id: int, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        """The next bot message to the chat (as sent) not yet returned here; waits for it."""
        log = self._sent_log.setdefault(chat_id, [])
        if not await self._wait(lambda: len(log) > self._message_cursor.get(chat_id, 0), timeout):
            raise AssertionError(
                f"no new bot message in chat {chat_id} within {timeout}s\n" + self._report(chat_id)
            )
        index = self._message_cursor.get(chat_id, 0)
        self._message_cursor[chat_id] = index + 1
        return copy.deepcopy(log[index])

    async def next_edit(self, chat_id: int, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        """The next edit of a bot message in the chat: the message's state after that edit."""
        log = self._edit_log.setdefault(chat_id, [])
        if not await self._wait(lambda: len(log) > self._edit_cursor.get(chat_id, 0), timeout):
            raise AssertionError(
                f"no new edit in chat {chat_id} within {timeout}s\n" + self._report(chat_id)
            )
        index = self._edit_cursor.get(chat_id, 0)
        self._edit_cursor[chat_id] = index + 1
        return copy.deepcopy(log[index])

    async def callback_answer(self, query_id: str, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        """Wait for answerCallbackQuery of that query; its params (text, show_alert, ...)."""
        if not await self._wait(lambda: query_id in self._answers, timeout):
            failed = [c for c in self.calls_to("answerCallbackQuery") if not c.ok]
            raise AssertionError(
                f"callback query {query_id} not answered within {timeout}s; "
                f"failed answerCallbackQuery calls: {[(c.params, c.description) for c in failed]}"
            )
        return copy.deepcopy(self._answers[query_id])

    def chat_history(self, chat_id: int) -> list[dict[str, Any]]:
        """Every message of the chat, the user's and the bot's, in order and in its current
        state (deleted ones dropped), as the Bot API shapes it (without the fake's extras)."""
        keys = sorted(key for key in self._stored if key[0] == chat_id)
        messages = (self._stored[key] for key in keys)
        return [copy.deepcopy(m.api) for m in messages if not m.deleted]

    def file(self, file_id: str) -> tuple[bytes, str, str] | None:
        """A file the bot sent, by any of its ids: its bytes, MIME type and file name."""
        file = self._files.get(file_id)
        if file is None:
            return None
        if file.kind == "photo":
            return file.data, "image/png", "photo.png"
        if file.kind == "animation":  # kept as uploaded: a GIF (see _animation_file)
            name = str(file.api.get("file_name", "animation.gif")).removesuffix(".mp4")
            return file.data, "image/gif", name
        name = str(file.api.get("file_name", "document"))
        return file.data, str(file.api.get("mime_type", "application/octet-stream")), name

    async def wait_for_change(self, version: int, timeout: float) -> int:  # noqa: ASYNC109
        """Wait until something changed after `version` (or the timeout); the new version."""
        await self._wait(lambda: self.version != version, timeout)
        return self.version

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
        what: str = "condition",
    ) -> None:
        """Wait until predicate() is true; re-checked after every request the fake handles."""
        if not await self._wait(predicate, timeout):
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")

    def drain(self, chat_id: int) -> None:
        """Skip everything sent or edited so far in the chat (both cursors to the end)."""
        self._message_cursor[chat_id] = len(self._sent_log.get(chat_id, []))
        self._edit_cursor[chat_id] = len(self._edit_log.get(chat_id, []))

    def reply_keyboard(self, chat_id: int) -> list[list[str]] | None:
        """Labels of the reply keyboard currently shown in the chat (None if none)."""
        chat = self._chats.get(chat_id)
        if chat is None or chat.reply_keyboard is None:
            return None
        return [
            [b["text"] if isinstance(b, dict) else str(b) for b in row]
            for row in chat.reply_keyboard["keyboard"]
        ]

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by getUpdates with a higher offset."""
        return len(self._updates)

    @property
    def waiting_polls(self) -> int:
        """getUpdates requests currently long-polling."""
        return self._waiting_polls

    # ---------------------------------------------------------------- delivery and rates

    def delivered(self, chat_id: int, method: str | None = None) -> list[ApiCall]:
        """The successful calls that produced or changed a message in the chat, in order.

        Every method of FLOOD_COUNTED (sends, copies, forwards and edits) unless `method`
        narrows it down. A request whose answer came late or never reached the client counts:
        it took effect, so a retry of it shows as a duplicate here.
        """
        wanted = None if method is None else method.lower()
        return [
            call
            for call in self._counted()
            if call.params.get("chat_id") == chat_id
            and (wanted is None or call.method.lower() == wanted)
        ]

    def rate_between(self, start: float, end: float, chat_id: int | None = None) -> float:
        """Successful FLOOD_COUNTED calls per second with start <= at < end (timestamps from
        the fake's clock, time.monotonic() by default)."""
        if end <= start:
            raise ValueError("end must be after start")
        count = sum(1 for call in self._counted(chat_id) if start <= call.at < end)
        return count / (end - start)

    def flood_refusals(self, chat_id: int | None = None) -> list[ApiCall]:
        """The 429 answers of the flood model (not those injected with fail() or chaos())."""
        return [
            call
            for call in self.calls
            if call.fault == "flood" and (chat_id is None or call.params.get("chat_id") == chat_id)
        ]

    def _counted(self, chat_id: int | None = None) -> list[ApiCall]:
        return [
            call
            for call in self.calls
            if call.ok
            and call.method in FLOOD_COUNTED
            and (chat_id is None or call.params.get("chat_id") == chat_id)
        ]

    # ---------------------------------------------------------------- fault injection

    def fail(
        self,
        method: str,
        *,
        status: int,
        times: int = 1,
        chat_id: int | None = None,
        retry_after: int | None = None,
        delay: float | None = None,
        description: str | None = None,
    ) -> None:
        """Make the next `times` matching requests fail with `status` (0: answer normally).

        429 -> "Too Many Requests: retry after N" with parameters.retry_after; 403 -> blocked;
        500/502 -> Internal Server Error/Bad Gateway. `delay` seconds pass before the answer.
        """
        if status != 0 and not 400 <= status <= 599:
            raise ValueError("status must be 0 or an HTTP error status")
        if status == 0 and not delay:
            raise ValueError("status=0 only makes sense with a delay")
        if times < 1:
            raise ValueError("times must be at least 1")
        self._faults.append(
            _Fault(method.lower(), status, times, chat_id, retry_after, delay, description)
        )

    def flood_control(
        self,
        bot_rate: float | None = 30.0,
        bot_burst: int = 5,
        chat_rate: float = 1.0,
        chat_burst: int = 3,
    ) -> None:
        """Model Telegram's flood limits; `flood_control(None)` switches them off (the default).

        Token buckets on the fake's clock: one for the bot (`bot_rate` messages per second,
        at most `bot_burst` at once) and one per chat (`chat_rate`, `chat_burst`), all full
        now. Only FLOOD_COUNTED methods are counted. A request finding either bucket without
        a whole token answers 429 "Too Many Requests: retry after N" (N: whole seconds until
        the refusing buckets hold a token again, at least 1) and has no effect. Only a
        successful request takes a token, from both buckets; a refused or invalid one takes
        none. The buckets are checked after fail() and chaos() but before validation, so
        while they are empty an invalid request gets a 429 rather than its 400.
        """
        if bot_rate is None:
            self._flood = None
            return
        if bot_rate <= 0 or chat_rate <= 0:
            raise ValueError("rates must be positive")
        if bot_burst < 1 or chat_burst < 1:
            raise ValueError("bursts must be at least 1")
        bot = _Bucket(bot_rate, bot_burst, bot_burst, self.clock())
        self._flood = _Flood(bot, chat_rate, chat_burst)

    def chaos(
        self,
        rate: float | None = 0.2,
        *,
        statuses: Sequence[int] = (500, 502, 400),
        timeout_share: float = 0.0,
        delay: float = 3.0,
        methods: Iterable[str] = FLOOD_COUNTED,
        seed: int = 1,
    ) -> None:
        """Make a random share `rate` of the requests to `methods` fail; `chaos(None)` or a
        rate of 0 switches it off (the default).

        Of the failing requests, a share `timeout_share` takes effect but is answered only
        after `delay` seconds (as if the answer got stuck on its way back), so a client with a
        shorter read timeout gives up on a request that did happen; the others answer an
        error with a status drawn from `statuses` and have no effect (400: a realistic "Bad
        Request: ... not found"; 5xx: the usual gateway errors). Draws come from
        random.Random(seed), so the same sequence of requests meets the same faults.
        getUpdates, getMe and answerCallbackQuery are affected only if listed in `methods`;
        the default is the message methods, FLOOD_COUNTED. A fail() fault takes precedence.
        """
        if rate is None or rate == 0:
            self._chaos = None
            return
        statuses = tuple(statuses)
        if not 0 < rate <= 1 or not 0 <= timeout_share <= 1:
            raise ValueError("rate and timeout_share must be between 0 and 1")
        if any(not 400 <= status <= 599 for status in statuses):
            raise ValueError("statuses must be HTTP error statuses")
        if not statuses and timeout_share < 1:
            raise ValueError("statuses is empty; only timeout_share=1 needs none")
        if timeout_share > 0 and delay <= 0:
            raise ValueError("a late answer needs a positive delay")
        if isinstance(methods, str):
            methods = (methods,)
        wanted = frozenset(method.lower() for method in methods)
        self._chaos = _Chaos(rate, statuses, timeout_share, delay, wanted, random.Random(seed))

    def forget_files(self) -> None:
        """Telegram no longer knows the files the bot sent (as after a change of bot): a
        file_id sent again answers 400 "wrong file identifier"."""
        self._files.clear()

    def block(self, user: FakeUser) -> None:
        """From now on the bot's sends to the user answer 403 "bot was blocked by the user"."""
        self._chat_of(user).blocked = True

    # ---------------------------------------------------------------- internals: waiting

    def _notify(self) -> None:
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait(self, predicate: Callable[[], bool], timeout: float) -> bool:  # noqa: ASYNC109
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if predicate():
                return True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    def _report(self, chat_id: int) -> str:
        recent = [
            {k: m.get(k) for k in ("message_id", "text", "caption", "reply_markup") if k in m}
            for m in self.messages(chat_id)[-5:]
        ]
        failed = [
            f"{c.method} {c.error_code} {c.description}"
            for c in self.calls[-50:]
            if not c.ok and c.params.get("chat_id") == chat_id
        ]
        lines = [f"recent bot messages in chat {chat_id}: {recent}"]
        if failed:
            lines.append(f"failed calls to chat {chat_id}: {failed}")
        if self.internal_errors:
            lines.append(f"fake internal errors: {self.internal_errors!r}")
        return "\n".join(lines)

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
            buckets: list[_Bucket] = []
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

    def _flood_refusal(self, buckets: list[_Bucket]) -> ApiError | None:
        """Telegram's 429 if a bucket lacks a token: retry after the time until all have one."""
        now = self.clock()
        wait = max((bucket.wait(now) for bucket in buckets), default=0.0)
        if wait <= 0:
            return None
        retry_after = max(1, math.ceil(wait - 1e-9))
        description = f"Too Many Requests: retry after {retry_after}"
        return ApiError(429, description, {"retry_after": retry_after})

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
                raise _bad("can't parse request JSON object") from None
            if not isinstance(body, dict):
                raise _bad("can't parse request JSON object")
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
                    raise _bad(f"file of {key} not found in the request")
                params[key] = attached
        return _coerce(params)

    def _take_fault(self, method: str, params: JSON) -> _Fault | None:
        for fault in self._faults:
            if fault.method != method.lower():
                continue
            if fault.chat_id is not None and params.get("chat_id") != fault.chat_id:
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            return fault
        return None

    # ---------------------------------------------------------------- internals: state

    def _bot_user(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _chat_instance(self, chat_id: int) -> str:
        return str((chat_id * 2_654_435_761 + self.bot_id * 40_503) % 2**62 + 10**17)

    def _chat_of(self, user: FakeUser) -> _Chat:
        chat = self._chats.get(user.id)
        if chat is None:
            self.user(user.id, user.first_name, user.language_code)
            chat = self._chats[user.id]
        return chat

    def _find(self, chat_id: int, message_id: Any) -> _Stored | None:
        """The stored message, or None if it does not exist or was deleted."""
        if not isinstance(message_id, int):
            return None
        stored = self._stored.get((chat_id, message_id))
        return None if stored is None or stored.deleted else stored

    def _lookup(self, message: dict[str, Any]) -> _Stored:
        key = (message["chat"]["id"], message["message_id"])
        stored = self._stored.get(key)
        if stored is None:
            raise AssertionError(f"message {key[1]} in chat {key[0]} does not exist")
        return stored

    def _own_message(self, user: FakeUser, message: dict[str, Any]) -> _Stored:
        stored = self._lookup(message)
        if stored.from_bot or stored.api["chat"]["id"] != user.id:
            raise AssertionError(f"message {stored.api['message_id']} is not one {user} sent")
        return stored

    def _edited(self, stored: _Stored) -> JSON:
        stored.api["edit_date"] = int(self.wall_clock())
        self.push_update({"edited_message": copy.deepcopy(stored.api)})
        return copy.deepcopy(stored.api)

    def _user_message(self, user: FakeUser, content: JSON) -> JSON:
        chat = self._chat_of(user)
        chat.last_message_id += 1
        message: JSON = {
            "message_id": chat.last_message_id,
            "from": user.to_api(),
            "chat": user.chat(),
            "date": int(self.wall_clock()),
        }
        message.update(content)
        self._stored[(user.id, chat.last_message_id)] = _Stored(message, {}, from_bot=False)
        self.push_update({"message": message})
        return copy.deepcopy(message)

    def _target_chat(self, params: JSON) -> _Chat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise _bad("chat not found")
        return chat

    @staticmethod
    def _check_can_send(chat: _Chat) -> None:
        if chat.blocked:
            raise ApiError(403, BLOCKED)

    def _bot_message(self, chat: _Chat, content: JSON, extras: JSON, markup: JSON | None) -> JSON:
        """Store a new bot message and return it as the API does."""
        chat_id = chat.user.id
        chat.last_message_id += 1
        message: JSON = {
            "message_id": chat.last_message_id,
            "from": self._bot_user(),
            "chat": chat.user.chat(),
            "date": int(self.wall_clock()),
        }
        message.update(content)
        inline = _inline_markup(markup)
        if inline is not None:
            message["reply_markup"] = inline
        if markup is not None:
            if "keyboard" in markup:
                chat.reply_keyboard = copy.deepcopy(markup)
            elif markup.get("remove_keyboard"):
                chat.reply_keyboard = None
        stored = _Stored(message, extras, from_bot=True)
        self._stored[(chat_id, message["message_id"])] = stored
        chat.bot_message_ids.append(message["message_id"])
        self._sent_log.setdefault(chat_id, []).append(stored.view())
        return copy.deepcopy(message)

    def _editable(self, params: JSON) -> tuple[_Chat, _Stored]:
        if params.get("inline_message_id"):
            raise _bad("inline messages are not supported by the fake")
        chat = self._target_chat(params)
        self._check_can_send(chat)
        message_id = params.get("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        stored = self._find(chat.user.id, message_id)
        if stored is None:
            raise _bad("message to edit not found")
        if not stored.from_bot:
            raise _bad("message can't be edited")
        return chat, stored

    def _apply_edit(
        self,
        chat: _Chat,
        stored: _Stored,
        changes: JSON,
        markup: JSON | None,
        extras: JSON | None = None,
    ) -> JSON:
        before = (
            {k: stored.api.get(k) for k in changes},
            stored.api.get("reply_markup"),
        )
        inline = _inline_markup(markup)
        if before == (changes, inline):
            raise _bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        for key, value in changes.items():
            if value is None:
                stored.api.pop(key, None)
            else:
                stored.api[key] = value
        if inline is None:
            stored.api.pop("reply_markup", None)
        else:
            stored.api["reply_markup"] = inline
        if extras is not None:
            stored.extras = extras
        stored.api["edit_date"] = int(self.wall_clock())
        self._edit_log.setdefault(chat.user.id, []).append(stored.view())
        return copy.deepcopy(stored.api)

    def _new_file(self, data: bytes, kind: str) -> _File:
        self._next_file += 1
        number = self._next_file
        prefix = {"photo": "AgACAgIAAxk", "sticker": "CAACAgIAAxk", "animation": "CgACAgIAAxk"}
        file = _File(
            file_id=f"{prefix.get(kind, 'BQACAgIAAxk')}BAA{number:08d}fakeFileId{self.bot_id}",
            file_unique_id=f"AgAD{number:06d}",
            data=data,
            kind=kind,
        )
        self._files[file.file_id] = file
        return file

    def _known_file(self, file_id: str, kind: str) -> _File:
        """A file the bot sent before, named by its file_id, to send again as `kind`."""
        file = self._files.get(file_id)
        if file is None:
            raise ApiError(400, WRONG_FILE)
        if file.kind != kind:
            raise _bad(f"can't use file of type {file.kind.title()} as {kind.title()}")
        return file

    def _animation_file(self, upload: UploadedFile) -> _File:
        """An uploaded GIF, kept as Telegram keeps one: an MPEG-4 animation."""
        if not upload.data:
            raise _bad("file must be non-empty")
        if len(upload.data) > MAX_UPLOAD_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        size = gif_size(upload.data)
        if size is None:
            raise _bad("wrong file type: the fake takes animations as GIF")
        file = self._new_file(upload.data, "animation")
        width, height = size
        name = upload.filename or "animation.gif"
        file.api = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "width": width,
            "height": height,
            "duration": 1,
            "file_name": f"{name}.mp4",
            "mime_type": "video/mp4",
            "file_size": file.file_size,
        }
        return file

    def _media_file(self, value: Any, kind: str) -> _File:
        """The photo or animation a request names: an upload, or a file_id sent before."""
        if value is None or value == "":
            raise _bad(f"there is no {kind} in the request")
        if isinstance(value, str):
            return self._known_file(value, kind)
        if not isinstance(value, UploadedFile):
            raise ApiError(400, WRONG_FILE)
        if kind == "animation":
            return self._animation_file(value)
        if len(value.data) > 10 * 1024 * 1024:
            raise _bad("PHOTO_SAVE_FILE_INVALID")
        return self._photo_file(value.data)

    @staticmethod
    def _media_content(file: _File) -> tuple[JSON, JSON]:
        """A message's content and extras for a photo or an animation; the kinds it does
        not have are None (so an edit removes them)."""
        if file.kind == "animation":
            animation = copy.deepcopy(file.api)
            # For backward compatibility Telegram sets `document` along with `animation`.
            document = {k: v for k, v in animation.items() if k not in ("width", "height")}
            content: JSON = {"animation": animation, "document": document, "photo": None}
            return content, {"animation_bytes": file.data}
        content = {"photo": copy.deepcopy(file.sizes), "animation": None, "document": None}
        return content, {"photo_bytes": file.data}

    def _photo_file(self, data: bytes) -> _File:
        if not data:
            raise _bad("file must be non-empty")
        size = image_size(data)
        if size is None:
            raise _bad("IMAGE_PROCESS_FAILED")
        width, height = size
        if width + height > 10000 or max(width, height) > 20 * min(width, height):
            raise _bad("PHOTO_INVALID_DIMENSIONS")
        main = self._new_file(data, "photo")
        for w, h in _photo_dimensions(width, height):
            same = (w, h) == (width, height)
            file = main if same else self._new_file(data, "photo")
            self._files[file.file_id] = main  # any size's id sends the photo again
            main.sizes.append(
                {
                    "file_id": file.file_id,
                    "file_unique_id": file.file_unique_id,
                    "file_size": len(data)
                    if same
                    else max(1, len(data) * w * h // (width * height)),
                    "width": w,
                    "height": h,
                }
            )
        return main

    def _caption(self, params: JSON) -> JSON:
        """The content of an optional caption (in a request, or in an InputMedia)."""
        raw = params.get("caption")
        if raw is None or raw == "":
            return {}
        text, entities = format_text(raw, params.get("parse_mode"), params.get("caption_entities"))
        if _u16(text) > MAX_CAPTION_LENGTH:
            raise _bad("message caption is too long")
        content: JSON = {"caption": text} if text else {}
        if entities:
            content["caption_entities"] = entities
        return content

    # ---------------------------------------------------------------- methods

    async def _get_me(self, params: JSON) -> JSON:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self.webhook.url:
            raise ApiError(409, GET_UPDATES_CONFLICT)
        offset = params.get("offset")
        limit = params.get("limit", 100)
        limit = limit if isinstance(limit, int) and 1 <= limit <= 100 else 100
        timeout = params.get("timeout", 0)
        timeout = max(0, timeout) if isinstance(timeout, int) else 0
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        if isinstance(offset, int):
            if offset < 0:
                self._updates = self._updates[offset:]
            else:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # lets an older long poll see that it was superseded

        superseded = False

        def ready() -> bool:
            nonlocal superseded
            superseded = self._poll_generation != generation
            self._updates = [u for u in self._updates if self._deliverable(u)]
            return superseded or self._closing.is_set() or bool(self._updates)

        self._waiting_polls += 1
        try:
            await self._wait(ready, timeout)
        finally:
            self._waiting_polls -= 1
        if superseded:
            raise ApiError(409, _DEFAULT_DESCRIPTIONS[409])
        return copy.deepcopy(self._updates[:limit])

    def _deliverable(self, update: JSON) -> bool:
        kind = next((key for key in update if key != "update_id"), "")
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in _NOT_DELIVERED_BY_DEFAULT

    @staticmethod
    def _scope_key(params: JSON) -> str:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise _bad("can't parse BotCommandScope JSON object")
        parts = [scope["type"]]
        parts += [str(scope[key]) for key in ("chat_id", "user_id") if key in scope]
        return ":".join(parts)

    async def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand JSON object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name.lstrip("/")):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        language = str(params.get("language_code") or "")
        scope = self._scope_key(params)
        stored = [
            {"command": c["command"].lstrip("/"), "description": c["description"]} for c in commands
        ]
        by_language = self.commands_by_scope.setdefault(scope, {})
        if stored:
            by_language[language] = stored
        else:
            by_language.pop(language, None)
        if scope == "default":
            self.commands.clear()
            self.commands.update(copy.deepcopy(by_language))
        return True

    async def _send_message(self, params: JSON) -> JSON:
        chat = self._target_chat(params)
        raw = params.get("text")
        text, entities = format_text(raw, params.get("parse_mode"), params.get("entities"))
        if not text:
            raise _bad("message text is empty")
        if _u16(text) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        markup = _check_reply_markup(params.get("reply_markup"))
        self._check_can_send(chat)
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        return self._bot_message(chat, content, {}, markup)

    async def _send_document(self, params: JSON) -> JSON:
        chat = self._target_chat(params)
        document = _upload(params, "document")
        caption = self._caption(params)
        markup = _check_reply_markup(params.get("reply_markup"))
        self._check_can_send(chat)
        if not document.data:
            raise _bad("file must be non-empty")
        if len(document.data) > MAX_UPLOAD_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        name = document.filename or "document"
        file = self._new_file(document.data, "document")
        guessed = mimetypes.guess_type(name)[0]
        doc: JSON = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_name": name,
            "mime_type": guessed or document.content_type or "application/octet-stream",
            "file_size": file.file_size,
        }
        file.api = doc
        extras = {"document_bytes": file.data}
        return self._bot_message(chat, {"document": doc, **caption}, extras, markup)

    async def _send_photo(self, params: JSON) -> JSON:
        return self._send_media(params, "photo")

    async def _send_animation(self, params: JSON) -> JSON:
        return self._send_media(params, "animation")

    def _send_media(self, params: JSON, kind: str) -> JSON:
        chat = self._target_chat(params)
        caption = self._caption(params)
        markup = _check_reply_markup(params.get("reply_markup"))
        self._check_can_send(chat)
        file = self._media_file(params.get(kind), kind)
        content, extras = self._media_content(file)
        content = {key: value for key, value in content.items() if value is not None}
        return self._bot_message(chat, {**content, **caption}, extras, markup)

    async def _edit_message_media(self, params: JSON) -> JSON:
        chat, stored = self._editable(params)
        media = params.get("media")
        if not isinstance(media, dict):
            raise _bad("can't parse InputMedia JSON object")
        kind = media.get("type")
        if kind not in ("photo", "animation"):
            raise _bad(f"media type {kind!r} is not served by the fake (photo, animation)")
        reference = media.get("media")
        if isinstance(reference, str) and reference.startswith("attach://"):
            reference = params.get(reference.removeprefix("attach://"))
            if not isinstance(reference, UploadedFile):
                raise _bad("can't find the attached file")
        caption = self._caption(media)
        markup = _check_reply_markup(params.get("reply_markup"))
        if not any(key in stored.api for key in ("photo", "animation", "document", "video")):
            raise _bad("there is no media in the message to edit")
        file = self._media_file(reference, kind)
        content, extras = self._media_content(file)
        changes = {
            **content,
            "caption": caption.get("caption"),
            "caption_entities": caption.get("caption_entities"),
        }
        return self._apply_edit(chat, stored, changes, markup, extras)

    async def _edit_message_text(self, params: JSON) -> JSON:
        chat, stored = self._editable(params)
        raw = params.get("text")
        text, entities = format_text(raw, params.get("parse_mode"), params.get("entities"))
        if not text:
            raise _bad("message text is empty")
        if _u16(text) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        markup = _check_reply_markup(params.get("reply_markup"))
        if "text" not in stored.api:
            raise _bad("there is no text in the message to edit")
        changes = {"text": text, "entities": entities or None}
        return self._apply_edit(chat, stored, changes, markup)

    async def _edit_message_reply_markup(self, params: JSON) -> JSON:
        chat, stored = self._editable(params)
        markup = _check_reply_markup(params.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise _bad("inline keyboard expected")
        return self._apply_edit(chat, stored, {}, markup)

    async def _answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._queries or query_id in self._answers:
            raise ApiError(400, QUERY_INVALID)
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        self._answers[query_id] = dict(params)
        return True


def _client_gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


def _upload(params: JSON, key: str) -> UploadedFile:
    """The file uploaded as `key` (Coachbot uploads every file; it never sends a file_id or URL)."""
    upload = params.get(key)
    if upload is None or upload == "":
        raise _bad(f"there is no {key} in the request")
    if not isinstance(upload, UploadedFile):
        raise _bad("wrong file identifier/HTTP URL specified")
    return upload


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
                        raise _bad(f"invalid {key} specified") from None
            elif key in _BOOL_FIELDS:
                value = value.lower() in ("true", "1")
            elif key in _JSON_FIELDS:
                try:
                    value = json.loads(value) if value else None
                except ValueError:
                    raise _bad(f"can't parse {key} JSON object") from None
        result[key] = value
    return result
