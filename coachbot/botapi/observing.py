"""What a test (or the sandbox) observes of the bot.

`calls` records every request; `messages(chat_id)` gives the current state of every bot
message in a chat; `next_message`/`next_edit` walk per-chat cursors through what the bot sent
and edited (each returns a snapshot taken when the message was sent or edited);
`callback_answer` waits for answerCallbackQuery; `wait_until` waits for any condition;
`errors()` lists failed calls the bot received. All waiting re-checks after every request the
fake handles, never by sleeping a fixed time. For delivery tests and benchmarks, every call
carries a monotonic timestamp (`ApiCall.at`): `delivered(chat_id)` lists the successful
message-producing calls to a chat (so duplicates and lost messages show), `rate_between()`
measures how fast the bot sent, `flood_refusals()` lists the 429s of the flood model.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from coachbot.botapi.calls import ApiCall
from coachbot.botapi.limits import FLOOD_COUNTED
from coachbot.botapi.state import BotApiState


class Observing(BotApiState):
    """What the bot did, as the tests look at it."""

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
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        # Both sides number a chat's messages from 1 up, as Telegram does.
        found = (self._stored.get((chat_id, n)) for n in range(1, chat.last_message_id + 1))
        return [copy.deepcopy(m.api) for m in found if m is not None and not m.deleted]

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
        markup = self.reply_markup(chat_id)
        if markup is None:
            return None
        return [
            [b["text"] if isinstance(b, dict) else str(b) for b in row]
            for row in markup["keyboard"]
        ]

    def reply_markup(self, chat_id: int) -> dict[str, Any] | None:
        """The reply keyboard currently shown in the chat, as the bot sent it (None if none)."""
        chat = self._chats.get(chat_id)
        if chat is None or chat.reply_keyboard is None:
            return None
        return copy.deepcopy(chat.reply_keyboard)

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
