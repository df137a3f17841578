"""Named leases: one process at a time holds a lease for a while and renews it.

- "updates": the one process receiving updates (polling `getUpdates` twice on one token
  answers people twice, and Telegram cuts the older poll off);
- "housekeeping": the one dispatcher doing a round's chores (ending days, planning,
  raising silence alerts, queueing summaries), so that several dispatchers never do one
  twice.

A holder is named `host:pid:random`, so a process can tell that a lease left behind on
its own host belongs to a process that no longer exists (a `kill -9`) and take it at once.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.db import tables as t

UPDATES = "updates"
HOUSEKEEPING = "housekeeping"


def holder_name() -> str:
    """This process, as a lease holder."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str | None
    expires_at: datetime | None

    def held_by_other(self, me: str, now: datetime) -> bool:
        return (
            self.holder is not None
            and self.holder != me
            and self.expires_at is not None
            and self.expires_at > now
            and not dead_here(self.holder)
        )


def _pid_here(holder: str) -> int | None:
    """The holder's process id, if it ran on this host."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    return int(pid) if host == socket.gethostname() and pid.isdigit() else None


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def alive_here(holder: str) -> bool:
    """The holder is a process running on this host."""
    pid = _pid_here(holder)
    return pid is not None and _exists(pid)


def dead_here(holder: str) -> bool:
    """The holder ran on this host and is gone (a crash): its lease is free."""
    pid = _pid_here(holder)
    return pid is not None and pid != os.getpid() and not _exists(pid)


async def read(session: AsyncSession, name: str) -> Lease:
    row = (
        await session.execute(
            select(t.lease.c.holder, t.lease.c.expires_at).where(t.lease.c.name == name)
        )
    ).first()
    if row is None:
        return Lease(name, None, None)
    return Lease(name, row.holder, row.expires_at)


async def acquire(session: AsyncSession, name: str, me: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease unless another live process holds it. The caller commits."""
    current = await read(session, name)
    if current.held_by_other(me, now):
        return False
    c = t.lease.c
    result = await session.execute(
        update(t.lease)
        # Only the row as read: a process that took it in between wins.
        .where(
            c.name == name, _same(c.holder, current.holder), _same(c.expires_at, current.expires_at)
        )
        .values(holder=me, expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def _same(column: ColumnElement[Any], value: object) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


async def release(session: AsyncSession, name: str, me: str) -> None:
    await session.execute(
        update(t.lease)
        .where(t.lease.c.name == name, t.lease.c.holder == me)
        .values(holder=None, expires_at=None)
        .execution_options(synchronize_session=False)
    )
