"""Finding a person's IANA time zone from a typed name or a shared location (offline)."""

from __future__ import annotations

import difflib
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import available_timezones

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder


@cache
def _all_zones() -> dict[str, str]:
    """Every IANA name, legacy ones included, by its lower-case spelling."""
    return {zone.lower(): zone for zone in available_timezones()}


@cache
def _zones() -> dict[str, str]:
    """Every zone by lower-case full name and by city ("berlin" -> Europe/Berlin)."""
    names: dict[str, str] = {}
    for zone in sorted(available_timezones()):
        # Only the canonical "Region/City" names: legacy aliases such as
        # "Canada/Atlantic" or "US/Eastern" make typos match the wrong place.
        if zone.split("/", 1)[0] not in _REGIONS or "/" not in zone:
            continue
        names.setdefault(zone.lower(), zone)
        city = zone.rsplit("/", 1)[1].replace("_", " ").lower()
        names.setdefault(city, zone)
    return names


_REGIONS = {
    "Africa",
    "America",
    "Antarctica",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
}
_ALIASES = {
    "wien": "Europe/Vienna",
    "zürich": "Europe/Zurich",
    "zuerich": "Europe/Zurich",
    "münchen": "Europe/Berlin",
    "munich": "Europe/Berlin",
    "köln": "Europe/Berlin",
    "cologne": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "germany": "Europe/Berlin",
    "deutschland": "Europe/Berlin",
    "austria": "Europe/Vienna",
    "österreich": "Europe/Vienna",
    "switzerland": "Europe/Zurich",
    "schweiz": "Europe/Zurich",
    "new york": "America/New_York",
    "rom": "Europe/Rome",
    "prag": "Europe/Prague",
    "warschau": "Europe/Warsaw",
    "moskau": "Europe/Moscow",
    "uk": "Europe/London",
    "england": "Europe/London",
}


def resolve_zone(text: str) -> str | None:
    """The zone a person most likely meant, forgiving case, spaces and small typos."""
    key = " ".join(text.strip().lower().replace("_", " ").split())
    if not key:
        return None
    names = _zones()
    exact = _all_zones().get(key.replace(" ", "_"))
    if exact:
        return exact
    if key in _ALIASES:
        return _ALIASES[key]
    slashed = key.replace(" / ", "/")
    if slashed in names:
        return names[slashed]
    if slashed.replace(" ", "_") in names:
        return names[slashed.replace(" ", "_")]
    close = difflib.get_close_matches(key, [*names, *_ALIASES], n=1, cutoff=0.8)
    if close:
        return _ALIASES.get(close[0]) or names[close[0]]
    return None


@cache
def _finder() -> TimezoneFinder:
    # Imported when a location is first shared: its data is not worth memory before.
    from timezonefinder import TimezoneFinder

    return TimezoneFinder(in_memory=False)


def zone_at(latitude: float, longitude: float) -> str | None:
    """The IANA zone at a point, from data shipped with the package (no network)."""
    zone: str | None = _finder().timezone_at(lng=longitude, lat=latitude)
    return zone
