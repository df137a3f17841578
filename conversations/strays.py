"""Messages that are no answer to anything the bot asked: edits of earlier messages, and
commands addressed to another bot.

Telegram sends an edited message again, as an `edited_message` update. Taken as an
answer it would change what the person already told the bot (a time zone, a date)
behind their back, so it never is; the person is told once how to answer instead.
"""

from __future__ import annotations

from html import escape

from telegram import Chat, Message, MessageEntity, Update
from telegram.ext.filters import MessageFilter

from conversations.context import CoachContext, tr

# The edited message this chat was last told about, so fixing a typo twice gets one note.
NOTED_EDIT = "noted_edit"


async def edited_message(update: Update, context: CoachContext) -> None:
    """An edit of an earlier message: never an answer; the person is told once."""
    message = update.edited_message
    user = update.effective_user
    if message is None or user is None or message.chat.type != Chat.PRIVATE:
        return
    if message.location is not None:
        return  # a shared live location moving on: no edit the person made
    chat_data = context.chat_data
    if chat_data is None or chat_data.get(NOTED_EDIT) == message.message_id:
        return
    chat_data[NOTED_EDIT] = message.message_id
    _ = tr((await context.person(user)).language)
    await message.reply_text(
        _(
            "I do not read changes to messages, so nothing was changed. "
            "Please send your answer again as a new message."
        )
    )


def _addressee(message: Message) -> str | None:
    """The bot a command names after its @ (/help@otherbot), if it names one."""
    entity = message.entities[0] if message.entities else None
    if entity is None or entity.type != MessageEntity.BOT_COMMAND or entity.offset != 0:
        return None
    _command, _at, name = (message.text or "")[1 : entity.length].partition("@")
    return name or None


class _ForAnotherBot(MessageFilter):
    """A command that names another bot. Ours by name are CommandHandler's already."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        name = _addressee(message)
        return name is not None and name.lower() != message.get_bot().username.lower()


FOR_ANOTHER_BOT = _ForAnotherBot(name="for_another_bot")


async def command_for_another_bot(update: Update, context: CoachContext) -> None:
    """/help@otherbot: not ours to carry out, so say so and point at our /help."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    _ = tr((await context.person(user)).language)
    await message.reply_text(
        _(
            "That command is meant for another bot (@{name}), so I did nothing. "
            "/help shows my commands."
        ).format(name=escape(_addressee(message) or ""))
    )
