"""Finding a person's time zone from what they type or a shared location."""

from __future__ import annotations

import pytest

from coachbot.timezones import resolve_zone, zone_at


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("berlin", "Europe/Berlin"),
        ("Berlin ", "Europe/Berlin"),
        ("  BERLIN", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("Europe/Berlin", "Europe/Berlin"),
        ("Berlni", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("New   York", "America/New_York"),
        ("new_york", "America/New_York"),
        ("America/New_York", "America/New_York"),
        ("Wien", "Europe/Vienna"),
        ("München", "Europe/Berlin"),
        ("Zürich", "Europe/Zurich"),
        ("london", "Europe/London"),
    ],
)
def test_resolve_zone(text: str, zone: str) -> None:
    assert resolve_zone(text) == zone


@pytest.mark.parametrize("text", ["", "   ", "xyzzy", "Mordor", "12345"])
def test_resolve_zone_gives_none_for_nonsense(text: str) -> None:
    assert resolve_zone(text) is None


@pytest.mark.parametrize(
    ("latitude", "longitude", "zone"),
    [
        (52.52, 13.40, "Europe/Berlin"),
        (40.71, -74.0, "America/New_York"),
        (48.21, 16.37, "Europe/Vienna"),
    ],
)
def test_zone_at(latitude: float, longitude: float, zone: str) -> None:
    assert zone_at(latitude, longitude) == zone
