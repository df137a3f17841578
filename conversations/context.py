"""Typed access to Coachbot's services from every handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message
from telegram.error import BadRequest
from telegram.ext import Application, CallbackContext, ExtBot

from catalogue.loader import Catalogue
from coachbot.config import Settings
from coachbot.db.uow import SessionFactory, UnitOfWork
from coachbot.i18n import Translator

if TYPE_CHECKING:
    from coachbot.dispatch import Dispatcher


@dataclass
class Services:
    """What handlers need: settings, the catalogue, the database and the clock."""

    settings: Settings
    catalogue: Catalogue
    sessions: SessionFactory
    clock: Callable[[], datetime]
    dispatcher: Dispatcher | None = None

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)


class CoachContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The callback context of every Coachbot handler."""

    SERVICES_KEY = "services"

    @property
    def services(self) -> Services:
        services: Services = self.bot_data[self.SERVICES_KEY]
        return services

    def now(self) -> datetime:
        return self.services.clock()

    def uow(self) -> UnitOfWork:
        return self.services.uow()


CoachApplication = Application[
    ExtBot[Any], CoachContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]


def tr(language: str | None) -> Translator:
    return Translator(language or "en")


async def set_buttons(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    """Show new buttons (or none) on the message a button was pressed on."""
    message = query.message
    if markup is None and isinstance(message, Message) and message.reply_markup is None:
        return
    try:
        await query.edit_message_reply_markup(markup)
    except BadRequest as error:
        # A repeated tap: the message shows these buttons already.
        if "not modified" not in error.message.lower():
            raise


async def clear_buttons(query: CallbackQuery) -> None:
    """Remove the buttons of the message a button was pressed on, if it still has any."""
    await set_buttons(query, None)
