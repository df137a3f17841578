"""The unit of work: one transaction, rolled back unless `commit()` is called."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.db import tables  # noqa: F401  (maps the domain classes)
from coachbot.db.repositories import (
    AlertRepository,
    FileRepository,
    InviteRepository,
    OutboxRepository,
    PatientRepository,
    PlanChangeRepository,
    PlanRepository,
    ReportRepository,
    SessionRepository,
    TherapistRepository,
)

SessionFactory = async_sessionmaker[AsyncSession]


class UnitOfWork:
    """`async with UnitOfWork(factory) as uow: ...; await uow.commit()`."""

    patients: PatientRepository
    plans: PlanRepository
    sessions: SessionRepository
    reports: ReportRepository
    alerts: AlertRepository
    invites: InviteRepository
    plan_changes: PlanChangeRepository
    therapists: TherapistRepository
    outbox: OutboxRepository
    files: FileRepository

    def __init__(self, factory: SessionFactory) -> None:
        self._factory = factory

    async def __aenter__(self) -> Self:
        self.session = self._factory()
        self.patients = PatientRepository(self.session)
        self.plans = PlanRepository(self.session)
        self.sessions = SessionRepository(self.session)
        self.reports = ReportRepository(self.session)
        self.alerts = AlertRepository(self.session)
        self.invites = InviteRepository(self.session)
        self.plan_changes = PlanChangeRepository(self.session)
        self.therapists = TherapistRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        self.files = FileRepository(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # close() detaches the loaded records first (keeping their values for the
        # caller to read) and then rolls back whatever was not committed.
        await self.session.close()

    def attach(self, *records: object | None) -> bool:
        """Make records read in an earlier unit of work this one's, without reading
        them again; False (and nothing attached) if one holds changes that were never
        committed, which must not be written now."""
        present = [record for record in records if record is not None]
        if any(inspect(record).modified for record in present):
            return False
        for record in present:
            self.session.add(record)
        return True

    async def commit(self) -> None:
        await self.session.commit()

    async def flush(self) -> None:
        await self.session.flush()
