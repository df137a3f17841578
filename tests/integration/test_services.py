"""Use cases against a real, migrated SQLite file and the real catalogue."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from catalogue.loader import Catalogue
from coachbot import access, delivery, enrolment, pauses, privacy, reports
from coachbot import alerts as alert_cases
from coachbot import sessions as daily
from coachbot.db.uow import SessionFactory, UnitOfWork
from coachbot.domain.errors import (
    AlreadyReported,
    NotEnrolled,
    NotYours,
    SessionClosed,
    TrainingStopped,
)
from coachbot.domain.model import Outgoing, Patient, Session
from coachbot.domain.pain import Light
from coachbot.domain.planning import COOL_DOWN, WARM_UP
from coachbot.domain.vocabulary import (
    AlertKind,
    Language,
    Level,
    OutboxPurpose,
    Outcome,
    PatientStatus,
    RedFlag,
    SessionState,
)

Enrol = Callable[..., Awaitable[Patient]]
Count = Callable[..., Awaitable[int]]

# Monday 23 November 2026, 08:00 UTC = 09:00 in Berlin, 03:00 in New York.
MONDAY = date(2026, 11, 23)
MORNING = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
# 18:00 in Berlin on that Monday, when the session is due.
DUE = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
ANNA = 1001
BERND = 1002


async def sessions_of(factory: SessionFactory, patient_id: int) -> list[Session]:
    async with UnitOfWork(factory) as uow:
        return list(await uow.sessions.for_patient(patient_id))


async def reload(factory: SessionFactory, user_id: int) -> Patient | None:
    async with UnitOfWork(factory) as uow:
        return await uow.patients.by_user(user_id)


async def report_outcome(
    factory: SessionFactory, user_id: int, session_id: int, outcome: Outcome, now: datetime
) -> Session:
    async with UnitOfWork(factory) as uow:
        session = await reports.record_outcome(
            uow, await access.patient_of(uow, user_id), session_id, outcome, now
        )
        await uow.commit()
        return session


async def first_session_id(factory: SessionFactory, patient: Patient) -> int:
    assert patient.id is not None
    found = await sessions_of(factory, patient.id)
    assert found and found[0].id is not None
    return found[0].id


# --- enrolment ------------------------------------------------------------------------


async def test_consent_creates_the_patient(sessions: SessionFactory, count: Count) -> None:
    async with UnitOfWork(sessions) as uow:
        patient = await enrolment.consent(
            uow,
            telegram_user_id=ANNA,
            chat_id=5001,
            language=Language.DE,
            timezone="Europe/Berlin",
            first_step="onboarding:level",
            now=MORNING,
        )
        await uow.commit()
    stored = await reload(sessions, ANNA)
    assert stored is not None and stored.id == patient.id
    assert (stored.chat_id, stored.language, stored.timezone) == (5001, "de", "Europe/Berlin")
    assert stored.status == PatientStatus.ONBOARDING
    assert stored.step == "onboarding:level"
    assert stored.consent_at == MORNING
    assert await count("SELECT count(*) FROM session") == 0


async def test_consent_twice_returns_the_same_record_and_wipes_nothing(
    sessions: SessionFactory, enrol: Enrol, count: Count
) -> None:
    anna = await enrol(ANNA, timezone="Europe/Berlin", language="de")
    plan_rows = await count("SELECT count(*) FROM plan_item WHERE patient_id = :p", p=anna.id)
    assert plan_rows > 0

    async with UnitOfWork(sessions) as uow:
        again = await enrolment.consent(
            uow,
            telegram_user_id=ANNA,
            chat_id=999,
            language=Language.EN,
            timezone="America/New_York",
            first_step="onboarding:level",
            now=MORNING + timedelta(days=3),
        )
        await uow.commit()

    assert again.id == anna.id
    stored = await reload(sessions, ANNA)
    assert stored is not None
    assert stored.status == PatientStatus.ACTIVE
    assert (stored.chat_id, stored.language, stored.timezone) == (ANNA * 10, "de", "Europe/Berlin")
    assert stored.consent_at == MORNING
    assert await count("SELECT count(*) FROM patient") == 1
    assert await count("SELECT count(*) FROM plan_item WHERE patient_id = :p", p=anna.id) == (
        plan_rows
    )
    assert await count("SELECT count(*) FROM session WHERE patient_id = :p", p=anna.id) == 1


@pytest.mark.parametrize(
    ("zone", "now", "local_day", "due"),
    [
        # Berlin, 09:00: today at 18:00 CET.
        ("Europe/Berlin", MORNING, MONDAY, DUE),
        # Berlin, 19:00: too late for today, tomorrow at 18:00.
        (
            "Europe/Berlin",
            datetime(2026, 11, 23, 18, 0, tzinfo=UTC),
            date(2026, 11, 24),
            datetime(2026, 11, 24, 17, 0, tzinfo=UTC),
        ),
        # New York, 03:00 local: today at 18:00 EST = 23:00 UTC.
        ("America/New_York", MORNING, MONDAY, datetime(2026, 11, 23, 23, 0, tzinfo=UTC)),
        # Berlin in summer: 18:00 CEST = 16:00 UTC.
        (
            "Europe/Berlin",
            datetime(2026, 7, 1, 8, 0, tzinfo=UTC),
            date(2026, 7, 1),
            datetime(2026, 7, 1, 16, 0, tzinfo=UTC),
        ),
    ],
)
async def test_finish_enrolment_plans_one_session_at_the_local_prompt_time(
    sessions: SessionFactory,
    enrol: Enrol,
    catalogue: Catalogue,
    zone: str,
    now: datetime,
    local_day: date,
    due: datetime,
) -> None:
    anna = await enrol(ANNA, now=now, timezone=zone)
    assert anna.id is not None
    stored = await reload(sessions, ANNA)
    assert stored is not None and stored.status == PatientStatus.ACTIVE and stored.step is None

    async with UnitOfWork(sessions) as uow:
        plan = await uow.plans.for_patient(anna.id)
    assert [item.position for item in plan] == list(range(len(plan)))
    assert catalogue.exercises[plan[0].exercise_id].kinds[0] == WARM_UP
    assert catalogue.exercises[plan[-1].exercise_id].kinds[0] == COOL_DOWN
    for item in plan:
        dose = catalogue.exercises[item.exercise_id].doses[Level.BEGINNER]
        assert (item.sets, item.reps, item.hold_seconds) == (
            dose.sets,
            dose.reps,
            dose.hold_seconds,
        )

    (session,) = await sessions_of(sessions, anna.id)
    assert session.state == SessionState.PLANNED
    assert session.local_date == local_day
    assert session.due_at == due
    assert 3 <= len(session.exercises) <= 5
    assert {e.exercise_id for e in session.exercises} <= {item.exercise_id for item in plan}
    assert session.lesson_id == "how_the_spine_works"  # the course starts at its first lesson
    assert session.relaxation_id is not None


async def test_plan_respects_conditions_and_equipment(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue
) -> None:
    anna = await enrol(
        ANNA, conditions=["after_surgery", "herniated_disc"], equipment=["exercise_ball"]
    )
    assert anna.id is not None
    async with UnitOfWork(sessions) as uow:
        plan = await uow.plans.for_patient(anna.id)
    for item in plan:
        exercise = catalogue.exercises[item.exercise_id]
        assert not {"after_surgery", "herniated_disc"} & set(exercise.unsuitable)
        assert set(exercise.equipment) <= {"exercise_ball"}


# --- reports --------------------------------------------------------------------------


async def test_second_outcome_is_already_reported_and_one_report_is_stored(
    sessions: SessionFactory, enrol: Enrol, count: Count
) -> None:
    anna = await enrol(ANNA)
    session_id = await first_session_id(sessions, anna)

    done = await report_outcome(sessions, ANNA, session_id, Outcome.DONE, DUE)
    assert done.state == SessionState.DONE
    with pytest.raises(AlreadyReported):
        await report_outcome(
            sessions, ANNA, session_id, Outcome.SKIPPED, DUE + timedelta(minutes=1)
        )

    assert await count("SELECT count(*) FROM report") == 1
    assert await count("SELECT count(*) FROM report WHERE outcome = 'done'") == 1
    async with UnitOfWork(sessions) as uow:
        stored = await uow.sessions.get(session_id)
    assert stored is not None and stored.state == SessionState.DONE


async def test_yesterdays_session_is_closed(
    sessions: SessionFactory, enrol: Enrol, count: Count
) -> None:
    anna = await enrol(ANNA)
    session_id = await first_session_id(sessions, anna)
    # Tuesday 00:30 in Berlin: Monday's session cannot be reported any more.
    with pytest.raises(SessionClosed):
        await report_outcome(
            sessions, ANNA, session_id, Outcome.DONE, datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
        )
    assert await count("SELECT count(*) FROM report") == 0


async def test_late_evening_report_is_still_today_in_the_patients_zone(
    sessions: SessionFactory, enrol: Enrol, count: Count
) -> None:
    # 23:30 Monday in New York is already Tuesday in UTC.
    bernd = await enrol(BERND, timezone="America/New_York")
    session_id = await first_session_id(sessions, bernd)
    late = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)
    await report_outcome(sessions, BERND, session_id, Outcome.PARTLY, late)
    assert await count("SELECT count(*) FROM report WHERE outcome = 'partly'") == 1


async def test_another_users_session_is_not_yours(
    sessions: SessionFactory, enrol: Enrol, count: Count
) -> None:
    anna = await enrol(ANNA)
    await enrol(BERND)
    annas_session = await first_session_id(sessions, anna)
    with pytest.raises(NotYours):
        await report_outcome(sessions, BERND, annas_session, Outcome.DONE, DUE)
    with pytest.raises(NotYours):
        await report_outcome(sessions, BERND, 987654, Outcome.DONE, DUE)
    assert await count("SELECT count(*) FROM report") == 0


async def test_a_stranger_is_not_enrolled(sessions: SessionFactory, enrol: Enrol) -> None:
    anna = await enrol(ANNA)
    with pytest.raises(NotEnrolled):
        await report_outcome(
            sessions, 4242, await first_session_id(sessions, anna), Outcome.DONE, DUE
        )


async def record_pain(factory: SessionFactory, user_id: int, session_id: int, pain: int) -> Light:
    async with UnitOfWork(factory) as uow:
        result = await reports.record_pain(
            uow, await access.patient_of(uow, user_id), session_id, pain, DUE
        )
        await uow.commit()
        return result.light


@pytest.mark.parametrize(
    ("baseline", "pain", "kinds", "light"),
    [
        # Judged against the usual pain given at enrolment; one alert at most.
        (None, 8, ["pain_rise"], Light.RED),
        (3, 6, ["pain_rise"], Light.AMBER),
        (3, 8, ["pain_rise"], Light.RED),
        (7, 9, ["pain_rise"], Light.AMBER),  # severe pain, two above a high usual
        (7, 7, [], Light.GREEN),  # a chronic patient's usual pain is no alert
        (3, 5, [], Light.GREEN),
        (None, 2, [], Light.GREEN),
    ],
)
async def test_record_pain_raises_alerts(
    sessions: SessionFactory,
    enrol: Enrol,
    count: Count,
    baseline: int | None,
    pain: int,
    kinds: list[str],
    light: Light,
) -> None:
    anna = await enrol(ANNA, baseline_pain=baseline)
    assert anna.id is not None
    session_id = await first_session_id(sessions, anna)
    await report_outcome(sessions, ANNA, session_id, Outcome.DONE, DUE)

    assert await record_pain(sessions, ANNA, session_id, pain) == light

    async with UnitOfWork(sessions) as uow:
        alerts = await uow.alerts.for_patient(anna.id)
        report = await uow.reports.for_session(session_id)
    assert sorted(alert.kind for alert in alerts) == kinds
    assert all(alert.created_at == DUE and alert.seen_at is None for alert in alerts)
    assert report is not None and report.pain_after == pain
    # A second answer changes nothing.
    with pytest.raises(AlreadyReported):
        await record_pain(sessions, ANNA, session_id, 0)
    assert await count("SELECT count(*) FROM alert") == len(kinds)


async def test_pain_before_an_outcome_is_refused(
    sessions: SessionFactory, enrol: Enrol, count: Count
) -> None:
    anna = await enrol(ANNA)
    session_id = await first_session_id(sessions, anna)
    with pytest.raises(SessionClosed):
        await record_pain(sessions, ANNA, session_id, 9)
    assert await count("SELECT count(*) FROM alert") == 0


# --- safety, pause ----------------------------------------------------------------------


async def test_red_flag_stops_training_and_alerts(
    sessions: SessionFactory, enrol: Enrol, count: Count
) -> None:
    anna = await enrol(ANNA)
    assert anna.id is not None
    session_id = await first_session_id(sessions, anna)
    async with UnitOfWork(sessions) as uow:
        patient = await uow.patients.by_user(ANNA)
        assert patient is not None
        await alert_cases.stop_for_red_flag(uow, patient, RedFlag.CAUDA_EQUINA, MORNING)
        await uow.commit()

    stored = await reload(sessions, ANNA)
    assert stored is not None and stored.status == PatientStatus.STOPPED
    async with UnitOfWork(sessions) as uow:
        alerts = await uow.alerts.for_patient(anna.id)
    assert [(a.kind, a.red_flag) for a in alerts] == [(AlertKind.RED_FLAG, "cauda_equina")]
    assert [s.state for s in await sessions_of(sessions, anna.id)] == [SessionState.EXCUSED]
    # Nothing can be reported while training is stopped.
    with pytest.raises(TrainingStopped):
        await report_outcome(sessions, ANNA, session_id, Outcome.DONE, DUE)
    assert await count("SELECT count(*) FROM report") == 0


async def test_pause_drops_unsent_sessions_and_resume_plans_the_next(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue
) -> None:
    anna = await enrol(ANNA)
    assert anna.id is not None
    async with UnitOfWork(sessions) as uow:
        await pauses.pause(uow, await access.patient_of(uow, ANNA), date(2026, 11, 30), MORNING)
        await uow.commit()

    stored = await reload(sessions, ANNA)
    assert stored is not None
    assert (stored.status, stored.paused_until) == (PatientStatus.PAUSED, date(2026, 11, 30))
    # Today's session had not gone out yet: it is dropped, not counted.
    assert await sessions_of(sessions, anna.id) == []

    # Resumed on Wednesday morning: Wednesday's session at 18:00 Berlin.
    wednesday = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    async with UnitOfWork(sessions) as uow:
        patient = await uow.patients.by_user(ANNA)
        assert patient is not None
        await pauses.resume(uow, patient, catalogue, wednesday)
        await uow.commit()

    stored = await reload(sessions, ANNA)
    assert stored is not None
    assert (stored.status, stored.paused_until) == (PatientStatus.ACTIVE, None)
    found = await sessions_of(sessions, anna.id)
    assert [(s.local_date, s.state) for s in found] == [
        (date(2026, 11, 25), SessionState.PLANNED),
    ]
    assert found[0].due_at == datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


async def test_resume_the_same_evening_brings_tomorrows_session(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue
) -> None:
    anna = await enrol(ANNA)
    assert anna.id is not None
    session_id = await first_session_id(sessions, anna)
    async with UnitOfWork(sessions) as uow:
        await daily.mark_sent(uow, session_id, 77, catalogue, DUE)
        await uow.commit()
    async with UnitOfWork(sessions) as uow:
        await pauses.pause(uow, await access.patient_of(uow, ANNA), None, DUE + timedelta(hours=1))
        await uow.commit()
    async with UnitOfWork(sessions) as uow:
        patient = await uow.patients.by_user(ANNA)
        assert patient is not None
        await pauses.resume(uow, patient, catalogue, DUE + timedelta(hours=2))
        await uow.commit()

    planned = [
        s.local_date
        for s in await sessions_of(sessions, anna.id)
        if s.state == SessionState.PLANNED
    ]
    assert planned == [date(2026, 11, 24)]


async def test_pause_excuses_todays_sent_session(
    sessions: SessionFactory, enrol: Enrol, catalogue: Catalogue
) -> None:
    anna = await enrol(ANNA)
    assert anna.id is not None
    session_id = await first_session_id(sessions, anna)
    async with UnitOfWork(sessions) as uow:
        await daily.mark_sent(uow, session_id, 77, catalogue, DUE)
        await uow.commit()
    async with UnitOfWork(sessions) as uow:
        await pauses.pause(
            uow, await access.patient_of(uow, ANNA), None, DUE + timedelta(minutes=5)
        )
        await uow.commit()
    found = await sessions_of(sessions, anna.id)
    # Today's, already received, is excused; tomorrow's, not sent yet, is dropped.
    assert [(s.local_date, s.state) for s in found] == [(MONDAY, SessionState.EXCUSED)]


# --- privacy ----------------------------------------------------------------------------


async def reported_day(factory: SessionFactory, enrol: Enrol, user_id: int) -> Patient:
    """A patient with one reported session (done, pain 8) and so one alert."""
    patient = await enrol(user_id, baseline_pain=4)
    session_id = await first_session_id(factory, patient)
    await report_outcome(factory, user_id, session_id, Outcome.DONE, DUE)
    await record_pain(factory, user_id, session_id, 8)
    return patient


async def test_export_contains_reports_and_alerts_as_json(
    sessions: SessionFactory, enrol: Enrol
) -> None:
    await reported_day(sessions, enrol, ANNA)
    await reported_day(sessions, enrol, BERND)
    async with UnitOfWork(sessions) as uow:
        exported = await privacy.export_patient(uow, await access.patient_of(uow, ANNA))

    text = json.dumps(exported)
    data = json.loads(text)
    assert data["patient"]["telegram_user_id"] == ANNA
    assert data["patient"]["timezone"] == "Europe/Berlin"
    assert data["patient"]["prompt_time"] == "18:00:00"
    assert data["patient"]["has_therapist"] is False
    assert data["plan"] and all("exercise_id" in item for item in data["plan"])
    (session,) = data["sessions"]
    assert session["local_date"] == "2026-11-23"
    assert session["state"] == "done"
    assert session["exercises"] and all("sets" in item for item in session["exercises"])
    assert session["report"]["outcome"] == "done"
    assert session["report"]["pain_after"] == 8
    assert [alert["kind"] for alert in data["alerts"]] == ["pain_rise"]
    # The alert's facts as values, as stored.
    facts = {key: data["alerts"][0][key] for key in ("pain", "days", "red_flag")}
    assert facts == {"pain": 8, "days": None, "red_flag": None}
    # Only Anna's data.
    assert str(BERND) not in text
    assert "id" not in data["patient"]


async def rows_about(count: Count, patient_id: int, session_ids: list[int]) -> dict[str, int]:
    """How many rows each table holds about the patient (reports by their session ids)."""
    sessions_list = ",".join(str(i) for i in session_ids) or "NULL"
    return {
        "patient": await count("SELECT count(*) FROM patient WHERE id = :p", p=patient_id),
        "plan_item": await count(
            "SELECT count(*) FROM plan_item WHERE patient_id = :p", p=patient_id
        ),
        "session": await count("SELECT count(*) FROM session WHERE patient_id = :p", p=patient_id),
        "report": await count(f"SELECT count(*) FROM report WHERE session_id IN ({sessions_list})"),
        "alert": await count("SELECT count(*) FROM alert WHERE patient_id = :p", p=patient_id),
    }


async def session_ids(factory: SessionFactory, patient_id: int) -> list[int]:
    return [s.id for s in await sessions_of(factory, patient_id) if s.id is not None]


async def test_delete_patient_leaves_no_row_behind(
    sessions: SessionFactory, enrol: Enrol, count: Count
) -> None:
    anna = await reported_day(sessions, enrol, ANNA)
    bernd = await reported_day(sessions, enrol, BERND)
    assert anna.id is not None and bernd.id is not None
    annas_sessions = await session_ids(sessions, anna.id)

    # Both have a next-morning check waiting to be sent.
    async with UnitOfWork(sessions) as uow:
        for check in await reports.claim_morning_checks(uow, DUE + timedelta(hours=15), 10):
            delivery.queue(
                uow,
                [Outgoing("How is your back?")],
                check.patient.chat_id,
                OutboxPurpose.MORNING,
                DUE,
            )
        await uow.commit()
    queued = "SELECT count(*) FROM outbox WHERE chat_id = :c"
    assert await count(queued, c=ANNA * 10) == await count(queued, c=BERND * 10) == 1

    before = await rows_about(count, anna.id, annas_sessions)
    assert all(before.values()), before
    bernds_rows = await rows_about(count, bernd.id, await session_ids(sessions, bernd.id))

    async with UnitOfWork(sessions) as uow:
        await privacy.delete_patient(uow, await access.patient_of(uow, ANNA))
        await uow.commit()

    assert await rows_about(count, anna.id, annas_sessions) == dict.fromkeys(before, 0)
    assert await count(queued, c=ANNA * 10) == 0  # no "good morning" to someone forgotten
    assert await count(queued, c=BERND * 10) == 1
    assert await reload(sessions, ANNA) is None
    # Bernd keeps everything.
    assert await rows_about(count, bernd.id, await session_ids(sessions, bernd.id)) == bernds_rows
    # And Anna can start again from scratch.
    again = await enrol(ANNA)
    assert again.id is not None
    assert len(await sessions_of(sessions, again.id)) == 1
