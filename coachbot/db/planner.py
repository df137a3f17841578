"""Steering SQLite's query planner, which has no statistics to go on.

`unindexed(column)` is the column as it is, except that on SQLite it is written
`+column`, the documented way to keep a term from choosing an index: a state checked
again on the row itself (see `SessionRepository._mark_missed`) must not make SQLite walk
every open session by the state index instead of fetching the few rows chosen by id.
PostgreSQL chooses with its statistics and gets the plain column.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class unindexed(FunctionElement[Any]):
    """`column`, which no index may be chosen for on SQLite."""

    inherit_cache = True
    name = "unindexed"

    def __init__(self, column: ColumnElement[Any]) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(unindexed)
def _unindexed_default(element: unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return f"+{compiler.process(element.clauses, **kw)}"
