"""Safety rules: the pain traffic light and pain alerts (red flags: test_red_flags.py)."""

from __future__ import annotations

import pytest

from coachbot.domain.safety import Light, pain_alerts, traffic_light
from coachbot.domain.vocabulary import AlertKind


@pytest.mark.parametrize(
    ("pain", "light"),
    [
        (0, Light.GREEN),
        (3, Light.GREEN),
        (4, Light.AMBER),
        (5, Light.AMBER),
        (6, Light.RED),
        (10, Light.RED),
    ],
)
def test_traffic_light_boundaries(pain: int, light: Light) -> None:
    assert traffic_light(pain) is light


def test_traffic_light_covers_the_whole_scale() -> None:
    lights = [traffic_light(pain) for pain in range(11)]
    assert lights == [Light.GREEN] * 4 + [Light.AMBER] * 2 + [Light.RED] * 5


@pytest.mark.parametrize("pain", [-1, 11, 100])
def test_invalid_pain_is_rejected(pain: int) -> None:
    with pytest.raises(ValueError):
        traffic_light(pain)
    with pytest.raises(ValueError):
        pain_alerts(pain, baseline=3)


@pytest.mark.parametrize(
    ("pain", "baseline", "alerts"),
    [
        (7, None, [AlertKind.PAIN_HIGH]),
        (10, None, [AlertKind.PAIN_HIGH]),
        (6, None, []),
        (0, None, []),
        # 2 or more above the baseline is a rise; 1 above is not.
        (5, 3, [AlertKind.PAIN_RISE]),
        (4, 3, []),
        (3, 3, []),
        (1, 5, []),
        # High and rising at once.
        (8, 4, [AlertKind.PAIN_HIGH, AlertKind.PAIN_RISE]),
        (7, 5, [AlertKind.PAIN_HIGH, AlertKind.PAIN_RISE]),
        # High but not above a high baseline.
        (7, 6, [AlertKind.PAIN_HIGH]),
        (9, 9, [AlertKind.PAIN_HIGH]),
        # A baseline of 0 is a baseline, not "none".
        (2, 0, [AlertKind.PAIN_RISE]),
    ],
)
def test_pain_alerts(pain: int, baseline: int | None, alerts: list[AlertKind]) -> None:
    assert pain_alerts(pain, baseline) == alerts
