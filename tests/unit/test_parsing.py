"""Reading times and dates as people type them."""

from __future__ import annotations

from datetime import date, time

import pytest

from conversations.parsing import parse_date, parse_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", time(7, 0)),
        ("07:30", time(7, 30)),
        ("7.30", time(7, 30)),
        (" 18:05 ", time(18, 5)),
        ("19 Uhr", time(19, 0)),
        ("19uhr", time(19, 0)),
        ("18h", time(18, 0)),
        ("18h30", time(18, 30)),
        ("7 pm", time(19, 0)),
        ("7PM", time(19, 0)),
        ("7:15 a.m.", time(7, 15)),
        ("12 am", time(0, 0)),
        ("12 pm", time(12, 0)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
    ],
)
def test_parse_time_valid(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "abc", "24:00", "25", "7:60", "7:5", "13 pm", "0 am", "18:00:00", "-1", "7 30 pm"],
)
def test_parse_time_invalid(text: str) -> None:
    assert parse_time(text) is None


TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24.12.2026", date(2026, 12, 24)),
        ("24.12.26", date(2026, 12, 24)),
        ("24.12", date(2026, 12, 24)),
        ("24/12", date(2026, 12, 24)),
        ("24-12-2026", date(2026, 12, 24)),
        ("1.2.2027", date(2027, 2, 1)),
        ("2026-12-24", date(2026, 12, 24)),
        (" 2027-01-05 ", date(2027, 1, 5)),
        ("24.11", date(2026, 11, 24)),
    ],
)
def test_parse_date_valid(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "tomorrow",
        "31.02.2027",
        "32.1.2027",
        "1.13.2027",
        "2027-02-30",
        "12/24/2026",  # month first is not read as a date
    ],
)
def test_parse_date_invalid(text: str) -> None:
    assert parse_date(text, TODAY) is None


@pytest.mark.parametrize("text", ["1.11.2026", "22.11.2026", "2026-01-01", "2025-12-24", "1.1.25"])
def test_parse_date_rejects_past_dates(text: str) -> None:
    assert parse_date(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # A day and month without a year that has passed this year means next year.
        ("24.12", date(2026, 12, 30), date(2027, 12, 24)),
        ("1.1", date(2026, 11, 23), date(2027, 1, 1)),
        ("22.11", date(2026, 11, 23), date(2027, 11, 22)),
        # Still ahead this year: this year.
        ("24.12", date(2026, 11, 23), date(2026, 12, 24)),
    ],
)
def test_parse_date_without_year_rolls_over(text: str, today: date, expected: date) -> None:
    assert parse_date(text, today) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("24.12.", date(2026, 11, 23), date(2026, 12, 24)),
        ("24.12.", date(2026, 12, 30), date(2027, 12, 24)),
        ("1.1.", date(2026, 11, 23), date(2027, 1, 1)),
        ("24.12.2026", date(2026, 11, 23), date(2026, 12, 24)),
    ],
)
def test_parse_date_german_short_form_with_trailing_dot(
    text: str, today: date, expected: date
) -> None:
    assert parse_date(text, today) == expected


@pytest.mark.parametrize("text", ["24.12..", "24..12", "24.12.2026."])
def test_parse_date_rejects_stray_dots(text: str) -> None:
    assert parse_date(text, TODAY) is None
