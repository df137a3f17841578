"""Date arithmetic in SQL that reads the same on SQLite and PostgreSQL.

SQLite keeps dates as ISO text and adds days with `date(d, '+7 days')`; PostgreSQL adds
an integer to a date. Aggregates over "the first week" of each patient need it in SQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Integer, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class plus_days(FunctionElement[Any]):
    """`day` plus `n` days."""

    type = Date()
    inherit_cache = True
    name = "plus_days"

    def __init__(self, day: ColumnElement[Any], n: int) -> None:
        super().__init__(day, literal(n, Integer()))


def _arguments(element: plus_days, compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
    day, n = list(element.clauses)
    return compiler.process(day, **kw), compiler.process(n, **kw)


@compiles(plus_days)
def _plus_days_default(element: plus_days, compiler: SQLCompiler, **kw: Any) -> str:
    day, n = _arguments(element, compiler, **kw)
    return f"({day} + {n})"


@compiles(plus_days, "sqlite")
def _plus_days_sqlite(element: plus_days, compiler: SQLCompiler, **kw: Any) -> str:
    day, n = _arguments(element, compiler, **kw)
    return f"date({day}, {n} || ' days')"  # '7 days', '-2 days'


class day_of(FunctionElement[Any]):
    """The calendar day of a stored instant (in UTC on SQLite, in the server's zone on
    PostgreSQL: callers allow a day or two either way for the patient's own zone)."""

    type = Date()
    inherit_cache = True
    name = "day_of"

    def __init__(self, moment: ColumnElement[Any]) -> None:
        super().__init__(moment)


@compiles(day_of)
def _day_of_default(element: day_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


@compiles(day_of, "sqlite")
def _day_of_sqlite(element: day_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"
