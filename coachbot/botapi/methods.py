"""The Bot API methods the fake serves, answering as Telegram does.

They make Telegram's important validations (empty or too long texts, HTML parse errors,
"message is not modified", callback_data over 64 bytes, ...), so nothing should rely on a
quirk of this fake. editMessageMedia edits a message that has media (Telegram's newer API may
also add media to a text message) to a photo or an animation.
"""

from __future__ import annotations

import copy
import re

from coachbot.botapi.calls import JSON, UploadedFile
from coachbot.botapi.errors import DEFAULT_DESCRIPTIONS, QUERY_INVALID, ApiError, bad
from coachbot.botapi.formatting import MAX_TEXT_LENGTH, format_caption, format_text, u16
from coachbot.botapi.markup import check_reply_markup
from coachbot.botapi.media import media_content, uploaded_file
from coachbot.botapi.state import BotApiState
from coachbot.botapi.webhook import GET_UPDATES_CONFLICT, FakeWebhook

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


class BotApiMethods(BotApiState):
    """The handlers of the Bot API methods: each takes the request's parameters and returns
    the result, or raises `ApiError`."""

    webhook: FakeWebhook  # made by the server: it posts the updates while one is set

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
            raise ApiError(409, DEFAULT_DESCRIPTIONS[409])
        return copy.deepcopy(self._updates[:limit])

    @staticmethod
    def _scope_key(params: JSON) -> str:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise bad("can't parse BotCommandScope JSON object")
        parts = [scope["type"]]
        parts += [str(scope[key]) for key in ("chat_id", "user_id") if key in scope]
        return ":".join(parts)

    async def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict):
                raise bad("can't parse BotCommand JSON object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name.lstrip("/")):
                raise bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
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
            raise bad("message text is empty")
        if u16(text) > MAX_TEXT_LENGTH:
            raise bad("message is too long")
        markup = check_reply_markup(params.get("reply_markup"))
        self._check_can_send(chat)
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        return self._bot_message(chat, content, {}, markup)

    async def _send_document(self, params: JSON) -> JSON:
        chat = self._target_chat(params)
        document = uploaded_file(params, "document")
        caption = format_caption(params)
        markup = check_reply_markup(params.get("reply_markup"))
        self._check_can_send(chat)
        file = self._files.document_file(document)
        extras = {"document_bytes": file.data}
        return self._bot_message(chat, {"document": file.api, **caption}, extras, markup)

    async def _send_photo(self, params: JSON) -> JSON:
        return self._send_media(params, "photo")

    async def _send_animation(self, params: JSON) -> JSON:
        return self._send_media(params, "animation")

    def _send_media(self, params: JSON, kind: str) -> JSON:
        chat = self._target_chat(params)
        caption = format_caption(params)
        markup = check_reply_markup(params.get("reply_markup"))
        self._check_can_send(chat)
        file = self._files.media_file(params.get(kind), kind)
        content, extras = media_content(file)
        content = {key: value for key, value in content.items() if value is not None}
        return self._bot_message(chat, {**content, **caption}, extras, markup)

    async def _edit_message_media(self, params: JSON) -> JSON:
        chat, stored = self._editable(params)
        media = params.get("media")
        if not isinstance(media, dict):
            raise bad("can't parse InputMedia JSON object")
        kind = media.get("type")
        if kind not in ("photo", "animation"):
            raise bad(f"media type {kind!r} is not served by the fake (photo, animation)")
        reference = media.get("media")
        if isinstance(reference, str) and reference.startswith("attach://"):
            reference = params.get(reference.removeprefix("attach://"))
            if not isinstance(reference, UploadedFile):
                raise bad("can't find the attached file")
        caption = format_caption(media)
        markup = check_reply_markup(params.get("reply_markup"))
        if not any(key in stored.api for key in ("photo", "animation", "document", "video")):
            raise bad("there is no media in the message to edit")
        file = self._files.media_file(reference, kind)
        content, extras = media_content(file)
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
            raise bad("message text is empty")
        if u16(text) > MAX_TEXT_LENGTH:
            raise bad("message is too long")
        markup = check_reply_markup(params.get("reply_markup"))
        if "text" not in stored.api:
            raise bad("there is no text in the message to edit")
        changes = {"text": text, "entities": entities or None}
        return self._apply_edit(chat, stored, changes, markup)

    async def _edit_message_reply_markup(self, params: JSON) -> JSON:
        chat, stored = self._editable(params)
        markup = check_reply_markup(params.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise bad("inline keyboard expected")
        return self._apply_edit(chat, stored, {}, markup)

    async def _answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._queries or query_id in self._answers:
            raise ApiError(400, QUERY_INVALID)
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise bad("MESSAGE_TOO_LONG")
        self._answers[query_id] = dict(params)
        return True
