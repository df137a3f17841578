"""The plan follows the reports: easier or harder by the rules of
`domain.progression`, at once without a therapist, proposed to one otherwise.
"""

from __future__ import annotations

from datetime import datetime

from catalogue.loader import Catalogue
from coachbot.db.uow import UnitOfWork
from coachbot.domain import pain, planning, progression
from coachbot.domain.errors import AlreadyDecided, NotYours
from coachbot.domain.model import ExerciseChange, Patient, PlanChange, Report
from coachbot.domain.vocabulary import ChangeStatus, Direction, Reason
from coachbot.plans import catalogue_dose
from coachbot.sessions import refresh_planned


async def review_progress(
    uow: UnitOfWork, patient: Patient, catalogue: Catalogue, now: datetime
) -> PlanChange | None:
    """Apply the progression rules to the reports since the last change.

    Without a therapist the change is made at once; with one it is proposed
    and waits for the therapist. A plan the therapist locked, and locked plan
    items, never change.
    """
    assert patient.id is not None
    if patient.plan_locked:
        return None
    last = await uow.plan_changes.latest(patient.id)
    reports = await uow.reports.recent(
        patient.id, last.created_at if last else None, progression.WINDOW
    )
    feedback = [
        progression.Feedback(r.outcome, r.pain_after, r.difficulty, r.morning) for r in reports
    ]
    usual = pain.usual_of(patient.baseline_pain, patient.usual_pain)
    direction, reason = progression.decide(feedback, usual)
    return await _change(uow, patient, catalogue, now, direction, reason)


async def review_after_morning(
    uow: UnitOfWork, patient: Patient, report: Report, catalogue: Catalogue, now: datetime
) -> PlanChange | None:
    """A morning worse than usual: the plan is made easier, unless that already happened
    after the session it follows (one step back per bad morning, not two)."""
    assert patient.id is not None
    if patient.plan_locked:
        return None
    last = await uow.plan_changes.latest(patient.id)
    if last is None or last.created_at < report.received_at:
        # The session is in the window of reports since the last change.
        return await review_progress(uow, patient, catalogue, now)
    direction, reason = progression.after_worse_morning(last.direction)
    return await _change(uow, patient, catalogue, now, direction, reason)


async def _change(
    uow: UnitOfWork,
    patient: Patient,
    catalogue: Catalogue,
    now: datetime,
    direction: Direction,
    reason: Reason,
) -> PlanChange | None:
    """Every unlocked exercise one step in `direction`: made, or proposed to the therapist."""
    assert patient.id is not None
    if direction is Direction.HOLD:
        return None
    changes: list[ExerciseChange] = []
    profile = planning.profile_of(patient)
    for item in await uow.plans.for_patient(patient.id):
        exercise = catalogue.exercises.get(item.exercise_id)
        if item.locked or exercise is None:
            continue
        moved = progression.step(item.dose, direction, exercise.easier, exercise.harder)
        if moved is None:
            continue
        after = moved.dose
        if moved.variant is not None:
            variant = catalogue.exercises.get(moved.variant)
            # A variant must be as safe and as possible for this patient as any pick.
            if variant is None or not planning.allowed(variant, profile):
                continue
            after = catalogue_dose(catalogue, moved.variant, patient.level)
        changes.append(ExerciseChange(item.exercise_id, item.dose, after, moved.variant))
    if not changes:
        return None
    change = PlanChange(
        patient_id=patient.id,
        created_at=now,
        direction=direction,
        reason=reason,
        status=ChangeStatus.PROPOSED if patient.therapist_id else ChangeStatus.APPLIED,
        changes=changes,
    )
    uow.plan_changes.add(change)
    if change.status == ChangeStatus.APPLIED:
        await apply_change(uow, patient, change, catalogue, now)
    return change


async def apply_change(
    uow: UnitOfWork, patient: Patient, change: PlanChange, catalogue: Catalogue, now: datetime
) -> None:
    """Write a plan change into the plan; the next planned session follows it."""
    assert patient.id is not None
    by_exercise = {c.exercise_id: c for c in change.changes}
    for item in await uow.plans.for_patient(patient.id):
        moved = by_exercise.get(item.exercise_id)
        if moved is None or item.dose != moved.before:
            # Changed by hand since the proposal was made: the therapist's dose stands.
            continue
        item.exercise_id = moved.new_exercise_id or item.exercise_id
        item.dose = moved.after
    await refresh_planned(uow, patient, catalogue, now)


async def decide_change(
    uow: UnitOfWork,
    patient: Patient,
    change_id: int,
    accept: bool,
    catalogue: Catalogue,
    now: datetime,
) -> PlanChange:
    """The therapist accepts (the plan changes now) or rejects a proposed change."""
    change = await uow.plan_changes.get(change_id)
    if change is None or change.patient_id != patient.id:
        raise NotYours
    if change.status != ChangeStatus.PROPOSED:
        raise AlreadyDecided
    change.status = ChangeStatus.ACCEPTED if accept else ChangeStatus.REJECTED
    change.decided_at = now
    if accept:
        await apply_change(uow, patient, change, catalogue, now)
    return change
