"""The charts as a person sees them: wide enough for a phone, big text, a legend in
their language, a pain line broken where nothing was reported, and "no data" written
as such, never drawn as 0."""

from __future__ import annotations

import math
from datetime import date, timedelta
from io import BytesIO

import numpy
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from PIL import Image

from coachbot.domain.adherence import Adherence
from coachbot.domain.summary import CohortSummary, Day, PatientFigures
from coachbot.domain.vocabulary import SessionState
from coachbot.i18n import Translator
from conversations.charts import cohort_chart, cohort_figure, progress_chart, progress_figure

TODAY = date(2026, 11, 23)  # a Monday


def ago(n: int, state: SessionState, pain: int | None = None) -> Day:
    return Day(TODAY - timedelta(days=n), state, pain)


# 27 days ago done (pain 4), then partly (5), skipped, missed, three days paused,
# a day with no session at all, done without a pain answer, done (3), today still open.
DAYS = [
    ago(27, SessionState.DONE, 4),
    ago(26, SessionState.PARTLY, 5),
    ago(25, SessionState.SKIPPED),
    ago(24, SessionState.MISSED),
    ago(23, SessionState.EXCUSED),
    ago(22, SessionState.EXCUSED),
    ago(21, SessionState.EXCUSED),
    # 20 days ago: no session
    ago(19, SessionState.DONE),
    ago(18, SessionState.DONE, 3),
    ago(17, SessionState.DONE, 2),
    ago(1, SessionState.UNDELIVERED),
    ago(0, SessionState.SENT),
]


def texts(figure: Figure) -> list[Text]:
    figure.draw_without_rendering()  # lays out the tick labels
    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


def small_texts(figure: Figure) -> list[str]:
    """Texts under 10 pt (hard to read on a phone)."""
    return [t.get_text() for t in texts(figure) if float(t.get_fontsize()) < 10]


def pain_points(figure: Figure) -> list[float]:
    """The pain line's values, one a day (NaN where the line has a gap)."""
    return [float(v) for v in numpy.asarray(figure.axes[0].lines[0].get_ydata(), dtype=float)]


def legend(figure: Figure) -> list[str]:
    return [t.get_text() for t in figure.legends[0].get_texts()]


def size(png: bytes) -> tuple[int, int]:
    with Image.open(BytesIO(png)) as image:
        return image.size


# --- the progress chart (/progress and the therapist's card) -----------------------------


@pytest.mark.parametrize("language", ["en", "de"])
def test_progress_chart_is_wide_with_big_text(language: str) -> None:
    figure = progress_figure(DAYS, TODAY, Translator(language))
    width, height = size(progress_chart(DAYS, TODAY, Translator(language)))
    assert width >= 1000 and 500 <= height <= 800
    assert small_texts(figure) == []


def test_progress_legend_names_every_kind_of_day_shown_in_english() -> None:
    figure = progress_figure(DAYS, TODAY, Translator("en"))
    assert legend(figure) == [
        "✓ done",
        "½ partly",
        "» skipped",
        "✗ missed",
        "‖ paused or stopped",
        "! could not be delivered",
        "… still open",
        "no session",
        "pain after the session",
    ]


def test_progress_legend_in_german() -> None:
    figure = progress_figure(DAYS, TODAY, Translator("de"))
    assert legend(figure) == [
        "✓ erledigt",
        "½ teilweise",
        "» ausgelassen",
        "✗ verpasst",
        "‖ pausiert oder gestoppt",
        "! nicht zustellbar",
        "… noch offen",
        "keine Einheit",
        "Schmerzen nach der Einheit",
    ]


def test_legend_lists_only_the_kinds_of_day_drawn() -> None:
    figure = progress_figure([ago(3, SessionState.DONE, 2)], TODAY, Translator("en"))
    assert legend(figure) == ["✓ done", "no session", "pain after the session"]


def test_each_kind_of_day_has_its_own_colour_and_symbol() -> None:
    """Missed and skipped are no longer one red; a pause is not an untrained day."""
    tiles = progress_figure(DAYS, TODAY, Translator("en")).axes[1]
    bars = [p for p in tiles.patches if isinstance(p, Rectangle)]
    assert len(bars) == 28
    fill = [bar.get_facecolor() for bar in bars]
    missed, skipped, paused, no_session = fill[3], fill[2], fill[4], fill[7]
    assert len({missed, skipped, paused, no_session, fill[0], fill[1]}) == 6
    symbols = [t.get_text() for t in tiles.texts]
    assert symbols[:7] == ["✓", "½", "»", "✗", "‖", "‖", "‖"]


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("en", ["2 Nov", "9 Nov", "16 Nov", "23 Nov"]),
        ("de", ["2.11.", "9.11.", "16.11.", "23.11."]),
    ],
)
def test_a_date_every_seventh_day_up_to_today_not_rotated(language: str, labels: list[str]) -> None:
    tiles = progress_figure(DAYS, TODAY, Translator(language)).axes[1]
    ticks = tiles.get_xticklabels()
    assert [t.get_text() for t in ticks] == labels
    assert all(t.get_rotation() == 0 for t in ticks)


def test_pain_line_is_broken_where_nothing_was_reported() -> None:
    figure = progress_figure(DAYS, TODAY, Translator("en"))
    pain = figure.axes[0]
    values = pain_points(figure)
    assert len(values) == 28
    assert values[0:2] == [4.0, 5.0]
    assert all(math.isnan(v) for v in values[2:9])  # skipped, missed, paused, no session
    assert values[9:11] == [3.0, 2.0]
    assert pain.get_ylim()[0] < 0 and pain.get_ylim()[1] >= 10
    assert pain.get_ylabel() == "Pain (0-10)"


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "no pain reports in these days"), ("de", "in diesen Tagen keine Schmerzangaben")],
)
def test_no_pain_reports_are_said_not_drawn(language: str, words: str) -> None:
    days = [ago(5, SessionState.DONE), ago(4, SessionState.MISSED)]
    figure = progress_figure(days, TODAY, Translator(language))
    assert words in [t.get_text() for t in texts(figure)]
    assert all(math.isnan(v) for v in pain_points(figure))
    assert len(legend(figure)) == 3  # done, missed, no session: no pain line in the legend


def test_progress_chart_is_the_same_bytes_twice_and_small() -> None:
    first = progress_chart(DAYS, TODAY, Translator("de"), "Gina")
    assert first == progress_chart(DAYS, TODAY, Translator("de"), "Gina")
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(first) < 150_000


# --- the cohort chart (the therapist's summary) ------------------------------------------


def patient(pid: int, now: Adherence, before: Adherence, pain: float | None) -> PatientFigures:
    return PatientFigures(pid, f"Patient {pid}", now, before, pain, pain, open_alerts=0)


COHORT = CohortSummary(
    [
        patient(1, Adherence(5, 7), Adherence(3, 7), 3.5),
        patient(2, Adherence(0, 5), Adherence(0, 5), None),  # 0 %, never a pain answer
        patient(3, Adherence(0, 0), Adherence(0, 0), None),  # no sessions at all
    ]
)


@pytest.mark.parametrize(
    ("language", "zero", "no_sessions", "no_pain"),
    [
        ("en", "0%", "no sessions", "no pain reports"),
        ("de", "0\xa0%", "keine Einheiten", "keine Schmerzangaben"),
    ],
)
def test_cohort_writes_no_data_as_such(
    language: str, zero: str, no_sessions: str, no_pain: str
) -> None:
    adherence, pain = cohort_figure(COHORT, Translator(language)).axes
    assert [t.get_text() for t in adherence.texts] == [
        *(["71%", "43%"] if language == "en" else ["71\xa0%", "43\xa0%"]),
        zero,
        zero,
        no_sessions,
        no_sessions,
    ]
    assert [t.get_text() for t in pain.texts] == [
        *(["3.5", "3.5"] if language == "en" else ["3,5", "3,5"]),
        no_pain,
        no_pain,
        no_pain,
        no_pain,
    ]
    # No bar at all for a patient without pain reports (a bar would read as a number).
    assert len(pain.patches) == 2


def test_cohort_legend_colours_are_the_bars_colours() -> None:
    figure = cohort_figure(COHORT, Translator("de"))
    assert legend(figure) == ["diese Woche", "Vorwoche"]
    this_week, week_before = (p.get_facecolor() for p in figure.legends[0].get_patches())
    for panel in figure.axes:
        first_row = [bar.get_facecolor() for bar in panel.patches][:2]
        assert first_row == [this_week, week_before]


def test_cohort_chart_is_wide_with_big_text_and_the_same_bytes_twice() -> None:
    figure = cohort_figure(COHORT, Translator("en"))
    assert small_texts(figure) == []
    first = cohort_chart(COHORT, Translator("en"))
    assert size(first)[0] >= 1000
    assert first == cohort_chart(COHORT, Translator("en"))
    assert len(first) < 150_000
