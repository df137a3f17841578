"""Safety rules: pain alerts and the pain traffic light (red flags: `red_flags`). Never a
diagnosis."""

from __future__ import annotations

from enum import StrEnum

from coachbot.domain.vocabulary import AlertKind

PAIN_HIGH = 7
PAIN_RISE = 2


class Light(StrEnum):
    GREEN = "green"  # 0-3: fine, carry on
    AMBER = "amber"  # 4-5: go easier
    RED = "red"  # 6+: stop and tell your therapist


def traffic_light(pain: int) -> Light:
    """The traffic light for pain during or after exercise (NRS 0-10)."""
    check_pain(pain)
    if pain <= 3:
        return Light.GREEN
    if pain <= 5:
        return Light.AMBER
    return Light.RED


def pain_alerts(pain: int, baseline: int | None) -> list[AlertKind]:
    """The alerts a pain report raises: 7 or more, or 2 or more above the baseline."""
    check_pain(pain)
    alerts = []
    if pain >= PAIN_HIGH:
        alerts.append(AlertKind.PAIN_HIGH)
    if baseline is not None and pain - baseline >= PAIN_RISE:
        alerts.append(AlertKind.PAIN_RISE)
    return alerts


def check_pain(pain: int) -> None:
    if not 0 <= pain <= 10:
        raise ValueError(f"pain must be 0-10, not {pain}")
