"""The therapist's side of the bot: invites, alerts, the roster, their commands and
their typed answers (the patient card is in `card`, summaries in `summary`)."""

from __future__ import annotations

import logging
from datetime import timedelta
from html import escape
from io import BytesIO

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.error import TelegramError

from coachbot import alerts, linking, views
from coachbot.domain.model import Outgoing, Therapist
from coachbot.i18n import N_, Translator
from coachbot.timezones import zone_at
from conversations import buttons, keyboards, labels, summary
from conversations.card import contact
from conversations.context import CoachContext, clear_buttons, tr
from conversations.render import day_name, percent

# The command menu of a therapist's chat (set for that chat when they sign up).
COMMANDS = [
    ("patients", N_("Your patients, those needing attention first")),
    ("patient", N_("One patient's card, e.g. /patient 12")),
    ("summary", N_("The summary of all your patients, now")),
    ("invite", N_("An invite link and QR code for a new patient")),
    ("export", N_("All sessions as a CSV file: /export [from] [to]")),
    ("help", N_("What I can do for therapists")),
]


def help_text(_: Translator) -> str:
    lines = [_("<b>What I can do for therapists</b>")]
    lines += [f"/{name}: {_(description)}" for name, description in COMMANDS]
    lines.append(
        _(
            "\nOn a patient's card you can change their plan (add, remove, swap an "
            "exercise, change a dose, lock it against automatic changes), accept or reject "
            "proposed plan changes, change their training time, pause them, message them or unlink "
            "them. Alerts come at once, each with an Acknowledge button."
        )
    )
    return "\n".join(lines)


async def set_commands(bot: Bot, therapist: Therapist) -> None:
    """The therapist's own command menu in their chat."""
    if therapist.telegram_user_id is None:
        return
    _ = tr(therapist.language)
    await bot.set_my_commands(
        [BotCommand(name, _(description)) for name, description in COMMANDS],
        scope=BotCommandScopeChat(therapist.telegram_user_id),
    )


async def therapist_text(message: Message, therapist: Therapist, context: CoachContext) -> None:
    """Typed text from a therapist: an answer the bot asked for, or a pointer."""
    step = therapist.step or ""
    if step.startswith(contact.MESSAGE_STEP + ":"):
        await contact.typed_message(message, therapist, context)
    elif step == summary.ZONE_STEP:
        await summary.typed_zone(message, therapist, context)
    else:
        _ = tr(therapist.language)
        await message.reply_text(
            _("Please use a command or the buttons: /patients, /summary, /invite, /export, /help.")
        )


async def therapist_location(message: Message, therapist: Therapist, context: CoachContext) -> None:
    """A shared location from a therapist sets the summary's time zone (not stored)."""
    assert message.location is not None
    zone = zone_at(message.location.latitude, message.location.longitude)
    await summary.save_zone(message, therapist, zone, context)


log = logging.getLogger(__name__)


def deep_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={code}"


def qr_png(text: str) -> bytes:
    buffer = BytesIO()
    import qrcode  # only when an invite is made: the bot need not hold it before

    qrcode.make(text, box_size=8, border=2).save(buffer, format="PNG")
    return buffer.getvalue()


async def invite(update: Update, context: CoachContext) -> None:
    """/invite: a single-use, expiring deep link and QR code for a new patient."""
    assert update.effective_message and update.effective_user
    settings = context.services.settings
    now = context.now()
    async with context.uow() as uow:
        therapist = await context.therapist(update.effective_user, uow)
        created = await linking.create_invite(
            uow, therapist, timedelta(days=settings.invite_valid_days), now
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
    data = buttons.LINK.read(context)
    code, answer = data.text("invite"), data.text("answer")
    async with context.uow() as uow:
        patient = await context.patient(query.from_user, uow)
        therapist = None
        if answer == "y":
            therapist = await linking.link_to_therapist(uow, patient, code, context.now())
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


def alert_text(notice: alerts.AlertNotice, _: Translator) -> str:
    """What the therapist reads: who, what happened, what the bot already did."""
    name = escape(notice.patient.display_name or _("A patient"))
    return labels.alert_text(notice.alert, name, _)


def alert_message(notice: alerts.AlertNotice) -> Outgoing:
    """The therapist's message about an alert, with its Acknowledge button."""
    _ = tr(notice.therapist.language)
    return Outgoing(
        alert_text(notice, _), keyboards.plain(keyboards.acknowledge(notice.alert.id or 0, _))
    )


async def acknowledge(update: Update, context: CoachContext) -> None:
    """The therapist acknowledges an alert: it is marked seen and not raised again."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    alert_id = buttons.ACKNOWLEDGE.read(context).id("alert")
    async with context.uow() as uow:
        therapist = await context.therapist(query.from_user, uow)
        await alerts.acknowledge_alert(uow, therapist, alert_id, context.now())
        await uow.commit()
    _ = tr(therapist.language)
    await clear_buttons(query)
    assert query.message is not None
    await query.message.chat.send_message(_("✅ Acknowledged."))


PAGE_SIZE = 10


def roster_page(rows: list[views.RosterRow], page: int, _: Translator) -> str:
    if not rows:
        return _("No patients yet. /invite creates an invite for a new patient.")
    pages = -(-len(rows) // PAGE_SIZE)
    lines = [
        _("<b>Your patients</b> (page {page} of {pages}), those needing attention first:").format(
            page=page + 1, pages=pages
        )
    ]
    for row in rows[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]:
        adherence = percent(row.adherence_7.ratio)
        first, last = row.pain_first_week, row.pain_last_week
        trend = (
            "–"
            if first is None or last is None
            else ("↘" if last < first else "↗" if last > first else "→")
        )
        last_report = (
            _("last report {day}: pain {pain}").format(
                day=row.last_report.day.strftime("%d.%m."),
                pain="–" if row.last_report.pain is None else row.last_report.pain,
            )
            if row.last_report
            else _("no report yet")
        )
        alerts = f" ⚠️ {row.open_alerts}" if row.open_alerts else ""
        name = escape(row.name or _("A patient"))
        lines.append(
            f"• <b>{name}</b> (#{row.patient_id}){alerts}: "
            + _("7 days {adherence}, {last_report}, pain trend {trend}").format(
                adherence=adherence, last_report=last_report, trend=trend
            )
        )
    return "\n".join(lines)


async def patients(update: Update, context: CoachContext) -> None:
    """/patients: the therapist's roster, paged."""
    assert update.effective_message and update.effective_user
    await _show_roster(update, context, 0)


async def roster_turn(update: Update, context: CoachContext) -> None:
    """The roster's page buttons."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    await _show_roster(update, context, buttons.ROSTER_PAGE.read(context).id("page"))


async def _show_roster(update: Update, context: CoachContext, page: int) -> None:
    user = update.effective_user
    assert user is not None
    async with context.read() as uow:
        therapist = await context.therapist(user, uow)
        rows = await views.roster(uow, therapist, context.now())
    _ = tr(therapist.language)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    text = roster_page(rows, page, _)
    if rows:
        text += "\n\n" + _("Tap a name for the patient's card.")
    markup = roster_buttons(rows, page, pages)
    query = update.callback_query
    if query is not None:
        await query.edit_message_text(text, reply_markup=markup)
    else:
        assert update.effective_message is not None
        await update.effective_message.reply_text(text, reply_markup=markup)


def roster_buttons(
    rows: list[views.RosterRow], page: int, pages: int
) -> InlineKeyboardMarkup | None:
    """A button per patient of the page (their card), then ◀ ▶."""
    names = [
        InlineKeyboardButton(
            f"{row.name or '#'}{' ⚠️' if row.open_alerts else ''} #{row.patient_id}",
            callback_data=buttons.OPEN_CARD.data(row.patient_id),
        )
        for row in rows[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    ]
    layout = [names[i : i + 2] for i in range(0, len(names), 2)]
    turns = keyboards.pages(buttons.ROSTER_PAGE.answer(), page, pages)
    if turns is not None:
        layout += [list(row) for row in turns.inline_keyboard]
    return InlineKeyboardMarkup(layout) if layout else None
