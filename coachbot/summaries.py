"""When each therapist's adherence summary is due, and moving it on once it is queued."""

from __future__ import annotations

from datetime import datetime, time

from coachbot.db.uow import UnitOfWork
from coachbot.domain import schedule
from coachbot.domain.model import Therapist
from coachbot.domain.vocabulary import SummaryFrequency


def next_summary(therapist: Therapist, now: datetime) -> datetime | None:
    if therapist.summary_frequency == SummaryFrequency.OFF:
        return None
    weekday = (
        therapist.summary_weekday
        if therapist.summary_frequency == SummaryFrequency.WEEKLY
        else None
    )
    return schedule.next_summary_at(now, therapist.timezone, therapist.summary_time, weekday)


def set_summary_schedule(
    therapist: Therapist,
    now: datetime,
    *,
    frequency: SummaryFrequency | None = None,
    at: time | None = None,
    weekday: int | None = None,
    timezone: str | None = None,
) -> None:
    """The therapist's choice of how often, when and in which zone."""
    if frequency is not None:
        therapist.summary_frequency = frequency
    if at is not None:
        therapist.summary_time = at
    if weekday is not None:
        therapist.summary_weekday = weekday % 7
    if timezone is not None:
        therapist.timezone = timezone
    therapist.next_summary_at = next_summary(therapist, now)


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
