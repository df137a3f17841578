"""Reaching the patient from their card: a short message, and ending the link."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Message, Update

from coachbot import access, linking
from coachbot.domain.errors import NotYours
from coachbot.domain.model import Therapist
from conversations import buttons
from conversations.card.view import edit_card, own, tell_patient
from conversations.context import CoachContext, tr
from conversations.keyboards import button

MESSAGE_STEP = "message"  # "message:<patient id>": the next text goes to that patient
MESSAGE_LIMIT = 1000  # characters of a therapist's message to a patient


async def message_prompt(update: Update, context: CoachContext) -> None:
    """Ask for the text of a short message to the patient (or cancel that)."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    data = buttons.MESSAGE.read(context)
    pid, cancel = data.id("patient"), data.optional("cancel") is not None
    async with context.uow() as uow:
        therapist = await context.therapist(query.from_user, uow)
        patient = await access.own_patient(uow, therapist, pid)
        therapist.step = None if cancel else f"{MESSAGE_STEP}:{pid}"
        await uow.commit()
    _ = tr(therapist.language)
    if cancel:
        await edit_card(update, context, pid, _("Nothing was sent."))
        return
    await query.edit_message_text(
        _(
            "Type your message to {name} (up to {limit} characters). It is sent as it is, "
            "signed with your name."
        ).format(name=escape(patient.display_name), limit=MESSAGE_LIMIT),
        reply_markup=InlineKeyboardMarkup([[button(_("Cancel"), buttons.MESSAGE.data(pid, "x"))]]),
    )


async def typed_message(message: Message, therapist: Therapist, context: CoachContext) -> None:
    """The text the therapist typed for a patient: send it on, signed."""
    _ = tr(therapist.language)
    pid = int((therapist.step or "").split(":")[1])
    text = (message.text or "").strip()
    if not text or len(text) > MESSAGE_LIMIT:
        await message.reply_text(
            _("Please type a message of up to {limit} characters; nothing was sent.").format(
                limit=MESSAGE_LIMIT
            )
        )
        return
    assert message.from_user is not None
    async with context.uow() as uow:
        therapist = await context.therapist(message.from_user, uow)
        therapist.step = None
        try:
            patient = await access.own_patient(uow, therapist, pid)
        except NotYours:
            await uow.commit()
            raise
        await uow.commit()
    p_ = tr(patient.language)
    delivered = await tell_patient(
        context,
        patient.chat_id,
        p_("✉️ Message from your therapist {name}:").format(name=escape(therapist.name))
        + "\n\n"
        + escape(text),
    )
    name = escape(patient.display_name or _("A patient"))
    if delivered:
        await message.reply_text(_("✅ Sent to {name}.").format(name=name))
    else:
        await message.reply_text(
            _(
                "{name} could not be reached (they may have blocked the bot). "
                "Nothing was delivered."
            ).format(name=name)
        )


async def unlink_question(update: Update, context: CoachContext) -> None:
    """Unlink: ask first, then do it (or not)."""
    query = update.callback_query
    assert query is not None
    data = buttons.UNLINK.read(context)
    pid = data.id("patient")
    if data.optional("sure") is None:
        await query.answer()
        therapist, patient = await own(update, context, pid)
        _ = tr(therapist.language)
        await query.edit_message_text(
            _(
                "Unlink {name}? You will no longer see their training or get alerts about "
                "them. Their training goes on, with the plan adapting on its own."
            ).format(name=escape(patient.display_name)),
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        button(_("Yes, unlink"), buttons.UNLINK.data(pid, "y")),
                        button(_("No"), buttons.CARD.data(pid)),
                    ]
                ]
            ),
        )
        return
    async with context.uow() as uow:
        therapist = await context.therapist(query.from_user, uow)
        patient = await access.own_patient(uow, therapist, pid)
        await linking.unlink(uow, patient, context.now())
        await uow.commit()
    _ = tr(therapist.language)
    await query.answer()
    p_ = tr(patient.language)
    await tell_patient(
        context,
        patient.chat_id,
        p_(
            "🔗 {name} has ended the link with you. Your training goes on as before; your "
            "plan now adapts on its own to your feedback."
        ).format(name=escape(therapist.name)),
    )
    await query.edit_message_text(
        _("🔗 {name} is unlinked and was told.").format(name=escape(patient.display_name)),
        reply_markup=InlineKeyboardMarkup([[button(_("‹ Patients"), buttons.ROSTER_PAGE.data(0))]]),
    )
