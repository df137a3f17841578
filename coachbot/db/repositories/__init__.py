"""Repositories: load and add domain records, one per table. They never commit (the
unit of work does)."""

from coachbot.db.repositories.files import FileRepository
from coachbot.db.repositories.notices import AlertRepository, OutboxRepository
from coachbot.db.repositories.people import (
    InviteRepository,
    PatientRepository,
    TherapistRepository,
)
from coachbot.db.repositories.training import (
    PlanChangeRepository,
    PlanRepository,
    ReportRepository,
    SessionRepository,
)

__all__ = [
    "AlertRepository",
    "FileRepository",
    "InviteRepository",
    "OutboxRepository",
    "PatientRepository",
    "PlanChangeRepository",
    "PlanRepository",
    "ReportRepository",
    "SessionRepository",
    "TherapistRepository",
]
