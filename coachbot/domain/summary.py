"""The figures of a therapist's summary: per patient this week against the week before.

A "week" is the 7 local days up to and including today; sessions still open
today do not count yet (see `adherence`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from coachbot.domain.adherence import Adherence, adherence
from coachbot.domain.vocabulary import SessionState

# A change of adherence by this much (15 percentage points) or of mean pain by
# this many points counts as improved or slipped; smaller ones are noise.
ADHERENCE_STEP = 0.15
PAIN_STEP = 1.0
WEEK = 7
# Means are fractions (10/3 ...): a change of exactly one step must count.
EPSILON = 1e-9


class Trend(StrEnum):
    IMPROVED = "improved"
    SLIPPED = "slipped"
    STEADY = "steady"
    UNKNOWN = "unknown"  # not enough data in one of the two weeks


@dataclass(frozen=True)
class Day:
    day: date
    state: SessionState
    pain: int | None


@dataclass(frozen=True)
class PatientFigures:
    patient_id: int
    name: str
    adherence_now: Adherence
    adherence_before: Adherence
    pain_now: float | None
    pain_before: float | None
    open_alerts: int

    @property
    def pain_trend(self) -> Trend:
        if self.pain_now is None or self.pain_before is None:
            return Trend.UNKNOWN
        change = self.pain_now - self.pain_before
        if change <= -PAIN_STEP + EPSILON:
            return Trend.IMPROVED
        if change >= PAIN_STEP - EPSILON:
            return Trend.SLIPPED
        return Trend.STEADY

    @property
    def adherence_trend(self) -> Trend:
        now, before = self.adherence_now.ratio, self.adherence_before.ratio
        if now is None or before is None:
            return Trend.UNKNOWN
        if now - before >= ADHERENCE_STEP - EPSILON:
            return Trend.IMPROVED
        if now - before <= -ADHERENCE_STEP + EPSILON:
            return Trend.SLIPPED
        return Trend.STEADY

    @property
    def trend(self) -> Trend:
        """Slipped if adherence fell or pain rose; improved if either got better and
        neither got worse."""
        trends = {self.adherence_trend, self.pain_trend}
        if Trend.SLIPPED in trends:
            return Trend.SLIPPED
        if Trend.IMPROVED in trends:
            return Trend.IMPROVED
        if Trend.STEADY in trends:
            return Trend.STEADY
        return Trend.UNKNOWN


def _mean(values: Sequence[int]) -> float | None:
    return sum(values) / len(values) if values else None


def figures(
    patient_id: int, name: str, days: Iterable[Day], today: date, open_alerts: int
) -> PatientFigures:
    """One patient's figures for the week ending `today` and the week before."""
    now_from = today - timedelta(days=WEEK - 1)
    before_from = now_from - timedelta(days=WEEK)
    this_week = [d for d in days if now_from <= d.day <= today]
    last_week = [d for d in days if before_from <= d.day < now_from]
    return PatientFigures(
        patient_id=patient_id,
        name=name,
        adherence_now=adherence(d.state for d in this_week),
        adherence_before=adherence(d.state for d in last_week),
        pain_now=_mean([d.pain for d in this_week if d.pain is not None]),
        pain_before=_mean([d.pain for d in last_week if d.pain is not None]),
        open_alerts=open_alerts,
    )


@dataclass(frozen=True)
class CohortSummary:
    patients: list[PatientFigures]

    @property
    def adherence(self) -> Adherence:
        """All the therapist's patients' sessions of the week taken together."""
        return Adherence(
            credit=sum(p.adherence_now.credit for p in self.patients),
            prescribed=sum(p.adherence_now.prescribed for p in self.patients),
        )

    def with_trend(self, trend: Trend) -> list[PatientFigures]:
        return [p for p in self.patients if p.trend is trend]

    @property
    def open_alerts(self) -> int:
        return sum(p.open_alerts for p in self.patients)
