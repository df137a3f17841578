"""The therapist's summaries (scheduled and `/summary`), their schedule, and `/export`."""

from __future__ import annotations

import csv
import logging
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from html import escape
from io import TextIOWrapper
from tempfile import SpooledTemporaryFile
from typing import IO

from babel.dates import get_day_names
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardRemove,
    Update,
)

from coachbot import summaries, views
from coachbot.domain import schedule
from coachbot.domain.model import Outgoing, Therapist
from coachbot.domain.summary import CohortSummary, PatientFigures, Trend
from coachbot.domain.vocabulary import SummaryFrequency, lookup
from coachbot.i18n import Translator
from coachbot.timezones import resolve_zone
from conversations import buttons, keyboards, labels
from conversations.charts import cohort_chart
from conversations.context import CoachContext, tr
from conversations.parsing import parse_past_date
from conversations.render import mean_pain, pack, percent

log = logging.getLogger(__name__)

ZONE_STEP = "summary:tz"
# An export larger than this goes to a temporary file on disk while it is written.
EXPORT_IN_MEMORY = 1 << 20
TRENDS = {Trend.IMPROVED: "↗", Trend.SLIPPED: "↘", Trend.STEADY: "→", Trend.UNKNOWN: "·"}
PAIN_ARROWS = {Trend.IMPROVED: "↘", Trend.SLIPPED: "↗", Trend.STEADY: "→", Trend.UNKNOWN: ""}


def _name(figures: PatientFigures, _: Translator) -> str:
    return escape(figures.name or _("A patient")) + f" (#{figures.patient_id})"


def summary_text(summary: CohortSummary, therapist: Therapist, now: datetime, _: Translator) -> str:
    today = schedule.local_date(now, therapist.timezone)
    start = today - timedelta(days=6)
    head = {
        SummaryFrequency.DAILY: _("<b>Your daily summary</b>"),
        SummaryFrequency.WEEKLY: _("<b>Your weekly summary</b>"),
    }.get(therapist.summary_frequency, _("<b>Your summary</b>"))
    lines = [
        head + f" ({start.strftime('%d.%m.')}–{today.strftime('%d.%m.%Y')})",
    ]
    if not summary.patients:
        lines.append(_("No patients yet. /invite creates an invite for a new patient."))
        return "\n".join(lines)
    overall = summary.adherence
    if overall.prescribed == 0:
        lines.append(_("No sessions were due this week yet."))
    else:
        lines.append(
            _.ngettext(
                "All patients: {percent} of {count} session done",
                "All patients: {percent} of {count} sessions done",
                overall.prescribed,
            ).format(percent=percent(overall.ratio), count=overall.prescribed)
        )
    lines += ["", _("<b>Per patient</b>: adherence this week (week before), mean pain")]
    for p in summary.patients:
        alerts = " " + _("⚠️ {count} open").format(count=p.open_alerts) if p.open_alerts else ""
        lines.append(
            f"{TRENDS[p.trend]} {_name(p, _)}: "
            + _("{now} ({before}), pain {pain_now} ({pain_before}) {arrow}")
            .format(
                now=percent(p.adherence_now.ratio),
                before=percent(p.adherence_before.ratio),
                pain_now=mean_pain(p.pain_now, _.language),
                pain_before=mean_pain(p.pain_before, _.language),
                arrow=PAIN_ARROWS[p.pain_trend],
            )
            .rstrip()
            + alerts
        )
    improved = summary.with_trend(Trend.IMPROVED)
    slipped = summary.with_trend(Trend.SLIPPED)
    lines.append("")
    lines.append(
        _("<b>Improved</b>: {names}").format(names=", ".join(_name(p, _) for p in improved) or "–")
    )
    lines.append(
        _("<b>Slipped</b>: {names}").format(names=", ".join(_name(p, _) for p in slipped) or "–")
    )
    lines.append(
        _.ngettext(
            "<b>Open alerts</b>: {count}. /patients shows who needs attention.",
            "<b>Open alerts</b>: {count}. /patients shows who needs attention.",
            summary.open_alerts,
        ).format(count=summary.open_alerts)
    )
    return "\n".join(lines)


def schedule_text(therapist: Therapist, _: Translator) -> str:
    frequency = therapist.summary_frequency
    at = therapist.summary_time.strftime("%H:%M")
    zone = escape(therapist.timezone)
    if frequency == SummaryFrequency.OFF:
        return _("Scheduled summaries are off.")
    if frequency == SummaryFrequency.DAILY:
        return _("A summary comes every day at {time} ({zone}).").format(time=at, zone=zone)
    day = str(get_day_names("wide", locale=therapist.language)[therapist.summary_weekday])
    return _("A summary comes every {day} at {time} ({zone}).").format(day=day, time=at, zone=zone)


def schedule_buttons(therapist: Therapist, _: Translator) -> InlineKeyboardMarkup:
    frequency = therapist.summary_frequency

    def mark(value: SummaryFrequency, label: str) -> InlineKeyboardButton:
        return keyboards.button(
            (keyboards.CHECK if frequency == value else "") + _(label),
            buttons.SUMMARY.data("freq", value),
        )

    rows = [
        [mark(value, label) for value, label in labels.FREQUENCY_LABELS.items()],
        [
            keyboards.button(_("⏰ Time"), buttons.SUMMARY.data("time")),
            keyboards.button(_("🌍 Time zone"), buttons.SUMMARY.data("tz")),
        ],
    ]
    if frequency == SummaryFrequency.WEEKLY:
        rows[1].insert(0, keyboards.button(_("📅 Day"), buttons.SUMMARY.data("day")))
    rows.append([keyboards.button(_("Close"), buttons.SUMMARY.data("close"))])
    return InlineKeyboardMarkup(rows)


def summary_messages(therapist: Therapist, summary: CohortSummary, now: datetime) -> list[Outgoing]:
    """The summary text with its schedule button (over several messages for a large
    practice, lines kept whole), then the cohort chart if there is anything to draw."""
    _ = tr(therapist.language)
    parts = pack(summary_text(summary, therapist, now, _).split("\n"), joiner="\n")
    messages = [Outgoing(part) for part in parts]
    messages[-1] = Outgoing(parts[-1], [[(_("⚙️ Schedule"), buttons.SUMMARY.data("menu"))]])
    if any(p.adherence_now.prescribed or p.adherence_before.prescribed for p in summary.patients):
        messages.append(
            Outgoing(
                _("Your patients this week and the week before"),
                photo=cohort_chart(summary, _),
            )
        )
    return messages


async def summary_command(update: Update, context: CoachContext) -> None:
    """/summary: the summary now."""
    assert update.effective_user is not None and update.effective_chat is not None
    now = context.now()
    async with context.read() as uow:
        therapist = await context.therapist(update.effective_user, uow)
        summary = await views.cohort_summary(uow, therapist, now)
    chat = update.effective_chat
    for message in summary_messages(therapist, summary, now):
        markup = keyboards.from_plain(message.buttons)
        if message.photo is not None:
            await chat.send_photo(message.photo, caption=message.text, reply_markup=markup)
        else:
            await chat.send_message(message.text, reply_markup=markup)


async def schedule_choice(update: Update, context: CoachContext) -> None:
    """The summary schedule's buttons: frequency, time, weekday, time zone."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    data = buttons.SUMMARY.read(context)
    what, value = data.text("what"), data.optional("value")
    now = context.now()
    # The database first, in one short transaction; Telegram after it is closed.
    async with context.uow() as uow:
        therapist = await context.therapist(query.from_user, uow)
        if what == "tz":
            therapist.step = ZONE_STEP
        elif what == "freq" and (frequency := lookup(SummaryFrequency, value)) is not None:
            summaries.set_summary_schedule(therapist, now, frequency=frequency)
        elif what == "time" and value and len(value) == 4 and value.isdigit():
            at = time(int(value[:2]), int(value[2:]))
            summaries.set_summary_schedule(therapist, now, at=at)
        elif what == "day" and value and len(value) == 1:
            summaries.set_summary_schedule(therapist, now, weekday=int(value))
        await uow.commit()
    _ = tr(therapist.language)
    if what == "close":
        await query.edit_message_reply_markup(None)
    elif what == "time" and value is None:
        await query.edit_message_text(
            _("At what time should the summary come?"),
            reply_markup=keyboards.times(buttons.SUMMARY.answer("time")),
        )
    elif what == "day" and value is None:
        names = get_day_names("wide", locale=therapist.language)
        rows = [[keyboards.button(str(names[d]), buttons.SUMMARY.data("day", d))] for d in range(7)]
        await query.edit_message_text(
            _("On which day should the weekly summary come?"),
            reply_markup=InlineKeyboardMarkup(rows),
        )
    elif what == "tz":
        await query.message.reply_text(  # type: ignore[union-attr]
            _("Share your location, tap a zone, or type your city."),
            reply_markup=keyboards.timezone_reply(therapist.timezone, _),
        )
    else:
        await query.edit_message_text(
            _("<b>Summary schedule</b>") + "\n" + schedule_text(therapist, _),
            reply_markup=schedule_buttons(therapist, _),
        )


async def typed_zone(message: Message, therapist: Therapist, context: CoachContext) -> None:
    """The therapist's time zone for summaries, typed as a city or zone."""
    _ = tr(therapist.language)
    await save_zone(message, therapist, resolve_zone(message.text or ""), context)


async def save_zone(
    message: Message, therapist: Therapist, zone: str | None, context: CoachContext
) -> None:
    """Store the summary's time zone, found from text or a shared location."""
    assert therapist.telegram_user_id is not None
    if zone is None:
        _ = tr(therapist.language)
        await message.reply_text(
            _(
                "Sorry, I could not find that time zone. Please type a big city near you "
                "(e.g. Berlin, Vienna, London, New York) or tap one of the buttons."
            )
        )
        return
    assert message.from_user is not None
    async with context.uow() as uow:
        saved = await context.therapist(message.from_user, uow)
        saved.step = None
        summaries.set_summary_schedule(saved, context.now(), timezone=zone)
        await uow.commit()
    _ = tr(therapist.language)
    await message.reply_text(
        _("🌍 Time zone set to {zone}.").format(zone=escape(zone)) + "\n" + schedule_text(saved, _),
        reply_markup=ReplyKeyboardRemove(),
    )


# --- export ------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "patient_id",
    "patient",
    "date",
    "state",
    "outcome",
    "pain_after",
    "difficulty",
    "reported_at",
    "exercises",
)


async def write_csv(
    rows: AsyncIterator[views.ExportRow], file: IO[bytes]
) -> tuple[int, date | None]:
    """Write the rows as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read
    the names' umlauts right) as they come; how many, and the first day."""
    text = TextIOWrapper(file, encoding="utf-8", newline="")
    text.write("\ufeff")  # the mark once: the "utf-8-sig" codec re-checks it on every row
    writer = csv.writer(text)
    writer.writerow(EXPORT_COLUMNS)
    count, first = 0, None
    async for row in rows:
        writer.writerow(
            [
                row.patient_id,
                row.name,
                row.day.isoformat(),
                row.state,
                row.outcome or "",
                "" if row.pain_after is None else row.pain_after,
                row.difficulty or "",
                row.received_at.isoformat() if row.received_at else "",
                " ".join(row.exercise_ids),
            ]
        )
        count += 1
        first = first or row.day
    text.flush()
    text.detach()
    file.seek(0)
    return count, first


async def export(update: Update, context: CoachContext) -> None:
    """/export [from] [to]: every session of the therapist's patients as CSV."""
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    now = context.now()
    therapist = (await context.person(update.effective_user)).registered_therapist()
    _ = tr(therapist.language)
    today = schedule.local_date(now, therapist.timezone)
    args = context.args or []
    days = [parse_past_date(arg, today) for arg in args[:2]]
    if len(args) > 2 or any(day is None for day in days):
        await message.reply_text(
            _(
                "Please write the dates like this: /export 2026-11-01 2026-11-30, or just "
                "/export for everything."
            )
        )
        return
    start = days[0] if days else None
    end = days[1] if len(days) > 1 else None
    if start and end and end < start:
        start, end = end, start
    # Into a file as the rows come: a year of a large practice is never held in memory.
    with SpooledTemporaryFile(max_size=EXPORT_IN_MEMORY) as file:
        async with context.read() as uow:
            count, first = await write_csv(views.export_rows(uow, therapist, now, start, end), file)
        if not count:
            await message.reply_text(_("No sessions in that range yet."))
            return
        name = (
            f"coachbot-sessions-{(start or first or today).isoformat()}-"
            f"{(end or today).isoformat()}.csv"
        )
        # PTB uploads from memory: the file's bytes (at most Telegram's 50 MB), never the
        # rows as objects.
        await message.reply_document(
            file.read(),
            filename=name,
            caption=_.ngettext(
                "{count} session, one row per session.",
                "{count} sessions, one row per session.",
                count,
            ).format(count=count),
        )
