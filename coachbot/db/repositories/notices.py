"""Repositories: Alerts for therapists and the outbox of messages to send."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, exists, func, or_, select, update

from coachbot.db import tables as t
from coachbot.db.repositories.base import Repository
from coachbot.domain.model import Alert, OutboxMessage
from coachbot.domain.vocabulary import AlertKind, OutboxState, PatientStatus


class AlertRepository(Repository):
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

    async def latest(self, patient_id: int, kind: AlertKind) -> Alert | None:
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


class OutboxRepository(Repository):
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

    async def forget_chat(self, chat_id: int) -> None:
        """Every message to a chat, waiting or the record of one sent, except one on the
        wire right now (its courier records how it went)."""
        c = t.outbox.c
        await self.session.execute(
            delete(t.outbox)
            .where(c.chat_id == chat_id, c.state != OutboxState.SENDING)
            .execution_options(synchronize_session=False)
        )

    async def for_chat(self, chat_id: int) -> Sequence[OutboxMessage]:
        result = await self.session.execute(
            select(OutboxMessage).where(t.outbox.c.chat_id == chat_id).order_by(t.outbox.c.id)
        )
        return result.scalars().all()
