"""Pain judged against usual pain: the traffic light, alert signs, the safety re-check,
the next morning and the usual pain itself, each rule at its boundaries."""

from __future__ import annotations

import pytest

from coachbot.domain.pain import (
    Light,
    already_told,
    light,
    mornings_worse,
    recheck,
    signs,
    usual_after,
    usual_of,
    zones,
)
from coachbot.domain.vocabulary import Morning, PainSign

G, A, R = Light.GREEN, Light.AMBER, Light.RED


@pytest.mark.parametrize(
    ("usual", "lights"),
    [
        # pain 0..10
        (0, [G, G, G, A, A, R, R, R, R, R, R]),
        (3, [G, G, G, G, G, G, A, A, R, R, R]),
        (6, [G, G, G, G, G, G, G, G, G, A, A]),
        (8, [G, G, G, G, G, G, G, G, G, G, A]),
    ],
)
def test_the_traffic_light_is_personal(usual: int, lights: list[Light]) -> None:
    assert [light(pain, usual) for pain in range(11)] == lights


@pytest.mark.parametrize(
    ("usual", "green", "red"),
    [(0, 2, 5), (3, 5, 8), (6, 8, None), (8, 10, None)],
)
def test_zones_a_patient_reads_before_a_session(usual: int, green: int, red: int | None) -> None:
    assert zones(usual) == (green, red)


@pytest.mark.parametrize("pain", [-1, 11])
def test_pain_outside_the_scale_is_refused(pain: int) -> None:
    with pytest.raises(ValueError):
        light(pain, 3)
    with pytest.raises(ValueError):
        signs(pain, 3, [])


@pytest.mark.parametrize(
    ("pain", "usual", "earlier", "expected"),
    [
        # Pain at the usual level, however high, is no alert.
        (7, 7, [7, 7], []),
        (8, 8, [], []),
        (0, 0, [], []),
        # Two above usual is acceptable once...
        (5, 3, [], []),
        (2, 0, [3], []),
        # ...but not three reports in a row.
        (5, 3, [5, 6], [PainSign.LASTING_RISE]),
        (5, 3, [5, 4], []),
        # Three above usual is a marked rise.
        (3, 0, [], [PainSign.MARKED_RISE]),
        (6, 3, [], [PainSign.MARKED_RISE]),
        (9, 6, [], [PainSign.MARKED_RISE, PainSign.SEVERE]),
        # 9 or 10 is severe when it is above usual, not when it is usual.
        (9, 7, [], [PainSign.SEVERE]),
        (9, 8, [], []),
        (10, 9, [], []),
        # Several signs, one list (one alert).
        (8, 3, [6, 5], [PainSign.MARKED_RISE, PainSign.LASTING_RISE]),
    ],
)
def test_signs(pain: int, usual: int, earlier: list[int], expected: list[PainSign]) -> None:
    assert signs(pain, usual, earlier) == expected


def test_the_safety_recheck_is_asked_on_a_marked_rise_or_severe_pain_only() -> None:
    assert recheck([PainSign.MARKED_RISE])
    assert recheck([PainSign.SEVERE])
    assert not recheck([PainSign.LASTING_RISE])
    assert not recheck([])


def test_an_open_alert_about_as_much_pain_is_not_repeated() -> None:
    assert already_told(7, 8)
    assert already_told(7, 7)
    assert not already_told(8, 7)  # worse than what the therapist was told
    assert not already_told(7, None)


@pytest.mark.parametrize(
    ("mornings", "worse"),
    [
        ([Morning.WORSE, Morning.WORSE], True),
        ([Morning.WORSE, Morning.WORSE, Morning.BETTER], True),
        ([Morning.WORSE, Morning.SAME, Morning.WORSE], False),
        ([Morning.WORSE], False),
        ([Morning.SAME, Morning.WORSE], False),
        ([Morning.BETTER, Morning.BETTER], False),
    ],
)
def test_worse_two_mornings_in_a_row(mornings: list[Morning], worse: bool) -> None:
    assert mornings_worse(mornings) is worse


def test_usual_pain_comes_from_enrolment_until_reports_show_it() -> None:
    assert usual_of(4, None) == 4
    assert usual_of(4, 2) == 2
    assert usual_of(None, None) == 0  # unknown: judged most carefully


@pytest.mark.parametrize(
    ("baseline", "usual", "pains", "after"),
    [
        # Too few calm reports: unchanged.
        (5, None, [3, 3], None),
        # A person who improves: usual follows them down.
        (5, None, [3, 3, 2], 3),
        (5, 3, [2, 2, 2, 3, 3], 2),
        # Reports within two of usual move it up a little (an enrolment guess too low)...
        (2, None, [4, 4, 4], 4),
        # ...but a flare never counts: 6 is four above the usual 2.
        (2, None, [6, 6, 6, 6], None),
        (2, None, [6, 2, 2, 6, 2], 2),
        # Only the newest five count.
        (3, None, [1, 1, 1, 5, 5, 5, 5], 1),
    ],
)
def test_usual_pain_after_a_report(
    baseline: int, usual: int | None, pains: list[int], after: int | None
) -> None:
    assert usual_after(baseline, usual, pains) == after
