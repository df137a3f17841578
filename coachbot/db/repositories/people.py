"""Repositories: Patients, therapists and invites."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, func, select

from coachbot.db import tables as t
from coachbot.db.repositories.base import Repository
from coachbot.domain.model import Invite, Patient, Therapist
from coachbot.domain.vocabulary import PatientStatus, SessionState, SummaryFrequency


class PatientRepository(Repository):
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


class TherapistRepository(Repository):
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
        """Signed-up therapists who want summaries but have no next one set, locked: a
        schedule the therapist chooses meanwhile waits for this transaction and then wins,
        and one chosen already (uncommitted) is skipped, never overwritten with the default
        (PostgreSQL; SQLite has one writer at a time)."""
        result = await self.session.execute(
            select(Therapist)
            .where(
                t.therapist.c.next_summary_at.is_(None),
                t.therapist.c.telegram_user_id.is_not(None),
                t.therapist.c.summary_frequency != SummaryFrequency.OFF,
            )
            .with_for_update(skip_locked=True)
        )
        return result.scalars().all()

    async def delete(self, therapist: Therapist) -> None:
        await self.session.delete(therapist)


class InviteRepository(Repository):
    def add(self, invite: Invite) -> None:
        self.session.add(invite)

    async def by_code(self, code: str) -> Invite | None:
        result = await self.session.execute(select(Invite).where(t.invite.c.code == code))
        return result.scalar_one_or_none()
