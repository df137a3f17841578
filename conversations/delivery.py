"""The dispatcher's courier: one Telegram message per send; what Telegram answers is
sorted (`flood.failure_of`) into the failures the dispatcher has rules for."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram.error import TelegramError
from telegram.ext import ExtBot

from catalogue.loader import Catalogue
from coachbot import alerts, reports
from coachbot.budget import SendBudget
from coachbot.domain.model import Outgoing, Patient, Session, Therapist
from coachbot.domain.summary import CohortSummary
from conversations import keyboards
from conversations.checkin import session_message
from conversations.context import tr
from conversations.flood import DISPATCH, failure_of
from conversations.morning import morning_message
from conversations.summary import summary_messages
from conversations.therapist import alert_message


class TelegramCourier:
    """Implements `coachbot.dispatch.Courier` with the application's bot."""

    def __init__(self, bot: ExtBot[Any], catalogue: Catalogue, budget: SendBudget) -> None:
        self._bot = bot
        self._catalogue = catalogue
        self._budget = budget

    async def wait_for_budget(self) -> None:
        await self._budget.for_dispatch()

    async def send_session(self, patient: Patient, session: Session) -> int:
        _ = tr(patient.language)
        text, markup = session_message(session, self._catalogue, _, patient)
        try:
            sent = await self._bot.send_message(
                patient.chat_id, text, reply_markup=markup, rate_limit_args=DISPATCH
            )
        except TelegramError as error:
            raise failure_of(error) from error
        return sent.message_id

    async def send(self, chat_id: int, message: Outgoing) -> int:
        markup = keyboards.from_plain(message.buttons)
        try:
            if message.photo is not None:
                sent = await self._bot.send_photo(
                    chat_id,
                    message.photo,
                    caption=message.text or None,
                    reply_markup=markup,
                    rate_limit_args=DISPATCH,
                )
            else:
                sent = await self._bot.send_message(
                    chat_id, message.text, reply_markup=markup, rate_limit_args=DISPATCH
                )
        except TelegramError as error:
            raise failure_of(error) from error
        return sent.message_id

    def alert(self, notice: alerts.AlertNotice) -> Outgoing:
        return alert_message(notice)

    def summary(
        self, therapist: Therapist, summary: CohortSummary, now: datetime
    ) -> list[Outgoing]:
        return summary_messages(therapist, summary, now)

    def morning(self, check: reports.MorningCheck) -> Outgoing:
        return morning_message(check)
