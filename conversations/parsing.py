"""Reading what people type: times and dates, forgiving common ways of writing them."""

from __future__ import annotations

import re
from datetime import date, time

_TIME = re.compile(
    r"^\s*(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|uhr|h)?\s*$", re.IGNORECASE
)
_DATE_DMY = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2,4})?)?\s*$")
_DATE_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def parse_time(text: str) -> time | None:
    """ "7", "07:30", "7.30", "19 Uhr", "7 pm" -> a time; anything else -> None."""
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").lower().replace(".", "")
    if suffix in ("am", "pm"):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_date(text: str, today: date) -> date | None:
    """ "24.12.", "24.12.2026", "12/24"? no: day first, or ISO "2026-12-24"; never in the past."""
    iso = _DATE_ISO.match(text)
    try:
        if iso:
            result = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        else:
            match = _DATE_DMY.match(text)
            if not match:
                return None
            day, month = int(match.group(1)), int(match.group(2))
            year_text = match.group(3)
            if year_text:
                year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            else:
                year = today.year
            result = date(year, month, day)
            if not year_text and result < today:
                result = date(year + 1, month, day)
    except ValueError:
        return None
    return result if result > today else None


def parse_past_date(text: str, today: date) -> date | None:
    """A date for a report range: ISO or day first; without a year, the latest such day
    not after today."""
    iso = _DATE_ISO.match(text)
    match = _DATE_DMY.match(text)
    try:
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if not match:
            return None
        day, month, year_text = int(match.group(1)), int(match.group(2)), match.group(3)
        if year_text:
            return date(int(year_text) + (2000 if len(year_text) == 2 else 0), month, day)
        result = date(today.year, month, day)
        return result if result <= today else date(today.year - 1, month, day)
    except ValueError:
        return None
