"""Enrolment: the questions a new patient answers, in the order they are asked.

The question a patient is at is kept in `patient.step`, so a restart in the middle
of enrolment goes on where they were. The red-flag screening comes first, a group of
warning signs per step: a yes stops before anything else is asked.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from enum import StrEnum
from typing import TypeVar

from coachbot.domain.model import ALL_DAYS
from coachbot.domain.red_flags import Group, group_of
from coachbot.domain.vocabulary import Condition, RedFlag, lookup

# A screening group's step: this, then the group's key. Before the groups each flag was
# asked alone ("ob:rf:cancer"); such a step, stored for a patient mid-enrolment, stands
# for the group asking that flag (`current_step`).
RED_FLAG = "ob:rf:"


class Question(StrEnum):
    """The profile questions after the screening; the values are stored as steps."""

    CONDITIONS = "ob:cond"
    # Asked only after an operation (`SURGERY_QUESTIONS`).
    SURGERY = "ob:surgery"
    CLEARANCE = "ob:cleared"
    EQUIPMENT = "ob:eq"
    LEVEL = "ob:level"
    PAIN = "ob:pain"
    TIMEZONE = "ob:tz"
    TIME = "ob:time"
    DAYS = "ob:days"


# Has the surgeon cleared full exercise? "Not sure" counts as not yet.
CLEARANCE_ANSWERS = ("y", "n", "unsure")
SURGERY_QUESTIONS = frozenset({Question.SURGERY, Question.CLEARANCE})
STEPS: tuple[str, ...] = (*(RED_FLAG + group for group in Group), *Question)
FIRST_STEP = STEPS[0]
WEEKDAYS = (0, 1, 2, 3, 4)
Option = TypeVar("Option", bound=StrEnum)


class Answered(StrEnum):
    """What an answer leads to."""

    NEXT = "next"  # the next question
    REFRESH = "refresh"  # the same question, its choices updated
    STOP = "stop"  # a red flag: training stops
    FINISHED = "finished"  # the last answer: the plan is made
    NEED_DAY = "need_day"  # "Done" without a training day
    INVALID = "invalid"  # not an answer to this question


def current_step(step: str | None) -> str | None:
    """`step` as asked now: an old single red flag's step becomes its group's."""
    if step is None or not step.startswith(RED_FLAG):
        return step
    flag = lookup(RedFlag, step.removeprefix(RED_FLAG))
    return RED_FLAG + group_of(flag) if flag is not None else step


def enrolling(step: str | None) -> bool:
    """Whether `step` is one of enrolment's questions."""
    return step is not None and current_step(step) in STEPS


def screening_group(step: str) -> Group | None:
    """The group of warning signs a step asks about, if it is a screening question."""
    current = current_step(step) or ""
    return lookup(Group, current.removeprefix(RED_FLAG)) if current.startswith(RED_FLAG) else None


def next_step(step: str, conditions: Collection[Condition] = ()) -> str | None:
    """The question after `step` for a patient with `conditions`, or None after the last
    (the questions about an operation are asked only after one)."""
    following = STEPS[STEPS.index(current_step(step) or "") + 1 :]
    operated = Condition.AFTER_SURGERY in conditions
    return next((s for s in following if operated or s not in SURGERY_QUESTIONS), None)


def toggle(chosen: Iterable[Option], value: str, options: type[Option]) -> list[Option]:
    """A multiple choice after one tap: an option in or out, or "none" for none."""
    current = list(chosen)
    if value == "none":
        return []
    option = lookup(options, value)
    if option is None:
        return current
    return [v for v in current if v != option] if option in current else [*current, option]


def toggle_days(current: list[int], value: str) -> list[int]:
    """Training days after one tap: a day in or out, every day, or Monday to Friday."""
    if value == "all":
        return list(ALL_DAYS)
    if value == "weekdays":
        return list(WEEKDAYS)
    if value.isdigit() and int(value) in ALL_DAYS:
        return sorted(set(current) ^ {int(value)})
    return current
