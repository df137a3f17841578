"""How well a patient keeps to the plan (the design's definition)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from coachbot.domain.vocabulary import SessionState

_CREDIT = {
    SessionState.DONE: 1.0,
    SessionState.PARTLY: 0.5,
    SessionState.SKIPPED: 0.0,
    SessionState.MISSED: 0.0,
}


def session_credit(state: SessionState) -> float | None:
    """What one session counts towards adherence; None if it does not count (yet).

    Excused days (pause, sickness, holiday) are not prescribed, and a session
    still open today is not judged before its day is over.
    """
    return _CREDIT.get(state)


@dataclass(frozen=True)
class Adherence:
    credit: float
    prescribed: int

    @property
    def ratio(self) -> float | None:
        return self.credit / self.prescribed if self.prescribed else None


def adherence(states: Iterable[SessionState]) -> Adherence:
    """(done + 0.5 x partly) / prescribed sessions, over the states given."""
    credits = [c for c in (session_credit(state) for state in states) if c is not None]
    return Adherence(credit=sum(credits), prescribed=len(credits))


def streak(states_newest_first: Iterable[SessionState]) -> int:
    """Consecutive sessions done or partly done, counting back from the newest.

    Open and excused sessions neither extend nor break a streak.
    """
    count = 0
    for state in states_newest_first:
        credit = session_credit(state)
        if credit is None:
            continue
        if credit == 0:
            break
        count += 1
    return count
