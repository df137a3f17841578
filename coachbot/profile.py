"""A patient's profile after enrolment: conditions, equipment and level, changed by the
patient (/settings) or their therapist (the card), with the plan fitted to it at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeVar

from catalogue.loader import Catalogue
from coachbot import surgery
from coachbot.db.uow import UnitOfWork
from coachbot.domain.model import Patient
from coachbot.domain.vocabulary import Actor, Condition, Equipment, Level
from coachbot.plans import Refitted, refit


@dataclass(frozen=True)
class ProfileChange:
    """What a change of profile changed (each list in vocabulary order) and did to the plan."""

    by: Actor
    conditions_added: list[Condition] = field(default_factory=list)
    conditions_removed: list[Condition] = field(default_factory=list)
    equipment_added: list[Equipment] = field(default_factory=list)
    equipment_removed: list[Equipment] = field(default_factory=list)
    level: Level | None = None  # the new level, if it changed
    plan: Refitted = field(default_factory=Refitted)

    @property
    def changed(self) -> bool:
        return bool(
            self.conditions_added
            or self.conditions_removed
            or self.equipment_added
            or self.equipment_removed
            or self.level
        )

    @property
    def operation_added(self) -> bool:
        """The surgery questions are to be asked (date, clearance)."""
        return Condition.AFTER_SURGERY in self.conditions_added


W = TypeVar("W", Condition, Equipment)


def _in_order(words: type[W], chosen: set[W]) -> list[W]:
    return [word for word in words if word in chosen]


async def change_profile(
    uow: UnitOfWork,
    patient: Patient,
    catalogue: Catalogue,
    now: datetime,
    *,
    by: Actor,
    conditions: Sequence[Condition] | None = None,
    equipment: Sequence[Equipment] | None = None,
    level: Level | None = None,
) -> ProfileChange:
    """Set what is given (None: unchanged) and fit the plan to it: exercises now unsuitable
    or needing equipment the patient no longer has make way for allowed ones, a new level
    brings its doses to the items the therapist has not locked. An operation newly among
    the conditions starts before clearance, so nothing waiting for it enters the plan."""
    old_conditions, old_equipment = set(patient.conditions), set(patient.equipment)
    new_conditions = old_conditions if conditions is None else set(conditions)
    new_equipment = old_equipment if equipment is None else set(equipment)
    new_level = level if level is not None and level != patient.level else None
    change = ProfileChange(
        by=by,
        conditions_added=_in_order(Condition, new_conditions - old_conditions),
        conditions_removed=_in_order(Condition, old_conditions - new_conditions),
        equipment_added=_in_order(Equipment, new_equipment - old_equipment),
        equipment_removed=_in_order(Equipment, old_equipment - new_equipment),
        level=new_level,
    )
    if not change.changed:
        return change
    patient.conditions = _in_order(Condition, new_conditions)
    patient.equipment = _in_order(Equipment, new_equipment)
    if new_level is not None:
        patient.level = new_level
    if change.operation_added or Condition.AFTER_SURGERY in change.conditions_removed:
        surgery.forget(patient)
    fitted = await refit(uow, patient, catalogue, now, new_level=new_level is not None)
    return replace(change, plan=fitted)
