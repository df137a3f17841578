"""Every keyboard the bot shows, built in one place.

Callback data comes from the families in buttons.py; it names records and
choices only, and handlers check everything it names before acting on it. A
keyboard whose buttons differ in one answer takes an `Answer`: the data for each.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from enum import StrEnum
from typing import TypeVar

from babel.dates import get_day_names
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from catalogue.schema import Lesson, Relaxation
from coachbot.domain import pain, quiz
from coachbot.domain.model import Buttons
from coachbot.domain.red_flags import NONE
from coachbot.domain.vocabulary import (
    Condition,
    Equipment,
    Language,
    Level,
    Morning,
    Outcome,
    RedFlag,
)
from coachbot.i18n import Translator
from conversations import buttons, labels

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

Answer = Callable[[object], str]  # the data of the button answering `value`
Word = TypeVar("Word", bound=StrEnum)


def button(label: str, data: str) -> InlineKeyboardButton:
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
    return InlineKeyboardMarkup([[button(label, data) for label, data in row] for row in buttons])


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def welcome(language: Language, _: Translator, invite: str | None = None) -> InlineKeyboardMarkup:
    """Consent and language buttons; an invite code rides along until consent is given."""
    code = (invite,) if invite else ()
    other = Language.EN if language == Language.DE else Language.DE
    return InlineKeyboardMarkup(
        [
            [button(_("✅ I agree, let's start"), buttons.CONSENT.data(language, "yes", *code))],
            [button(_("No, thank you"), buttons.CONSENT.data(language, "no"))],
            [button(language_label(other), buttons.WELCOME_LANGUAGE.data(other, *code))],
        ]
    )


def language_label(language: Language) -> str:
    return f"{labels.LANGUAGE_FLAGS[language]} {labels.LANGUAGE_NAMES[language]}"


def morning(session_id: int, _: Translator) -> InlineKeyboardMarkup:
    answer = buttons.MORNING.answer(session_id)
    return InlineKeyboardMarkup(
        [
            [
                button(_(labels.MORNING_LABELS[choice]), answer(choice))
                for choice in (Morning.BETTER, Morning.SAME, Morning.WORSE)
            ]
        ]
    )


def yes_no(answer: Answer, _: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(_("Yes"), answer("y")), button(_("No"), answer("n"))]])


def warning_signs(answer: Answer, signs: Iterable[RedFlag], _: Translator) -> InlineKeyboardMarkup:
    """A screen group's buttons: "Yes: ..." for each sign, then "None of these"."""
    rows = [[button(_(labels.RED_FLAG_BUTTONS[flag]), answer(flag))] for flag in signs]
    rows.append([button(_("✅ None of these"), answer(NONE))])
    return InlineKeyboardMarkup(rows)


def _multi_select(
    answer: Answer,
    options: Mapping[Word, str],
    selected: Iterable[Word],
    none_label: str,
    _: Translator,
) -> InlineKeyboardMarkup:
    """A button per option (a vocabulary's labels, in their order), ticked if chosen."""
    chosen = set(selected)
    rows = [
        [button((CHECK if value in chosen else "") + _(label), answer(value))]
        for value, label in options.items()
    ]
    rows.append([button((CHECK if not chosen else "") + none_label, answer("none"))])
    rows.append([button(_("Done ➡️"), answer("done"))])
    return InlineKeyboardMarkup(rows)


def conditions(
    answer: Answer, selected: Iterable[Condition], _: Translator
) -> InlineKeyboardMarkup:
    return _multi_select(
        answer, labels.CONDITION_LABELS, selected, _("None of these / general back care"), _
    )


def equipment(answer: Answer, selected: Iterable[Equipment], _: Translator) -> InlineKeyboardMarkup:
    return _multi_select(answer, labels.EQUIPMENT_LABELS, selected, _("No equipment"), _)


def levels(answer: Answer, _: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(_(labels.LEVEL_LABELS[level]), answer(level))] for level in Level]
    )


LIGHTS = {pain.Light.GREEN: "🟢", pain.Light.AMBER: "🟡", pain.Light.RED: "🔴"}


def pain_scale(answer: Answer, usual: int | None) -> InlineKeyboardMarkup:
    """0 to 10, each coloured by the traffic light for this person's usual pain (plain
    numbers when asking for the usual pain itself)."""

    def label(n: int) -> str:
        return str(n) if usual is None else f"{LIGHTS[pain.light(n, usual)]} {n}"

    row = [button(label(n), answer(n)) for n in range(11)]
    return InlineKeyboardMarkup([row[0:4], row[4:8], row[8:11]])


def timezone_reply(default_zone: str, _: Translator) -> ReplyKeyboardMarkup:
    zones = [default_zone, *(zone for zone in COMMON_ZONES if zone != default_zone)]
    rows = [[KeyboardButton(_("📍 Share my location"), request_location=True)]]
    rows += [[KeyboardButton(zone) for zone in zones[i : i + 2]] for i in range(0, len(zones), 2)]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


def times(answer: Answer) -> InlineKeyboardMarkup:
    # "1800": the colon of "18:00" would split the callback data.
    return InlineKeyboardMarkup(_rows([button(t, answer(t.replace(":", ""))) for t in TIMES], 4))


def days(
    answer: Answer, selected: Iterable[int], language: str, _: Translator
) -> InlineKeyboardMarkup:
    chosen = set(selected)
    names = get_day_names("abbreviated", locale=language)
    week = [
        button((CHECK if day in chosen else "") + str(names[day]), answer(day)) for day in range(7)
    ]
    rows = _rows(week, 4)
    rows.append([button(_("Every day"), answer("all")), button(_("Mon–Fri"), answer("weekdays"))])
    rows.append([button(_("Done ➡️"), answer("done"))])
    return InlineKeyboardMarkup(rows)


def settings_menu(_: Translator, operated: bool = False) -> InlineKeyboardMarkup:
    items = [
        ("time", _("⏰ Training time")),
        ("days", _("📅 Training days")),
        ("tz", _("🌍 Time zone")),
        ("lang", _("🗣 Language")),
        ("eq", _("🏋️ Equipment")),
        ("cond", _("🩹 My conditions")),
        ("level", _("📶 Level")),
        ("screen", _("🩺 Check warning signs")),
    ]
    rows = [[button(label, buttons.SETTING.data("menu", key))] for key, label in items]
    if operated:
        rows.append([button(_("🩺 My operation"), buttons.OPERATION.data("show"))])
    rows.append([button(_("Close"), buttons.SETTING.data("menu", "close"))])
    return InlineKeyboardMarkup(rows)


def languages(answer: Answer) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(language_label(language), answer(language)) for language in Language]]
    )


def report_rows(session_id: int, _: Translator) -> list[list[InlineKeyboardButton]]:
    """Done, partly, skipped: a row each."""
    return [
        [button(_(labels.OUTCOME_LABELS[outcome]), buttons.OUTCOME.data(session_id, outcome))]
        for outcome in Outcome
    ]


def session(session_id: int, _: Translator, *, reported: bool = False) -> InlineKeyboardMarkup:
    """Under a session: "▶ Start" for the walk-through, then the report buttons."""
    start = [[button(_("▶ Start"), buttons.WALK_START.data(session_id))]]
    return InlineKeyboardMarkup(start if reported else [*start, *report_rows(session_id, _)])


def session_extras(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """A session's buttons once it is reported: all but the report buttons (the
    walk-through's, and the extras of a session sent before it)."""
    if markup is None:
        return None
    kept = (buttons.EXTRA, buttons.WALK_START, buttons.WALK)
    rows = [
        row
        for row in markup.inline_keyboard
        if all(
            any(family.pattern.match(str(button.callback_data)) for family in kept)
            for button in row
        )
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def walk(
    session_id: int,
    index: int,
    count: int,
    _: Translator,
    *,
    exercise: bool,
    more: bool,
    report: bool,
) -> InlineKeyboardMarkup:
    """A step of the walk-through: back, "More" (or back to the steps) on an exercise,
    next; on the last step, the report buttons above them."""
    turns = []
    if index > 0:
        turns.append(button(_("◀ Back"), buttons.WALK.data(session_id, index - 1)))
    if exercise and more:
        turns.append(button(_("📋 Steps"), buttons.WALK.data(session_id, index)))
    elif exercise:
        turns.append(button(_("ℹ️ More"), buttons.WALK.data(session_id, index, "more")))
    if index + 1 < count:
        turns.append(button(_("Next ▶"), buttons.WALK.data(session_id, index + 1)))
    rows = report_rows(session_id, _) if report else []
    return InlineKeyboardMarkup([*rows, turns] if turns else rows)


def lesson_check(
    answer: Answer, lesson: Lesson, patient_id: int, _: Translator
) -> InlineKeyboardMarkup:
    """A lesson's check question, its options in this patient's order; each button
    answers with the option's place in the catalogue."""
    options = lesson.check.options
    return InlineKeyboardMarkup(
        [
            [button(options[index].text.get(_.language), answer(index))]
            for index in quiz.option_order(patient_id, lesson.id, len(options))
        ]
    )


def lesson_list(
    lessons: Sequence[Lesson], taught: Collection[str], _: Translator
) -> InlineKeyboardMarkup:
    """Every lesson in course order, those the course has sent ticked."""
    return InlineKeyboardMarkup(
        [
            [
                button(
                    (CHECK if lesson.id in taught else "")
                    + f"{number}. {lesson.title.get(_.language)}",
                    buttons.OPEN_LESSON.data(lesson.id),
                )
            ]
            for number, lesson in enumerate(lessons, start=1)
        ]
    )


def single(label: str, data: str) -> InlineKeyboardMarkup:
    """One button: the way on (or back) from a message."""
    return InlineKeyboardMarkup([[button(label, data)]])


def relaxation_list(techniques: Sequence[Relaxation], _: Translator) -> InlineKeyboardMarkup:
    """A button per technique, with its minutes."""
    return InlineKeyboardMarkup(
        [
            [
                button(
                    _("{title} ({minutes} min)").format(
                        title=technique.title.get(_.language), minutes=technique.duration_minutes
                    ),
                    buttons.OPEN_RELAXATION.data(technique.id),
                )
            ]
            for technique in techniques
        ]
    )


def difficulty(session_id: int, _: Translator) -> InlineKeyboardMarkup:
    answers = [
        button(_(labels.DIFFICULTY_LABELS[answer]), buttons.DIFFICULTY.data(session_id, answer))
        for answer in buttons.DIFFICULTY_ANSWERS
    ]
    skip = button(_("Skip this question"), buttons.DIFFICULTY.data(session_id, buttons.NO_ANSWER))
    return InlineKeyboardMarkup([answers, [skip]])


def pause_options(_: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(_("1 week"), buttons.PAUSE.data("7")),
                button(_("2 weeks"), buttons.PAUSE.data("14")),
            ],
            [button(_("Until I send /resume"), buttons.PAUSE.data("open"))],
            [button(_("📅 Until a date I type"), buttons.PAUSE.data("date"))],
            [button(_("Cancel"), buttons.PAUSE.data("cancel"))],
        ]
    )


def acknowledge(alert_id: int, _: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(_("✅ Acknowledge"), buttons.ACKNOWLEDGE.data(alert_id))]])


def pages(answer: Answer, page: int, count: int) -> InlineKeyboardMarkup | None:
    """◀ and ▶ between pages, or nothing for a single page."""
    turns = []
    if page > 0:
        turns.append(button("◀", answer(page - 1)))
    if page + 1 < count:
        turns.append(button("▶", answer(page + 1)))
    return InlineKeyboardMarkup([turns]) if turns else None


def confirm_delete(_: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(_("🗑 Yes, delete everything"), buttons.DELETE.data("yes"))],
            [button(_("No, keep my data"), buttons.DELETE.data("no"))],
        ]
    )
