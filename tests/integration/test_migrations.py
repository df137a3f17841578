"""The Alembic migrations build exactly the schema the code maps (on every backend), on a
tuned SQLite."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from coachbot.db.engine import BUSY_TIMEOUT_MS, create_engine
from coachbot.db.migrate import alembic_config, upgrade
from coachbot.db.tables import metadata


def sqlite_path(url: str) -> str:
    database = make_url(url).database
    assert database
    return database


def _compare(connection: sa.Connection) -> tuple[list[Any], set[str]]:
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "render_as_batch": connection.dialect.name == "sqlite"},
    )
    return compare_metadata(context, metadata), set(sa.inspect(connection).get_table_names())


async def test_upgrade_builds_the_mapped_schema(db_url: str) -> None:
    # Through the async engine, so it works with the app's (async-only) drivers on every
    # backend; run_sync hands Alembic the synchronous connection it expects.
    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:
            differences, tables = await connection.run_sync(_compare)
    finally:
        await engine.dispose()
    assert differences == []
    assert tables == set(metadata.tables) | {"alembic_version"}


@pytest.mark.sqlite_only(reason="reads and writes the database file with sqlite3")
def test_upgrade_is_at_head_and_harmless_twice(db_url: str) -> None:
    path = sqlite_path(db_url)
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO therapist (telegram_user_id, name, language) VALUES (7, 'Dr. Weber', 'de')"
        )
    upgrade(db_url)
    upgrade(db_url)
    with sqlite3.connect(path) as connection:
        versions = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        therapists = connection.execute("SELECT name FROM therapist").fetchall()
    head = ScriptDirectory.from_config(alembic_config(db_url)).get_current_head()
    assert versions == [(head,)]
    assert therapists == [("Dr. Weber",)]


@pytest.mark.sqlite_only(reason="a SQLite file")
def test_upgrade_creates_a_missing_database_file(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "coachbot.db"
    path.parent.mkdir()
    upgrade(f"sqlite+aiosqlite:///{path}")
    with sqlite3.connect(path) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert set(metadata.tables) <= names


@pytest.mark.sqlite_only(reason="checks SQLite's pragmas")
@pytest.mark.parametrize(
    ("pragma", "expected"),
    [
        ("journal_mode", "wal"),
        ("foreign_keys", 1),
        ("busy_timeout", BUSY_TIMEOUT_MS),
        ("synchronous", 1),  # NORMAL
    ],
)
async def test_engine_connections_are_tuned(db_url: str, pragma: str, expected: object) -> None:
    assert BUSY_TIMEOUT_MS == 5000
    engine = create_engine(db_url)
    try:
        # Every pooled connection, not only the first, gets the pragmas.
        async with engine.connect() as first, engine.connect() as second:
            for connection in (first, second):
                value = (await connection.exec_driver_sql(f"PRAGMA {pragma}")).scalar_one()
                # End the (BEGIN IMMEDIATE) transaction so the other connection can begin.
                await connection.rollback()
                assert value == expected
    finally:
        await engine.dispose()


async def test_foreign_keys_are_enforced(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:
            with pytest.raises(sa.exc.IntegrityError):
                await connection.exec_driver_sql(
                    "INSERT INTO alert (patient_id, kind, created_at) "
                    "VALUES (999, 'red_flag', '2026-11-23 08:00:00')"
                )
    finally:
        await engine.dispose()


@pytest.mark.sqlite_only(reason="builds an old schema in a SQLite file")
def test_rebuilding_a_table_keeps_the_rows_pointing_at_it(tmp_path: Path) -> None:
    """0003 rebuilds `session` on SQLite; with foreign keys on, dropping the old table
    deleted every report (they cascade with their session)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0002")
    with sqlite3.connect(tmp_path / "old.db") as connection:
        connection.execute(
            "INSERT INTO patient (id, telegram_user_id, chat_id, language, timezone, status, "
            "prompt_time, training_days, conditions, equipment, level, lessons_sent, "
            "consent_at, created_at) VALUES (1, 1, 1, 'en', 'Europe/Berlin', 'active', "
            "'18:00:00', '0123456', '[]', '[]', 'beginner', 1, '2026-11-23', '2026-11-23')"
        )
        connection.execute(
            "INSERT INTO session (id, patient_id, local_date, due_at, ends_at, exercises, "
            "state) VALUES (1, 1, '2026-11-23', '2026-11-23', '2026-11-24', '[]', 'done')"
        )
        connection.execute(
            "INSERT INTO report (session_id, outcome, pain_after, received_at) "
            "VALUES (1, 'done', 3, '2026-11-23 18:30:00')"
        )
    upgrade(url)
    with sqlite3.connect(tmp_path / "old.db") as connection:
        query = "SELECT session_id, outcome, pain_after FROM report"
        reports = connection.execute(query).fetchall()
        foreign_keys = connection.execute("PRAGMA foreign_key_check").fetchall()
    assert reports == [(1, "done", 3)]
    assert foreign_keys == []


@pytest.mark.sqlite_only(reason="builds an old schema in a SQLite file")
def test_upgrade_keeps_the_relaxation_and_lesson_of_existing_sessions(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0002")
    with sqlite3.connect(tmp_path / "old.db") as connection:
        connection.execute(
            "INSERT INTO patient (id, telegram_user_id, chat_id, language, timezone, status, "
            "prompt_time, training_days, conditions, equipment, level, lessons_sent, "
            "consent_at, created_at) VALUES (1, 1, 1, 'en', 'Europe/Berlin', 'active', "
            "'18:00:00', '0123456', '[]', '[]', 'beginner', 1, '2026-11-23', '2026-11-23')"
        )
        for day, kind, entry in (
            (23, "lesson", "how_the_spine_works"),
            (24, "relaxation", "body_scan"),
        ):
            connection.execute(
                "INSERT INTO session (patient_id, local_date, due_at, ends_at, exercises, "
                "extra_kind, extra_id, state) VALUES (1, ?, '2026-11-23', '2026-11-24', '[]', "
                "?, ?, 'sent')",
                (f"2026-11-{day}", kind, entry),
            )
    upgrade(url)
    with sqlite3.connect(tmp_path / "old.db") as connection:
        rows = connection.execute(
            "SELECT local_date, relaxation_id, lesson_id FROM session ORDER BY local_date"
        ).fetchall()
    assert rows == [
        ("2026-11-23", None, "how_the_spine_works"),
        ("2026-11-24", "body_scan", None),
    ]


@pytest.mark.sqlite_only(reason="builds an old schema in a SQLite file")
def test_upgrade_notes_each_patients_newest_report_and_first_pain_answer(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0007")
    with sqlite3.connect(tmp_path / "old.db") as connection:
        for patient in (1, 2):
            connection.execute(
                "INSERT INTO patient (id, telegram_user_id, chat_id, language, timezone, "
                "status, prompt_time, training_days, conditions, equipment, level, "
                "lessons_sent, consent_at, created_at) VALUES (?, ?, ?, 'en', "
                "'Europe/Berlin', 'active', '18:00:00', '0123456', '[]', '[]', 'beginner', 0, "
                "'2026-11-20', '2026-11-20')",
                (patient, patient, patient),
            )
        # Patient 1: skipped on the 21st without a pain answer, then two with pain.
        for session, day, pain in ((1, 21, None), (2, 22, 4), (3, 23, 3)):
            connection.execute(
                "INSERT INTO session (id, patient_id, local_date, due_at, ends_at, exercises, "
                "state) VALUES (?, 1, ?, '2026-11-20', '2026-11-21', '[]', 'done')",
                (session, f"2026-11-{day}"),
            )
            connection.execute(
                "INSERT INTO report (session_id, outcome, pain_after, received_at) "
                "VALUES (?, 'done', ?, ?)",
                (session, pain, f"2026-11-{day} 17:30:00.000000"),
            )
    upgrade(url)
    with sqlite3.connect(tmp_path / "old.db") as connection:
        rows = connection.execute(
            "SELECT id, last_report_at, first_pain_on FROM patient ORDER BY id"
        ).fetchall()
    assert rows == [(1, "2026-11-23 17:30:00.000000", "2026-11-22"), (2, None, None)]


async def test_dropping_the_unwritten_report_columns_keeps_every_report(db_url: str) -> None:
    # Down to the schema before, on every backend; then up again with a report in it.
    await asyncio.to_thread(command.downgrade, alembic_config(db_url), "0009")
    engine = create_engine(db_url)
    try:
        async with engine.begin() as connection:
            for statement in (
                "INSERT INTO patient (id, telegram_user_id, chat_id, language, timezone, "
                "status, prompt_time, training_days, conditions, equipment, level, "
                "lessons_sent, consent_at, created_at) VALUES (1, 1, 1, 'en', "
                "'Europe/Berlin', 'active', '18:00:00', '0123456', '[]', '[]', 'beginner', 0, "
                "'2026-11-20 08:00:00', '2026-11-20 08:00:00')",
                "INSERT INTO session (id, patient_id, local_date, due_at, ends_at, exercises, "
                "state) VALUES (1, 1, '2026-11-21', '2026-11-21 17:00:00', "
                "'2026-11-21 23:00:00', '[]', 'done')",
                "INSERT INTO report (session_id, outcome, pain_before, pain_after, difficulty, "
                "note, received_at) VALUES (1, 'done', 5, 4, 'right', 'old', "
                "'2026-11-21 17:30:00')",
            ):
                await connection.exec_driver_sql(statement)
    finally:
        await engine.dispose()
    await asyncio.to_thread(upgrade, db_url)
    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:
            columns = await connection.run_sync(
                lambda sync: {column["name"] for column in sa.inspect(sync).get_columns("report")}
            )
            reports = (
                await connection.exec_driver_sql(
                    "SELECT session_id, outcome, pain_after, difficulty FROM report"
                )
            ).all()
            differences, _tables = await connection.run_sync(_compare)
    finally:
        await engine.dispose()
    assert columns == {
        "id",
        "session_id",
        "outcome",
        "pain_after",
        "difficulty",
        "received_at",
        "morning_due_at",
        "morning",
    }
    assert [tuple(row) for row in reports] == [(1, "done", 4, "right")]
    assert differences == []  # the unique session and its foreign key survived the rebuild


async def test_alert_details_become_facts_and_queued_alert_messages_stay(db_url: str) -> None:
    # Down to the schema before, on every backend, with alerts as the code wrote them.
    await asyncio.to_thread(command.downgrade, alembic_config(db_url), "0010")
    old = [
        (1, "pain_high", "pain 8"),
        (2, "pain_rise", "pain 8"),
        (3, "silent", "3 days"),
        (4, "red_flag", "cauda_equina"),
        (5, "red_flag", "trauma"),
        (6, "bot_blocked", None),
        (7, "silent", "a while"),  # nothing the code wrote: no facts, and no failure
    ]
    engine = create_engine(db_url)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql(
                "INSERT INTO patient (id, telegram_user_id, chat_id, language, timezone, "
                "status, prompt_time, training_days, conditions, equipment, level, "
                "lessons_sent, consent_at, created_at) VALUES (1, 1, 1, 'en', "
                "'Europe/Berlin', 'active', '18:00:00', '0123456', '[]', '[]', 'beginner', 0, "
                "'2026-11-20 08:00:00', '2026-11-20 08:00:00')"
            )
            for alert_id, kind, detail in old:
                await connection.execute(
                    sa.text(
                        "INSERT INTO alert (id, patient_id, kind, detail, created_at) "
                        "VALUES (:id, 1, :kind, :detail, '2026-11-22 08:00:00')"
                    ),
                    {"id": alert_id, "kind": kind, "detail": detail},
                )
            # The message about alert 4, queued and not yet sent.
            await connection.exec_driver_sql(
                "INSERT INTO outbox (id, chat_id, purpose, alert_id, text, state, created_at) "
                "VALUES (1, 50, 'alert', 4, 'red flag', 'queued', '2026-11-22 08:00:00')"
            )
    finally:
        await engine.dispose()
    await asyncio.to_thread(upgrade, db_url)
    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:
            columns = await connection.run_sync(
                lambda sync: {column["name"] for column in sa.inspect(sync).get_columns("alert")}
            )
            facts = (
                await connection.exec_driver_sql(
                    "SELECT id, kind, pain, days, red_flag FROM alert ORDER BY id"
                )
            ).all()
            queued = (await connection.exec_driver_sql("SELECT id, alert_id FROM outbox")).all()
            differences, _tables = await connection.run_sync(_compare)
            partial = await connection.run_sync(
                lambda sync: {
                    index["name"]: any(key.endswith("_where") for key in index["dialect_options"])
                    for index in sa.inspect(sync).get_indexes("alert")
                    if "dialect_options" in index
                }
            )
    finally:
        await engine.dispose()
    assert "detail" not in columns
    assert [tuple(row) for row in facts] == [
        (1, "pain_high", 8, None, None),
        (2, "pain_rise", 8, None, None),
        (3, "silent", None, 3, None),
        (4, "red_flag", None, None, "cauda_equina"),
        (5, "red_flag", None, None, "trauma"),
        (6, "bot_blocked", None, None, None),
        (7, "silent", None, None, None),
    ]
    assert [tuple(row) for row in queued] == [(1, 4)]
    assert differences == []
    # The table rebuilt on SQLite kept its partial indexes partial.
    assert partial == {
        "ix_alert_patient_id": False,
        "ix_alert_unnotified_created_at": True,
        "ix_alert_open_patient_id": True,
    }
    # And back: the facts are written as the old code wrote them.
    await asyncio.to_thread(command.downgrade, alembic_config(db_url), "0010")
    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:
            details = (
                await connection.exec_driver_sql("SELECT id, kind, detail FROM alert ORDER BY id")
            ).all()
            queued = (await connection.exec_driver_sql("SELECT id, alert_id FROM outbox")).all()
    finally:
        await engine.dispose()
    assert [tuple(row) for row in details] == [*old[:6], (7, "silent", None)]
    assert [tuple(row) for row in queued] == [(1, 4)]


async def test_the_lessons_each_patient_was_sent_are_kept_by_name(db_url: str) -> None:
    """A count of lessons sent becomes the lessons sent, so that a reordered course goes
    on with the first lesson each patient has not had."""
    await asyncio.to_thread(command.downgrade, alembic_config(db_url), "0013")
    engine = create_engine(db_url)
    try:
        async with engine.begin() as connection:
            for patient, sent in ((1, 2), (2, 0)):
                await connection.exec_driver_sql(
                    "INSERT INTO patient (id, telegram_user_id, chat_id, language, timezone, "
                    "status, prompt_time, training_days, conditions, equipment, level, "
                    f"lessons_sent, consent_at, created_at) VALUES ({patient}, {patient}, "
                    f"{patient}, 'en', 'Europe/Berlin', 'active', '18:00:00', '0123456', '[]', "
                    f"'[]', 'beginner', {sent}, '2026-11-20 08:00:00', '2026-11-20 08:00:00')"
                )
            # Patient 1: two lessons went out; the third session is planned, not sent.
            for day, lesson, sent_at in (
                (22, "hurt_is_not_harm", "'2026-11-22 17:00:00'"),
                (21, "how_the_spine_works", "'2026-11-21 17:00:00'"),
                (23, "staying_active_in_a_flare_up", "NULL"),
            ):
                await connection.exec_driver_sql(
                    "INSERT INTO session (patient_id, local_date, due_at, ends_at, exercises, "
                    f"lesson_id, state, sent_at) VALUES (1, '2026-11-{day}', "
                    f"'2026-11-{day} 17:00:00', '2026-11-{day} 23:00:00', '[]', '{lesson}', "
                    f"'sent', {sent_at})"
                )
    finally:
        await engine.dispose()
    await asyncio.to_thread(upgrade, db_url)
    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:
            taught = (
                await connection.execute(
                    sa.select(sa.column("id"), sa.column("lessons_taught", sa.JSON))
                    .select_from(sa.table("patient"))
                    .order_by(sa.column("id"))
                )
            ).all()
            differences, _tables = await connection.run_sync(_compare)
    finally:
        await engine.dispose()
    assert [tuple(row) for row in taught] == [
        (1, ["how_the_spine_works", "hurt_is_not_harm"]),
        (2, []),
    ]
    assert differences == []
    await asyncio.to_thread(command.downgrade, alembic_config(db_url), "0013")
    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:
            counts = (
                await connection.exec_driver_sql("SELECT id, lessons_sent FROM patient ORDER BY id")
            ).all()
    finally:
        await engine.dispose()
    assert [tuple(row) for row in counts] == [(1, 2), (2, 0)]


def test_patients_mid_screen_go_on_at_the_group_of_their_question(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0012")
    steps = ("ob:rf:leg_weakness", "ob:rf:cancer", "ob:rf:trauma", "ob:cond", None)
    with sqlite3.connect(tmp_path / "old.db") as connection:
        for patient, step in enumerate(steps, start=1):
            connection.execute(
                "INSERT INTO patient (id, telegram_user_id, chat_id, language, timezone, "
                "status, step, prompt_time, training_days, conditions, equipment, level, "
                "lessons_sent, consent_at, created_at) VALUES (?, ?, ?, 'en', "
                "'Europe/Berlin', 'onboarding', ?, '18:00:00', '0123456', '[]', '[]', "
                "'beginner', 0, '2026-11-20', '2026-11-20')",
                (patient, patient, patient, step),
            )
    upgrade(url)
    with sqlite3.connect(tmp_path / "old.db") as connection:
        rows = connection.execute(
            "SELECT step, screened_at, warning_signs FROM patient ORDER BY id"
        ).fetchall()
    assert rows == [
        ("ob:rf:nerves", None, "[]"),
        ("ob:rf:illness", None, "[]"),
        ("ob:rf:injury", None, "[]"),
        ("ob:cond", None, "[]"),
        (None, None, "[]"),
    ]


async def test_doses_of_continuous_movement_are_moved_in_plans_and_unsent_sessions(
    db_url: str,
) -> None:
    """A bouncing exercise held 45 s keeps moving for 45 s; a march counted in steps takes
    the catalogue's time for the patient's level; a sent session stays as it went out."""
    await asyncio.to_thread(command.downgrade, alembic_config(db_url), "0015")
    old = [
        {"id": "ball_bouncing", "sets": 2, "reps": None, "hold_seconds": 45, "rest_seconds": 30},
        {"id": "heel_toe_walk", "sets": 1, "reps": 10, "hold_seconds": None, "rest_seconds": 30},
        {"id": "bird_dog", "sets": 1, "reps": 6, "hold_seconds": None, "rest_seconds": 30},
    ]
    engine = create_engine(db_url)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql(
                "INSERT INTO patient (id, telegram_user_id, chat_id, language, timezone, "
                "status, prompt_time, training_days, conditions, equipment, level, "
                "consent_at, created_at) VALUES (1, 1, 1, 'en', 'Europe/Berlin', 'active', "
                "'18:00:00', '0123456', '[]', '[]', 'intermediate', '2026-11-20 08:00:00', "
                "'2026-11-20 08:00:00')"
            )
            for position, row in enumerate(old):
                await connection.execute(
                    sa.text(
                        "INSERT INTO plan_item (patient_id, exercise_id, position, sets, reps, "
                        "hold_seconds, rest_seconds, locked) VALUES (1, :id, :position, :sets, "
                        ":reps, :hold_seconds, :rest_seconds, false)"
                    ),
                    row | {"position": position},
                )
            for day, state in ((23, "sent"), (24, "planned")):
                await connection.execute(
                    sa.text(
                        "INSERT INTO session (patient_id, local_date, due_at, ends_at, "
                        "exercises, state) VALUES (1, :day, :due, :ends, :exercises, :state)"
                    ),
                    {
                        "day": date(2026, 11, day),
                        "due": datetime(2026, 11, day, 17),
                        "ends": datetime(2026, 11, day, 23),
                        "exercises": json.dumps(old),
                        "state": state,
                    },
                )
    finally:
        await engine.dispose()
    await asyncio.to_thread(upgrade, db_url)
    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:
            items = (
                await connection.exec_driver_sql(
                    "SELECT exercise_id, sets, reps, hold_seconds, move_seconds, rest_seconds "
                    "FROM plan_item ORDER BY position"
                )
            ).all()
            sessions = [
                tuple(row)
                for row in await connection.exec_driver_sql(
                    "SELECT state, exercises FROM session ORDER BY local_date"
                )
            ]
    finally:
        await engine.dispose()
    assert [tuple(row) for row in items] == [
        ("ball_bouncing", 2, None, None, 45, 30),
        ("heel_toe_walk", 3, None, None, 45, 20),  # the intermediate catalogue dose
        ("bird_dog", 1, 6, None, None, 30),
    ]

    def moved(exercises: Any) -> list[Any]:
        rows = json.loads(exercises) if isinstance(exercises, str) else exercises
        return [(row["id"], row["hold_seconds"], row.get("move_seconds")) for row in rows]

    assert moved(sessions[0][1]) == [
        ("ball_bouncing", 45, None),
        ("heel_toe_walk", None, None),
        ("bird_dog", None, None),
    ]
    assert moved(sessions[1][1]) == [
        ("ball_bouncing", None, 45),
        ("heel_toe_walk", None, 45),
        ("bird_dog", None, None),
    ]
