"""The patient's data: the privacy notice, everything stored as a file, and erasing it."""

from __future__ import annotations

import json

from telegram import (
    Update,
)

from coachbot import privacy as own_data
from conversations import buttons, keyboards, welcome
from conversations.context import CoachContext, tr


async def privacy(update: Update, context: CoachContext) -> None:
    """/privacy: the privacy notice again."""
    assert update.effective_message and update.effective_user
    _ = tr((await context.person(update.effective_user)).language)
    await update.effective_message.reply_text(welcome.privacy_text(_))


async def mydata(update: Update, context: CoachContext) -> None:
    """/mydata: everything stored about the patient, as a JSON file."""
    assert update.effective_message and update.effective_user
    patient = (await context.person(update.effective_user)).registered()
    async with context.read() as uow:
        data = await own_data.export_patient(uow, patient)
    _ = tr(patient.language)
    payload = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    await update.effective_message.reply_document(
        document=payload,
        filename="coachbot-my-data.json",
        caption=_("📦 Everything I store about you. /delete erases it."),
    )


async def delete(update: Update, context: CoachContext) -> None:
    """/delete: ask for confirmation first."""
    assert update.effective_message and update.effective_user
    patient = (await context.person(update.effective_user)).registered()
    _ = tr(patient.language)
    await update.effective_message.reply_text(
        _(
            "This deletes everything I store about you: profile, plan, sessions, reports and "
            "alerts. It cannot be undone. Are you sure?"
        ),
        reply_markup=keyboards.confirm_delete(_),
    )


async def delete_choice(update: Update, context: CoachContext) -> None:
    """The answer to the deletion question."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    confirmed = buttons.DELETE.read(context).text("answer") == "yes"
    async with context.uow() as uow:
        patient = await context.patient(query.from_user, uow)
        if confirmed:
            await own_data.delete_patient(uow, patient)
            await uow.commit()
    _ = tr(patient.language)
    if confirmed:
        await query.edit_message_text(
            _("🗑 Everything is deleted. If you ever want to start again, send /start. Take care!")
        )
    else:
        await query.edit_message_text(_("Nothing was deleted."))
