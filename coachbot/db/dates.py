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
    return f"date({day}, '+' || {n} || ' days')"
