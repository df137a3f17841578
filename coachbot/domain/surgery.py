"""After an operation on the back: the phase a patient is in, and when their operation was.

Surgeons commonly hold back twisting, bending under load, impact and vibration for the
first weeks to months after spinal surgery, and when they lift that differs with the
operation (a discectomy differs from a fusion) and the person. So the bot never guesses
the phase from the date: until the clearance is recorded (the patient's own word, or
their therapist's), a plan leaves out every exercise the catalogue marks as needing it
(`Exercise.needs_clearance`). The date is shown to the therapist, never acted on.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from enum import StrEnum

from coachbot.domain.vocabulary import Condition


class Phase(StrEnum):
    """Where a patient stands after an operation (derived, never stored)."""

    NONE = "none"  # no operation among their conditions
    BEFORE_CLEARANCE = "before_clearance"  # gentle early exercises only
    CLEARED = "cleared"  # the surgeon or doctor has cleared full exercise


def phase(conditions: Collection[Condition], cleared_at: datetime | None) -> Phase:
    """The phase of a patient with `conditions`, cleared at `cleared_at` (None: not yet)."""
    if Condition.AFTER_SURGERY not in conditions:
        return Phase.NONE
    return Phase.BEFORE_CLEARANCE if cleared_at is None else Phase.CLEARED


class Ago(StrEnum):
    """How long ago the operation was, as enrolment's buttons offer it (the values are
    button data)."""

    UNDER_6_WEEKS = "lt6w"
    UNDER_3_MONTHS = "lt3m"
    UNDER_A_YEAR = "lt1y"
    OVER_A_YEAR = "gt1y"


# A date inside each span stands for an approximate answer: roughly its middle, so the
# span it reads back as stays right for a while.
_MIDDLE = {
    Ago.UNDER_6_WEEKS: timedelta(weeks=3),
    Ago.UNDER_3_MONTHS: timedelta(weeks=9),
    Ago.UNDER_A_YEAR: timedelta(weeks=30),
    Ago.OVER_A_YEAR: timedelta(weeks=78),
}
# The upper ends of the spans, in days since the operation.
_SPANS = ((42, Ago.UNDER_6_WEEKS), (91, Ago.UNDER_3_MONTHS), (365, Ago.UNDER_A_YEAR))
# A typed date further back than this is a typo, not an operation.
OLDEST = timedelta(days=80 * 365)


def approximate_date(ago: Ago, today: date) -> date:
    """The date an approximate answer is stored as."""
    return today - _MIDDLE[ago]


def ago(surgery_on: date, today: date) -> Ago:
    """How long ago an operation on `surgery_on` was, in enrolment's spans."""
    days = (today - surgery_on).days
    return next((span for limit, span in _SPANS if days < limit), Ago.OVER_A_YEAR)


def plausible(surgery_on: date, today: date) -> bool:
    """Whether a typed date can be the day of an operation: not in the future, and not
    beyond a lifetime ago."""
    return today - OLDEST <= surgery_on <= today


def weeks_since(surgery_on: date, today: date) -> int:
    return max(0, (today - surgery_on).days // 7)
