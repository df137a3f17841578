"""Button data: every family packs what its pattern accepts and nothing Telegram refuses,
and a forged button (another script's digits, an id too large for the database, a
trailing newline) matches no family at all, so it is answered as a stale button."""

from __future__ import annotations

import pytest
from telegram.ext import CallbackQueryHandler

from coachbot.app import build_application
from coachbot.config import Settings
from conversations import buttons

FAMILIES = {
    name: value for name, value in vars(buttons).items() if isinstance(value, buttons.Family)
}


def test_a_card_button_round_trips_through_its_pattern() -> None:
    data = buttons.DOSE.data(12, 345, "reps", "u")
    assert data == "dose:12:345:reps:u"
    match = buttons.DOSE.pattern.match(data)
    assert match is not None
    assert buttons.Data(match.groupdict()).id("item") == 345


def test_optional_fields_may_be_left_out_from_the_end() -> None:
    assert buttons.TIME.data(7) == "ptime:7"
    assert buttons.TIME.data(7, "1830") == "ptime:7:1830"
    assert buttons.TIME.pattern.match("ptime:7:2460") is None  # no such time
    match = buttons.CONSENT.pattern.match("consent:de:yes")
    assert match is not None and match["invite"] is None


def test_data_over_64_bytes_is_refused_when_built() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        buttons.SWAP_TO.data(10**17, 10**17, "x" * 40)


def test_data_its_own_pattern_would_refuse_is_refused_when_built() -> None:
    with pytest.raises(ValueError):
        buttons.LOCK.data(1, "maybe")
    with pytest.raises(ValueError):
        buttons.OUTCOME.data(-1, "done")
    with pytest.raises(ValueError):
        buttons.PLAN.data()


@pytest.mark.parametrize(
    "forged",
    [
        "lock:१:y",  # Devanagari one
        "lock:１:y",  # fullwidth one
        "rep:٣:done",  # Arabic-Indic three
        f"lock:{2**63}:y",  # beyond any database id
        "lock:1234567890123456789:y",  # 19 digits
        "rep:1:done\n",  # a trailing newline
        "rep:1:done:extra",
        "lock:1:Y",
        "pain:1:11",
    ],
)
def test_forged_data_matches_no_family(forged: str) -> None:
    assert not [name for name, family in FAMILIES.items() if family.pattern.match(forged)]


def test_the_largest_id_a_button_carries_fits_a_database_column() -> None:
    largest = "9" * 18
    assert buttons.CARD.pattern.match(f"pc:{largest}")
    assert int(largest) < 2**63


def test_every_family_has_its_handler_and_anything_else_is_stale(settings: Settings) -> None:
    """registry.py matches buttons by the families' own patterns, one handler each; the
    one handler without a pattern, registered last, answers every stale or forged button."""
    application = build_application(settings)
    handlers = [
        handler
        for group in application.handlers.values()
        for handler in group
        if isinstance(handler, CallbackQueryHandler)
    ]
    assert handlers[-1].pattern is None
    assert [h.pattern for h in handlers[:-1]] == list(
        dict.fromkeys(h.pattern for h in handlers[:-1])
    )
    assert {h.pattern for h in handlers[:-1]} == {f.pattern for f in FAMILIES.values()}
