"""When sessions fall due: local dates, due instants and day ends, across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from coachbot.domain.schedule import (
    day_ends_at,
    due_at,
    local_date,
    next_session_day,
    next_training_day,
)

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
EVENING = time(18, 0)
DAILY = (0, 1, 2, 3, 4, 5, 6)
MON_WED_FRI = (0, 2, 4)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- local_date -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "zone", "expected"),
    [
        # Berlin in winter is UTC+1: local midnight is 23:00 UTC the day before.
        (utc(2026, 11, 23, 22, 59), BERLIN, date(2026, 11, 23)),
        (utc(2026, 11, 23, 23, 0), BERLIN, date(2026, 11, 24)),
        # Berlin in summer is UTC+2: local midnight is 22:00 UTC.
        (utc(2026, 7, 1, 21, 59), BERLIN, date(2026, 7, 1)),
        (utc(2026, 7, 1, 22, 0), BERLIN, date(2026, 7, 2)),
        # New York in winter is UTC-5: it is still yesterday there until 05:00 UTC.
        (utc(2026, 11, 24, 2, 0), NEW_YORK, date(2026, 11, 23)),
        (utc(2026, 11, 24, 4, 59), NEW_YORK, date(2026, 11, 23)),
        (utc(2026, 11, 24, 5, 0), NEW_YORK, date(2026, 11, 24)),
        # New York in summer is UTC-4.
        (utc(2026, 7, 2, 3, 59), NEW_YORK, date(2026, 7, 1)),
        (utc(2026, 7, 2, 4, 0), NEW_YORK, date(2026, 7, 2)),
    ],
)
def test_local_date_changes_at_local_midnight(now: datetime, zone: str, expected: date) -> None:
    assert local_date(now, zone) == expected


# --- due_at -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "prompt", "zone", "expected"),
    [
        # Ordinary days.
        (date(2026, 11, 23), EVENING, BERLIN, utc(2026, 11, 23, 17, 0)),
        (date(2026, 7, 1), EVENING, BERLIN, utc(2026, 7, 1, 16, 0)),
        (date(2026, 11, 23), time(7, 30), BERLIN, utc(2026, 11, 23, 6, 30)),
        (date(2026, 11, 23), EVENING, NEW_YORK, utc(2026, 11, 23, 23, 0)),
        (date(2026, 7, 1), EVENING, NEW_YORK, utc(2026, 7, 1, 22, 0)),
        # 20:00 in New York is already the next day in UTC.
        (date(2026, 11, 23), time(20, 0), NEW_YORK, utc(2026, 11, 24, 1, 0)),
        # Berlin, spring forward (2026-03-29, 02:00 CET -> 03:00 CEST).
        (date(2026, 3, 29), EVENING, BERLIN, utc(2026, 3, 29, 16, 0)),
        (date(2026, 3, 29), time(1, 30), BERLIN, utc(2026, 3, 29, 0, 30)),
        (date(2026, 3, 29), time(3, 0), BERLIN, utc(2026, 3, 29, 1, 0)),
        # Berlin, fall back (2026-10-25, 03:00 CEST -> 02:00 CET).
        (date(2026, 10, 25), EVENING, BERLIN, utc(2026, 10, 25, 17, 0)),
        (date(2026, 10, 25), time(2, 30), BERLIN, utc(2026, 10, 25, 0, 30)),  # first 02:30
        # New York, spring forward (2026-03-08, 02:00 EST -> 03:00 EDT).
        (date(2026, 3, 8), EVENING, NEW_YORK, utc(2026, 3, 8, 22, 0)),
        (date(2026, 3, 8), time(1, 30), NEW_YORK, utc(2026, 3, 8, 6, 30)),
        # New York, fall back (2026-11-01, 02:00 EDT -> 01:00 EST).
        (date(2026, 11, 1), EVENING, NEW_YORK, utc(2026, 11, 1, 23, 0)),
        (date(2026, 11, 1), time(1, 30), NEW_YORK, utc(2026, 11, 1, 5, 30)),  # first 01:30
    ],
)
def test_due_at_is_the_local_prompt_time_in_utc(
    day: date, prompt: time, zone: str, expected: datetime
) -> None:
    result = due_at(day, prompt, zone)
    assert result == expected
    assert result.utcoffset() == timedelta(0)
    assert local_date(result, zone) == day


@pytest.mark.parametrize(
    ("day", "zone", "expected"),
    [
        # 02:30 does not exist that night; it falls after the gap (03:30 summer time),
        # still on the same local date and not before the clocks jumped.
        (date(2026, 3, 29), BERLIN, utc(2026, 3, 29, 1, 30)),
        (date(2026, 3, 8), NEW_YORK, utc(2026, 3, 8, 7, 30)),
    ],
)
def test_due_at_inside_the_spring_forward_gap_falls_after_the_gap(
    day: date, zone: str, expected: datetime
) -> None:
    result = due_at(day, time(2, 30), zone)
    assert result == expected
    local = result.astimezone(ZoneInfo(zone))
    assert local.date() == day
    assert local.time() >= time(3, 0)
    # The clocks jumped at 02:00 local = one hour before the gap's end.
    jump = due_at(day, time(3, 0), zone)
    assert jump <= result < jump + timedelta(hours=1)


def test_due_at_in_the_repeated_hour_is_the_first_occurrence() -> None:
    # 01:30 happens twice in New York on 2026-11-01: 05:30 UTC (EDT) and 06:30 UTC (EST).
    result = due_at(date(2026, 11, 1), time(1, 30), NEW_YORK)
    assert result == utc(2026, 11, 1, 5, 30)
    assert result.astimezone(ZoneInfo(NEW_YORK)).utcoffset() == timedelta(hours=-4)


@pytest.mark.parametrize(
    ("zone", "first", "change", "before", "after"),
    [
        (BERLIN, date(2026, 3, 25), date(2026, 3, 29), 17, 16),
        (BERLIN, date(2026, 10, 21), date(2026, 10, 25), 16, 17),
        (NEW_YORK, date(2026, 3, 4), date(2026, 3, 8), 23, 22),
        (NEW_YORK, date(2026, 10, 28), date(2026, 11, 1), 22, 23),
    ],
)
def test_one_due_instant_per_local_date_over_a_dst_change(
    zone: str, first: date, change: date, before: int, after: int
) -> None:
    days = [first + timedelta(days=n) for n in range(9)]
    instants = [due_at(day, EVENING, zone) for day in days]

    # Each at 18:00 local on its own date, at the UTC hour of its offset.
    for day, instant in zip(days, instants, strict=True):
        local = instant.astimezone(ZoneInfo(zone))
        assert (local.date(), local.time()) == (day, EVENING)
        assert instant.hour == (before if day < change else after)

    # Walking the clock hour by hour, every local date sees exactly one instant.
    seen: dict[date, int] = {}
    moment = instants[0] - timedelta(hours=18)
    while moment <= instants[-1]:
        if moment in instants:
            seen[local_date(moment, zone)] = seen.get(local_date(moment, zone), 0) + 1
        moment += timedelta(hours=1)
    assert seen == dict.fromkeys(days, 1)

    # Consecutive instants are 24 hours apart except over the change (23 or 25).
    gaps = {
        later_day: b - a for later_day, a, b in zip(days[1:], instants, instants[1:], strict=False)
    }
    assert gaps.pop(change) == timedelta(hours=24 - (before - after))
    assert set(gaps.values()) == {timedelta(hours=24)}


# --- day_ends_at ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "zone", "ends", "hours"),
    [
        (date(2026, 11, 23), BERLIN, utc(2026, 11, 23, 23, 0), 24),
        (date(2026, 3, 29), BERLIN, utc(2026, 3, 29, 22, 0), 23),
        (date(2026, 10, 25), BERLIN, utc(2026, 10, 25, 23, 0), 25),
        (date(2026, 11, 23), NEW_YORK, utc(2026, 11, 24, 5, 0), 24),
        (date(2026, 3, 8), NEW_YORK, utc(2026, 3, 9, 4, 0), 23),
        (date(2026, 11, 1), NEW_YORK, utc(2026, 11, 2, 5, 0), 25),
    ],
)
def test_day_ends_at_next_local_midnight(day: date, zone: str, ends: datetime, hours: int) -> None:
    assert day_ends_at(day, zone) == ends
    starts = day_ends_at(day - timedelta(days=1), zone)
    assert ends - starts == timedelta(hours=hours)
    # The last moment before the end is still that day; the end is the next day.
    assert local_date(ends - timedelta(microseconds=1), zone) == day
    assert local_date(ends, zone) == day + timedelta(days=1)


# --- next_training_day ------------------------------------------------------------

MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("start", "days", "not_before", "expected"),
    [
        (MONDAY, DAILY, None, MONDAY),
        (MONDAY, MON_WED_FRI, None, MONDAY),
        (MONDAY + timedelta(days=1), MON_WED_FRI, None, MONDAY + timedelta(days=2)),
        # Saturday: the weekend is skipped to next Monday.
        (MONDAY + timedelta(days=5), MON_WED_FRI, None, MONDAY + timedelta(days=7)),
        # Only Sundays.
        (MONDAY, (6,), None, MONDAY + timedelta(days=6)),
        # not_before moves the start later (a pause until Thursday).
        (MONDAY, MON_WED_FRI, MONDAY + timedelta(days=3), MONDAY + timedelta(days=4)),
        # not_before in the past changes nothing.
        (MONDAY, DAILY, MONDAY - timedelta(days=3), MONDAY),
    ],
)
def test_next_training_day(
    start: date, days: tuple[int, ...], not_before: date | None, expected: date
) -> None:
    result = next_training_day(start, days, not_before=not_before)
    assert result == expected
    assert result.weekday() in days


def test_next_training_day_needs_a_training_day() -> None:
    with pytest.raises(ValueError):
        next_training_day(MONDAY, [])


# --- next_session_day -------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "zone", "days", "after", "expected"),
    [
        # Monday 09:00 in Berlin: today's 18:00 is still to come.
        (utc(2026, 11, 23, 8, 0), BERLIN, DAILY, None, MONDAY),
        # Exactly at 18:00 it is too late for today.
        (utc(2026, 11, 23, 17, 0), BERLIN, DAILY, None, MONDAY + timedelta(days=1)),
        (utc(2026, 11, 23, 16, 59), BERLIN, DAILY, None, MONDAY),
        (utc(2026, 11, 23, 19, 0), BERLIN, DAILY, None, MONDAY + timedelta(days=1)),
        # After the prompt time on a Monday, with Mon/Wed/Fri: Wednesday.
        (utc(2026, 11, 23, 19, 0), BERLIN, MON_WED_FRI, None, MONDAY + timedelta(days=2)),
        # Tuesday morning is not a training day: Wednesday.
        (utc(2026, 11, 24, 8, 0), BERLIN, MON_WED_FRI, None, MONDAY + timedelta(days=2)),
        # Friday evening: skips the weekend.
        (utc(2026, 11, 27, 20, 0), BERLIN, MON_WED_FRI, None, MONDAY + timedelta(days=7)),
        # 23:30 UTC Monday is already Tuesday 00:30 in Berlin: Tuesday's session.
        (utc(2026, 11, 23, 23, 30), BERLIN, DAILY, None, MONDAY + timedelta(days=1)),
        # 02:00 UTC Tuesday is Monday 21:00 in New York: past 18:00, so Tuesday.
        (utc(2026, 11, 24, 2, 0), NEW_YORK, DAILY, None, MONDAY + timedelta(days=1)),
        # 22:00 UTC Monday is Monday 17:00 in New York: still Monday.
        (utc(2026, 11, 23, 22, 0), NEW_YORK, DAILY, None, MONDAY),
        # `after` (the last planned day) moves past it even though today is still open.
        (utc(2026, 11, 23, 8, 0), BERLIN, DAILY, MONDAY, MONDAY + timedelta(days=1)),
        (utc(2026, 11, 23, 8, 0), BERLIN, MON_WED_FRI, MONDAY, MONDAY + timedelta(days=2)),
        (
            utc(2026, 11, 23, 8, 0),
            BERLIN,
            DAILY,
            MONDAY + timedelta(days=3),
            MONDAY + timedelta(days=4),
        ),
        # An old `after` does not send us into the past.
        (utc(2026, 11, 23, 8, 0), BERLIN, DAILY, MONDAY - timedelta(days=5), MONDAY),
        (
            utc(2026, 11, 23, 19, 0),
            BERLIN,
            DAILY,
            MONDAY - timedelta(days=1),
            MONDAY + timedelta(days=1),
        ),
    ],
)
def test_next_session_day(
    now: datetime, zone: str, days: tuple[int, ...], after: date | None, expected: date
) -> None:
    assert next_session_day(now, zone, EVENING, days, after=after) == expected


def test_next_session_day_respects_not_before() -> None:
    now = utc(2026, 11, 23, 8, 0)
    result = next_session_day(now, BERLIN, EVENING, DAILY, not_before=MONDAY + timedelta(days=3))
    assert result == MONDAY + timedelta(days=3)


def test_next_session_day_on_a_dst_day_uses_the_local_time() -> None:
    # 2026-03-29 in Berlin: 18:00 CEST is 16:00 UTC, so 16:30 UTC is already too late.
    assert next_session_day(utc(2026, 3, 29, 15, 59), BERLIN, EVENING, DAILY) == date(2026, 3, 29)
    assert next_session_day(utc(2026, 3, 29, 16, 30), BERLIN, EVENING, DAILY) == date(2026, 3, 30)
