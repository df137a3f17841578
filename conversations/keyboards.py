"""Every keyboard the bot shows, built in one place.

Callback data is short ("ob:level:beginner", "rep:42:done") and names records
and choices only; handlers check everything it names before acting on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from babel.dates import get_day_names
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from catalogue.schema import CONDITIONS, EQUIPMENT, LEVELS, Lesson
from coachbot.domain.model import Buttons
from coachbot.i18n import N_, Translator

CONDITION_LABELS = {
    "spine_condition": N_("Spine injury or disease"),
    "herniated_disc": N_("Herniated disc"),
    "poor_posture": N_("Poor posture"),
    "after_surgery": N_("After an operation"),
    "frequent_tension": N_("Frequent tension"),
}
EQUIPMENT_LABELS = {
    "exercise_ball": N_("Exercise ball"),
    "dumbbells": N_("Dumbbells"),
    "rowing_machine": N_("Rowing machine"),
    "elastic_band": N_("Elastic band"),
    "vibration_plate": N_("Vibration plate"),
}
LEVEL_LABELS = {
    "beginner": N_("Gentle start (new to exercise or in a lot of pain)"),
    "intermediate": N_("Some experience (I move regularly)"),
    "advanced": N_("Experienced (I train often)"),
}
TIMES = ("07:00", "08:00", "09:00", "12:00", "17:00", "18:00", "19:00", "20:00")
COMMON_ZONES = (
    "Europe/Berlin",
    "Europe/Vienna",
    "Europe/Zurich",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
)
CHECK = "✅ "


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def plain(markup: InlineKeyboardMarkup | None) -> Buttons:
    """Inline buttons as plain data, to store with a message the dispatcher sends later."""
    if markup is None:
        return []
    return [
        [(button.text, str(button.callback_data)) for button in row]
        for row in markup.inline_keyboard
    ]


def from_plain(buttons: Buttons | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[_button(label, data) for label, data in row] for row in buttons])


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def welcome(language: str, _: Translator, invite: str | None = None) -> InlineKeyboardMarkup:
    """Consent and language buttons; an invite code rides along until consent is given."""
    code = f":{invite}" if invite else ""
    other, label = ("en", "🇬🇧 English") if language == "de" else ("de", "🇩🇪 Deutsch")
    return InlineKeyboardMarkup(
        [
            [_button(_("✅ I agree, let's start"), f"consent:{language}:yes{code}")],
            [_button(_("No, thank you"), f"consent:{language}:no")],
            [_button(label, f"lang:{other}{code}")],
        ]
    )


def yes_no(prefix: str, _: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(_("Yes"), f"{prefix}:y"), _button(_("No"), f"{prefix}:n")]]
    )


def _multi_select(
    prefix: str,
    options: Iterable[str],
    labels: dict[str, str],
    selected: Iterable[str],
    none_label: str,
    _: Translator,
) -> InlineKeyboardMarkup:
    chosen = set(selected)
    rows = [
        [_button((CHECK if value in chosen else "") + _(labels[value]), f"{prefix}:{value}")]
        for value in options
    ]
    rows.append([_button((CHECK if not chosen else "") + none_label, f"{prefix}:none")])
    rows.append([_button(_("Done ➡️"), f"{prefix}:done")])
    return InlineKeyboardMarkup(rows)


def conditions(prefix: str, selected: Iterable[str], _: Translator) -> InlineKeyboardMarkup:
    return _multi_select(
        prefix, CONDITIONS, CONDITION_LABELS, selected, _("None of these / general back care"), _
    )


def equipment(prefix: str, selected: Iterable[str], _: Translator) -> InlineKeyboardMarkup:
    return _multi_select(prefix, EQUIPMENT, EQUIPMENT_LABELS, selected, _("No equipment"), _)


def levels(prefix: str, _: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(_(LEVEL_LABELS[level]), f"{prefix}:{level}")] for level in LEVELS]
    )


def pain_scale(prefix: str) -> InlineKeyboardMarkup:
    def label(n: int) -> str:
        return ("🟢" if n <= 3 else "🟡" if n <= 5 else "🔴") + f" {n}"

    buttons = [_button(label(n), f"{prefix}:{n}") for n in range(11)]
    return InlineKeyboardMarkup([buttons[0:4], buttons[4:8], buttons[8:11]])


def timezone_reply(default_zone: str, _: Translator) -> ReplyKeyboardMarkup:
    zones = [default_zone, *(zone for zone in COMMON_ZONES if zone != default_zone)]
    rows = [[KeyboardButton(_("📍 Share my location"), request_location=True)]]
    rows += [[KeyboardButton(zone) for zone in zones[i : i + 2]] for i in range(0, len(zones), 2)]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


def times(prefix: str) -> InlineKeyboardMarkup:
    # "ob:time:1800": the colon of "18:00" would split the callback data.
    return InlineKeyboardMarkup(
        _rows([_button(t, f"{prefix}:{t.replace(':', '')}") for t in TIMES], 4)
    )


def days(
    prefix: str, selected: Iterable[int], language: str, _: Translator
) -> InlineKeyboardMarkup:
    chosen = set(selected)
    names = get_day_names("abbreviated", locale=language)
    buttons = [
        _button((CHECK if day in chosen else "") + str(names[day]), f"{prefix}:{day}")
        for day in range(7)
    ]
    rows = _rows(buttons, 4)
    rows.append(
        [_button(_("Every day"), f"{prefix}:all"), _button(_("Mon–Fri"), f"{prefix}:weekdays")]
    )
    rows.append([_button(_("Done ➡️"), f"{prefix}:done")])
    return InlineKeyboardMarkup(rows)


def settings_menu(_: Translator) -> InlineKeyboardMarkup:
    items = [
        ("time", _("⏰ Training time")),
        ("days", _("📅 Training days")),
        ("tz", _("🌍 Time zone")),
        ("lang", _("🗣 Language")),
        ("eq", _("🏋️ Equipment")),
    ]
    rows = [[_button(label, f"set:menu:{key}")] for key, label in items]
    rows.append([_button(_("Close"), "set:menu:close")])
    return InlineKeyboardMarkup(rows)


def languages(prefix: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button("🇬🇧 English", f"{prefix}:en"), _button("🇩🇪 Deutsch", f"{prefix}:de")]]
    )


def session(
    session_id: int, _: Translator, *, details: bool, relaxation: bool, lesson: bool
) -> InlineKeyboardMarkup:
    """Under a session: what else it offers, then the report buttons."""
    extras = []
    if details:
        extras.append(_button(_("📋 Full instructions"), f"extra:{session_id}:steps"))
    if relaxation:
        extras.append(_button(_("🧘 Relaxation"), f"extra:{session_id}:relax"))
    if lesson:
        extras.append(_button(_("📘 Lesson"), f"extra:{session_id}:lesson"))
    rows = [extras] if extras else []
    return InlineKeyboardMarkup(
        [
            *rows,
            [_button(_("✅ Done"), f"rep:{session_id}:done")],
            [_button(_("🌓 Partly"), f"rep:{session_id}:partly")],
            [_button(_("⏭ Skipped today"), f"rep:{session_id}:skipped")],
        ]
    )


def session_extras(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """A session's buttons once it is reported: its extras only."""
    if markup is None:
        return None
    rows = [
        row
        for row in markup.inline_keyboard
        if all(str(button.callback_data).startswith("extra:") for button in row)
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def lesson_check(session_id: int, lesson: Lesson, _: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(option.text.get(_.language), f"lq:{session_id}:{index}")]
            for index, option in enumerate(lesson.check.options)
        ]
    )


def difficulty(session_id: int, _: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(_("Easy"), f"diff:{session_id}:easy"),
                _button(_("Just right"), f"diff:{session_id}:right"),
                _button(_("Too hard"), f"diff:{session_id}:hard"),
            ],
            [_button(_("Skip this question"), f"diff:{session_id}:none")],
        ]
    )


def pause_options(_: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(_("1 week"), "pause:7"), _button(_("2 weeks"), "pause:14")],
            [_button(_("Until I send /resume"), "pause:open")],
            [_button(_("📅 Until a date I type"), "pause:date")],
            [_button(_("Cancel"), "pause:cancel")],
        ]
    )


def acknowledge(alert_id: int, _: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(_("✅ Acknowledge"), f"ack:{alert_id}")]])


def pages(prefix: str, page: int, count: int) -> InlineKeyboardMarkup | None:
    """◀ and ▶ between pages, or nothing for a single page."""
    buttons = []
    if page > 0:
        buttons.append(_button("◀", f"{prefix}:{page - 1}"))
    if page + 1 < count:
        buttons.append(_button("▶", f"{prefix}:{page + 1}"))
    return InlineKeyboardMarkup([buttons]) if buttons else None


def confirm_delete(_: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(_("🗑 Yes, delete everything"), "del:yes")],
            [_button(_("No, keep my data"), "del:no")],
        ]
    )
