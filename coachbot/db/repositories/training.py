"""Repositories: Plans, sessions, reports and plan changes: a patient's training."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Select, delete, or_, select, update

from coachbot.db import tables as t
from coachbot.db.planner import unindexed
from coachbot.db.repositories.base import Repository
from coachbot.domain.model import Patient, PlanChange, PlanItem, Report, Session
from coachbot.domain.vocabulary import ChangeStatus, PatientStatus, SessionState


class PlanRepository(Repository):
    async def for_patient(self, patient_id: int) -> list[PlanItem]:
        result = await self.session.execute(
            select(PlanItem)
            .where(t.plan_item.c.patient_id == patient_id)
            .order_by(t.plan_item.c.position)
        )
        return list(result.scalars().all())

    async def get(self, item_id: int) -> PlanItem | None:
        return await self.session.get(PlanItem, item_id)

    def add(self, item: PlanItem) -> None:
        self.session.add(item)

    async def remove(self, item: PlanItem) -> None:
        await self.session.delete(item)

    async def replace(self, patient_id: int, items: Sequence[PlanItem]) -> None:
        await self.session.execute(delete(PlanItem).where(t.plan_item.c.patient_id == patient_id))
        self.session.add_all(items)


class SessionRepository(Repository):
    async def get(self, session_id: int) -> Session | None:
        return await self.session.get(Session, session_id)

    def add(self, session: Session) -> None:
        self.session.add(session)

    async def on_day(self, patient_id: int, day: date) -> Session | None:
        result = await self.session.execute(
            select(Session).where(
                t.session.c.patient_id == patient_id,
                t.session.c.local_date == day,
            )
        )
        return result.scalar_one_or_none()

    async def latest(self, patient_id: int) -> Session | None:
        result = await self.session.execute(
            select(Session)
            .where(t.session.c.patient_id == patient_id)
            .order_by(t.session.c.local_date.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def planned_from(self, patient_id: int, day: date) -> Sequence[Session]:
        result = await self.session.execute(
            select(Session).where(
                t.session.c.patient_id == patient_id,
                t.session.c.local_date >= day,
                t.session.c.state == SessionState.PLANNED,
            )
        )
        return result.scalars().all()

    async def unsent(self, patient_id: int) -> Sequence[Session]:
        """Planned or claimed sessions that never went out."""
        result = await self.session.execute(
            select(Session).where(
                t.session.c.patient_id == patient_id,
                t.session.c.state.in_([SessionState.PLANNED, SessionState.SENDING]),
                t.session.c.sent_at.is_(None),
            )
        )
        return result.scalars().all()

    async def next_due(self, now: datetime, since: datetime) -> Session | None:
        """The planned session of an active patient that fell due first (not before
        `since`) and may be tried now, locked for this worker.

        On PostgreSQL the row is locked with SKIP LOCKED, so parallel dispatchers take
        different ones; SQLite has one writer at a time anyway (BEGIN IMMEDIATE).
        """
        c = t.session.c
        result = await self.session.execute(
            select(Session)
            .join(t.patient, t.patient.c.id == c.patient_id)
            .where(
                c.state == SessionState.PLANNED,
                c.due_at <= now,
                c.due_at >= since,
                # Never after its day, even before the chores have closed that day.
                c.ends_at > now,
                or_(c.retry_at.is_(None), c.retry_at <= now),
                t.patient.c.status == PatientStatus.ACTIVE,
            )
            .order_by(c.due_at)
            .limit(1)
            .with_for_update(skip_locked=True, of=t.session)
        )
        return result.scalars().first()

    async def settle_stale_claims(self, now: datetime) -> list[int]:
        """Claims whose lease ran out belonged to a process that died mid-send: the
        session may have arrived, so it counts as sent and is never sent again. Returns
        the patients, whose next session is to be planned."""
        c = t.session.c
        result = await self.session.execute(
            update(t.session)
            .where(c.state == SessionState.SENDING, c.lease_until <= now)
            .values(state=SessionState.SENT, lease_until=None, failure="uncertain: no answer")
            .returning(c.patient_id)
            .execution_options(synchronize_session=False)
        )
        return list(result.scalars())

    async def miss_late(self, since: datetime, limit: int) -> list[int]:
        """Up to `limit` planned sessions that fell due before `since` (the bot was down,
        or Telegram kept failing) are too late to remind of: they become missed. Returns
        their patients."""
        c = t.session.c
        late = (
            select(c.id)
            .where(c.state == SessionState.PLANNED, c.due_at < since)
            .order_by(c.due_at)  # see `close_ended_days`
            .limit(limit)
        )
        return await self._mark_missed(late, SessionState.PLANNED)

    async def close_ended_days(self, now: datetime, limit: int) -> list[int]:
        """Up to `limit` sessions still open although their local day has ended become
        missed. Returns their patients."""
        c = t.session.c
        patients: list[int] = []
        # One state at a time, in the order of the (state, ends_at) index: with a LIMIT and
        # no order, PostgreSQL expects the many open sessions to turn up early in a
        # sequential scan and reads every session (0.6 s at 3 million) to find none.
        for state in (SessionState.PLANNED, SessionState.SENT):
            ended = (
                select(c.id)
                .where(c.state == state, c.ends_at <= now)
                .order_by(c.ends_at)
                .limit(limit - len(patients))
            )
            patients += await self._mark_missed(ended, state)
            if len(patients) >= limit:
                break
        return patients

    async def _mark_missed(self, which: Select[tuple[int]], state: SessionState) -> list[int]:
        c = t.session.c
        result = await self.session.execute(
            update(t.session)
            # The state again, on the row itself: on PostgreSQL a row another transaction
            # was changing (a report just in) is checked afresh once that one commits,
            # while the subquery's choice is not. A session reported meanwhile stays so.
            .where(c.id.in_(which.scalar_subquery()), unindexed(c.state) == state)
            .values(state=SessionState.MISSED, lease_until=None, retry_at=None)
            .returning(c.patient_id)
            .execution_options(synchronize_session=False)
        )
        return list(result.scalars())

    async def for_patient(self, patient_id: int) -> Sequence[Session]:
        result = await self.session.execute(
            select(Session)
            .where(t.session.c.patient_id == patient_id)
            .order_by(t.session.c.local_date)
        )
        return result.scalars().all()


class ReportRepository(Repository):
    async def for_session(self, session_id: int) -> Report | None:
        result = await self.session.execute(
            select(Report).where(t.report.c.session_id == session_id)
        )
        return result.scalar_one_or_none()

    def add(self, report: Report) -> None:
        self.session.add(report)

    async def recent(self, patient_id: int, after: datetime | None, limit: int) -> Sequence[Report]:
        """The newest reports first, received after `after` (if given)."""
        query = (
            select(Report)
            .join(t.session, t.session.c.id == t.report.c.session_id)
            .where(t.session.c.patient_id == patient_id)
        )
        if after is not None:
            query = query.where(t.report.c.received_at > after)
        result = await self.session.execute(
            query.order_by(t.report.c.received_at.desc(), t.report.c.id.desc()).limit(limit)
        )
        return result.scalars().all()

    async def morning_due(self, now: datetime, limit: int) -> Sequence[tuple[Report, Patient]]:
        """Reports whose next-morning check is due, with their patient (read in the same
        query: a morning's checks for thousands of patients are one read, not one each),
        oldest first."""
        result = await self.session.execute(
            select(Report, Patient)
            .join(t.session, t.session.c.id == t.report.c.session_id)
            .join(t.patient, t.patient.c.id == t.session.c.patient_id)
            .where(t.report.c.morning_due_at.is_not(None), t.report.c.morning_due_at <= now)
            .order_by(t.report.c.morning_due_at)
            .limit(limit)
        )
        return [(report, patient) for report, patient in result]

    async def for_patient(self, patient_id: int) -> Sequence[Report]:
        result = await self.session.execute(
            select(Report)
            .join(Session, t.session.c.id == t.report.c.session_id)
            .where(t.session.c.patient_id == patient_id)
            .order_by(t.report.c.received_at)
        )
        return result.scalars().all()


class PlanChangeRepository(Repository):
    def add(self, change: PlanChange) -> None:
        self.session.add(change)

    async def get(self, change_id: int) -> PlanChange | None:
        return await self.session.get(PlanChange, change_id)

    async def latest(self, patient_id: int) -> PlanChange | None:
        result = await self.session.execute(
            select(PlanChange)
            .where(t.plan_change.c.patient_id == patient_id)
            .order_by(t.plan_change.c.created_at.desc(), t.plan_change.c.id.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def with_status(self, patient_id: int, status: ChangeStatus) -> Sequence[PlanChange]:
        result = await self.session.execute(
            select(PlanChange)
            .where(t.plan_change.c.patient_id == patient_id, t.plan_change.c.status == status)
            .order_by(t.plan_change.c.created_at, t.plan_change.c.id)
        )
        return result.scalars().all()

    async def for_patient(self, patient_id: int) -> Sequence[PlanChange]:
        result = await self.session.execute(
            select(PlanChange)
            .where(t.plan_change.c.patient_id == patient_id)
            .order_by(t.plan_change.c.created_at)
        )
        return result.scalars().all()
