"""The therapist's side of the bot: invites for patients, and being told who joined."""

from __future__ import annotations

import logging
from datetime import timedelta
from html import escape
from io import BytesIO

import qrcode
from telegram import Bot, Update, User
from telegram.error import TelegramError

from coachbot import services
from coachbot.domain.model import Therapist
from conversations.context import CoachContext, clear_buttons, tr
from conversations.render import day_name

log = logging.getLogger(__name__)


def deep_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={code}"


def qr_png(text: str) -> bytes:
    buffer = BytesIO()
    qrcode.make(text, box_size=8, border=2).save(buffer, format="PNG")
    return buffer.getvalue()


async def invite(update: Update, context: CoachContext) -> None:
    """/invite: a single-use, expiring deep link and QR code for a new patient."""
    assert update.effective_message and update.effective_user
    settings = context.services.settings
    now = context.now()
    async with context.uow() as uow:
        therapist = await services.therapist_of(uow, update.effective_user.id)
        created = await services.create_invite(
            uow, update.effective_user.id, timedelta(days=settings.invite_valid_days), now
        )
        await uow.commit()
    _ = tr(therapist.language)
    username = settings.telegram_bot_username or context.bot.username
    link = deep_link(username.lstrip("@"), created.code)
    expires = created.expires_at.astimezone(now.tzinfo).date()
    await update.effective_message.reply_photo(
        qr_png(link),
        caption=_(
            "📨 Invite for one new patient: {link}\n"
            "Valid once, until {day}. Print the QR code or show it on your phone in the "
            "practice; the patient scans it with their phone camera."
        ).format(link=link, day=day_name(expires, therapist.language)),
    )


async def tell_therapist(bot: Bot, therapist: Therapist, patient_user: User) -> None:
    """Tell a therapist that a patient linked to them (by their Telegram first name)."""
    if therapist.telegram_user_id is None:
        return
    _ = tr(therapist.language)
    try:
        await bot.send_message(
            therapist.telegram_user_id,
            _("🤝 {name} is now linked to you through your invite.").format(
                name=escape(patient_user.first_name)
            ),
        )
    except TelegramError as error:
        log.warning("could not tell therapist %s about a new patient: %s", therapist.id, error)


async def confirm_link(update: Update, context: CoachContext) -> None:
    """An enrolled patient answers "link to this therapist?"."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    await query.answer()
    _prefix, code, answer = query.data.rsplit(":", 2)
    async with context.uow() as uow:
        patient = await services.patient_of(uow, query.from_user.id)
        therapist = None
        if answer == "y":
            therapist = await services.link_to_therapist(
                uow, query.from_user.id, code, context.now()
            )
            await uow.commit()
    _ = tr(patient.language)
    await clear_buttons(query)
    if therapist is None:
        await query.message.chat.send_message(_("All right, nothing was linked."))
        return
    await query.message.chat.send_message(
        _("✅ You are now linked with {name}. They will see your training and reports.").format(
            name=escape(therapist.name)
        )
    )
    await tell_therapist(context.bot, therapist, query.from_user)
