"""Messages that are no answer to anything the bot asked: edits of earlier messages.

Telegram sends an edited message again, as an `edited_message` update. Taken as an
answer it would change what the person already told the bot (a time zone, a date)
behind their back, so it never is; the person is told once how to answer instead.
"""

from __future__ import annotations

from telegram import Chat, Update

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
