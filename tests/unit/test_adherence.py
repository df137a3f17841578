"""Adherence: (done + 0.5 x partly) / prescribed, excused and open days not counted."""

from __future__ import annotations

import pytest

from coachbot.domain.adherence import adherence, session_credit, streak
from coachbot.domain.vocabulary import SessionState

CREDITS: dict[SessionState, float | None] = {
    SessionState.PLANNED: None,
    SessionState.SENDING: None,
    SessionState.SENT: None,
    SessionState.DONE: 1.0,
    SessionState.PARTLY: 0.5,
    SessionState.SKIPPED: 0.0,
    SessionState.MISSED: 0.0,
    SessionState.EXCUSED: None,
    SessionState.UNDELIVERED: None,  # Telegram refused it: not the patient's doing
}


def test_every_state_has_a_known_credit() -> None:
    assert set(CREDITS) == set(SessionState)


@pytest.mark.parametrize(("state", "credit"), CREDITS.items())
def test_session_credit(state: SessionState, credit: float | None) -> None:
    # Stored states come back from the database as members (an unknown one is refused
    # when it is read: tests/unit/test_vocabulary.py).
    assert session_credit(state) == credit


@pytest.mark.parametrize(
    ("states", "credit", "prescribed", "ratio"),
    [
        (["done"] * 7, 7.0, 7, 1.0),
        (["done", "partly", "skipped", "missed"], 1.5, 4, 0.375),
        # Excused days (pause, sickness) and open sessions are not prescribed.
        (["done", "excused", "excused", "partly", "planned", "sent", "sending"], 1.5, 2, 0.75),
        (["partly", "partly"], 1.0, 2, 0.5),
        (["missed", "skipped", "excused"], 0.0, 2, 0.0),
    ],
)
def test_adherence_ratio(states: list[str], credit: float, prescribed: int, ratio: float) -> None:
    result = adherence(SessionState(state) for state in states)
    assert result.credit == credit
    assert result.prescribed == prescribed
    assert result.ratio == pytest.approx(ratio)


@pytest.mark.parametrize("states", [[], ["excused"], ["planned", "sent", "excused", "sending"]])
def test_adherence_is_none_when_nothing_was_prescribed(states: list[str]) -> None:
    result = adherence(SessionState(state) for state in states)
    assert result.prescribed == 0
    assert result.ratio is None


@pytest.mark.parametrize(
    ("newest_first", "expected"),
    [
        ([], 0),
        (["done", "done", "done"], 3),
        (["done", "partly", "missed", "done"], 2),
        (["missed", "done", "done"], 0),
        (["skipped", "done"], 0),
        # Today's open session and excused days neither extend nor break a streak.
        (["sent", "done", "excused", "partly", "skipped", "done"], 2),
        (["planned", "excused", "excused"], 0),
        (["excused", "done", "missed"], 1),
    ],
)
def test_streak(newest_first: list[str], expected: int) -> None:
    assert streak(SessionState(state) for state in newest_first) == expected
