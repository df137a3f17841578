"""Safety rules: the red flags and how urgent each is. Never a diagnosis (pain: `pain`)."""

from __future__ import annotations

from enum import StrEnum

from coachbot.domain.vocabulary import RedFlag


class Urgency(StrEnum):
    EMERGENCY = "emergency"  # seek medical care now
    DOCTOR = "doctor"  # see a doctor before training again


# The screening questions, in the order they are asked, and how urgent a yes is.
# Cauda equina signs and weakness in both legs need care the same day.
RED_FLAGS: dict[RedFlag, Urgency] = {
    RedFlag.CAUDA_EQUINA: Urgency.EMERGENCY,
    RedFlag.LEG_WEAKNESS: Urgency.EMERGENCY,
    RedFlag.FEVER_WEIGHT: Urgency.DOCTOR,
    RedFlag.CANCER: Urgency.DOCTOR,
    RedFlag.TRAUMA: Urgency.DOCTOR,
}
