"""Changing a profile after enrolment, and an operation's clearance: what the plan and
the sessions not sent yet hold afterwards (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from catalogue.loader import Catalogue
from coachbot import plans, profile, surgery
from coachbot.db.uow import SessionFactory, UnitOfWork
from coachbot.domain.errors import AlreadyReported
from coachbot.domain.model import Dose, Patient, PlanItem
from coachbot.domain.planning import Profile, allowed
from coachbot.domain.vocabulary import Actor, Condition, Equipment, Kind, Level
from tests.integration.conftest import MONDAY_MORNING, Enrol

NOW = MONDAY_MORNING
TWISTING = {"open_book", "knee_rocking", "band_anti_rotation_press"}


async def plan_of(sessions: SessionFactory, patient: Patient) -> list[PlanItem]:
    async with UnitOfWork(sessions) as uow:
        return await uow.plans.for_patient(patient.id or 0)


async def session_exercises(sessions: SessionFactory, patient: Patient) -> set[str]:
    async with UnitOfWork(sessions) as uow:
        upcoming = await uow.sessions.planned_from(patient.id or 0, NOW.date())
    assert upcoming, "a session is planned"
    return {e.exercise_id for session in upcoming for e in session.exercises}


async def change(
    sessions: SessionFactory, catalogue: Catalogue, patient: Patient, **what: object
) -> profile.ProfileChange:
    async with UnitOfWork(sessions) as uow:
        fresh = await uow.patients.get(patient.id or 0)
        assert fresh is not None
        result = await profile.change_profile(uow, fresh, catalogue, NOW, **what)  # type: ignore[arg-type]
        await uow.commit()
    return result


def kinds(catalogue: Catalogue, items: list[PlanItem]) -> list[Kind]:
    return [catalogue.exercises[item.exercise_id].kinds[0] for item in items]


async def test_after_an_operation_nothing_twists_until_cleared_then_the_plan_takes_it_in(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue
) -> None:
    patient = await enrol(1, conditions=["after_surgery"], equipment=["elastic_band"])
    before = await plan_of(sessions, patient)
    assert not {item.exercise_id for item in before} & TWISTING
    assert not any(catalogue.exercises[i.exercise_id].needs_clearance for i in before)
    assert not await session_exercises(sessions, patient) & TWISTING
    # The therapist made one exercise harder; it stays as they set it.
    kept = before[0]
    async with UnitOfWork(sessions) as uow:
        item = await uow.plans.get(kept.id or 0)
        assert item is not None
        item.dose = replace(item.dose, sets=item.sets + 1)
        await uow.commit()

    async with UnitOfWork(sessions) as uow:
        fresh = await uow.patients.get(patient.id or 0)
        assert fresh is not None
        fitted = await surgery.record_clearance(uow, fresh, Actor.PATIENT, catalogue, NOW)
        await uow.commit()
    after = await plan_of(sessions, patient)
    assert {item.exercise_id for item in after} & TWISTING
    assert set(fitted.added) & TWISTING
    same = next(item for item in after if item.exercise_id == kept.exercise_id)
    assert same.sets == kept.sets + 1 and same.id == kept.id
    async with UnitOfWork(sessions) as uow:
        fresh = await uow.patients.get(patient.id or 0)
        assert fresh is not None
        assert fresh.cleared_by == Actor.PATIENT and fresh.cleared_at == NOW
        with pytest.raises(AlreadyReported):
            await surgery.record_clearance(uow, fresh, Actor.THERAPIST, catalogue, NOW)


async def test_losing_equipment_replaces_what_needed_it_and_the_sessions_follow(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue
) -> None:
    patient = await enrol(2, equipment=["elastic_band", "exercise_ball"])
    before = await plan_of(sessions, patient)
    assert any(catalogue.exercises[i.exercise_id].equipment for i in before)
    result = await change(sessions, catalogue, patient, by=Actor.PATIENT, equipment=[])
    assert result.equipment_removed == [Equipment.EXERCISE_BALL, Equipment.ELASTIC_BAND]
    after = await plan_of(sessions, patient)
    assert not any(catalogue.exercises[i.exercise_id].equipment for i in after)
    assert kinds(catalogue, after)[0] == Kind.MOBILIZATION and len(after) >= 3
    upcoming = await session_exercises(sessions, patient)
    assert upcoming <= {item.exercise_id for item in after}


async def test_a_new_level_brings_its_doses_except_to_a_locked_plan(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue
) -> None:
    free = await enrol(3)
    result = await change(sessions, catalogue, free, by=Actor.THERAPIST, level=Level.ADVANCED)
    assert result.level == Level.ADVANCED
    for item in await plan_of(sessions, free):
        assert item.dose == plans.catalogue_dose(catalogue, item.exercise_id, Level.ADVANCED)

    locked = await enrol(4)
    async with UnitOfWork(sessions) as uow:
        fresh = await uow.patients.get(locked.id or 0)
        assert fresh is not None
        plans.set_plan_lock(fresh, True)
        await uow.commit()
    doses = {i.exercise_id: i.dose for i in await plan_of(sessions, locked)}
    await change(sessions, catalogue, locked, by=Actor.THERAPIST, level=Level.ADVANCED)
    after = {i.exercise_id: i.dose for i in await plan_of(sessions, locked)}
    assert after == doses
    assert all(isinstance(dose, Dose) for dose in after.values())


async def test_a_locked_exercise_no_longer_allowed_is_replaced_by_one_of_its_kind(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue
) -> None:
    patient = await enrol(5, equipment=["elastic_band"])
    async with UnitOfWork(sessions) as uow:
        fresh = await uow.patients.get(patient.id or 0)
        assert fresh is not None
        items = await uow.plans.for_patient(fresh.id or 0)
        # The therapist put a twisting exercise in and locked the plan.
        if not {i.exercise_id for i in items} & TWISTING:
            rotation = next(
                i for i in items if catalogue.exercises[i.exercise_id].kinds[0] == Kind.ROTATION
            )
            rotation.exercise_id = "open_book"
        plans.set_plan_lock(fresh, True)
        await uow.commit()
    before = {i.exercise_id for i in await plan_of(sessions, patient)}
    twisting = before & TWISTING
    assert twisting

    result = await change(
        sessions, catalogue, patient, by=Actor.PATIENT, conditions=[Condition.AFTER_SURGERY]
    )
    assert result.operation_added
    replaced = {old for old, _new in result.plan.replaced}
    assert twisting <= replaced
    for old in replaced:  # each twists, or is unsuitable after an operation anyway
        exercise = catalogue.exercises[old]
        assert exercise.needs_clearance or Condition.AFTER_SURGERY in exercise.unsuitable
    after = await plan_of(sessions, patient)
    ids = {i.exercise_id for i in after}
    assert not ids & TWISTING
    # A kind with nothing left that suits loses its place rather than keep something unsafe.
    gone = [old for old, new in result.plan.replaced if new is None]
    assert len(after) == len(before) - len(gone)
    # Gone only where no exercise of its kind is allowed before clearance.
    profile = Profile(
        frozenset([Condition.AFTER_SURGERY]),
        frozenset([Equipment.ELASTIC_BAND]),
        before_clearance=True,
    )
    for old in gone:
        kind = catalogue.exercises[old].kinds[0]
        assert not [
            e
            for e in catalogue.exercises.values()
            if e.kinds[0] == kind and allowed(e, profile) and e.id not in ids
        ], old
    for old, new in result.plan.replaced:
        if new is None:
            continue
        assert catalogue.exercises[new].kinds[0] == catalogue.exercises[old].kinds[0]
        assert not catalogue.exercises[new].needs_clearance
    assert before - replaced <= ids  # everything else stays as the therapist made it
    async with UnitOfWork(sessions) as uow:
        fresh = await uow.patients.get(patient.id or 0)
        assert fresh is not None and fresh.cleared_at is None


async def test_nothing_changed_changes_nothing(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue
) -> None:
    patient = await enrol(6, conditions=["herniated_disc"])
    before = [(i.id, i.exercise_id, i.dose) for i in await plan_of(sessions, patient)]
    result = await change(
        sessions,
        catalogue,
        patient,
        by=Actor.PATIENT,
        conditions=[Condition.HERNIATED_DISC],
        level=Level.BEGINNER,
    )
    assert not result.changed and not result.plan.changed
    assert [(i.id, i.exercise_id, i.dose) for i in await plan_of(sessions, patient)] == before
