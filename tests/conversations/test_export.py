"""/export: the therapist's sessions as a CSV file, through the real bot."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest

from coachbot import access, privacy, summaries
from coachbot.domain.vocabulary import SummaryFrequency
from tests.conftest import START, Bot, Clock, wait_for
from tests.conversations.flows import sign_up_therapist, therapist_with_patients
from tests.fakebot import FakeBotApi, FakeUser
from tests.integration.test_practice import FORTNIGHT, parse, write_history

# The scripted fortnight runs from Wednesday 18.11. to Tuesday 1.12.2026 (today).
FROM = date(2026, 11, 18)
TODAY = date(2026, 12, 1)
LATER = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 09:00 in Berlin

HEADER = [
    "patient_id",
    "patient",
    "date",
    "state",
    "outcome",
    "pain_after",
    "difficulty",
    "reported_at",
    "exercises",
]
USAGE = (
    "Please write the dates like this: /export 2026-11-01 2026-11-30, or just "
    "/export for everything."
)


async def practice_until_today(bot: Bot, clock: Clock, therapist: FakeUser) -> dict[str, int]:
    """The five patients' fortnight written, then the clock moved to its last day; the
    patients' record ids. Ivo, who trained this morning, has tomorrow planned already."""
    ids = dict(
        zip(
            FORTNIGHT,
            await therapist_with_patients(bot, therapist, "Dr. Weber", list(FORTNIGHT)),
            strict=True,
        )
    )
    async with bot.uow() as uow:
        for name, script in FORTNIGHT.items():
            await write_history(uow, bot.services.catalogue, ids[name], script, LATER, FROM)
        # No scheduled summary (due on Monday 30.11.) in between the export's messages.
        summaries.set_summary_schedule(
            await access.therapist_of(uow, therapist.id), START, frequency=SummaryFrequency.OFF
        )
        await uow.commit()
    clock.set(LATER)

    async def tomorrow_planned() -> bool:
        async with bot.uow() as uow:
            return await uow.sessions.on_day(ids["Ivo"], date(2026, 12, 2)) is not None

    await wait_for(tomorrow_planned)
    return ids


async def reply_to(fake: FakeBotApi, user: FakeUser) -> dict[str, Any]:
    """The bot's next message to `user`, skipping alerts the dispatcher sends meanwhile
    (Otto has been silent for a week)."""
    while True:
        message = await fake.next_message(user.chat_id)
        if not message.get("text", "").startswith(("🔕", "⚠️")):
            return message


def read_csv(message: dict[str, Any]) -> list[list[str]]:
    data: bytes = message["document_bytes"]
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")  # so spreadsheets read umlauts right
    return list(csv.reader(io.StringIO(text[1:])))


async def exercises_of(bot: Bot, ids: dict[str, int]) -> dict[tuple[int, str], str]:
    """Each session's exercises as the CSV lists them, by (patient id, ISO date)."""
    found = {}
    async with bot.uow() as uow:
        for patient_id in ids.values():
            for session in await uow.sessions.for_patient(patient_id):
                found[(patient_id, session.local_date.isoformat())] = " ".join(
                    e.exercise_id for e in session.exercises
                )
    return found


def expected_rows(
    ids: dict[str, int],
    exercises: dict[tuple[int, str], str],
    start: date = FROM,
    end: date = TODAY,
) -> list[list[str]]:
    """The rows the CSV should hold for the patients in `ids`."""
    rows = []
    for name, script in FORTNIGHT.items():
        if name not in ids:
            continue
        for entry in parse(script, FROM):
            if entry.state is None or not start <= entry.day <= end:
                continue
            day = entry.day.isoformat()
            row = [str(ids[name]), name, day, entry.state]
            if entry.report is None:
                row += ["", "", "", ""]  # missed, excused, open: nothing reported
            else:
                outcome, pain_after, difficulty = entry.report
                # Due at 18:00 in Berlin (17:00 UTC), reported an hour later; Ivo's of
                # today came this morning.
                reported = (
                    "2026-12-01T08:00:00+00:00" if entry.day == TODAY else f"{day}T18:00:00+00:00"
                )
                row += [
                    outcome,
                    "" if pain_after is None else str(pain_after),
                    difficulty or "",
                    reported,
                ]
            row.append(exercises[(ids[name], day)])
            rows.append(row)
    # Oldest first; on a day, in the order of the patients' records.
    return sorted(rows, key=lambda row: (row[2], int(row[0])))


async def test_export_is_a_csv_with_one_row_per_session(
    fake: FakeBotApi, bot: Bot, clock: Clock
) -> None:
    weber = fake.user(5001, "Weber", "en")
    ids = await practice_until_today(bot, clock, weber)
    await fake.send(weber, "/export")
    message = await reply_to(fake, weber)
    assert message["document"]["file_name"] == "coachbot-sessions-2026-11-18-2026-12-01.csv"
    assert message["caption"].startswith("70 sessions")
    rows = read_csv(message)
    assert rows[0] == HEADER
    exercises = await exercises_of(bot, ids)
    assert rows[1:] == expected_rows(ids, exercises)
    # 14 days x 5 patients; tomorrow's planned session is not in it.
    assert len(rows) - 1 == 70
    assert all(row[8] for row in rows[1:]), "every session lists its exercises"
    assert (str(ids["Ivo"]), "2026-12-02") not in {(row[0], row[2]) for row in rows}
    # A missed day and an excused day have no report.
    otto = next(row for row in rows if row[0] == str(ids["Otto"]) and row[2] == "2026-11-18")
    assert otto[3:8] == ["missed", "", "", "", ""]
    emil = next(row for row in rows if row[0] == str(ids["Emil"]) and row[2] == "2026-11-20")
    assert emil[3:8] == ["excused", "", "", "", ""]


@pytest.mark.parametrize(
    "command",
    [
        "/export 2026-11-25 2026-11-30",
        "/export 25.11. 30.11.",
        "/export 30.11.2026 25.11.2026",  # either order
    ],
)
async def test_export_of_a_date_range_includes_both_ends(
    fake: FakeBotApi, bot: Bot, clock: Clock, command: str
) -> None:
    weber = fake.user(5001, "Weber", "en")
    ids = await practice_until_today(bot, clock, weber)
    await fake.send(weber, command)
    message = await reply_to(fake, weber)
    assert message["document"]["file_name"] == "coachbot-sessions-2026-11-25-2026-11-30.csv"
    assert message["caption"].startswith("30 sessions")  # 6 days x 5 patients
    rows = read_csv(message)
    assert rows[0] == HEADER
    exercises = await exercises_of(bot, ids)
    expected = expected_rows(ids, exercises, date(2026, 11, 25), date(2026, 11, 30))
    assert rows[1:] == expected
    assert {row[2] for row in rows[1:]} == {f"2026-11-{day}" for day in range(25, 31)}


async def test_export_from_a_day_on_never_holds_future_days(
    fake: FakeBotApi, bot: Bot, clock: Clock
) -> None:
    weber = fake.user(5001, "Weber", "en")
    ids = await practice_until_today(bot, clock, weber)
    await fake.send(weber, "/export 30.11.")
    message = await reply_to(fake, weber)
    assert message["document"]["file_name"] == "coachbot-sessions-2026-11-30-2026-12-01.csv"
    rows = read_csv(message)[1:]
    assert rows == expected_rows(ids, await exercises_of(bot, ids), date(2026, 11, 30))
    assert {row[2] for row in rows} == {"2026-11-30", "2026-12-01"}


@pytest.mark.parametrize(
    "command",
    [
        "/export yesterday",
        "/export 2026-13-01",
        "/export 31.02.",
        "/export 2026-11-01 soon",
        "/export 1.11. 2.11. 3.11.",
    ],
)
async def test_bad_dates_get_a_usage_hint_and_no_file(
    fake: FakeBotApi, bot: Bot, clock: Clock, command: str
) -> None:
    weber = fake.user(5001, "Weber", "en")
    await practice_until_today(bot, clock, weber)
    await fake.send(weber, command)
    reply = await reply_to(fake, weber)
    assert USAGE in reply["text"]
    assert fake.calls_to("sendDocument") == []


async def test_no_sessions_is_a_friendly_text(fake: FakeBotApi, bot: Bot, clock: Clock) -> None:
    weber = fake.user(5001, "Weber", "en")
    await sign_up_therapist(bot, weber, "Dr. Weber")
    await fake.send(weber, "/export")
    reply = await fake.next_message(weber.chat_id)
    assert "No sessions in that range yet." in reply["text"]
    krause = fake.user(5002, "Krause", "en")
    await practice_until_today(bot, clock, krause)
    await fake.send(krause, "/export 2026-01-01 2026-01-31")  # before any session
    reply = await reply_to(fake, krause)
    assert "No sessions in that range yet." in reply["text"]
    assert fake.calls_to("sendDocument") == []


async def test_export_holds_only_the_therapists_own_patients(
    fake: FakeBotApi, bot: Bot, clock: Clock
) -> None:
    weber = fake.user(5001, "Weber", "en")
    krause = fake.user(5002, "Krause", "en")
    ids = await practice_until_today(bot, clock, weber)
    theirs = await therapist_with_patients(bot, krause, "Dr. Krause", ["Gina", "Paul"])
    async with bot.uow() as uow:
        for patient_id in theirs:
            await write_history(
                uow, bot.services.catalogue, patient_id, FORTNIGHT["Sara"], LATER, FROM
            )
        await uow.commit()
    await fake.send(weber, "/export")
    weber_rows = read_csv(await reply_to(fake, weber))[1:]
    await fake.send(krause, "/export")
    krause_rows = read_csv(await reply_to(fake, krause))[1:]
    assert {int(row[0]) for row in weber_rows} == set(ids.values())
    assert len(weber_rows) == 70
    assert {int(row[0]) for row in krause_rows} == set(theirs)
    # Krause's Gina and Paul: 14 sessions each, as Sara's script has them (not Weber's
    # Gina's).
    assert len(krause_rows) == 28
    assert {row[1] for row in krause_rows} == {"Gina", "Paul"}
    sara = {entry.day.isoformat(): entry.state for entry in parse(FORTNIGHT["Sara"], FROM)}
    assert all(row[3] == sara[row[2]] for row in krause_rows)


async def test_an_erased_patients_rows_are_gone(fake: FakeBotApi, bot: Bot, clock: Clock) -> None:
    weber = fake.user(5001, "Weber", "en")
    ids = await practice_until_today(bot, clock, weber)
    async with bot.uow() as uow:
        await privacy.delete_patient(
            uow, await access.patient_of(uow, weber.id * 100 + list(FORTNIGHT).index("Sara"))
        )
        await uow.commit()
    await fake.send(weber, "/export")
    message = await reply_to(fake, weber)
    assert message["caption"].startswith("56 sessions")
    rows = read_csv(message)[1:]
    assert str(ids["Sara"]) not in {row[0] for row in rows}
    assert "Sara" not in {row[1] for row in rows}
    remaining = {name: pid for name, pid in ids.items() if name != "Sara"}
    assert rows == expected_rows(remaining, await exercises_of(bot, remaining))


async def test_a_patient_sending_export_is_told_it_is_for_therapists(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(5001, "Weber", "en")
    await therapist_with_patients(bot, weber, "Dr. Weber", ["Gina"])
    gina = fake.user(weber.id * 100, "Gina", "en")
    await fake.send(gina, "/export")
    reply = await fake.next_message(gina.chat_id)
    assert "This command is for therapists" in reply["text"]
    assert fake.calls_to("sendDocument") == []


async def test_export_in_german(fake: FakeBotApi, bot: Bot, clock: Clock) -> None:
    weber = fake.user(5001, "Weber", "de")
    await sign_up_therapist(bot, weber, "Dr. Weber", language="de")
    await fake.send(weber, "/export")
    reply = (await fake.next_message(weber.chat_id))["text"]
    assert "In diesem Zeitraum gibt es noch keine Einheiten." in reply
