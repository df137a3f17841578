"""Plan changes on a real database: applied without a therapist, proposed with one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from catalogue.loader import Catalogue
from coachbot import access, privacy, reports
from coachbot import sessions as daily
from coachbot.db.uow import SessionFactory, UnitOfWork
from coachbot.domain.model import PlanChange, Therapist
from coachbot.domain.vocabulary import Difficulty, Outcome
from tests.integration.conftest import Enrol

MONDAY_EVENING = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)


async def report_easy_days(
    sessions: SessionFactory, catalogue: Catalogue, user_id: int, days: int, start: int = 0
) -> list[PlanChange | None]:
    """Train on `days` days from day `start` with /today: done, pain 1, easy.
    Returns the plan changes."""
    changes: list[PlanChange | None] = []
    for n in range(start, start + days):
        now = MONDAY_EVENING + timedelta(days=n)
        async with UnitOfWork(sessions) as uow:
            todays = await daily.open_today(
                uow, await access.patient_of(uow, user_id), catalogue, now
            )
            await uow.commit()
        session_id = todays.session.id or 0
        async with UnitOfWork(sessions) as uow:
            await daily.mark_sent(uow, session_id, 100 + n, catalogue, now)
            await reports.record_outcome(
                uow, await access.patient_of(uow, user_id), session_id, Outcome.DONE, now
            )
            await reports.record_pain(
                uow, await access.patient_of(uow, user_id), session_id, 1, now, catalogue
            )
            changes.append(
                await reports.record_difficulty(
                    uow,
                    await access.patient_of(uow, user_id),
                    session_id,
                    Difficulty.EASY,
                    now,
                    catalogue,
                )
            )
            await uow.commit()
    return changes


async def doses(sessions: SessionFactory, patient_id: int) -> dict[str, tuple[object, ...]]:
    async with UnitOfWork(sessions) as uow:
        items = await uow.plans.for_patient(patient_id)
    return {i.exercise_id: (i.sets, i.reps, i.hold_seconds) for i in items}


async def test_without_a_therapist_the_change_is_applied(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue
) -> None:
    patient = await enrol(1, baseline_pain=2)
    assert patient.id is not None
    before = await doses(sessions, patient.id)
    changes = await report_easy_days(sessions, catalogue, 1, 3)
    assert changes[:2] == [None, None]
    change = changes[2]
    assert change is not None and change.status == "applied"
    after = await doses(sessions, patient.id)
    assert after != before
    # The next change needs three new reports.
    assert await report_easy_days(sessions, catalogue, 1, 2, start=3) == [None, None]


async def test_with_a_therapist_the_change_is_proposed_and_the_plan_kept(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue
) -> None:
    patient = await enrol(2, baseline_pain=2)
    assert patient.id is not None
    async with UnitOfWork(sessions) as uow:
        therapist = Therapist(telegram_user_id=900, name="Dr. Weber", created_at=MONDAY_EVENING)
        uow.session.add(therapist)
        await uow.flush()
        stored = await uow.patients.get(patient.id)
        assert stored is not None
        stored.therapist_id = therapist.id
        await uow.commit()
    before = await doses(sessions, patient.id)
    changes = await report_easy_days(sessions, catalogue, 2, 3)
    change = changes[2]
    assert change is not None and change.status == "proposed"
    assert await doses(sessions, patient.id) == before
    async with UnitOfWork(sessions) as uow:
        exported = await privacy.export_patient(uow, await access.patient_of(uow, 2))
    assert exported["plan_changes"][0]["status"] == "proposed"
    assert exported["plan_changes"][0]["changes"]


async def test_variants_never_bring_unsuitable_exercises_or_missing_equipment(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue
) -> None:
    patient = await enrol(3, conditions=["after_surgery"], level="advanced", baseline_pain=1)
    assert patient.id is not None
    for week in range(8):  # many progressions: doses top out and variants are considered
        await report_easy_days(sessions, catalogue, 3, 3, start=3 * week)
    async with UnitOfWork(sessions) as uow:
        items = await uow.plans.for_patient(patient.id)
        history = await uow.plan_changes.for_patient(patient.id)
    switched = [c for change in history for c in change.changes if c.new_exercise_id]
    assert switched, "the scenario should reach variant switches"
    for item in items:
        exercise = catalogue.exercises[item.exercise_id]
        assert "after_surgery" not in exercise.unsuitable
        assert not exercise.equipment


async def test_a_report_before_the_send_is_recorded_is_kept(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue
) -> None:
    """The patient taps "Done" before the dispatcher has written down the send."""
    patient = await enrol(4)
    assert patient.id is not None
    async with UnitOfWork(sessions) as uow:
        todays = await daily.open_today(
            uow, await access.patient_of(uow, 4), catalogue, MONDAY_EVENING
        )
        await uow.commit()
    session_id = todays.session.id or 0
    async with UnitOfWork(sessions) as uow:
        await reports.record_outcome(
            uow, await access.patient_of(uow, 4), session_id, Outcome.DONE, MONDAY_EVENING
        )
        await uow.commit()
    async with UnitOfWork(sessions) as uow:
        await daily.mark_sent(uow, session_id, 42, catalogue, MONDAY_EVENING)
        await uow.commit()
    async with UnitOfWork(sessions) as uow:
        stored = await uow.sessions.get(session_id)
    assert stored is not None
    assert (stored.state, stored.sent_message_id) == ("done", 42)
