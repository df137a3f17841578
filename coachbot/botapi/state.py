"""The fake's shared state, which every part of `FakeBotApi` reads and changes: the users'
chats and every message in them, the queue of updates, the callback queries, the files, the
recorded calls, and the waiting on a change of any of it."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from coachbot.botapi.calls import JSON, ApiCall
from coachbot.botapi.errors import BLOCKED, NOT_MODIFIED, ApiError, bad
from coachbot.botapi.limits import Chaos, Fault, Flood
from coachbot.botapi.markup import inline_markup
from coachbot.botapi.media import FileStore


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
class Chat:
    user: FakeUser
    blocked: bool = False
    last_message_id: int = 0
    bot_message_ids: list[int] = field(default_factory=list)
    reply_keyboard: JSON | None = None


@dataclass
class StoredMessage:
    api: JSON
    extras: JSON
    from_bot: bool
    deleted: bool = False  # by the user (`delete`): gone for the bot's edits too

    def view(self) -> JSON:
        return copy.deepcopy({**self.api, **self.extras})


# Update types the real API leaves out while allowed_updates is unset or empty.
_NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class BotApiState:
    """The state of one fake Telegram, and what more than one part of it does with it."""

    def __init__(
        self,
        token: str,
        bot_username: str,
        bot_id: int,
        bot_first_name: str,
        *,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
        keep_calls: int | None,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.bot_first_name = bot_first_name
        self.base_url = ""
        self.calls: list[ApiCall] = []
        self.commands: dict[str, list[JSON]] = {}
        self.commands_by_scope: dict[str, dict[str, list[JSON]]] = {}
        self.internal_errors: list[BaseException] = []
        self._chats: dict[int, Chat] = {}
        self._stored: dict[tuple[int, int], StoredMessage] = {}
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
        self._files = FileStore(bot_id)  # every file the bot sent, by each of its ids
        self._faults: list[Fault] = []
        self._flood: Flood | None = None
        self._chaos: Chaos | None = None
        self.clock = clock
        self.wall_clock = wall_clock
        self._keep_calls = keep_calls
        # Counts every change a watcher could see (see `wait_for_change`).
        self.version = 0
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()

    def user(
        self, user_id: int, first_name: str = "Anna", language_code: str | None = "en"
    ) -> FakeUser:
        """A user with a private chat with the bot, which they have opened."""
        user = FakeUser(user_id, first_name, language_code)
        chat = self._chats.get(user_id)
        if chat is None:
            self._chats[user_id] = Chat(user=user)
        else:
            chat.user = user
        return user

    def notify(self) -> None:
        """Tell whoever waits on `wait_for_change` that something they show changed (the
        fake itself does after every request and every user action)."""
        self._notify()

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

    def _deliverable(self, update: JSON) -> bool:
        kind = next((key for key in update if key != "update_id"), "")
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in _NOT_DELIVERED_BY_DEFAULT

    def _bot_user(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _chat_instance(self, chat_id: int) -> str:
        return str((chat_id * 2_654_435_761 + self.bot_id * 40_503) % 2**62 + 10**17)

    def _chat_of(self, user: FakeUser) -> Chat:
        chat = self._chats.get(user.id)
        if chat is None:
            self.user(user.id, user.first_name, user.language_code)
            chat = self._chats[user.id]
        return chat

    def _find(self, chat_id: int, message_id: Any) -> StoredMessage | None:
        """The stored message, or None if it does not exist or was deleted."""
        if not isinstance(message_id, int):
            return None
        stored = self._stored.get((chat_id, message_id))
        return None if stored is None or stored.deleted else stored

    def _target_chat(self, params: JSON) -> Chat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad("chat_id is empty")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad("chat not found")
        return chat

    @staticmethod
    def _check_can_send(chat: Chat) -> None:
        if chat.blocked:
            raise ApiError(403, BLOCKED)

    def _bot_message(self, chat: Chat, content: JSON, extras: JSON, markup: JSON | None) -> JSON:
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
        inline = inline_markup(markup)
        if inline is not None:
            message["reply_markup"] = inline
        if markup is not None:
            if "keyboard" in markup:
                chat.reply_keyboard = copy.deepcopy(markup)
            elif markup.get("remove_keyboard"):
                chat.reply_keyboard = None
        stored = StoredMessage(message, extras, from_bot=True)
        self._stored[(chat_id, message["message_id"])] = stored
        chat.bot_message_ids.append(message["message_id"])
        self._sent_log.setdefault(chat_id, []).append(stored.view())
        return copy.deepcopy(message)

    def _editable(self, params: JSON) -> tuple[Chat, StoredMessage]:
        if params.get("inline_message_id"):
            raise bad("inline messages are not supported by the fake")
        chat = self._target_chat(params)
        self._check_can_send(chat)
        message_id = params.get("message_id")
        if message_id is None:
            raise bad("message identifier is not specified")
        stored = self._find(chat.user.id, message_id)
        if stored is None:
            raise bad("message to edit not found")
        if not stored.from_bot:
            raise bad("message can't be edited")
        return chat, stored

    def _apply_edit(
        self,
        chat: Chat,
        stored: StoredMessage,
        changes: JSON,
        markup: JSON | None,
        extras: JSON | None = None,
    ) -> JSON:
        before = (
            {k: stored.api.get(k) for k in changes},
            stored.api.get("reply_markup"),
        )
        inline = inline_markup(markup)
        if before == (changes, inline):
            raise bad(NOT_MODIFIED.removeprefix("Bad Request: "))
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
