"""Column types that keep the domain's Python values intact in SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from coachbot.domain.model import Dose, ExerciseChange, SessionExercise

E = TypeVar("E", bound=StrEnum)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC instants")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Weekdays(TypeDecorator[list[int]]):
    """Training days as a short string of weekday digits ("0246" = Mon, Wed, Fri, Sun)."""

    impl = String(7)
    cache_ok = True

    def process_bind_param(self, value: list[int] | None, dialect: Dialect) -> str | None:
        return None if value is None else "".join(str(day) for day in sorted(set(value)))

    def process_result_value(self, value: str | None, dialect: Dialect) -> list[int] | None:
        return None if value is None else [int(char) for char in value]


def _members(enum: type[E]) -> dict[str, E]:
    return {word.value: word for word in enum}


def _member(members: dict[str, E], enum: type[E], value: str) -> E:
    """The member spelt `value` (a dictionary look-up: calling the enum costs forty times
    as much, and an export reads three words a row); ValueError for an unknown word."""
    try:
        return members[value]
    except KeyError:
        raise ValueError(f"{value!r} is not a valid {enum.__name__}") from None


class Vocabulary(TypeDecorator[E]):
    """A word of the domain's vocabulary (a StrEnum, `domain.vocabulary`) as its value in
    a short string column: read back as the member, and a new word needs no migration (no
    enum type in the database, no CHECK)."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int = 24) -> None:
        super().__init__(length)
        # Named as the arguments: SQLAlchemy's statement cache keys on them.
        self.enum = enum
        self.length = length
        self._members = _members(enum)

    def process_bind_param(self, value: E | None, dialect: Dialect) -> str | None:
        return None if value is None else _member(self._members, self.enum, value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else _member(self._members, self.enum, value)


class Words(TypeDecorator[list[E]]):
    """Several words of one vocabulary (a patient's conditions, say) as a JSON list of
    their values, read back as members."""

    impl = JSON
    cache_ok = True

    def __init__(self, enum: type[E]) -> None:
        super().__init__()
        self.enum = enum  # named as the argument: SQLAlchemy's statement cache keys on it
        self._members = _members(enum)

    def process_bind_param(self, value: list[E] | None, dialect: Dialect) -> list[str] | None:
        if value is None:
            return None
        return [_member(self._members, self.enum, word).value for word in value]

    def process_result_value(self, value: list[str] | None, dialect: Dialect) -> list[E] | None:
        if value is None:
            return None
        return [_member(self._members, self.enum, word) for word in value]


def dose_json(dose: Dose) -> dict[str, Any]:
    return {
        "sets": dose.sets,
        "reps": dose.reps,
        "hold_seconds": dose.hold_seconds,
        "rest_seconds": dose.rest_seconds,
        "move_seconds": dose.move_seconds,
    }


def dose_from_json(row: dict[str, Any]) -> Dose:
    return Dose(
        row["sets"], row["reps"], row["hold_seconds"], row["rest_seconds"], row.get("move_seconds")
    )


class ExerciseChanges(TypeDecorator[list[ExerciseChange]]):
    """A plan change's exercises, as JSON."""

    impl = JSON
    cache_ok = True

    def process_bind_param(
        self, value: list[ExerciseChange] | None, dialect: Dialect
    ) -> list[dict[str, Any]] | None:
        if value is None:
            return None
        return [
            {
                "id": change.exercise_id,
                "before": dose_json(change.before),
                "after": dose_json(change.after),
                "new_id": change.new_exercise_id,
            }
            for change in value
        ]

    def process_result_value(
        self, value: list[dict[str, Any]] | None, dialect: Dialect
    ) -> list[ExerciseChange] | None:
        if value is None:
            return None
        return [
            ExerciseChange(
                row["id"],
                dose_from_json(row["before"]),
                dose_from_json(row["after"]),
                row["new_id"],
            )
            for row in value
        ]


class SessionExercises(TypeDecorator[list[SessionExercise]]):
    """A session's exercises with their doses, as JSON."""

    impl = JSON
    cache_ok = True

    def process_bind_param(
        self, value: list[SessionExercise] | None, dialect: Dialect
    ) -> list[dict[str, Any]] | None:
        if value is None:
            return None
        return [{"id": item.exercise_id} | dose_json(item.dose) for item in value]

    def process_result_value(
        self, value: list[dict[str, Any]] | None, dialect: Dialect
    ) -> list[SessionExercise] | None:
        if value is None:
            return None
        return [SessionExercise(row["id"], dose_from_json(row)) for row in value]
