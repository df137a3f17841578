"""The fault models as data: what the fake was told to answer wrongly (`Fault`), Telegram's
flood limits as token buckets (`Flood`), and seeded random failures (`Chaos`). The
switches that set them are faults.py's; the state holds them."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from http import HTTPStatus

from coachbot.botapi.calls import JSON
from coachbot.botapi.errors import DEFAULT_DESCRIPTIONS, QUERY_INVALID, ApiError

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


@dataclass
class Fault:
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
            description = DEFAULT_DESCRIPTIONS.get(self.status, phrase)
            if self.retry_after is not None:
                parameters = {"retry_after": self.retry_after}
        return ApiError(self.status, self.description or description, parameters)


@dataclass
class Bucket:
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
class Flood:
    """Telegram's flood limits: one bucket for the whole bot, one per chat (made when needed)."""

    bot: Bucket
    chat_rate: float
    chat_burst: int
    chats: dict[int, Bucket] = field(default_factory=dict)

    def buckets(self, params: JSON, now: float) -> list[Bucket]:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):  # no chat (inline message) or one the API rejects
            return [self.bot]
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.chats[chat_id] = Bucket(
                self.chat_rate, self.chat_burst, self.chat_burst, now
            )
        return [self.bot, chat]


@dataclass
class Chaos:
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
        error = Fault(method.lower(), status, 1, None, None, None, description).error()
        assert error is not None  # chaos() only accepts error statuses
        return error
