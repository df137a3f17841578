"""A patient's plan: made from the catalogue and their profile, shaped by their
therapist (add, remove, swap, dose, lock).

The therapist's edits take the patient from `access.own_patient`, so a button
naming anyone else's patient changes nothing; after each, the sessions not sent
yet follow the plan.
"""

from __future__ import annotations

from datetime import datetime

from catalogue.loader import Catalogue
from coachbot.access import own_item
from coachbot.db.uow import UnitOfWork
from coachbot.domain import doses, planning
from coachbot.domain.errors import GoneFromPlan, InvalidChange
from coachbot.domain.model import Dose, Patient, PlanItem
from coachbot.domain.vocabulary import Kind, Level
from coachbot.sessions import refresh_planned


def catalogue_dose(catalogue: Catalogue, exercise_id: str, level: Level) -> Dose:
    """The catalogue's starting dose of an exercise for a level."""
    dose = catalogue.exercises[exercise_id].doses[level]
    return Dose(dose.sets, dose.reps, dose.hold_seconds, dose.rest_seconds, dose.move_seconds)


def _new_item(patient_id: int, exercise_id: str, position: int, dose: Dose) -> PlanItem:
    return PlanItem(
        patient_id=patient_id,
        exercise_id=exercise_id,
        position=position,
        sets=dose.sets,
        reps=dose.reps,
        hold_seconds=dose.hold_seconds,
        rest_seconds=dose.rest_seconds,
        move_seconds=dose.move_seconds,
    )


async def replan(uow: UnitOfWork, patient: Patient, catalogue: Catalogue) -> list[PlanItem]:
    """Build the patient's plan afresh from the catalogue and their profile."""
    assert patient.id is not None
    ids = planning.build_plan(catalogue.exercises.values(), planning.profile_of(patient))
    items = [
        _new_item(
            patient.id, exercise_id, position, catalogue_dose(catalogue, exercise_id, patient.level)
        )
        for position, exercise_id in enumerate(ids)
    ]
    await uow.plans.replace(patient.id, items)
    return items


async def fit_plan(uow: UnitOfWork, patient: Patient, catalogue: Catalogue) -> list[PlanItem]:
    """After a change of equipment: a new plan; or, if the therapist locked the plan,
    the same plan without the exercises no longer possible."""
    if not patient.plan_locked:
        return await replan(uow, patient, catalogue)
    assert patient.id is not None
    kept = []
    for item in await uow.plans.for_patient(patient.id):
        exercise = catalogue.exercises.get(item.exercise_id)
        if exercise is not None and planning.allowed(exercise, planning.profile_of(patient)):
            kept.append(item)
        else:
            await uow.plans.remove(item)
    return kept


def candidates(
    catalogue: Catalogue, patient: Patient, plan: list[PlanItem], kind: Kind
) -> list[str]:
    """Exercises of `kind` this patient may do and does not have yet."""
    return planning.candidates(
        catalogue.exercises.values(), planning.profile_of(patient), plan, kind
    )


def _part(catalogue: Catalogue, exercise_id: str) -> int:
    exercise = catalogue.exercises.get(exercise_id)
    return planning.part(exercise.kinds[0] if exercise else None)


async def _plan_changed(
    uow: UnitOfWork,
    patient: Patient,
    catalogue: Catalogue,
    now: datetime,
    items: list[PlanItem] | None = None,
) -> None:
    """Keep the plan in session order, and let unsent sessions follow the new plan
    (`items`: the whole plan, if the caller has it in hand)."""
    assert patient.id is not None
    if items is None:
        items = await uow.plans.for_patient(patient.id)
    ordered = sorted(items, key=lambda item: (_part(catalogue, item.exercise_id), item.position))
    for position, item in enumerate(ordered):
        item.position = position
    await refresh_planned(uow, patient, catalogue, now, ordered)


async def add_exercise(
    uow: UnitOfWork, patient: Patient, exercise_id: str, catalogue: Catalogue, now: datetime
) -> PlanItem:
    """Add an exercise at the catalogue's dose for the patient's level."""
    assert patient.id is not None
    plan = await uow.plans.for_patient(patient.id)
    planning.check_addable(catalogue.exercises.get(exercise_id), planning.profile_of(patient), plan)
    dose = catalogue_dose(catalogue, exercise_id, patient.level)
    item = _new_item(patient.id, exercise_id, len(plan) + 1000, dose)
    uow.plans.add(item)
    await uow.flush()
    await _plan_changed(uow, patient, catalogue, now)
    return item


async def remove_exercise(
    uow: UnitOfWork, patient: Patient, item_id: int, catalogue: Catalogue, now: datetime
) -> PlanItem:
    """Take an exercise out of the plan, which keeps at least a day's worth."""
    assert patient.id is not None
    item = await own_item(uow, patient, item_id)
    if len(await uow.plans.for_patient(patient.id)) <= planning.MIN_PER_DAY:
        raise InvalidChange("a plan keeps at least three exercises")
    await uow.plans.remove(item)
    await uow.flush()
    await _plan_changed(uow, patient, catalogue, now)
    return item


async def swap_exercise(
    uow: UnitOfWork,
    patient: Patient,
    item_id: int,
    exercise_id: str,
    catalogue: Catalogue,
    now: datetime,
) -> tuple[str, PlanItem]:
    """Put another exercise in an item's place; returns the old exercise id and the item."""
    assert patient.id is not None
    item = await own_item(uow, patient, item_id)
    planning.check_addable(
        catalogue.exercises.get(exercise_id),
        planning.profile_of(patient),
        await uow.plans.for_patient(patient.id),
    )
    if _part(catalogue, exercise_id) != _part(catalogue, item.exercise_id):
        # A swap keeps the session's shape: a warm-up for a warm-up, and so on.
        raise InvalidChange("not the same kind")
    old = item.exercise_id
    item.exercise_id = exercise_id
    item.dose = catalogue_dose(catalogue, exercise_id, patient.level)
    await _plan_changed(uow, patient, catalogue, now)
    return old, item


async def change_dose(
    uow: UnitOfWork,
    patient: Patient,
    item_id: int,
    what: doses.DoseField,
    up: bool,
    catalogue: Catalogue,
    now: datetime,
) -> PlanItem:
    """One step more or fewer sets, repetitions or seconds of holding."""
    assert patient.id is not None
    plan = await uow.plans.for_patient(patient.id)
    item = next((item for item in plan if item.id == item_id), None)
    if item is None:
        raise GoneFromPlan
    item.dose = doses.stepped(item.dose, what, up)
    await _plan_changed(uow, patient, catalogue, now, plan)
    return item


def set_plan_lock(patient: Patient, locked: bool) -> None:
    """A locked plan is changed by the therapist only, never by the progression rules."""
    patient.plan_locked = locked
