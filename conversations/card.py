"""A patient's card for their therapist, and everything the therapist does from it.

The card is one message that the buttons edit in place: the plan editor, the
time and pause choices and the unlink question all come back to it. Every
button names the patient; `practice.own_patient` refuses anyone else's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, time, timedelta
from html import escape

from babel.dates import get_day_names
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import Forbidden, TelegramError

from catalogue.loader import Catalogue
from coachbot import practice, services, views
from coachbot.domain import planning, schedule
from coachbot.domain.errors import GoneFromPlan, InvalidChange, NotYours
from coachbot.domain.model import (
    OPEN_STATES,
    ChangeStatus,
    Patient,
    PatientStatus,
    PlanItem,
    SessionState,
    Therapist,
)
from coachbot.i18n import N_, Translator
from conversations import keyboards
from conversations.charts import progress_chart
from conversations.context import CoachContext, tr
from conversations.render import change_text, day_name, dose_text, mean_pain, percent

log = logging.getLogger(__name__)

MESSAGE_STEP = "message"  # "message:<patient id>": the next text goes to that patient

KIND_LABELS = {
    planning.WARM_UP: N_("Mobilization (warm-up)"),
    "strength": N_("Strength"),
    "coordination": N_("Coordination"),
    "balance": N_("Balance"),
    "rotation": N_("Rotation"),
    "vibration": N_("Vibration"),
    planning.COOL_DOWN: N_("Stretching (cool-down)"),
}
LEVEL_NAMES = {
    "beginner": N_("beginner"),
    "intermediate": N_("intermediate"),
    "advanced": N_("advanced"),
}
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


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def _back(patient_id: int, _: Translator) -> list[InlineKeyboardButton]:
    return [_button(_("‹ Back to the card"), f"pc:{patient_id}")]


def _title(catalogue: Catalogue, exercise_id: str, language: str) -> str:
    exercise = catalogue.exercises.get(exercise_id)
    return exercise.title.get(language) if exercise else exercise_id


# --- the card's text and buttons ---------------------------------------------------


def status_text(card: views.PatientCard, _: Translator) -> str:
    patient = card.patient
    language = card.therapist.language
    if patient.status == PatientStatus.PAUSED:
        if patient.paused_until is None:
            return _("paused until further notice")
        return _("paused until {day}").format(day=day_name(patient.paused_until, language))
    texts = {
        PatientStatus.ACTIVE: _("training"),
        PatientStatus.ONBOARDING: _("still setting up"),
        PatientStatus.STOPPED: _("stopped after a red-flag answer"),
        PatientStatus.BLOCKED: _("has blocked the bot"),
    }
    return texts.get(PatientStatus(patient.status), patient.status)


def strip(card: views.PatientCard, today: date) -> list[str]:
    """The last 28 days, a week per line, oldest first."""
    states = {record.day: record.state for record in card.progress.days}
    lines = []
    for week in range(4):
        first = today - timedelta(days=27 - week * 7)
        marks = []
        for offset in range(7):
            state = states.get(first + timedelta(days=offset))
            marks.append(NO_SESSION if state is None else STRIP.get(SessionState(state), OPEN_DAY))
        lines.append(f"<code>{first.strftime('%d.%m.')}</code> " + "".join(marks))
    return lines


def card_text(card: views.PatientCard, catalogue: Catalogue, today: date, _: Translator) -> str:
    patient = card.patient
    language = card.therapist.language
    progress = card.progress
    day_names = get_day_names("abbreviated", locale=language)
    name = escape(patient.display_name or _("A patient"))
    conditions = ", ".join(_(keyboards.CONDITION_LABELS[c]) for c in patient.conditions) or "–"
    equipment = ", ".join(_(keyboards.EQUIPMENT_LABELS[e]) for e in patient.equipment) or "–"
    lines = [
        f"<b>{name}</b> (#{patient.id}) · {escape(status_text(card, _))}",
        _("Training at {time} ({zone}) on {days} · {level}").format(
            time=patient.prompt_time.strftime("%H:%M"),
            zone=escape(patient.timezone),
            days=", ".join(str(day_names[d]) for d in patient.training_days),
            level=escape(_(LEVEL_NAMES.get(patient.level, patient.level))),
        ),
        _("Conditions: {conditions}").format(conditions=escape(conditions)),
        _("Equipment: {equipment}").format(equipment=escape(equipment)),
        _("Pain at the start: {pain}").format(
            pain="–" if patient.baseline_pain is None else patient.baseline_pain
        ),
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
            f"{number}. {escape(_title(catalogue, item.exercise_id, language))}: "
            f"{escape(dose_text(item.dose, _))}"
        )
    if card.open_alerts:
        lines += ["", _("<b>Open alerts</b>")]
        for alert in card.open_alerts[-SHOWN_ALERTS:]:
            lines.append(
                f"• {alert.created_at.strftime('%d.%m.')} {escape(alert_kind(alert.kind, _))}"
                + (f" ({escape(alert.detail)})" if alert.detail else "")
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
            if change.direction == "progress"
            else _("<b>Proposed: a step down</b>, because {why}")
        )
        lines += ["", head.format(why=escape(therapist_reason(change.reason, _)))]
        lines += change_text(change, catalogue, _).split("\n")[1:]
    return "\n".join(lines)


def therapist_reason(reason: str, _: Translator) -> str:
    """Why progression proposed a change, told to the therapist."""
    reasons = {
        "easy_streak": _(
            "the whole session was done three times in a row with low pain and felt easy"
        ),
        "pain_high": _("the patient's pain was 6 or more"),
        "pain_rise": _("the patient's pain was clearly above their baseline"),
        "too_hard": _("it felt too hard more than once"),
    }
    return reasons.get(reason, reason)


def alert_kind(kind: str, _: Translator) -> str:
    kinds = {
        "red_flag": _("red-flag answer"),
        "pain_high": _("high pain"),
        "pain_rise": _("pain above baseline"),
        "silent": _("no reports"),
        "bot_blocked": _("blocked the bot"),
    }
    return kinds.get(kind, kind)


def card_buttons(card: views.PatientCard, _: Translator) -> InlineKeyboardMarkup:
    pid = card.patient.id
    status = card.patient.status
    rows = [
        [_button(_("📝 Edit plan"), f"plan:{pid}"), _button(_("⏰ Time"), f"ptime:{pid}")],
    ]
    second = [
        _button(_("🔓 Unlock plan"), f"lock:{pid}:n")
        if card.patient.plan_locked
        else _button(_("🔒 Lock plan"), f"lock:{pid}:y"),
        _button(_("✉️ Message"), f"msg:{pid}"),
    ]
    if status == PatientStatus.ACTIVE:
        second.insert(0, _button(_("⏸ Pause"), f"ppause:{pid}"))
    elif status == PatientStatus.PAUSED:
        second.insert(0, _button(_("▶️ Resume"), f"presume:{pid}"))
    rows.append(second)
    for change in card.proposals:
        rows.append(
            [
                _button(_("✔️ Accept proposal"), f"prop:{pid}:{change.id}:a"),
                _button(_("✖️ Reject proposal"), f"prop:{pid}:{change.id}:r"),
            ]
        )
    rows.append([_button(_("🔗 Unlink"), f"unl:{pid}"), _button(_("‹ Patients"), "ros:0")])
    return InlineKeyboardMarkup(rows)


async def _load_card(
    context: CoachContext, user_id: int, patient_id: int
) -> tuple[views.PatientCard, str, InlineKeyboardMarkup, Translator]:
    async with context.read() as uow:
        therapist, patient = await practice.own_patient(uow, user_id, patient_id)
        card = await views.patient_card(uow, therapist, patient, context.now())
    _ = tr(card.therapist.language)
    today = schedule.local_date(context.now(), card.patient.timezone)
    return (
        card,
        card_text(card, context.services.catalogue, today, _),
        card_buttons(card, _),
        _,
    )


async def _send_card(message: Message, context: CoachContext, user_id: int, pid: int) -> None:
    card, text, markup, _ = await _load_card(context, user_id, pid)
    if any(SessionState(day.state) not in OPEN_STATES for day in card.progress.days):
        await message.reply_photo(
            progress_chart(card.progress.days, _, _("Last 28 days: sessions and pain")),
            caption=escape(card.patient.display_name or _("A patient")),
        )
    await message.reply_text(text, reply_markup=markup)


async def _edit_card(update: Update, context: CoachContext, pid: int, note: str = "") -> None:
    query = update.callback_query
    assert query is not None
    _card, text, markup, _ = await _load_card(context, query.from_user.id, pid)
    await query.edit_message_text(f"{note}\n\n{text}" if note else text, reply_markup=markup)


Menu = tuple[str, list[list[InlineKeyboardButton]]]


async def _show_menu(
    update: Update,
    context: CoachContext,
    pid: int,
    build: Callable[[Patient, Translator], Menu],
) -> None:
    """One of the card's menus in place of the card, with the way back under it."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    async with context.read() as uow:
        therapist, patient = await practice.own_patient(uow, query.from_user.id, pid)
    _ = tr(therapist.language)
    text, rows = build(patient, _)
    await query.edit_message_text(text, reply_markup=InlineKeyboardMarkup([*rows, _back(pid, _)]))


def _ids(data: str) -> list[str]:
    return data.split(":")[1:]


# --- opening the card ------------------------------------------------------------------


async def patient_command(update: Update, context: CoachContext) -> None:
    """/patient 12: the card of one of the therapist's own patients."""
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    user_id = update.effective_user.id
    async with context.read() as uow:
        therapist = await services.therapist_of(uow, user_id)
    _ = tr(therapist.language)
    argument = (context.args or [""])[0].lstrip("#")
    if not argument.isdigit():
        await message.reply_text(
            _("Which patient? Send /patients and tap a name, or type e.g. /patient 12.")
        )
        return
    await _send_card(message, context, user_id, int(argument))


async def open_card(update: Update, context: CoachContext) -> None:
    """A name in the roster: the patient's chart and card as new messages."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    await query.answer()
    assert isinstance(query.message, Message)
    await _send_card(query.message, context, query.from_user.id, int(_ids(query.data)[0]))


async def show_card(update: Update, context: CoachContext) -> None:
    """Back to the card from one of its menus."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    await _edit_card(update, context, int(_ids(query.data)[0]))


# --- the plan editor -------------------------------------------------------------------


def _plan_buttons(
    pid: int, items: list[PlanItem], language: str, catalogue: Catalogue, _: Translator
) -> InlineKeyboardMarkup:
    rows = [
        [
            _button(
                f"{n}. {_title(catalogue, item.exercise_id, language)}",
                f"item:{pid}:{item.id}",
            )
        ]
        for n, item in enumerate(items, start=1)
    ]
    rows.append([_button(_("➕ Add an exercise"), f"addk:{pid}")])
    rows.append(_back(pid, _))
    return InlineKeyboardMarkup(rows)


async def plan_menu(update: Update, context: CoachContext) -> None:
    """The plan as buttons: tap an exercise to change it, or add one."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    pid = int(_ids(query.data)[0])
    async with context.read() as uow:
        therapist, _patient = await practice.own_patient(uow, query.from_user.id, pid)
        items = await uow.plans.for_patient(pid)
    _ = tr(therapist.language)
    await query.edit_message_text(
        _("Which exercise do you want to change?"),
        reply_markup=_plan_buttons(pid, items, therapist.language, context.services.catalogue, _),
    )


async def _item_view(
    update: Update, context: CoachContext, pid: int, item_id: int, note: str = ""
) -> None:
    query = update.callback_query
    assert query is not None
    catalogue = context.services.catalogue
    async with context.read() as uow:
        therapist, _patient = await practice.own_patient(uow, query.from_user.id, pid)
        item = await uow.plans.get(item_id)
    _ = tr(therapist.language)
    if item is None or item.patient_id != pid:
        raise GoneFromPlan
    exercise = catalogue.exercises.get(item.exercise_id)
    cautions = exercise.cautions.get(therapist.language) if exercise else []
    text = "\n".join(
        ([note, ""] if note else [])
        + [
            f"<b>{escape(_title(catalogue, item.exercise_id, therapist.language))}</b>",
            escape(dose_text(item.dose, _)),
            *[f"⚠️ {escape(caution)}" for caution in cautions],
        ]
    )
    amount = "reps" if item.reps is not None else "hold"
    amount_labels = (
        (_("➖ 2 repetitions"), _("➕ 2 repetitions"))
        if amount == "reps"
        else (_("➖ 5 s hold"), _("➕ 5 s hold"))
    )
    rows = [
        [
            _button(_("➖ 1 set"), f"dose:{pid}:{item_id}:sets:d"),
            _button(_("➕ 1 set"), f"dose:{pid}:{item_id}:sets:u"),
        ],
        [
            _button(amount_labels[0], f"dose:{pid}:{item_id}:{amount}:d"),
            _button(amount_labels[1], f"dose:{pid}:{item_id}:{amount}:u"),
        ],
        [
            _button(_("🔁 Swap"), f"swap:{pid}:{item_id}"),
            _button(_("🗑 Remove"), f"rm:{pid}:{item_id}"),
        ],
        [_button(_("‹ Plan"), f"plan:{pid}")],
    ]
    await query.edit_message_text(text, reply_markup=InlineKeyboardMarkup(rows))


async def item_menu(update: Update, context: CoachContext) -> None:
    """One exercise of the plan: its dose and what can be done with it."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    pid, item_id = (int(part) for part in _ids(query.data))
    await _item_view(update, context, pid, item_id)


async def change_dose(update: Update, context: CoachContext) -> None:
    """➖/➕ a set, two repetitions or five seconds of holding."""
    query = update.callback_query
    assert query is not None and query.data is not None
    pid_text, item_text, what, direction = _ids(query.data)
    pid, item_id = int(pid_text), int(item_text)
    try:
        async with context.uow() as uow:
            therapist, _patient = await practice.own_patient(uow, query.from_user.id, pid)
            await practice.change_dose(
                uow,
                query.from_user.id,
                pid,
                item_id,
                what,
                direction == "u",
                context.services.catalogue,
                context.now(),
            )
            await uow.commit()
    except InvalidChange:
        _ = tr(therapist.language)
        await query.answer(
            _("The dose cannot go further that way; nothing was changed."), show_alert=True
        )
        return
    _ = tr(therapist.language)
    await query.answer(_("Dose changed."))
    await _item_view(update, context, pid, item_id, _("✅ Dose changed."))


async def remove_item(update: Update, context: CoachContext) -> None:
    """Take an exercise out of the plan."""
    query = update.callback_query
    assert query is not None and query.data is not None
    pid, item_id = (int(part) for part in _ids(query.data))
    catalogue = context.services.catalogue
    try:
        async with context.uow() as uow:
            therapist, _patient = await practice.own_patient(uow, query.from_user.id, pid)
            item = await practice.remove_exercise(
                uow, query.from_user.id, pid, item_id, catalogue, context.now()
            )
            await uow.commit()
    except InvalidChange:
        _ = tr(therapist.language)
        await query.answer(_("A plan keeps at least three exercises."), show_alert=True)
        return
    _ = tr(therapist.language)
    await query.answer()
    await _edit_card(
        update,
        context,
        pid,
        _("🗑 {exercise} is out of the plan.").format(
            exercise=escape(_title(catalogue, item.exercise_id, therapist.language))
        ),
    )


def _choices(
    prefix: str,
    pid: int,
    ids: list[str],
    language: str,
    catalogue: Catalogue,
    back: str,
    _: Translator,
) -> InlineKeyboardMarkup:
    rows = [[_button(_title(catalogue, e, language), f"{prefix}:{e}")] for e in ids]
    rows.append([_button(_("‹ Back"), back)])
    return InlineKeyboardMarkup(rows)


async def swap_menu(update: Update, context: CoachContext) -> None:
    """The exercises of the same kind this patient may do instead."""
    query = update.callback_query
    assert query is not None and query.data is not None
    pid, item_id = (int(part) for part in _ids(query.data))
    catalogue = context.services.catalogue
    async with context.read() as uow:
        therapist, patient = await practice.own_patient(uow, query.from_user.id, pid)
        items = await uow.plans.for_patient(pid)
    _ = tr(therapist.language)
    item = next((i for i in items if i.id == item_id), None)
    if item is None:
        raise GoneFromPlan
    kind = catalogue.exercises[item.exercise_id].kinds[0]
    options = practice.candidates(catalogue, patient, items, kind)
    # One answer per tap: the alert if there is nothing to offer, else a plain one.
    if not options:
        await query.answer(_("No other exercise of this kind suits this patient."), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(
        _(
            "Swap {exercise} for which exercise? Only those safe for this patient's "
            "conditions and equipment are shown."
        ).format(exercise=escape(_title(catalogue, item.exercise_id, therapist.language))),
        reply_markup=_choices(
            f"sw:{pid}:{item_id}",
            pid,
            options,
            therapist.language,
            catalogue,
            f"item:{pid}:{item_id}",
            _,
        ),
    )


async def swap_to(update: Update, context: CoachContext) -> None:
    """Put the chosen exercise in the plan instead."""
    query = update.callback_query
    assert query is not None and query.data is not None
    pid_text, item_text, exercise_id = _ids(query.data)
    pid, item_id = int(pid_text), int(item_text)
    catalogue = context.services.catalogue
    async with context.uow() as uow:
        therapist, _patient = await practice.own_patient(uow, query.from_user.id, pid)
        old, item = await practice.swap_exercise(
            uow, query.from_user.id, pid, item_id, exercise_id, catalogue, context.now()
        )
        await uow.commit()
    _ = tr(therapist.language)
    await query.answer()
    await _edit_card(
        update,
        context,
        pid,
        _("🔁 {old} → {new}: {dose}").format(
            old=escape(_title(catalogue, old, therapist.language)),
            new=escape(_title(catalogue, item.exercise_id, therapist.language)),
            dose=escape(dose_text(item.dose, _)),
        ),
    )


async def add_menu(update: Update, context: CoachContext) -> None:
    """Adding an exercise: first its kind, then the exercise."""
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = _ids(query.data)
    pid = int(parts[0])
    catalogue = context.services.catalogue
    async with context.read() as uow:
        therapist, patient = await practice.own_patient(uow, query.from_user.id, pid)
        items = await uow.plans.for_patient(pid)
    _ = tr(therapist.language)
    if len(parts) == 1:
        await query.answer()
        rows = [[_button(_(label), f"addk:{pid}:{kind}")] for kind, label in KIND_LABELS.items()]
        rows.append([_button(_("‹ Plan"), f"plan:{pid}")])
        await query.edit_message_text(
            _("What kind of exercise?"), reply_markup=InlineKeyboardMarkup(rows)
        )
        return
    options = practice.candidates(catalogue, patient, items, parts[1])
    if not options:
        await query.answer(_("No other exercise of this kind suits this patient."), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(
        _(
            "Add which exercise? Only those safe for this patient's conditions and equipment "
            "are shown."
        ),
        reply_markup=_choices(
            f"add:{pid}", pid, options, therapist.language, catalogue, f"addk:{pid}", _
        ),
    )


async def add_exercise(update: Update, context: CoachContext) -> None:
    """Add the chosen exercise at the starting dose for the patient's level."""
    query = update.callback_query
    assert query is not None and query.data is not None
    pid_text, exercise_id = _ids(query.data)
    pid = int(pid_text)
    catalogue = context.services.catalogue
    async with context.uow() as uow:
        therapist, _patient = await practice.own_patient(uow, query.from_user.id, pid)
        item = await practice.add_exercise(
            uow, query.from_user.id, pid, exercise_id, catalogue, context.now()
        )
        await uow.commit()
    _ = tr(therapist.language)
    await query.answer()
    await _edit_card(
        update,
        context,
        pid,
        _("➕ {exercise} is in the plan: {dose}").format(
            exercise=escape(_title(catalogue, exercise_id, therapist.language)),
            dose=escape(dose_text(item.dose, _)),
        ),
    )


async def lock_plan(update: Update, context: CoachContext) -> None:
    """Lock the plan against automatic changes, or unlock it."""
    query = update.callback_query
    assert query is not None and query.data is not None
    pid_text, answer = _ids(query.data)
    pid = int(pid_text)
    async with context.uow() as uow:
        therapist = await services.therapist_of(uow, query.from_user.id)
        await practice.set_plan_lock(uow, query.from_user.id, pid, answer == "y")
        await uow.commit()
    _ = tr(therapist.language)
    await query.answer()
    note = (
        _("🔒 Plan locked: progression will not change or propose anything.")
        if answer == "y"
        else _("🔓 Plan unlocked: progression proposes changes to you again.")
    )
    await _edit_card(update, context, pid, note)


async def decide_proposal(update: Update, context: CoachContext) -> None:
    """Accept (the plan changes now, the patient is told) or reject a proposal."""
    query = update.callback_query
    assert query is not None and query.data is not None
    pid_text, change_text_id, answer = _ids(query.data)
    pid = int(pid_text)
    catalogue = context.services.catalogue
    async with context.uow() as uow:
        therapist = await services.therapist_of(uow, query.from_user.id)
        patient, change = await practice.decide_change(
            uow,
            query.from_user.id,
            pid,
            int(change_text_id),
            answer == "a",
            catalogue,
            context.now(),
        )
        await uow.commit()
    _ = tr(therapist.language)
    await query.answer()
    if change.status == ChangeStatus.ACCEPTED:
        p_ = tr(patient.language)
        await _tell_patient(
            context,
            patient.chat_id,
            p_("Your therapist {name} has agreed to this change:").format(
                name=escape(therapist.name)
            )
            + "\n"
            + change_text(change, catalogue, p_),
        )
        note = _("✔️ Accepted: the plan has changed and the patient was told.")
    else:
        note = _("✖️ Rejected: the plan stays as it is.")
    await _edit_card(update, context, pid, note)


# --- the patient's schedule ----------------------------------------------------------------


async def time_menu(update: Update, context: CoachContext) -> None:
    """The patient's training time: the buttons, or the chosen time."""
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = _ids(query.data)
    pid = int(parts[0])
    if len(parts) == 1:

        def times(patient: Patient, _: Translator) -> Menu:
            text = _("New training time for {name} (currently {time}, their local time):")
            return (
                text.format(
                    name=escape(patient.display_name), time=patient.prompt_time.strftime("%H:%M")
                ),
                [list(row) for row in keyboards.times(f"ptime:{pid}").inline_keyboard],
            )

        await _show_menu(update, context, pid, times)
        return
    value = parts[1]
    at = time(int(value[:2]), int(value[2:]))
    async with context.uow() as uow:
        therapist = await services.therapist_of(uow, query.from_user.id)
        patient = await practice.set_training_time(
            uow, query.from_user.id, pid, at, context.services.catalogue, context.now()
        )
        await uow.commit()
    _ = tr(therapist.language)
    await query.answer()
    p_ = tr(patient.language)
    await _tell_patient(
        context,
        patient.chat_id,
        p_("⏰ Your therapist {name} has moved your training time to {time}.").format(
            name=escape(therapist.name), time=at.strftime("%H:%M")
        ),
    )
    await _edit_card(
        update, context, pid, _("⏰ Training time set to {time}.").format(time=at.strftime("%H:%M"))
    )


async def pause_menu(update: Update, context: CoachContext) -> None:
    """Pause the patient: for how long, or the chosen length."""
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = _ids(query.data)
    pid = int(parts[0])
    if len(parts) == 1:

        def lengths(patient: Patient, _: Translator) -> Menu:
            return (
                _("How long should {name}'s training pause?").format(
                    name=escape(patient.display_name)
                ),
                [
                    [
                        _button(_("1 week"), f"ppause:{pid}:7"),
                        _button(_("2 weeks"), f"ppause:{pid}:14"),
                        _button(_("Until resumed"), f"ppause:{pid}:open"),
                    ]
                ],
            )

        await _show_menu(update, context, pid, lengths)
        return
    days = None if parts[1] == "open" else int(parts[1])
    async with context.uow() as uow:
        therapist = await services.therapist_of(uow, query.from_user.id)
        patient = await practice.pause_patient(uow, query.from_user.id, pid, days, context.now())
        await uow.commit()
    _ = tr(therapist.language)
    await query.answer()
    p_ = tr(patient.language)
    if patient.paused_until is None:
        told = p_("⏸ Your therapist {name} has paused your training until further notice.")
    else:
        told = p_("⏸ Your therapist {name} has paused your training until {day}.")
    until = day_name(patient.paused_until, patient.language) if patient.paused_until else ""
    await _tell_patient(
        context,
        patient.chat_id,
        told.format(name=escape(therapist.name), day=until)
        + "\n"
        + p_("Send /resume to start earlier."),
    )
    await _edit_card(update, context, pid, _("⏸ Paused. The patient was told."))


async def resume_patient(update: Update, context: CoachContext) -> None:
    """End the patient's pause."""
    query = update.callback_query
    assert query is not None and query.data is not None
    pid = int(_ids(query.data)[0])
    async with context.uow() as uow:
        therapist = await services.therapist_of(uow, query.from_user.id)
        patient = await practice.resume_patient(
            uow, query.from_user.id, pid, context.services.catalogue, context.now()
        )
        await uow.commit()
    _ = tr(therapist.language)
    await query.answer()
    p_ = tr(patient.language)
    await _tell_patient(
        context,
        patient.chat_id,
        p_(
            "▶️ Your therapist {name} has restarted your training. /today shows today's session."
        ).format(name=escape(therapist.name)),
    )
    await _edit_card(update, context, pid, _("▶️ Training restarted. The patient was told."))


# --- a message to the patient, and unlinking ---------------------------------------------------


async def message_prompt(update: Update, context: CoachContext) -> None:
    """Ask for the text of a short message to the patient (or cancel that)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    parts = _ids(query.data)
    pid = int(parts[0])
    cancel = len(parts) > 1
    async with context.uow() as uow:
        therapist, patient = await practice.own_patient(uow, query.from_user.id, pid)
        await practice.set_step(
            uow, query.from_user.id, None if cancel else f"{MESSAGE_STEP}:{pid}"
        )
        await uow.commit()
    _ = tr(therapist.language)
    if cancel:
        await _edit_card(update, context, pid, _("Nothing was sent."))
        return
    await query.edit_message_text(
        _(
            "Type your message to {name} (up to {limit} characters). It is sent as it is, "
            "signed with your name."
        ).format(name=escape(patient.display_name), limit=practice.MESSAGE_LIMIT),
        reply_markup=InlineKeyboardMarkup([[_button(_("Cancel"), f"msg:{pid}:x")]]),
    )


async def typed_message(message: Message, therapist: Therapist, context: CoachContext) -> None:
    """The text the therapist typed for a patient: send it on, signed."""
    _ = tr(therapist.language)
    pid = int((therapist.step or "").split(":")[1])
    text = (message.text or "").strip()
    if not text or len(text) > practice.MESSAGE_LIMIT:
        await message.reply_text(
            _("Please type a message of up to {limit} characters; nothing was sent.").format(
                limit=practice.MESSAGE_LIMIT
            )
        )
        return
    async with context.uow() as uow:
        await practice.set_step(uow, therapist.telegram_user_id or 0, None)
        try:
            _t, patient = await practice.own_patient(uow, therapist.telegram_user_id or 0, pid)
        except NotYours:
            await uow.commit()
            raise
        await uow.commit()
    p_ = tr(patient.language)
    delivered = await _tell_patient(
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
    assert query is not None and query.data is not None
    parts = _ids(query.data)
    pid = int(parts[0])
    if len(parts) == 1:
        await query.answer()
        async with context.read() as uow:
            therapist, patient = await practice.own_patient(uow, query.from_user.id, pid)
        _ = tr(therapist.language)
        await query.edit_message_text(
            _(
                "Unlink {name}? You will no longer see their training or get alerts about "
                "them. Their training goes on, with the plan adapting on its own."
            ).format(name=escape(patient.display_name)),
            reply_markup=InlineKeyboardMarkup(
                [[_button(_("Yes, unlink"), f"unl:{pid}:y"), _button(_("No"), f"pc:{pid}")]]
            ),
        )
        return
    async with context.uow() as uow:
        therapist, patient = await practice.unlink(uow, query.from_user.id, pid, context.now())
        await uow.commit()
    _ = tr(therapist.language)
    await query.answer()
    p_ = tr(patient.language)
    await _tell_patient(
        context,
        patient.chat_id,
        p_(
            "🔗 {name} has ended the link with you. Your training goes on as before; your "
            "plan now adapts on its own to your feedback."
        ).format(name=escape(therapist.name)),
    )
    await query.edit_message_text(
        _("🔗 {name} is unlinked and was told.").format(name=escape(patient.display_name)),
        reply_markup=InlineKeyboardMarkup([[_button(_("‹ Patients"), "ros:0")]]),
    )


async def _tell_patient(context: CoachContext, chat_id: int, text: str) -> bool:
    """A message to the patient; False if it could not be delivered."""
    try:
        await context.bot.send_message(chat_id, text)
    except Forbidden:
        return False
    except TelegramError as error:
        log.warning("could not reach a patient: %s", type(error).__name__)
        return False
    return True
