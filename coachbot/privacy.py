"""A patient's own data: everything stored about them, to take away or to erase."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from coachbot.db.uow import UnitOfWork
from coachbot.domain.model import Dose, Patient


async def export_patient(uow: UnitOfWork, patient: Patient) -> dict[str, Any]:
    """Everything stored about the patient, as plain JSON-ready data."""
    assert patient.id is not None
    sessions = await uow.sessions.for_patient(patient.id)
    reports = {report.session_id: report for report in await uow.reports.for_patient(patient.id)}
    return {
        "patient": _plain(
            patient,
            exclude={"id", "therapist_id"},
        )
        | {"has_therapist": patient.therapist_id is not None},
        "plan": [
            _plain(item, exclude={"id", "patient_id"})
            for item in await uow.plans.for_patient(patient.id)
        ],
        "sessions": [
            _plain(session, exclude={"id", "patient_id", "lease_until", "exercises"})
            | {
                "exercises": [
                    {"exercise_id": item.exercise_id} | _plain(item.dose)
                    for item in session.exercises
                ],
                "report": _plain(
                    reports[session.id], exclude={"id", "session_id", "morning_due_at"}
                )
                if session.id in reports
                else None,
            }
            for session in sessions
        ],
        "alerts": [
            _plain(alert, exclude={"id", "patient_id"})
            for alert in await uow.alerts.for_patient(patient.id)
        ],
        "plan_changes": [
            _plain(change, exclude={"id", "patient_id", "changes"})
            | {
                "changes": [
                    {
                        "exercise_id": c.exercise_id,
                        "before": _plain(c.before),
                        "after": _plain(c.after),
                        "new_exercise_id": c.new_exercise_id,
                    }
                    for c in change.changes
                ]
            }
            for change in await uow.plan_changes.for_patient(patient.id)
        ],
    }


async def delete_patient(uow: UnitOfWork, patient: Patient) -> None:
    """Erase the patient and every row about them, with the messages queued for their
    chat (a next-morning check must not greet someone who asked to be forgotten)."""
    await uow.outbox.forget_chat(patient.chat_id)
    await uow.patients.delete(patient)


def _plain(record: object, exclude: set[str] | None = None) -> dict[str, Any]:
    fields = getattr(record, "__dataclass_fields__", {})
    result: dict[str, Any] = {}
    for name in fields:
        if exclude and name in exclude:
            continue
        value = getattr(record, name)
        if isinstance(value, datetime | date | time):
            value = value.isoformat()
        elif isinstance(value, Dose):
            value = _plain(value)
        result[name] = value
    return result
