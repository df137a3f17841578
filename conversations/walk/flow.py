"""The walk-through's buttons: "▶ Start" under the session, and back, next and "More"
on the walk-through's own message."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest

from coachbot import walkthrough
from coachbot.domain.errors import StaleButton
from coachbot.domain.model import Session
from coachbot.i18n import Translator
from conversations import buttons, media, menu
from conversations.context import CoachContext, tr
from conversations.walk import screens

log = logging.getLogger(__name__)


def _counter(context: CoachContext, _: Translator) -> walkthrough.Steps:
    catalogue = context.services.catalogue

    def count(session: Session) -> int:
        return len(screens.steps(session, catalogue, _))

    return count


async def start(update: Update, context: CoachContext) -> None:
    """▶ Start: the walk-through in a new message, at the step it had reached."""
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer()
    session_id = buttons.WALK_START.read(context).id("session")
    async with context.read() as uow:
        patient = await context.patient(query.from_user, uow)
        _ = tr(patient.language)
        walk = await walkthrough.resume(uow, patient, session_id, _counter(context, _))
    shown = screens.screen(
        walk.session,
        context.services.catalogue,
        _,
        patient,
        walk.step,
        reported=walk.report.outcome if walk.report else None,
    )
    chat_id = query.message.chat.id
    sent = await media.send_picture(
        context.bot, chat_id, shown.picture, shown.caption, shown.markup, context.services
    )
    async with context.uow() as uow:
        patient = await context.patient(query.from_user, uow)
        before = await walkthrough.shown(uow, patient, session_id, sent.message_id, walk.step)
        await uow.commit()
    if before is not None:
        # The walk-through moved to the new message: the old one's buttons go.
        try:
            await context.bot.edit_message_reply_markup(chat_id, before, reply_markup=None)
        except BadRequest as error:
            log.info("the older walk-through kept its buttons (%s)", error.message)


async def turn(update: Update, context: CoachContext) -> None:
    """Back, next, "More": the walk-through's message shows that step instead."""
    query = update.callback_query
    assert query is not None and query.message is not None
    data = buttons.WALK.read(context)
    session_id, step = data.id("session"), data.id("step")
    more = data.optional("view") == "more"
    message_id = query.message.message_id
    try:
        async with context.uow() as uow:
            patient = await context.patient(query.from_user, uow)
            _ = tr(patient.language)
            walk = await walkthrough.turn(
                uow, patient, session_id, message_id, step, _counter(context, _)
            )
            await uow.commit()
    except StaleButton:
        await menu.stale_button(update, context)  # answers the tap, as for any stale button
        return
    await query.answer()
    shown = screens.screen(
        walk.session,
        context.services.catalogue,
        _,
        patient,
        walk.step,
        more=more,
        reported=walk.report.outcome if walk.report else None,
    )
    try:
        await media.edit_picture(
            context.bot,
            query.message.chat.id,
            message_id,
            shown.picture,
            shown.caption,
            shown.markup,
            context.services,
        )
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise  # a repeated tap shows what is shown already; anything else is an error
