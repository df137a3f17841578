"""Pictures in messages, each uploaded to Telegram once.

Telegram keeps every file it is sent and names it by a file id; sending that id again
costs neither the upload nor the wait. The id is stored by the digest of the picture's
bytes (`telegram_file`), so every process and every restart reuses it, and a new
drawing (a new digest) is uploaded afresh. Should Telegram refuse a stored id, the
picture is uploaded again and the new id replaces it.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import IntegrityError
from telegram import (
    InlineKeyboardMarkup,
    InputFile,
    InputMedia,
    InputMediaAnimation,
    InputMediaPhoto,
    Message,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ExtBot

from catalogue.pictures import Rendered
from conversations.context import Services

log = logging.getLogger(__name__)

GIF = "image/gif"
# What Telegram answers for a file id it does not know (any more).
_UNKNOWN_FILE = ("wrong file identifier", "wrong remote file identifier", "file reference")


def unknown_file(error: BadRequest) -> bool:
    return any(words in error.message.lower() for words in _UNKNOWN_FILE)


async def _stored_id(services: Services, picture: Rendered) -> str | None:
    async with services.read() as uow:
        return await uow.files.file_id(picture.digest)


async def _remember(services: Services, picture: Rendered, message: Message | bool) -> None:
    """Keep the file id Telegram gave the uploaded picture."""
    file_id = file_id_of(message)
    if file_id is None:
        return
    try:
        async with services.uow() as uow:
            await uow.files.remember(picture.digest, file_id, services.clock())
            await uow.commit()
    except IntegrityError:
        # Another process stored this picture's id meanwhile: theirs serves as well.
        log.debug("a picture's file id was stored meanwhile")


def file_id_of(message: Message | bool) -> str | None:
    """The file id of a message's picture (the largest size of a photo)."""
    if not isinstance(message, Message):
        return None
    if message.animation is not None:
        return message.animation.file_id
    if message.photo:
        return message.photo[-1].file_id
    return None


def _upload(picture: Rendered, attach: bool = False) -> InputFile:
    """The picture's bytes to upload; `attach` in an InputMedia, which names its file part
    ("attach://...") instead of being it."""
    return InputFile(picture.data, filename=picture.filename, attach=attach)


async def send_picture(
    bot: ExtBot[Any],
    chat_id: int,
    picture: Rendered,
    caption: str,
    markup: InlineKeyboardMarkup | None,
    services: Services,
) -> Message:
    """A new message with the picture (a GIF as an animation) and an HTML caption."""

    async def send(media: str | InputFile) -> Message:
        if picture.mime == GIF:
            return await bot.send_animation(
                chat_id, media, caption=caption, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        return await bot.send_photo(
            chat_id, media, caption=caption, parse_mode=ParseMode.HTML, reply_markup=markup
        )

    stored = await _stored_id(services, picture)
    if stored is not None:
        try:
            return await send(stored)
        except BadRequest as error:
            if not unknown_file(error):
                raise
            log.info("Telegram no longer knows a stored picture; uploading it again")
    message = await send(_upload(picture))
    await _remember(services, picture, message)
    return message


def _media(picture: Rendered, media: str | InputFile, caption: str) -> InputMedia:
    if picture.mime == GIF:
        return InputMediaAnimation(media, caption=caption, parse_mode=ParseMode.HTML)
    return InputMediaPhoto(media, caption=caption, parse_mode=ParseMode.HTML)


async def edit_picture(
    bot: ExtBot[Any],
    chat_id: int,
    message_id: int,
    picture: Rendered,
    caption: str,
    markup: InlineKeyboardMarkup | None,
    services: Services,
) -> None:
    """Show another picture, caption and buttons in a message sent with a picture."""
    stored = await _stored_id(services, picture)
    if stored is not None:
        try:
            await bot.edit_message_media(
                _media(picture, stored, caption), chat_id, message_id, reply_markup=markup
            )
            return
        except BadRequest as error:
            if not unknown_file(error):
                raise
            log.info("Telegram no longer knows a stored picture; uploading it again")
    edited = await bot.edit_message_media(
        _media(picture, _upload(picture, attach=True), caption),
        chat_id,
        message_id,
        reply_markup=markup,
    )
    await _remember(services, picture, edited)
