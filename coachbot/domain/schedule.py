"""When sessions fall due: local training days and times, turned into UTC instants.

Every function takes `now` (an aware UTC datetime) and an IANA zone name, so
daylight-saving changes are handled by `zoneinfo`, never by adding 24 hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_date(now: datetime, timezone: str) -> date:
    """The calendar date at `now` where the person lives."""
    return now.astimezone(ZoneInfo(timezone)).date()


def due_at(day: date, prompt_time: time, timezone: str) -> datetime:
    """The UTC instant of `prompt_time` on the local `day`.

    A time that does not exist (clocks jump forward) falls just after the gap;
    a time that exists twice (clocks go back) is its first occurrence.
    """
    local = datetime.combine(day, prompt_time, tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC)


# The next-morning check comes at MORNING_AT local time, or MORNING_LEAD before an
# earlier training time (so it does not come after the next session), never before
# MORNING_EARLIEST.
MORNING_AT = time(9, 0)
MORNING_EARLIEST = time(7, 0)
MORNING_LEAD = timedelta(minutes=30)
# A check that could not be queued within this long of its time (the bot was down) is
# dropped: "this morning" asked in the evening would confuse.
MORNING_STALE = timedelta(hours=4)


def morning_check_at(trained_on: date, prompt_time: time, timezone: str) -> datetime:
    """When to ask about the back the morning after training on `trained_on` (UTC)."""
    before_training = (datetime.combine(trained_on, prompt_time) - MORNING_LEAD).time()
    at = max(MORNING_EARLIEST, min(MORNING_AT, before_training))
    return due_at(trained_on + timedelta(days=1), at, timezone)


def day_ends_at(day: date, timezone: str) -> datetime:
    """The UTC instant when the local `day` is over (the next local midnight)."""
    return due_at(day + timedelta(days=1), time(0, 0), timezone)


def next_training_day(
    start: date,
    training_days: Iterable[int],
    *,
    not_before: date | None = None,
) -> date:
    """The first day on or after `start` (and `not_before`) that is a training day."""
    days = set(training_days)
    if not days:
        raise ValueError("at least one training day is needed")
    day = max(start, not_before) if not_before else start
    while day.weekday() not in days:
        day += timedelta(days=1)
    return day


def next_session_day(
    now: datetime,
    timezone: str,
    prompt_time: time,
    training_days: Iterable[int],
    *,
    after: date | None = None,
    not_before: date | None = None,
) -> date:
    """The local date of the next session to plan.

    It is a training day after `after` (the last planned day, if any) and, when it
    is today, only if today's time is still to come.
    """
    days = list(training_days)
    today = local_date(now, timezone)
    start = today if after is None else max(today, after + timedelta(days=1))
    day = next_training_day(start, days, not_before=not_before)
    if day == today and due_at(day, prompt_time, timezone) <= now:
        day = next_training_day(today + timedelta(days=1), days, not_before=not_before)
    return day


def next_summary_at(now: datetime, timezone: str, at: time, weekday: int | None = None) -> datetime:
    """The next instant after `now` of local time `at`, every day or on `weekday` only."""
    day = local_date(now, timezone)
    while True:
        if weekday is None or day.weekday() == weekday:
            instant = due_at(day, at, timezone)
            if instant > now:
                return instant
        day += timedelta(days=1)
