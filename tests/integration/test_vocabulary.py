"""The domain's words in the database: each stored as its plain value (what the rows held
before the columns had types), and read back as its member, by the ORM and by the
read side's own queries alike."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy import text

from coachbot import therapists, views
from coachbot.db.uow import SessionFactory, UnitOfWork
from coachbot.domain.model import Alert, OutboxMessage, Patient, PlanChange, Report
from coachbot.domain.vocabulary import (
    AlertKind,
    ChangeStatus,
    Condition,
    Difficulty,
    Direction,
    Equipment,
    Language,
    Level,
    OutboxPurpose,
    OutboxState,
    Outcome,
    PatientStatus,
    Reason,
    RedFlag,
    SessionState,
    SummaryFrequency,
)

Enrol = Callable[..., Awaitable[Patient]]
MONDAY_MORNING = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ANNA = 1001
CHAT = 4242


async def test_words_are_stored_as_their_values_and_read_back_as_members(
    sessions: SessionFactory, enrol: Enrol
) -> None:
    now = MONDAY_MORNING
    anna = await enrol(
        ANNA,
        conditions=["after_surgery", "herniated_disc"],
        equipment=["exercise_ball"],
        level="advanced",
        language="de",
    )
    assert anna.id is not None
    async with UnitOfWork(sessions) as uow:
        therapist = await therapists.add_therapist(uow, "Dr. Weber", now)
        therapist.summary_frequency = SummaryFrequency.DAILY
        [session] = await uow.sessions.for_patient(anna.id)
        session.state = SessionState.PARTLY
        assert session.id is not None
        uow.reports.add(
            Report(
                session_id=session.id,
                outcome=Outcome.PARTLY,
                received_at=now,
                pain_after=3,
                difficulty=Difficulty.UNANSWERED,
            )
        )
        uow.alerts.add(Alert(anna.id, AlertKind.RED_FLAG, now, red_flag=RedFlag.TRAUMA))
        uow.plan_changes.add(
            PlanChange(anna.id, now, Direction.REGRESS, Reason.TOO_HARD, ChangeStatus.PROPOSED)
        )
        uow.outbox.add(
            OutboxMessage(
                CHAT, OutboxPurpose.SUMMARY, now, text="hello", state=OutboxState.UNCERTAIN
            )
        )
        await uow.commit()
        therapist_id = therapist.id

    # The rows hold the plain values.
    stored = {
        "SELECT language, summary_frequency FROM therapist": ("en", "daily"),
        "SELECT language, status, level FROM patient": ("de", "active", "advanced"),
        "SELECT state FROM session": ("partly",),
        "SELECT outcome, difficulty FROM report": ("partly", "unanswered"),
        "SELECT kind, red_flag FROM alert": ("red_flag", "trauma"),
        "SELECT direction, reason, status FROM plan_change": ("regress", "too_hard", "proposed"),
        "SELECT purpose, state FROM outbox": ("summary", "uncertain"),
    }
    async with UnitOfWork(sessions) as uow:
        for query, expected in stored.items():
            row = (await uow.session.execute(text(query))).one()
            assert tuple(row) == expected, query
            assert all(type(value) is str for value in row), query
        [lists] = (
            await uow.session.execute(
                text("SELECT CAST(conditions AS TEXT), CAST(equipment AS TEXT) FROM patient")
            )
        ).all()
        assert [value.replace(" ", "") for value in lists] == [
            '["after_surgery","herniated_disc"]',
            '["exercise_ball"]',
        ]

    # And come back as members.
    async with UnitOfWork(sessions) as uow:
        assert therapist_id is not None
        weber = await uow.therapists.get(therapist_id)
        patient = await uow.patients.get(anna.id)
        [session] = await uow.sessions.for_patient(anna.id)
        report = await uow.reports.for_session(session.id or 0)
        [alert] = await uow.alerts.for_patient(anna.id)
        [change] = await uow.plan_changes.for_patient(anna.id)
        [message] = await uow.outbox.for_chat(CHAT)
        progress = await views.progress(uow, anna, now)
    assert weber is not None and patient is not None and report is not None
    members = [
        (weber.language, Language.EN),
        (weber.summary_frequency, SummaryFrequency.DAILY),
        (patient.language, Language.DE),
        (patient.status, PatientStatus.ACTIVE),
        (patient.level, Level.ADVANCED),
        (session.state, SessionState.PARTLY),
        (report.outcome, Outcome.PARTLY),
        (report.difficulty, Difficulty.UNANSWERED),
        (alert.kind, AlertKind.RED_FLAG),
        (alert.red_flag, RedFlag.TRAUMA),
        (change.direction, Direction.REGRESS),
        (change.reason, Reason.TOO_HARD),
        (change.status, ChangeStatus.PROPOSED),
        (message.purpose, OutboxPurpose.SUMMARY),
        (message.state, OutboxState.UNCERTAIN),
        # The read side's own queries (Core, not the ORM) too.
        (progress.days[-1].state, SessionState.PARTLY),
    ]
    for value, member in members:
        assert value is member
    assert patient.conditions == [Condition.AFTER_SURGERY, Condition.HERNIATED_DISC]
    assert all(type(condition) is Condition for condition in patient.conditions)
    assert patient.equipment == [Equipment.EXERCISE_BALL]
    assert type(patient.equipment[0]) is Equipment
