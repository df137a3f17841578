"""The therapist's use cases: a patient's card, shaping their plan, deciding proposals,
summaries and exports.

Every use case starts from the therapist's Telegram account and a patient id and
checks, in `own_patient`, that the patient is linked to that therapist: a
button or typed id naming anyone else's patient changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta

from catalogue.loader import Catalogue
from coachbot import services
from coachbot.db.uow import UnitOfWork
from coachbot.domain import planning, schedule
from coachbot.domain.errors import (
    AlreadyDecided,
    GoneFromPlan,
    InvalidChange,
    NotYours,
    StoppedForSafety,
)
from coachbot.domain.model import (
    ChangeStatus,
    Patient,
    PatientStatus,
    PlanChange,
    PlanItem,
    SummaryFrequency,
    Therapist,
)

# Dose limits a therapist's taps stay within.
SETS = (1, 6)
REPS = (1, 30)
HOLD = (5, 120)
REPS_STEP = 2
HOLD_STEP = 5
MESSAGE_LIMIT = 1000


async def own_patient(
    uow: UnitOfWork, telegram_user_id: int, patient_id: int
) -> tuple[Therapist, Patient]:
    """The therapist and their patient `patient_id`; NotYours for anyone else's."""
    therapist = await services.therapist_of(uow, telegram_user_id)
    patient = await uow.patients.get(patient_id)
    if patient is None or patient.therapist_id is None or patient.therapist_id != therapist.id:
        raise NotYours
    return therapist, patient


# --- shaping the plan ------------------------------------------------------------------


def _part(catalogue: Catalogue, exercise_id: str) -> int:
    """Where an exercise's kind sits in a session: warm-up, main kinds, cool-down."""
    exercise = catalogue.exercises.get(exercise_id)
    kind = exercise.kinds[0] if exercise else ""
    order = [planning.WARM_UP, *planning.MAIN_KINDS, planning.COOL_DOWN]
    return order.index(kind) if kind in order else len(order)


def candidates(
    catalogue: Catalogue, patient: Patient, plan: list[PlanItem], kind: str
) -> list[str]:
    """Exercises of `kind` this patient may do (conditions, equipment) and does not have."""
    present = {item.exercise_id for item in plan}
    profile = services.profile_of(patient)
    return sorted(
        exercise.id
        for exercise in catalogue.exercises.values()
        if exercise.kinds[0] == kind
        and exercise.id not in present
        and planning.allowed(exercise, profile)
    )


def _check_addable(
    catalogue: Catalogue, patient: Patient, plan: list[PlanItem], exercise_id: str
) -> None:
    exercise = catalogue.exercises.get(exercise_id)
    if exercise is None or not planning.allowed(exercise, services.profile_of(patient)):
        raise InvalidChange("not allowed for this patient")
    if any(item.exercise_id == exercise_id for item in plan):
        raise InvalidChange("already in the plan")


async def _plan_changed(
    uow: UnitOfWork, patient: Patient, catalogue: Catalogue, now: datetime
) -> None:
    """Keep the plan in session order, and let unsent sessions follow the new plan."""
    assert patient.id is not None
    items = await uow.plans.for_patient(patient.id)
    ordered = sorted(items, key=lambda item: (_part(catalogue, item.exercise_id), item.position))
    for position, item in enumerate(ordered):
        item.position = position
    await services.refresh_planned(uow, patient, catalogue, now)


async def _own_item(
    uow: UnitOfWork, telegram_user_id: int, patient_id: int, item_id: int
) -> tuple[Patient, PlanItem]:
    _therapist, patient = await own_patient(uow, telegram_user_id, patient_id)
    item = await uow.plans.get(item_id)
    if item is None or item.patient_id != patient.id:
        raise GoneFromPlan
    return patient, item


async def add_exercise(
    uow: UnitOfWork,
    telegram_user_id: int,
    patient_id: int,
    exercise_id: str,
    catalogue: Catalogue,
    now: datetime,
) -> PlanItem:
    """Add an exercise at the catalogue's dose for the patient's level."""
    _therapist, patient = await own_patient(uow, telegram_user_id, patient_id)
    plan = await uow.plans.for_patient(patient_id)
    _check_addable(catalogue, patient, plan, exercise_id)
    dose = services.catalogue_dose(catalogue, exercise_id, patient.level)
    item = PlanItem(
        patient_id=patient_id,
        exercise_id=exercise_id,
        position=len(plan) + 1000,
        sets=dose.sets,
        reps=dose.reps,
        hold_seconds=dose.hold_seconds,
        rest_seconds=dose.rest_seconds,
    )
    uow.plans.add(item)
    await uow.flush()
    await _plan_changed(uow, patient, catalogue, now)
    return item


async def remove_exercise(
    uow: UnitOfWork,
    telegram_user_id: int,
    patient_id: int,
    item_id: int,
    catalogue: Catalogue,
    now: datetime,
) -> PlanItem:
    patient, item = await _own_item(uow, telegram_user_id, patient_id, item_id)
    if len(await uow.plans.for_patient(patient_id)) <= planning.MIN_PER_DAY:
        raise InvalidChange("a plan keeps at least three exercises")
    await uow.plans.remove(item)
    await uow.flush()
    await _plan_changed(uow, patient, catalogue, now)
    return item


async def swap_exercise(
    uow: UnitOfWork,
    telegram_user_id: int,
    patient_id: int,
    item_id: int,
    exercise_id: str,
    catalogue: Catalogue,
    now: datetime,
) -> tuple[str, PlanItem]:
    """Put another exercise in an item's place; returns the old exercise id and the item."""
    patient, item = await _own_item(uow, telegram_user_id, patient_id, item_id)
    _check_addable(catalogue, patient, await uow.plans.for_patient(patient_id), exercise_id)
    if _part(catalogue, exercise_id) != _part(catalogue, item.exercise_id):
        # A swap keeps the session's shape: a warm-up for a warm-up, and so on.
        raise InvalidChange("not the same kind")
    old = item.exercise_id
    dose = services.catalogue_dose(catalogue, exercise_id, patient.level)
    item.exercise_id = exercise_id
    item.sets, item.reps = dose.sets, dose.reps
    item.hold_seconds, item.rest_seconds = dose.hold_seconds, dose.rest_seconds
    await _plan_changed(uow, patient, catalogue, now)
    return old, item


def _within(value: int, limits: tuple[int, int]) -> int:
    return min(max(value, limits[0]), limits[1])


async def change_dose(
    uow: UnitOfWork,
    telegram_user_id: int,
    patient_id: int,
    item_id: int,
    what: str,
    up: bool,
    catalogue: Catalogue,
    now: datetime,
) -> PlanItem:
    """One step more or fewer sets, repetitions or seconds of holding."""
    patient, item = await _own_item(uow, telegram_user_id, patient_id, item_id)
    sign = 1 if up else -1
    if what == "sets":
        new = _within(item.sets + sign, SETS)
        changed = new != item.sets
        item.sets = new
    elif what == "reps" and item.reps is not None:
        new = _within(item.reps + sign * REPS_STEP, REPS)
        changed = new != item.reps
        item.reps = new
    elif what == "hold" and item.hold_seconds is not None:
        new = _within(item.hold_seconds + sign * HOLD_STEP, HOLD)
        changed = new != item.hold_seconds
        item.hold_seconds = new
    else:
        raise InvalidChange("this exercise has no such dose")
    if not changed:
        raise InvalidChange("the dose is at its limit")
    await _plan_changed(uow, patient, catalogue, now)
    return item


async def set_plan_lock(
    uow: UnitOfWork, telegram_user_id: int, patient_id: int, locked: bool
) -> Patient:
    """A locked plan is changed by the therapist only, never by the progression rules."""
    _therapist, patient = await own_patient(uow, telegram_user_id, patient_id)
    patient.plan_locked = locked
    return patient


async def decide_change(
    uow: UnitOfWork,
    telegram_user_id: int,
    patient_id: int,
    change_id: int,
    accept: bool,
    catalogue: Catalogue,
    now: datetime,
) -> tuple[Patient, PlanChange]:
    """Accept (the plan changes now) or reject a proposed progression."""
    _therapist, patient = await own_patient(uow, telegram_user_id, patient_id)
    change = await uow.plan_changes.get(change_id)
    if change is None or change.patient_id != patient.id:
        raise NotYours
    if change.status != ChangeStatus.PROPOSED:
        raise AlreadyDecided
    change.status = ChangeStatus.ACCEPTED if accept else ChangeStatus.REJECTED
    change.decided_at = now
    if accept:
        await services.apply_change(uow, patient, change, catalogue, now)
    return patient, change


# --- the patient's schedule -------------------------------------------------------------


async def set_training_time(
    uow: UnitOfWork,
    telegram_user_id: int,
    patient_id: int,
    at: time,
    catalogue: Catalogue,
    now: datetime,
) -> Patient:
    _therapist, patient = await own_patient(uow, telegram_user_id, patient_id)
    patient.prompt_time = at
    await services.reschedule(uow, patient, catalogue, now)
    return patient


async def pause_patient(
    uow: UnitOfWork, telegram_user_id: int, patient_id: int, days: int | None, now: datetime
) -> Patient:
    """Pause for `days` days, or until resumed (None)."""
    _therapist, patient = await own_patient(uow, telegram_user_id, patient_id)
    if patient.status == PatientStatus.STOPPED:
        raise StoppedForSafety
    if patient.status != PatientStatus.ACTIVE:
        raise InvalidChange("only an active patient can be paused")
    today = schedule.local_date(now, patient.timezone)
    until = today + timedelta(days=days) if days else None
    return await services.pause(uow, patient.telegram_user_id, until, now)


async def resume_patient(
    uow: UnitOfWork, telegram_user_id: int, patient_id: int, catalogue: Catalogue, now: datetime
) -> Patient:
    _therapist, patient = await own_patient(uow, telegram_user_id, patient_id)
    if patient.status == PatientStatus.STOPPED:
        # Only the patient, after a doctor has cleared them, restarts (see /resume).
        raise StoppedForSafety
    if patient.status != PatientStatus.PAUSED:
        raise InvalidChange("only a paused patient can be resumed")
    await services.resume(uow, patient, catalogue, now)
    return patient


async def unlink(
    uow: UnitOfWork, telegram_user_id: int, patient_id: int, now: datetime
) -> tuple[Therapist, Patient]:
    """End the link; pending proposals lapse and the plan adapts on its own again."""
    therapist, patient = await own_patient(uow, telegram_user_id, patient_id)
    _release(patient, await uow.plan_changes.for_patient(patient_id), now)
    return therapist, patient


def _release(patient: Patient, changes: Sequence[PlanChange], now: datetime) -> None:
    """The patient goes on without a therapist: proposals lapse, progression is theirs."""
    for change in changes:
        if change.status == ChangeStatus.PROPOSED:
            change.status = ChangeStatus.REJECTED
            change.decided_at = now
    patient.therapist_id = None
    patient.plan_locked = False


async def remove_therapist(uow: UnitOfWork, therapist_id: int, now: datetime) -> bool:
    """The operator removes a therapist; their patients keep training on their own."""
    therapist = await uow.therapists.get(therapist_id)
    if therapist is None:
        return False
    for patient in await uow.patients.of_therapist(therapist_id):
        _release(patient, await uow.plan_changes.for_patient(patient.id or 0), now)
    await uow.therapists.delete(therapist)
    return True


# --- typed answers ----------------------------------------------------------------------


async def set_step(uow: UnitOfWork, telegram_user_id: int, step: str | None) -> Therapist:
    therapist = await services.therapist_of(uow, telegram_user_id)
    therapist.step = step
    return therapist


# --- summaries ----------------------------------------------------------------------------


def next_summary(therapist: Therapist, now: datetime) -> datetime | None:
    if therapist.summary_frequency == SummaryFrequency.OFF:
        return None
    weekday = (
        therapist.summary_weekday
        if therapist.summary_frequency == SummaryFrequency.WEEKLY
        else None
    )
    return schedule.next_summary_at(now, therapist.timezone, therapist.summary_time, weekday)


async def set_summary_schedule(
    uow: UnitOfWork,
    telegram_user_id: int,
    now: datetime,
    *,
    frequency: str | None = None,
    at: time | None = None,
    weekday: int | None = None,
    timezone: str | None = None,
) -> Therapist:
    therapist = await services.therapist_of(uow, telegram_user_id)
    if frequency is not None:
        therapist.summary_frequency = SummaryFrequency(frequency)
    if at is not None:
        therapist.summary_time = at
    if weekday is not None:
        therapist.summary_weekday = weekday % 7
    if timezone is not None:
        therapist.timezone = timezone
    therapist.next_summary_at = next_summary(therapist, now)
    return therapist


async def due_summaries(uow: UnitOfWork, now: datetime, limit: int) -> list[Therapist]:
    """Therapists whose scheduled summary is due (and a schedule for those without one)."""
    for therapist in await uow.therapists.unscheduled():
        therapist.next_summary_at = next_summary(therapist, now)
    return list(await uow.therapists.due_summaries(now, limit))


async def move_summary_on(uow: UnitOfWork, therapist_id: int, due: datetime, now: datetime) -> bool:
    """Move the therapist's schedule past the summary due at `due`; False if another
    dispatcher already did (so each summary is queued once)."""
    therapist = await uow.therapists.get(therapist_id, lock=True)
    if therapist is None or therapist.next_summary_at != due:
        return False
    therapist.next_summary_at = next_summary(therapist, now)
    return True
