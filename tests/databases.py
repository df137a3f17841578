"""Fresh, migrated databases for tests, on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL.

`TEST_DATABASE_URL` names a PostgreSQL server and a database the tests may connect to in
order to administer it, e.g. `postgresql+asyncpg://postgres@127.0.0.1:5432/postgres`.
The first database asked for in a session migrates a template once (a database on
PostgreSQL, a file on SQLite); every database after that is a copy of it (`CREATE DATABASE
... TEMPLATE`, or SQLite's backup of the file), which is much faster than migrating.

    url = fresh_database("postgresql")           # or fresh_database("sqlite", tmp_path)
    ...                                          # start one bot or several on `url`
    drop_database(url)                           # optional: the session drops leftovers

The functions here are synchronous (like `coachbot.db.migrate.upgrade`); called from a
running event loop they do their work in a worker thread and block until it is done.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import sqlite3
import tempfile
import threading
import uuid
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from coachbot.db.migrate import upgrade

ENV = "TEST_DATABASE_URL"
SQLITE = "sqlite"
POSTGRESQL = "postgresql"
# Every database the tests create is named with this prefix, so leftovers of a crashed
# run are easy to recognise (and never confused with anything else on the server).
PREFIX = "coachbot_test_"

T = TypeVar("T")


def backends() -> list[str]:
    """The backends the tests run on: always SQLite, PostgreSQL when `TEST_DATABASE_URL` is set."""
    return [SQLITE, POSTGRESQL] if os.environ.get(ENV) else [SQLITE]


def is_postgres(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def fresh_database(backend: str, directory: Path | None = None) -> str:
    """The URL of a new database at the latest schema, for `backend` ("sqlite"/"postgresql").

    SQLite needs a `directory` (e.g. `tmp_path`) for its file. A PostgreSQL database lives
    until `drop_database(url)` or the end of the test session, whichever comes first.
    """
    if backend == SQLITE:
        if directory is None:
            raise ValueError("a SQLite database needs a directory, e.g. tmp_path")
        path = directory / "coachbot.db"
        n = 1
        while path.exists():
            n += 1
            path = directory / f"coachbot-{n}.db"
        _sqlite_copy(path)
        return f"sqlite+aiosqlite:///{path}"
    if backend == POSTGRESQL:
        return _postgres().create()
    raise ValueError(f"unknown database backend {backend!r}")


def drop_database(url: str) -> None:
    """Drop a PostgreSQL database made by `fresh_database` (SQLite files go with tmp_path)."""
    if is_postgres(url) and _server is not None:
        _server.drop(url)


def close() -> None:
    """Drop every PostgreSQL database this session made, and both templates; idempotent."""
    global _server, _sqlite_template
    with _lock:
        server, _server = _server, None
        template, _sqlite_template = _sqlite_template, None
    if server is not None:
        server.close()
    if template is not None:
        shutil.rmtree(template.parent, ignore_errors=True)


def _blocking(work: Callable[[], T]) -> T:
    """Run synchronous `work`, which may itself run an event loop, outside any running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def _run(coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
    return _blocking(lambda: asyncio.run(coroutine()))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Postgres:
    """One server named by `TEST_DATABASE_URL`: a migrated template and copies of it."""

    def __init__(self, admin_url: str) -> None:
        url = make_url(admin_url)
        if url.get_backend_name() != "postgresql":
            raise ValueError(f"{ENV} must be a PostgreSQL URL, not {url.drivername}")
        if url.drivername == "postgresql":  # no driver named: the app's async one
            url = url.set(drivername="postgresql+asyncpg")
        self.admin_url = url
        self.template: str | None = None
        self.created: set[str] = set()
        self.lock = threading.Lock()

    def url_of(self, database: str) -> str:
        return self.admin_url.set(database=database).render_as_string(hide_password=False)

    def execute(self, *statements: str) -> None:
        """Run statements outside a transaction (CREATE/DROP DATABASE need that)."""

        async def _execute() -> None:
            engine = create_async_engine(
                self.admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool
            )
            try:
                async with engine.connect() as connection:
                    for statement in statements:
                        await connection.execute(text(statement))
            finally:
                await engine.dispose()

        _run(_execute)

    def create(self) -> str:
        with self.lock:
            if self.template is None:
                template = f"{PREFIX}template_{uuid.uuid4().hex[:12]}"
                self.execute(f"CREATE DATABASE {_quote(template)}")
                try:
                    _blocking(lambda: upgrade(self.url_of(template)))
                except BaseException:
                    self.execute(f"DROP DATABASE IF EXISTS {_quote(template)} WITH (FORCE)")
                    raise
                self.template = template
            name = f"{PREFIX}{uuid.uuid4().hex[:12]}"
            self.execute(f"CREATE DATABASE {_quote(name)} TEMPLATE {_quote(self.template)}")
            self.created.add(name)
        return self.url_of(name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self.lock:
            if name not in self.created:
                return
            self.created.discard(name)
        # FORCE ends connections a test left open (PostgreSQL 13 and later).
        self.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")

    def close(self) -> None:
        with self.lock:
            names = sorted(self.created)
            if self.template is not None:
                names.append(self.template)
            self.created.clear()
            self.template = None
        if names:
            self.execute(*(f"DROP DATABASE IF EXISTS {_quote(n)} WITH (FORCE)" for n in names))


_server: _Postgres | None = None
_sqlite_template: Path | None = None
_lock = threading.Lock()


def _sqlite_copy(path: Path) -> None:
    """A copy of a SQLite file migrated once per session: migrating takes about 0.1 s a
    database, the copy a millisecond."""
    global _sqlite_template
    with _lock:
        if _sqlite_template is None:
            folder = Path(tempfile.mkdtemp(prefix=PREFIX))
            template = folder / "template.db"
            try:
                _blocking(lambda: upgrade(f"sqlite+aiosqlite:///{template}"))
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            _sqlite_template = template
        # The backup API, not a file copy: it copies what is committed even if some of it
        # were still in the template's write-ahead log.
        with (
            contextlib.closing(sqlite3.connect(_sqlite_template)) as source,
            contextlib.closing(sqlite3.connect(path)) as target,
        ):
            source.backup(target)


def _postgres() -> _Postgres:
    global _server
    admin_url = os.environ.get(ENV)
    if not admin_url:
        raise RuntimeError(f"PostgreSQL tests need {ENV}, e.g. postgresql+asyncpg://...")
    with _lock:
        if _server is None:
            _server = _Postgres(admin_url)
        return _server


# The session fixture calls close(); this catches a run that ends some other way.
atexit.register(close)


def accept_connections(url: str, accept: bool) -> None:
    """Let a PostgreSQL database made by `fresh_database` accept new connections, or not
    (its open ones go on): the database unreachable for a process about to connect."""
    if not is_postgres(url):
        raise ValueError("only a PostgreSQL database can refuse connections")
    name = make_url(url).database
    assert name is not None and name.startswith(PREFIX)
    _postgres().execute(
        f"ALTER DATABASE {_quote(name)} WITH ALLOW_CONNECTIONS {'true' if accept else 'false'}"
    )
