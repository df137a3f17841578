"""Chart images (PNG), drawn with matplotlib: a patient's progress, a therapist's cohort.

Read on a phone, often by older people and by the colour-blind: Okabe-Ito colours
(Okabe & Ito 2008, "Color Universal Design"), a symbol on every day as well as its
colour so the chart reads in greyscale too, a legend in the reader's language, text
of 11 pt and more on an image over 1,000 px wide, and a missing value drawn as
missing, never as 0.

Each chart is built as a figure (`progress_figure`, `cohort_figure`) and rendered to
bytes (`png`), so tests can look at what is drawn.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from io import BytesIO
from typing import TYPE_CHECKING, Literal

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from coachbot.domain.summary import CohortSummary, Day
from coachbot.domain.vocabulary import OPEN_STATES, SessionState
from coachbot.i18n import Translator
from coachbot.views import PROGRESS_DAYS
from conversations.labels import DAY_STATE_LABELS, NO_SESSION_LABEL, OPEN_DAY_LABEL

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 140
WIDTH_INCHES = 8.0  # x DPI = 1,120 px
TEXT = 12.0  # points; at 8 inches wide that reads on a phone held upright
SMALL = 11.0

# Okabe-Ito.
BLUE, SKY, ORANGE, VERMILLION, PURPLE = "#0072B2", "#56B4E9", "#E69F00", "#D55E00", "#CC79A7"
# GREY edges only; words in grey are DARK_GREY, which still reads on a dim phone.
GREY, DARK_GREY, LIGHT_GREY, INK = "#999999", "#555555", "#DDDDDD", "#222222"


@dataclass(frozen=True)
class Mark:
    """How one kind of day looks: a tile's fill, edge and symbol, and its legend text."""

    fill: str
    symbol: str
    symbol_colour: str
    label: str
    edge: str = INK
    edge_style: Literal["solid", "dotted"] = "solid"


_OPEN = Mark("white", "…", INK, OPEN_DAY_LABEL)
_NONE = Mark("white", "", INK, NO_SESSION_LABEL, edge=GREY, edge_style="dotted")
# In the order of the legend and of the card's strip (✅ 🟡 ⏭ ❌ ⏸ ⚠️ ⬜ ▫️).
_MARKS = {
    SessionState.DONE: Mark(BLUE, "✓", "white", DAY_STATE_LABELS[SessionState.DONE]),
    SessionState.PARTLY: Mark(SKY, "½", INK, DAY_STATE_LABELS[SessionState.PARTLY]),
    SessionState.SKIPPED: Mark(ORANGE, "»", INK, DAY_STATE_LABELS[SessionState.SKIPPED]),
    SessionState.MISSED: Mark(VERMILLION, "✗", "white", DAY_STATE_LABELS[SessionState.MISSED]),
    SessionState.EXCUSED: Mark(LIGHT_GREY, "‖", INK, DAY_STATE_LABELS[SessionState.EXCUSED]),
    SessionState.UNDELIVERED: Mark(PURPLE, "!", INK, DAY_STATE_LABELS[SessionState.UNDELIVERED]),
}
_LEGEND_ORDER = [*_MARKS.values(), _OPEN, _NONE]

# Dates as people write them: "23.11." in German, "23 Nov" in English.
_DATE_PATTERNS = {"de": "d.M."}
_DATE_PATTERN = "d MMM"


@cache
def _figure_class() -> type[Figure]:
    """matplotlib, imported when the first chart is drawn (tens of MB the bot need not
    hold until then); a Figure made directly draws to memory (Agg), with no pyplot state."""
    from matplotlib.figure import Figure

    return Figure


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes, the same bytes for the same figure (no version or date)."""
    buffer = BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def short_date(day: date, language: str) -> str:
    return format_date(day, _DATE_PATTERNS.get(language, _DATE_PATTERN), locale=language)


def mark_of(state: SessionState | None) -> Mark:
    if state is None:
        return _NONE
    if state in OPEN_STATES:
        return _OPEN
    return _MARKS[state]


# --- a patient's last 28 days -------------------------------------------------------------


def progress_chart(days: list[Day], today: date, _: Translator, title: str | None = None) -> bytes:
    """The last 28 days up to `today`: what was done each day, and pain after the session."""
    return png(progress_figure(days, today, _, title))


def progress_figure(
    days: list[Day], today: date, _: Translator, title: str | None = None
) -> Figure:
    """Pain on top (a line broken where there was no report), below it a tile a day
    with its colour and symbol, and the legend of the kinds of day shown."""
    first = today - timedelta(days=PROGRESS_DAYS - 1)
    dates = [first + timedelta(days=n) for n in range(PROGRESS_DAYS)]
    by_day = {d.day: d for d in days if first <= d.day <= today}
    figure = _figure_class()(figsize=(WIDTH_INCHES, 5.4), dpi=DPI, layout="constrained")
    pain, tiles = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1.1]})
    figure.suptitle(title or _("Your last 28 days"), fontsize=TEXT + 3)
    _draw_pain(pain, [by_day[d].pain if d in by_day else None for d in dates], _)
    shown = _draw_tiles(tiles, [by_day[d].state if d in by_day else None for d in dates])
    _date_axis(tiles, dates, _.language)
    reported = any(by_day[d].pain is not None for d in dates if d in by_day)
    _legend(figure, [m for m in _LEGEND_ORDER if m in shown], reported, _)
    return figure


def _draw_pain(axis: Axes, pains: list[int | None], _: Translator) -> None:
    # NaN where there was no report: matplotlib leaves a gap there instead of a line
    # across a pause or a day off; a lone report stays visible as its marker.
    values = [math.nan if p is None else float(p) for p in pains]
    axis.plot(
        range(len(values)),
        values,
        color=INK,
        linewidth=2.5,
        marker="o",
        markersize=7,
        label=_("pain after the session"),
    )
    axis.set_ylim(-0.5, 10.5)
    axis.set_yticks(range(0, 11, 2))
    axis.set_ylabel(_("Pain (0-10)"), fontsize=TEXT)
    axis.tick_params(labelsize=TEXT)
    axis.grid(axis="y", color=LIGHT_GREY, linewidth=1)
    axis.set_axisbelow(True)
    axis.spines[["top", "right"]].set_visible(False)
    if all(p is None for p in pains):
        axis.text(
            0.5,
            0.5,
            _("no pain reports in these days"),
            transform=axis.transAxes,
            ha="center",
            va="center",
            fontsize=TEXT,
            color=DARK_GREY,
        )


def _draw_tiles(axis: Axes, states: list[SessionState | None]) -> set[Mark]:
    """A tile a day; returns the kinds of day drawn (for the legend)."""
    shown = set()
    for x, state in enumerate(states):
        mark = mark_of(state)
        shown.add(mark)
        axis.bar(
            x,
            1,
            width=0.84,
            color=mark.fill,
            edgecolor=mark.edge,
            linestyle=mark.edge_style,
            linewidth=1,
        )
        if mark.symbol:
            axis.text(
                x,
                0.5,
                mark.symbol,
                ha="center",
                va="center",
                fontsize=TEXT + 2,
                fontweight="bold",
                color=mark.symbol_colour,
            )
    axis.set_ylim(0, 1)
    axis.set_yticks([])
    axis.spines[["top", "right", "left"]].set_visible(False)
    return shown


def _date_axis(axis: Axes, dates: list[date], language: str) -> None:
    """A date under every seventh day, counted back from the last (today)."""
    labelled = list(range(len(dates) - 1, -1, -7))[::-1]
    axis.set_xticks(labelled, [short_date(dates[n], language) for n in labelled])
    axis.set_xticks(range(len(dates)), minor=True)
    axis.set_xlim(-0.6, len(dates) - 0.4)
    axis.tick_params(axis="x", labelsize=TEXT, length=6)
    axis.tick_params(axis="x", which="minor", length=3)


def _legend(figure: Figure, marks: list[Mark], pain: bool, _: Translator) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Patch | Line2D] = [
        Patch(
            facecolor=m.fill,
            edgecolor=m.edge,
            linestyle=m.edge_style,
            label=f"{m.symbol} {_(m.label)}".strip(),
        )
        for m in marks
    ]
    if pain:
        handles.append(
            Line2D([], [], color=INK, linewidth=2.5, marker="o", label=_("pain after the session"))
        )
    figure.legend(
        handles=handles,
        loc="outside lower center",
        ncol=3,
        fontsize=SMALL,
        frameon=False,
        handlelength=1.6,
        columnspacing=1.4,
    )


# --- a therapist's patients --------------------------------------------------------------


def cohort_chart(summary: CohortSummary, _: Translator) -> bytes:
    """Per patient: adherence this week against the week before, and mean pain."""
    return png(cohort_figure(summary, _))


NAME_LENGTH = 18
NOW_COLOUR, BEFORE_COLOUR = BLUE, LIGHT_GREY


def cohort_figure(summary: CohortSummary, _: Translator) -> Figure:
    """Two panels, a pair of bars per patient (this week dark, the week before light,
    the same in both panels and the legend), each bar with its value written out and
    a missing value written as such."""
    patients = summary.patients
    rows = max(len(patients), 1)
    figure = _figure_class()(
        figsize=(WIDTH_INCHES, 1.9 + 0.62 * rows), dpi=DPI, layout="constrained"
    )
    left, right = figure.subplots(1, 2, sharey=True)
    names = [_short(p.name or f"#{p.patient_id}") for p in patients]
    language = _.language

    def adherence_text(ratio: float | None) -> str:
        return _("no sessions") if ratio is None else format_percent(ratio, locale=language)

    def pain_text(mean: float | None) -> str:
        return (
            _("no pain reports") if mean is None else format_decimal(mean, "0.#", locale=language)
        )

    _bar_pairs(
        left,
        [(p.adherence_now.ratio, p.adherence_before.ratio) for p in patients],
        scale=100,
        text=adherence_text,
    )
    left.set_xlim(0, 135)
    left.set_xticks(range(0, 101, 25))
    left.set_title(_("Adherence (%)"), fontsize=TEXT)
    left.set_yticks(range(len(patients)), names, fontsize=TEXT)
    left.invert_yaxis()
    _bar_pairs(
        right,
        [(p.pain_now, p.pain_before) for p in patients],
        scale=1,
        text=pain_text,
    )
    right.set_xlim(0, 13.5)
    right.set_xticks(range(0, 11, 2))
    right.set_title(_("Mean pain (0-10)"), fontsize=TEXT)
    right.tick_params(axis="y", left=False)
    from matplotlib.patches import Patch

    figure.legend(
        handles=[
            Patch(facecolor=NOW_COLOUR, edgecolor=INK, label=_("this week")),
            Patch(facecolor=BEFORE_COLOUR, edgecolor=INK, label=_("week before")),
        ],
        loc="outside lower center",
        ncol=2,
        fontsize=SMALL,
        frameon=False,
    )
    return figure


HEIGHT = 0.38


def _bar_pairs(
    axis: Axes,
    pairs: list[tuple[float | None, float | None]],
    scale: float,
    text: Callable[[float | None], str],
) -> None:
    """This week above the week before, per row, each with its value written after
    it; no bar, and the words for it, where there is no value (a bar of 0 would read
    as 0 % or as no pain)."""
    for row, (now, before) in enumerate(pairs):
        for value, offset, colour in (
            (now, -HEIGHT / 2, NOW_COLOUR),
            (before, HEIGHT / 2, BEFORE_COLOUR),
        ):
            y = row + offset
            if value is not None:
                axis.barh(y, value * scale, HEIGHT, color=colour, edgecolor=INK, linewidth=0.8)
            axis.annotate(
                text(value),
                (0 if value is None else value * scale, y),
                xytext=(5, 0),
                textcoords="offset points",
                va="center",
                fontsize=SMALL,
                color=INK if value is not None else DARK_GREY,
                style="normal" if value is not None else "italic",
            )
    axis.tick_params(axis="x", labelsize=SMALL)
    axis.grid(axis="x", color=LIGHT_GREY, linewidth=1)
    axis.set_axisbelow(True)
    axis.spines[["top", "right"]].set_visible(False)


def _short(name: str) -> str:
    return name if len(name) <= NAME_LENGTH else name[: NAME_LENGTH - 1] + "…"
