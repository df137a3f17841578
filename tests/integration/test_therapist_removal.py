"""Removing a therapist, or unlinking: the patients train on, and adapt on their own."""

from __future__ import annotations

from catalogue.loader import Catalogue
from coachbot import therapists
from coachbot.db.uow import SessionFactory, UnitOfWork
from coachbot.domain.model import Dose, ExerciseChange, PlanChange
from coachbot.domain.vocabulary import ChangeStatus, Direction, Reason
from tests.integration.conftest import MONDAY_MORNING, Enrol


async def test_removed_therapists_patients_keep_training_without_lock_or_proposals(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue
) -> None:
    patient = await enrol(1001)
    assert patient.id is not None
    async with UnitOfWork(sessions) as uow:
        therapist = await therapists.add_therapist(uow, "Dr. Weber", MONDAY_MORNING)
        stored = await uow.patients.get(patient.id)
        assert stored is not None and therapist.id is not None
        stored.therapist_id = therapist.id
        stored.plan_locked = True
        item = (await uow.plans.for_patient(patient.id))[0]
        uow.plan_changes.add(
            PlanChange(
                patient_id=patient.id,
                created_at=MONDAY_MORNING,
                direction=Direction.PROGRESS,
                reason=Reason.EASY_STREAK,
                status=ChangeStatus.PROPOSED,
                changes=[ExerciseChange(item.exercise_id, item.dose, Dose(item.sets + 1, 8))],
            )
        )
        await uow.commit()
        therapist_id = therapist.id

    async with UnitOfWork(sessions) as uow:
        assert await therapists.remove_therapist(uow, therapist_id, MONDAY_MORNING)
        assert not await therapists.remove_therapist(uow, 999, MONDAY_MORNING)
        await uow.commit()

    async with UnitOfWork(sessions) as uow:
        stored = await uow.patients.get(patient.id)
        assert stored is not None
        assert stored.therapist_id is None and not stored.plan_locked
        assert stored.status == "active"
        [change] = await uow.plan_changes.for_patient(patient.id)
        assert change.status == ChangeStatus.REJECTED and change.decided_at is not None
        assert await uow.therapists.get(therapist_id) is None
        assert await uow.sessions.planned_from(patient.id, MONDAY_MORNING.date())
