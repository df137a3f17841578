"""What a user does in their private chat with the bot (write, share a location, edit, send
a sticker or a photo, tap a button, delete a message, block the bot), each turned into the
update Telegram would send the bot."""

from __future__ import annotations

import copy
from typing import Any

from coachbot.botapi.calls import JSON
from coachbot.botapi.formatting import auto_entities, sort_entities, trim
from coachbot.botapi.media import make_png
from coachbot.botapi.state import BotApiState, FakeUser, StoredMessage


class UserActions(BotApiState):
    """The users' side of their chats with the bot."""

    async def send(self, user: FakeUser, text: str) -> dict[str, Any]:
        """The user sends a text message ("/cmd args" gets a bot_command entity)."""
        if not text.strip():
            raise ValueError("Telegram clients cannot send empty messages")
        plain, entities = trim(text, [])
        entities = sort_entities(auto_entities(plain, []))
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
        plain, _entities = trim(text, [])
        entities = sort_entities(auto_entities(plain, []))
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
        file = self._files.new_file(b"RIFF\x00\x00\x00\x00WEBPVP8X", "sticker")
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
        photo = self._files.photo_file(data if data is not None else make_png(40, 30))
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

    def _lookup(self, message: dict[str, Any]) -> StoredMessage:
        key = (message["chat"]["id"], message["message_id"])
        stored = self._stored.get(key)
        if stored is None:
            raise AssertionError(f"message {key[1]} in chat {key[0]} does not exist")
        return stored

    def _own_message(self, user: FakeUser, message: dict[str, Any]) -> StoredMessage:
        stored = self._lookup(message)
        if stored.from_bot or stored.api["chat"]["id"] != user.id:
            raise AssertionError(f"message {stored.api['message_id']} is not one {user} sent")
        return stored

    def _edited(self, stored: StoredMessage) -> JSON:
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
        self._stored[(user.id, chat.last_message_id)] = StoredMessage(message, {}, from_bot=False)
        self.push_update({"message": message})
        return copy.deepcopy(message)
