"""The patient's card: one message with their state, last 28 days, plan, alerts and
proposals, and the buttons of everything the therapist can do from it.

Every card button names the patient; `access.own_patient` refuses anyone else's,
and each action follows one skeleton (`act`): the therapist's own patient, the
use case in one transaction, the tap answered, the patient told, the card again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import TypeVar
from zoneinfo import ZoneInfo

from babel.dates import get_day_names
from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden, TelegramError

from catalogue.loader import Catalogue
from coachbot import access, views
from coachbot.db.uow import UnitOfWork
from coachbot.domain import schedule
from coachbot.domain.errors import InvalidChange
from coachbot.domain.model import Patient, Therapist
from coachbot.domain.surgery import Phase, phase
from coachbot.domain.vocabulary import OPEN_STATES, Direction, PatientStatus, SessionState
from coachbot.i18n import Translator
from conversations import buttons, labels
from conversations.charts import progress_chart
from conversations.context import CoachContext, tr
from conversations.keyboards import button
from conversations.render import (
    change_text,
    day_name,
    mean_pain,
    percent,
    plan_dose_text,
    title,
)
from conversations.surgery import phase_line

log = logging.getLogger(__name__)

STRIP = {
    SessionState.DONE: "✅",
    SessionState.PARTLY: "🟡",
    SessionState.SKIPPED: "⏭",
    SessionState.MISSED: "❌",
    SessionState.EXCUSED: "⏸",
    SessionState.UNDELIVERED: "⚠️",
}
OPEN_DAY = "⬜"
SHOWN_ALERTS = 5  # the newest; the card must stay within one message
NO_SESSION = "▫️"

T = TypeVar("T")


def back(patient_id: int, _: Translator) -> list[InlineKeyboardButton]:
    return [button(_("‹ Back to the card"), buttons.CARD.data(patient_id))]


# --- the card's text and buttons ---------------------------------------------------


def status_text(card: views.PatientCard, _: Translator) -> str:
    patient = card.patient
    language = card.therapist.language
    if patient.status == PatientStatus.PAUSED and patient.paused_until is not None:
        return _("paused until {day}").format(day=day_name(patient.paused_until, language))
    return _(labels.STATUS_LABELS[patient.status])


def strip(card: views.PatientCard, today: date) -> list[str]:
    """The last 28 days, a week per line, oldest first."""
    states = {record.day: record.state for record in card.progress.days}
    lines = []
    for week in range(4):
        first = today - timedelta(days=27 - week * 7)
        marks = []
        for offset in range(7):
            state = states.get(first + timedelta(days=offset))
            marks.append(NO_SESSION if state is None else STRIP.get(state, OPEN_DAY))
        lines.append(f"<code>{first.strftime('%d.%m.')}</code> " + "".join(marks))
    return lines


def usual_pain_line(patient: Patient, _: Translator) -> str:
    """The usual pain alerts are judged against, and what it was at enrolment."""
    if patient.baseline_pain is None:
        return _("Usual pain: not given")
    if patient.usual_pain is None or patient.usual_pain == patient.baseline_pain:
        return _("Usual pain: {usual}/10").format(usual=patient.baseline_pain)
    return _("Usual pain: {usual}/10 (at enrolment {baseline}/10)").format(
        usual=patient.usual_pain, baseline=patient.baseline_pain
    )


def screen_text(patient: Patient, _: Translator) -> str:
    """The last warning-sign screen: when, and the signs said yes to."""
    if patient.screened_at is None:
        return _("Warning signs: not checked yet")
    day = patient.screened_at.astimezone(ZoneInfo(patient.timezone)).strftime("%d.%m.%Y")
    if not patient.warning_signs:
        return _("Warning signs: none (checked {day})").format(day=day)
    signs = "; ".join(_(labels.RED_FLAG_LABELS[flag]) for flag in patient.warning_signs)
    return _("⚠️ Warning signs on {day}: {signs}").format(day=day, signs=escape(signs))


def card_text(card: views.PatientCard, catalogue: Catalogue, today: date, _: Translator) -> str:
    patient = card.patient
    language = card.therapist.language
    progress = card.progress
    day_names = get_day_names("abbreviated", locale=language)
    name = escape(patient.display_name or _("A patient"))
    conditions = ", ".join(_(labels.CONDITION_LABELS[c]) for c in patient.conditions) or "–"
    equipment = ", ".join(_(labels.EQUIPMENT_LABELS[e]) for e in patient.equipment) or "–"
    lines = [
        f"<b>{name}</b> (#{patient.id}) · {escape(status_text(card, _))}",
        _("Training at {time} ({zone}) on {days} · {level}").format(
            time=patient.prompt_time.strftime("%H:%M"),
            zone=escape(patient.timezone),
            days=", ".join(str(day_names[d]) for d in patient.training_days),
            level=escape(_(labels.LEVEL_NAMES[patient.level])),
        ),
        _("Conditions: {conditions}").format(conditions=escape(conditions)),
        *[escape(line) for line in [phase_line(patient, today, _)] if line],
        _("Equipment: {equipment}").format(equipment=escape(equipment)),
        usual_pain_line(patient, _),
        screen_text(patient, _),
        _("Adherence: 7 days {week}, 28 days {month} · streak {streak}").format(
            week=percent(progress.adherence_7.ratio),
            month=percent(progress.adherence_28.ratio),
            streak=progress.streak,
        ),
        _("Pain: first week {first}, last 7 days {last}").format(
            first=mean_pain(progress.pain_first_week, language),
            last=mean_pain(progress.pain_last_week, language),
        ),
        "",
        _(
            "<b>Last 28 days</b> (✅ done, 🟡 partly, ⏭ skipped, ❌ missed, ⏸ paused or "
            "stopped, ⚠️ could not be delivered, ⬜ still open, ▫️ no session)"
        ),
        *strip(card, today),
        "",
        _("<b>Plan</b> 🔒 locked: only you change it")
        if patient.plan_locked
        else _("<b>Plan</b> (progression proposes changes to you)"),
    ]
    for number, item in enumerate(card.plan, start=1):
        lines.append(
            f"{number}. {escape(title(catalogue, item.exercise_id, language))}: "
            f"{escape(plan_dose_text(item.exercise_id, item.dose, catalogue, _))}"
        )
    if card.open_alerts:
        lines += ["", _("<b>Open alerts</b>")]
        for alert in card.open_alerts[-SHOWN_ALERTS:]:
            kind = escape(labels.alert_kind(alert.kind, _))
            facts = labels.alert_facts(alert, _)
            lines.append(
                f"• {alert.created_at.strftime('%d.%m.')} {kind}"
                + (f" ({escape(facts)})" if facts else "")
            )
        hidden = len(card.open_alerts) - SHOWN_ALERTS
        if hidden > 0:
            lines.append(
                _.ngettext(
                    "({count} older open alert not shown)",
                    "({count} older open alerts not shown)",
                    hidden,
                ).format(count=hidden)
            )
    for change in card.proposals:
        head = (
            _("<b>Proposed: a step up</b>, because {why}")
            if change.direction is Direction.PROGRESS
            else _("<b>Proposed: a step down</b>, because {why}")
        )
        lines += ["", head.format(why=escape(labels.therapist_reason(change.reason, _)))]
        lines += change_text(change, catalogue, _).split("\n")[1:]
    return "\n".join(lines)


def card_buttons(card: views.PatientCard, _: Translator) -> InlineKeyboardMarkup:
    pid = card.patient.id
    status = card.patient.status
    rows = [
        [
            button(_("📝 Edit plan"), buttons.PLAN.data(pid)),
            button(_("⏰ Time"), buttons.TIME.data(pid)),
        ],
    ]
    second = [
        button(_("🔓 Unlock plan"), buttons.LOCK.data(pid, "n"))
        if card.patient.plan_locked
        else button(_("🔒 Lock plan"), buttons.LOCK.data(pid, "y")),
        button(_("✉️ Message"), buttons.MESSAGE.data(pid)),
    ]
    if status == PatientStatus.ACTIVE:
        second.insert(0, button(_("⏸ Pause"), buttons.PATIENT_PAUSE.data(pid)))
    elif status == PatientStatus.PAUSED:
        second.insert(0, button(_("▶️ Resume"), buttons.PATIENT_RESUME.data(pid)))
    rows.append(second)
    rows.append(
        [
            button(_("🩹 Conditions"), buttons.PATIENT_CONDITIONS.data(pid)),
            button(_("📶 Level"), buttons.PATIENT_LEVEL.data(pid)),
        ]
    )
    rows.append([button(_("🖨 Printable plan (PDF)"), buttons.PATIENT_PRINT.data(pid))])
    if phase(card.patient.conditions, card.patient.cleared_at) is Phase.BEFORE_CLEARANCE:
        rows.append([button(_("🩺 Cleared after operation"), buttons.PATIENT_CLEARED.data(pid))])
    for change in card.proposals:
        rows.append(
            [
                button(_("✔️ Accept proposal"), buttons.PROPOSAL.data(pid, change.id, "a")),
                button(_("✖️ Reject proposal"), buttons.PROPOSAL.data(pid, change.id, "r")),
            ]
        )
    rows.append(
        [
            button(_("🔗 Unlink"), buttons.UNLINK.data(pid)),
            button(_("‹ Patients"), buttons.ROSTER_PAGE.data(0)),
        ]
    )
    return InlineKeyboardMarkup(rows)


# --- showing the card ----------------------------------------------------------------


async def _load_card(
    context: CoachContext, update: Update, patient_id: int
) -> tuple[views.PatientCard, str, InlineKeyboardMarkup, Translator]:
    assert update.effective_user is not None
    async with context.read() as uow:
        therapist = await context.therapist(update.effective_user, uow)
        patient = await access.own_patient(uow, therapist, patient_id)
        card = await views.patient_card(uow, therapist, patient, context.now())
    _ = tr(card.therapist.language)
    today = schedule.local_date(context.now(), card.patient.timezone)
    return (
        card,
        card_text(card, context.services.catalogue, today, _),
        card_buttons(card, _),
        _,
    )


async def send_card(chat: Chat, update: Update, context: CoachContext, pid: int) -> None:
    """The patient's chart (if there is anything to draw) and card as new messages."""
    card, text, markup, _ = await _load_card(context, update, pid)
    if any(day.state not in OPEN_STATES for day in card.progress.days):
        await chat.send_photo(
            progress_chart(
                card.progress.days,
                schedule.local_date(context.now(), card.patient.timezone),
                _,
                _("Last 28 days: sessions and pain"),
            ),
            caption=escape(card.patient.display_name or _("A patient")),
        )
    await chat.send_message(text, reply_markup=markup)


async def edit_card(update: Update, context: CoachContext, pid: int, note: str = "") -> None:
    """The card again in the message tapped on, with a note of what just happened."""
    query = update.callback_query
    assert query is not None
    _card, text, markup, _ = await _load_card(context, update, pid)
    await query.edit_message_text(f"{note}\n\n{text}" if note else text, reply_markup=markup)


async def own(update: Update, context: CoachContext, pid: int) -> tuple[Therapist, Patient]:
    """The therapist tapping and their patient `pid`, for a menu (read only)."""
    assert update.effective_user is not None
    async with context.read() as uow:
        therapist = await context.therapist(update.effective_user, uow)
        patient = await access.own_patient(uow, therapist, pid)
    return therapist, patient


@dataclass(frozen=True)
class Said:
    """What a card action says: a note above the card, perhaps a word to the patient."""

    note: str
    to_patient: str | None = None


async def act(
    update: Update,
    context: CoachContext,
    pid: int,
    change: Callable[[UnitOfWork, Patient], Awaitable[T]],
    say: Callable[[T, Therapist, Patient, Translator, Translator], Said],
    refused: Callable[[Translator], str] | None = None,
) -> None:
    """The skeleton of every card action: the therapist's own patient and the change in
    one transaction; then (Telegram only after the commit) the tap answered, the
    patient told and the card shown again with a note.

    `say` words the result in the therapist's (`_`) and the patient's (`p_`)
    language; `refused` is the alert for a change the plan cannot take
    (InvalidChange), after which nothing has changed.
    """
    query = update.callback_query
    assert query is not None
    try:
        async with context.uow() as uow:
            therapist = await context.therapist(query.from_user, uow)
            patient = await access.own_patient(uow, therapist, pid)
            result = await change(uow, patient)
            await uow.commit()
    except InvalidChange:
        if refused is None:
            raise
        _ = tr((await context.person(query.from_user)).language)
        await query.answer(refused(_), show_alert=True)
        return
    _ = tr(therapist.language)
    said = say(result, therapist, patient, _, tr(patient.language))
    await query.answer()
    if said.to_patient is not None:
        await tell_patient(context, patient.chat_id, said.to_patient)
    await edit_card(update, context, pid, said.note)


async def tell_patient(context: CoachContext, chat_id: int, text: str) -> bool:
    """A message to the patient; False if it could not be delivered."""
    try:
        await context.bot.send_message(chat_id, text)
    except Forbidden:
        return False
    except TelegramError as error:
        log.warning("could not reach a patient: %s", type(error).__name__)
        return False
    return True


# --- opening the card ------------------------------------------------------------------


async def patient_command(update: Update, context: CoachContext) -> None:
    """/patient 12: the card of one of the therapist's own patients."""
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    therapist = (await context.person(update.effective_user)).registered_therapist()
    _ = tr(therapist.language)
    argument = (context.args or [""])[0].lstrip("#")
    if not buttons.OPEN_CARD.pattern.match(f"{buttons.OPEN_CARD.prefix}:{argument}"):
        await message.reply_text(
            _("Which patient? Send /patients and tap a name, or type e.g. /patient 12.")
        )
        return
    await send_card(message.chat, update, context, int(argument))


async def open_card(update: Update, context: CoachContext) -> None:
    """A name in the roster: the patient's chart and card as new messages."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    # The roster may be too old for Telegram to send it along (an InaccessibleMessage):
    # the card goes to the chat all the same.
    assert update.effective_chat is not None
    pid = buttons.OPEN_CARD.read(context).id("patient")
    await send_card(update.effective_chat, update, context, pid)


async def show_card(update: Update, context: CoachContext) -> None:
    """Back to the card from one of its menus."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await edit_card(update, context, buttons.CARD.read(context).id("patient"))
