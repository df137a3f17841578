"""The therapist's summary figures: two weeks side by side, trends, and when it comes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from coachbot.domain.adherence import Adherence
from coachbot.domain.schedule import next_summary_at
from coachbot.domain.summary import CohortSummary, Day, PatientFigures, Trend, figures
from coachbot.domain.vocabulary import SessionState

# Monday 23 November 2026: "this week" is Tue 17.11.-Mon 23.11., the week before
# Tue 10.11.-Mon 16.11.
TODAY = date(2026, 11, 23)
BERLIN = "Europe/Berlin"


def day(n: int, state: str, pain: int | None = None) -> Day:
    """A day `n` days before TODAY."""
    return Day(TODAY - timedelta(days=n), SessionState(state), pain)


def of(days: list[Day], open_alerts: int = 0) -> PatientFigures:
    return figures(7, "Gina", days, TODAY, open_alerts=open_alerts)


# --- the two windows ------------------------------------------------------------------


def test_this_week_is_today_and_the_six_days_before() -> None:
    result = of([day(0, "done"), day(6, "done"), day(7, "missed"), day(13, "missed")])
    assert result.adherence_now == Adherence(credit=2.0, prescribed=2)
    assert result.adherence_before == Adherence(credit=0.0, prescribed=2)


def test_days_outside_the_fortnight_and_after_today_are_ignored() -> None:
    result = of(
        [
            day(14, "missed"),  # the 15th day back: in neither week
            day(30, "done"),
            day(-1, "missed"),  # tomorrow
            day(3, "done", pain=4),
            day(-2, "done", pain=9),
            day(20, "done", pain=9),
        ]
    )
    assert result.adherence_now == Adherence(credit=1.0, prescribed=1)
    assert result.adherence_before == Adherence(credit=0.0, prescribed=0)
    assert result.pain_now == 4.0
    assert result.pain_before is None


@pytest.mark.parametrize("state", ["planned", "sending", "sent"])
def test_a_session_still_open_today_does_not_count(state: str) -> None:
    result = of([day(0, state), day(1, "done")])
    assert result.adherence_now == Adherence(credit=1.0, prescribed=1)
    assert result.adherence_now.ratio == 1.0


def test_excused_days_are_not_prescribed_and_partly_is_half() -> None:
    # This week: done, partly, excused, excused, skipped -> (1 + 0.5) / 3 = 50%.
    result = of(
        [day(0, "done"), day(1, "partly"), day(2, "excused"), day(3, "excused"), day(4, "skipped")]
    )
    assert result.adherence_now == Adherence(credit=1.5, prescribed=3)
    assert result.adherence_now.ratio == 0.5


def test_a_week_of_only_excused_days_has_no_adherence() -> None:
    result = of([day(n, "excused") for n in range(14)])
    assert result.adherence_now.ratio is None
    assert result.adherence_before.ratio is None
    assert result.trend is Trend.UNKNOWN


def test_mean_pain_of_each_week_from_the_days_with_a_pain_answer() -> None:
    result = of(
        [
            day(0, "done", 2),
            day(1, "done", 3),
            day(2, "skipped", 5),  # a skipped day's pain answer counts too
            day(3, "missed"),
            day(8, "done", 6),
            day(9, "partly", 7),
        ]
    )
    assert result.pain_now == pytest.approx(10 / 3)
    assert result.pain_before == pytest.approx(6.5)


def test_name_id_and_alerts_are_carried() -> None:
    result = figures(42, "Emil", [], TODAY, open_alerts=3)
    assert (result.patient_id, result.name, result.open_alerts) == (42, "Emil", 3)
    assert result.pain_now is None and result.pain_before is None


# --- trends ------------------------------------------------------------------------------


def patient(
    now: tuple[float, int],
    before: tuple[float, int],
    pain_now: float | None = None,
    pain_before: float | None = None,
) -> PatientFigures:
    return PatientFigures(
        patient_id=1,
        name="Ivo",
        adherence_now=Adherence(*now),
        adherence_before=Adherence(*before),
        pain_now=pain_now,
        pain_before=pain_before,
        open_alerts=0,
    )


@pytest.mark.parametrize(
    ("now", "before", "trend"),
    [
        ((4.0, 5), (3.0, 5), Trend.IMPROVED),  # 80% after 60%: +20 points
        ((3.0, 4), (3.0, 5), Trend.IMPROVED),  # 75% after 60%: exactly +15 points
        ((3.5, 5), (3.0, 5), Trend.STEADY),  # +10 points
        ((3.0, 5), (3.5, 5), Trend.STEADY),  # -10 points
        ((3.0, 5), (3.0, 4), Trend.SLIPPED),  # 60% after 75%: exactly -15 points
        ((0.0, 5), (5.0, 5), Trend.SLIPPED),
        ((0.0, 0), (5.0, 5), Trend.UNKNOWN),  # nothing prescribed this week
        ((5.0, 5), (0.0, 0), Trend.UNKNOWN),  # nothing prescribed the week before
    ],
)
def test_adherence_trend(now: tuple[float, int], before: tuple[float, int], trend: Trend) -> None:
    assert patient(now, before).adherence_trend is trend


@pytest.mark.parametrize(
    ("pain_now", "pain_before", "trend"),
    [
        (2.0, 3.0, Trend.IMPROVED),  # one point less
        (2.5, 4.0, Trend.IMPROVED),
        (2.5, 3.0, Trend.STEADY),
        (3.5, 3.0, Trend.STEADY),
        (4.0, 3.0, Trend.SLIPPED),  # one point more
        (7.0, 3.0, Trend.SLIPPED),
        (None, 3.0, Trend.UNKNOWN),
        (3.0, None, Trend.UNKNOWN),
        (None, None, Trend.UNKNOWN),
    ],
)
def test_pain_trend(pain_now: float | None, pain_before: float | None, trend: Trend) -> None:
    assert patient((3.0, 5), (3.0, 5), pain_now, pain_before).pain_trend is trend


@pytest.mark.parametrize(
    ("now", "before", "pain_now", "pain_before", "trend"),
    [
        # Better adherence but more pain: slipped wins.
        ((5.0, 5), (2.0, 5), 5.0, 3.0, Trend.SLIPPED),
        # Less pain but adherence fell: slipped wins.
        ((1.0, 5), (5.0, 5), 1.0, 4.0, Trend.SLIPPED),
        # Better on one count, steady on the other: improved.
        ((5.0, 5), (2.0, 5), 3.0, 3.0, Trend.IMPROVED),
        ((3.0, 5), (3.0, 5), 1.0, 3.0, Trend.IMPROVED),
        # Better on one, no pain answers at all: improved.
        ((5.0, 5), (2.0, 5), None, None, Trend.IMPROVED),
        ((3.0, 5), (3.0, 5), None, 3.0, Trend.STEADY),
        ((0.0, 0), (0.0, 0), 3.0, 3.2, Trend.STEADY),
        ((0.0, 0), (3.0, 5), None, 3.0, Trend.UNKNOWN),
        ((0.0, 0), (0.0, 0), None, None, Trend.UNKNOWN),
    ],
)
def test_overall_trend(
    now: tuple[float, int],
    before: tuple[float, int],
    pain_now: float | None,
    pain_before: float | None,
    trend: Trend,
) -> None:
    assert patient(now, before, pain_now, pain_before).trend is trend


@pytest.mark.parametrize(
    ("pains_before", "pains_now", "trend"),
    [
        # 3.3 -> 4.3: mean pain rose by exactly one point (10/3 -> 13/3).
        ((3, 3, 4), (4, 4, 5), Trend.SLIPPED),
        # 1.2 -> 0.2: fell by exactly one point (6/5 -> 1/5).
        ((1, 1, 1, 1, 2), (0, 0, 0, 0, 1), Trend.IMPROVED),
        # 2.0 -> 3.0 and back.
        ((2, 2), (3, 3), Trend.SLIPPED),
        ((3, 3), (2, 2), Trend.IMPROVED),
    ],
)
def test_a_change_of_mean_pain_by_exactly_one_point_counts(
    pains_before: tuple[int, ...], pains_now: tuple[int, ...], trend: Trend
) -> None:
    """The threshold is inclusive ("by this many points"), whatever the means' fractions."""
    days = [day(8 + n, "done", pain) for n, pain in enumerate(pains_before)]
    days += [day(1 + n, "done", pain) for n, pain in enumerate(pains_now)]
    result = of(days)
    assert result.adherence_trend is Trend.STEADY
    assert result.pain_trend is trend
    assert result.trend is trend


def test_trend_from_real_weeks() -> None:
    # Week before: 7 x done at pain 3 = 100%, 3.0; this week: done, skipped, missed x 4,
    # open today, pain 6 = 1/6 = 17%, 6.0: both slipped.
    days = [day(n, "done", 3) for n in range(7, 14)]
    days += [day(6, "done", 6), day(5, "skipped"), *(day(n, "missed") for n in range(1, 5))]
    days.append(day(0, "sent"))
    result = of(days)
    assert result.adherence_now == Adherence(1.0, 6)
    assert result.adherence_trend is Trend.SLIPPED
    assert result.pain_trend is Trend.SLIPPED
    assert result.trend is Trend.SLIPPED


# --- the cohort -----------------------------------------------------------------------


def test_cohort_adherence_pools_every_session_not_the_percentages() -> None:
    # 1 of 1 (100%) and 1.5 of 6 (25%): pooled 2.5 of 7 = 36%, not the mean 62.5%.
    one = patient((1.0, 1), (0.0, 0))
    six = patient((1.5, 6), (6.0, 6))
    cohort = CohortSummary([one, six])
    assert cohort.adherence == Adherence(credit=2.5, prescribed=7)
    assert cohort.adherence.ratio == pytest.approx(2.5 / 7)


def test_cohort_of_nobody_has_no_adherence_and_no_alerts() -> None:
    cohort = CohortSummary([])
    assert cohort.adherence == Adherence(0.0, 0)
    assert cohort.adherence.ratio is None
    assert cohort.open_alerts == 0
    assert cohort.with_trend(Trend.IMPROVED) == []


def test_cohort_lists_patients_by_trend_and_sums_open_alerts() -> None:
    better = PatientFigures(1, "Ivo", Adherence(5, 5), Adherence(2, 5), None, None, 0)
    worse = PatientFigures(2, "Sara", Adherence(1, 5), Adherence(5, 5), 6.0, 3.0, 2)
    steady = PatientFigures(3, "Gina", Adherence(5, 5), Adherence(5, 5), 2.0, 2.0, 1)
    cohort = CohortSummary([better, worse, steady])
    assert cohort.with_trend(Trend.IMPROVED) == [better]
    assert cohort.with_trend(Trend.SLIPPED) == [worse]
    assert cohort.with_trend(Trend.STEADY) == [steady]
    assert cohort.open_alerts == 3


# --- when the next summary comes -------------------------------------------------------


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


AT = time(7, 30)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # 09:00 in Berlin on Monday: today's 07:30 has passed, so tomorrow's.
        (utc(2026, 11, 23, 8, 0), utc(2026, 11, 24, 6, 30)),
        # 07:00 in Berlin: still today.
        (utc(2026, 11, 23, 6, 0), utc(2026, 11, 23, 6, 30)),
        # Exactly at the time: that one is being sent, the next is tomorrow's.
        (utc(2026, 11, 23, 6, 30), utc(2026, 11, 24, 6, 30)),
        # Late in the evening UTC it is already the next day in Berlin.
        (utc(2026, 11, 23, 23, 30), utc(2026, 11, 24, 6, 30)),
    ],
)
def test_daily(now: datetime, expected: datetime) -> None:
    assert next_summary_at(now, BERLIN, AT) == expected


@pytest.mark.parametrize(
    ("now", "weekday", "expected"),
    [
        # Monday 09:00 in Berlin, weekly on Monday 07:30: next Monday.
        (utc(2026, 11, 23, 8, 0), 0, utc(2026, 11, 30, 6, 30)),
        # Monday 07:00: still today.
        (utc(2026, 11, 23, 6, 0), 0, utc(2026, 11, 23, 6, 30)),
        # Exactly at the time: next week's.
        (utc(2026, 11, 23, 6, 30), 0, utc(2026, 11, 30, 6, 30)),
        # Wednesday and Sunday of the same week.
        (utc(2026, 11, 23, 8, 0), 2, utc(2026, 11, 25, 6, 30)),
        (utc(2026, 11, 23, 8, 0), 6, utc(2026, 11, 29, 6, 30)),
    ],
)
def test_weekly(now: datetime, weekday: int, expected: datetime) -> None:
    assert next_summary_at(now, BERLIN, AT, weekday) == expected


def test_daily_over_the_autumn_change_keeps_the_local_time() -> None:
    # Sunday 25 October 2026 clocks go back from CEST (+2) to CET (+1).
    saturday = next_summary_at(utc(2026, 10, 23, 12, 0), BERLIN, AT)
    sunday = next_summary_at(saturday, BERLIN, AT)
    monday = next_summary_at(sunday, BERLIN, AT)
    assert saturday == utc(2026, 10, 24, 5, 30)  # 07:30 CEST
    assert sunday == utc(2026, 10, 25, 6, 30)  # 07:30 CET: 25 hours later
    assert monday == utc(2026, 10, 26, 6, 30)


def test_weekly_over_the_spring_change_keeps_the_local_time() -> None:
    # Sunday 29 March 2026 clocks go forward from CET (+1) to CEST (+2).
    first = next_summary_at(utc(2026, 3, 23, 7, 0), BERLIN, AT, 0)  # Monday, 08:00 CET
    assert first == utc(2026, 3, 30, 5, 30)  # the next Monday 07:30 CEST
    assert next_summary_at(first, BERLIN, AT, 0) == utc(2026, 4, 6, 5, 30)
    before = next_summary_at(utc(2026, 3, 16, 7, 0), BERLIN, AT, 0)
    assert before == utc(2026, 3, 23, 6, 30)  # 07:30 CET
    assert first - before == timedelta(days=7, hours=-1)


def test_weekly_over_the_autumn_change_on_the_day_itself() -> None:
    # Weekly on Sunday at 07:30: the Sunday of the change, then the one after.
    first = next_summary_at(utc(2026, 10, 20, 12, 0), BERLIN, AT, 6)
    assert first == utc(2026, 10, 25, 6, 30)
    assert next_summary_at(first, BERLIN, AT, 6) == utc(2026, 11, 1, 6, 30)


def test_a_time_in_the_repeated_autumn_hour_comes_once() -> None:
    # 02:30 happens twice on 25 October 2026: the summary comes at the first, and the
    # second 02:30 (an hour later) does not bring it again.
    at = time(2, 30)
    first = next_summary_at(utc(2026, 10, 24, 12, 0), BERLIN, at)
    assert first == utc(2026, 10, 25, 0, 30)  # 02:30 CEST
    assert next_summary_at(first, BERLIN, at) == utc(2026, 10, 26, 1, 30)  # 02:30 CET


def test_a_time_in_the_skipped_spring_hour_still_comes_that_day() -> None:
    # 02:30 does not exist on 29 March 2026 in Berlin; the summary still comes that day.
    at = time(2, 30)
    result = next_summary_at(utc(2026, 3, 28, 12, 0), BERLIN, at)
    assert utc(2026, 3, 29, 0, 0) < result <= utc(2026, 3, 29, 1, 30)
    assert next_summary_at(result, BERLIN, at) == utc(2026, 3, 30, 0, 30)


def test_other_zones() -> None:
    now = utc(2026, 11, 23, 8, 0)  # 03:00 in New York, 17:00 in Tokyo
    assert next_summary_at(now, "America/New_York", AT) == utc(2026, 11, 23, 12, 30)
    assert next_summary_at(now, "Asia/Tokyo", AT) == utc(2026, 11, 23, 22, 30)
