"""Repositories: load and add domain records. They never commit (the unit of work does)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Select, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.db import tables as t
from coachbot.db.planner import unindexed
from coachbot.domain.model import (
    Alert,
    AlertKind,
    Invite,
    OutboxMessage,
    OutboxState,
    Patient,
    PatientStatus,
    PlanChange,
    PlanItem,
    Report,
    Session,
    SessionState,
    Therapist,
)


class _Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session


class PatientRepository(_Repository):
    async def by_user(self, telegram_user_id: int) -> Patient | None:
        result = await self.session.execute(
            select(Patient).where(t.patient.c.telegram_user_id == telegram_user_id)
        )
        return result.scalar_one_or_none()

    async def by_chat(self, chat_id: int) -> Patient | None:
        result = await self.session.execute(select(Patient).where(t.patient.c.chat_id == chat_id))
        return result.scalars().first()

    async def get(self, patient_id: int) -> Patient | None:
        return await self.session.get(Patient, patient_id)

    def add(self, patient: Patient) -> None:
        self.session.add(patient)

    async def delete(self, patient: Patient) -> None:
        # Rows that refer to the patient go with it (ON DELETE CASCADE).
        await self.session.delete(patient)

    async def without_open_session(self, limit: int) -> list[int]:
        """Active patients with nothing planned or being sent (a safety net: every way
        a session ends plans the next one)."""
        has_open = exists().where(
            t.session.c.patient_id == t.patient.c.id,
            t.session.c.state.in_([SessionState.PLANNED, SessionState.SENDING]),
        )
        result = await self.session.execute(
            select(t.patient.c.id)
            .where(t.patient.c.status == PatientStatus.ACTIVE, ~has_open)
            .limit(limit)
        )
        return list(result.scalars())

    async def of_therapist(self, therapist_id: int) -> Sequence[Patient]:
        result = await self.session.execute(
            select(Patient).where(t.patient.c.therapist_id == therapist_id).order_by(t.patient.c.id)
        )
        return result.scalars().all()

    async def paused_until_set(self) -> Sequence[Patient]:
        result = await self.session.execute(
            select(Patient).where(
                t.patient.c.status == PatientStatus.PAUSED,
                t.patient.c.paused_until.is_not(None),
            )
        )
        return result.scalars().all()


class PlanRepository(_Repository):
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


class SessionRepository(_Repository):
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


class ReportRepository(_Repository):
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

    async def for_patient(self, patient_id: int) -> Sequence[Report]:
        result = await self.session.execute(
            select(Report)
            .join(Session, t.session.c.id == t.report.c.session_id)
            .where(t.session.c.patient_id == patient_id)
            .order_by(t.report.c.received_at)
        )
        return result.scalars().all()


class AlertRepository(_Repository):
    def add(self, alert: Alert) -> None:
        self.session.add(alert)

    async def get(self, alert_id: int) -> Alert | None:
        return await self.session.get(Alert, alert_id)

    async def unnotified(self, limit: int) -> Sequence[Alert]:
        """Alerts of patients with a therapist that the therapist was not sent yet."""
        result = await self.session.execute(
            select(Alert)
            .join(t.patient, t.patient.c.id == t.alert.c.patient_id)
            .where(t.alert.c.notified_at.is_(None), t.patient.c.therapist_id.is_not(None))
            .order_by(t.alert.c.created_at, t.alert.c.id)
            .limit(limit)
        )
        return result.scalars().all()

    async def silent(self, cutoff: datetime, among: Sequence[int] | None = None) -> list[int]:
        """Active linked patients whose newest report (or enrolment) is older than
        `cutoff`, with no SILENT alert raised since (of `among` only, if given)."""
        p, a = t.patient.c, t.alert.c
        last_sign = func.coalesce(p.last_report_at, p.created_at)
        query = select(p.id).where(
            p.status == PatientStatus.ACTIVE,
            p.therapist_id.is_not(None),
            last_sign <= cutoff,
            ~exists().where(
                a.patient_id == p.id,
                a.kind == AlertKind.SILENT,
                a.created_at >= last_sign,
            ),
        )
        if among is not None:
            query = query.where(p.id.in_(among))
        return list((await self.session.execute(query)).scalars())

    async def latest(self, patient_id: int, kind: str) -> Alert | None:
        result = await self.session.execute(
            select(Alert)
            .where(t.alert.c.patient_id == patient_id, t.alert.c.kind == kind)
            .order_by(t.alert.c.created_at.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def open_for(self, patient_id: int) -> Sequence[Alert]:
        """The patient's alerts their therapist has not acknowledged, oldest first."""
        result = await self.session.execute(
            select(Alert)
            .where(t.alert.c.patient_id == patient_id, t.alert.c.seen_at.is_(None))
            .order_by(t.alert.c.created_at, t.alert.c.id)
        )
        return result.scalars().all()

    async def for_patient(self, patient_id: int) -> Sequence[Alert]:
        result = await self.session.execute(
            select(Alert).where(t.alert.c.patient_id == patient_id).order_by(t.alert.c.created_at)
        )
        return result.scalars().all()


class OutboxRepository(_Repository):
    def add(self, message: OutboxMessage) -> None:
        self.session.add(message)

    async def get(self, message_id: int) -> OutboxMessage | None:
        return await self.session.get(OutboxMessage, message_id)

    async def next_due(self, now: datetime) -> OutboxMessage | None:
        """The oldest message waiting that may be tried now and is next in its chat (an
        earlier one to the same chat not yet out holds it back), locked for this worker."""
        c = t.outbox.c
        earlier = t.outbox.alias("earlier")
        holds_back = exists().where(
            earlier.c.chat_id == c.chat_id,
            earlier.c.id < c.id,
            earlier.c.state.in_([OutboxState.PENDING, OutboxState.SENDING]),
        )
        result = await self.session.execute(
            select(OutboxMessage)
            .where(
                c.state == OutboxState.PENDING,
                or_(c.retry_at.is_(None), c.retry_at <= now),
                ~holds_back,
            )
            .order_by(c.id)
            .limit(1)
            .with_for_update(skip_locked=True, of=t.outbox)
        )
        return result.scalars().first()

    async def settle_stale_claims(self, now: datetime) -> int:
        """As for sessions: a claim left by a dead process may have arrived."""
        c = t.outbox.c
        result = await self.session.execute(
            update(t.outbox)
            .where(c.state == OutboxState.SENDING, c.lease_until <= now)
            .values(
                state=OutboxState.UNCERTAIN,
                lease_until=None,
                failure="uncertain: no answer",
                text=None,
                buttons=None,
                photo=None,
            )
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def purge(self, before: datetime) -> None:
        """The record of what went out is kept for a while, then dropped."""
        c = t.outbox.c
        await self.session.execute(
            delete(t.outbox)
            .where(c.state.not_in([OutboxState.PENDING, OutboxState.SENDING]))
            .where(c.created_at < before)
            .execution_options(synchronize_session=False)
        )

    async def for_chat(self, chat_id: int) -> Sequence[OutboxMessage]:
        result = await self.session.execute(
            select(OutboxMessage).where(t.outbox.c.chat_id == chat_id).order_by(t.outbox.c.id)
        )
        return result.scalars().all()


class InviteRepository(_Repository):
    def add(self, invite: Invite) -> None:
        self.session.add(invite)

    async def by_code(self, code: str) -> Invite | None:
        result = await self.session.execute(select(Invite).where(t.invite.c.code == code))
        return result.scalar_one_or_none()


class PlanChangeRepository(_Repository):
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

    async def with_status(self, patient_id: int, status: str) -> Sequence[PlanChange]:
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


class TherapistRepository(_Repository):
    def add(self, therapist: Therapist) -> None:
        self.session.add(therapist)

    async def get(self, therapist_id: int, *, lock: bool = False) -> Therapist | None:
        return await self.session.get(Therapist, therapist_id, with_for_update=lock or None)

    async def by_user(self, telegram_user_id: int) -> Therapist | None:
        result = await self.session.execute(
            select(Therapist).where(t.therapist.c.telegram_user_id == telegram_user_id)
        )
        return result.scalar_one_or_none()

    async def by_signup_code(self, code: str) -> Therapist | None:
        result = await self.session.execute(
            select(Therapist).where(t.therapist.c.signup_code == code)
        )
        return result.scalar_one_or_none()

    async def all(self) -> Sequence[Therapist]:
        result = await self.session.execute(select(Therapist).order_by(t.therapist.c.id))
        return result.scalars().all()

    async def patient_count(self, therapist_id: int) -> int:
        result = await self.session.execute(
            select(func.count()).where(t.patient.c.therapist_id == therapist_id)
        )
        return int(result.scalar_one())

    async def due_summaries(self, now: datetime, limit: int) -> Sequence[Therapist]:
        """Signed-up therapists whose scheduled summary is due."""
        result = await self.session.execute(
            select(Therapist)
            .where(
                t.therapist.c.next_summary_at <= now,
                t.therapist.c.telegram_user_id.is_not(None),
            )
            .order_by(t.therapist.c.next_summary_at)
            .limit(limit)
        )
        return result.scalars().all()

    async def unscheduled(self) -> Sequence[Therapist]:
        """Signed-up therapists who want summaries but have no next one set."""
        result = await self.session.execute(
            select(Therapist).where(
                t.therapist.c.next_summary_at.is_(None),
                t.therapist.c.telegram_user_id.is_not(None),
                t.therapist.c.summary_frequency != "off",
            )
        )
        return result.scalars().all()

    async def delete(self, therapist: Therapist) -> None:
        await self.session.delete(therapist)
