"""The therapist's summary through the real bot: /summary, its schedule buttons, and the
scheduled summaries the dispatcher sends."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from coachbot.dispatch import Dispatcher
from tests.conftest import START, Bot, Clock, wait_for
from tests.conversations.flows import sign_up_therapist, therapist_with_patients
from tests.fakebot import FakeBotApi, FakeUser
from tests.integration.test_practice import (
    COHORT_SHOWN,
    EXPECTED,
    FORTNIGHT,
    write_alerts,
    write_history,
)

# The summary's line per patient of the scripted fortnight: the overall trend's arrow,
# name and record id, adherence this week (week before), pain this week (week before),
# the pain trend's arrow, open alerts.
LINES = {
    "Gina": "→ Gina (#{id}): 100% (93%), pain 1.8 (2.0) →",
    "Ivo": "↗ Ivo (#{id}): 93% (36%), pain 2.9 (4.5) ↘",
    "Sara": "↘ Sara (#{id}): 25% (100%), pain 6.0 (3.0) ↗ ⚠️ 1 open",
    "Emil": "→ Emil (#{id}): 90% (100%), pain 3.2 (3.0) →",
    "Otto": "→ Otto (#{id}): 0% (0%), pain – (–) ⚠️ 1 open",
}


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def scripted_practice(
    bot: Bot, therapist: FakeUser, name: str = "Dr. Weber", *, language: str = "en"
) -> dict[str, int]:
    """A therapist with the five patients of the scripted fortnight; their record ids."""
    ids = dict(
        zip(
            FORTNIGHT,
            await therapist_with_patients(bot, therapist, name, list(FORTNIGHT), language=language),
            strict=True,
        )
    )
    async with bot.uow() as uow:
        for patient, script in FORTNIGHT.items():
            await write_history(uow, bot.services.catalogue, ids[patient], script, START)
        await write_alerts(uow, ids, START)
        await uow.commit()
    return ids


async def read_summary(fake: FakeBotApi, user: FakeUser) -> tuple[list[dict[str, Any]], str]:
    """The summary's messages up to and including its chart, and its text."""
    messages = []
    while True:
        message = await fake.next_message(user.chat_id)
        messages.append(message)
        if "photo" in message:
            text = "\n".join(m["text"] for m in messages if "text" in m)
            return messages, text


def dispatcher(bot: Bot) -> Dispatcher:
    found = bot.services.dispatcher
    assert found is not None
    return found


def summaries(fake: FakeBotApi, user: FakeUser, head: str) -> int:
    return sum(1 for m in fake.messages(user.chat_id) if m.get("text", "").startswith(head))


def charts(fake: FakeBotApi, user: FakeUser) -> int:
    return sum(1 for m in fake.messages(user.chat_id) if "photo" in m)


async def at(bot: Bot, clock: Clock, moment: datetime) -> None:
    """Move the clock and let the dispatcher finish a whole round at that time."""
    clock.set(moment)
    await dispatcher(bot).tick()


async def next_summary_at(bot: Bot, user: FakeUser) -> datetime | None:
    async with bot.uow() as uow:
        therapist = await uow.therapists.by_user(user.id)
        assert therapist is not None
        return therapist.next_summary_at


# --- /summary -------------------------------------------------------------------------------


async def test_summary_shows_each_patients_figures_trends_alerts_and_a_chart(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(5001, "Weber", "en")
    ids = await scripted_practice(bot, weber)
    await fake.send(weber, "/summary")
    messages, text = await read_summary(fake, weber)
    lines = text.split("\n")
    assert lines[0] == "Your weekly summary (17.11.–23.11.2026)"
    assert COHORT_SHOWN in lines
    for name, line in LINES.items():
        assert line.format(id=ids[name]) in lines, (name, text)
        assert EXPECTED[name].shown in line
    assert f"Improved: Ivo (#{ids['Ivo']})" in lines
    assert f"Slipped: Sara (#{ids['Sara']})" in lines
    assert "Open alerts: 2. /patients shows who needs attention." in lines
    chart = messages[-1]
    assert chart["photo_bytes"].startswith(b"\x89PNG")
    assert chart["caption"] == "Your patients this week and the week before"
    # The schedule's button sits under the (last) text message.
    assert "sum:menu" in str(messages[-2].get("reply_markup"))


async def test_summary_without_patients_is_a_friendly_text_without_chart(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(5001, "Weber", "en")
    await sign_up_therapist(bot, weber, "Dr. Weber")
    await fake.send(weber, "/summary")
    reply = await fake.next_message(weber.chat_id)
    assert "No patients yet. /invite creates an invite for a new patient." in reply["text"]
    # Updates are handled in order: the next message answers /help, no chart came between.
    await fake.send(weber, "/help")
    following = await fake.next_message(weber.chat_id)
    assert "photo" not in following
    assert charts(fake, weber) == 0


async def test_a_patient_sending_summary_is_told_it_is_for_therapists(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(5001, "Weber", "en")
    await therapist_with_patients(bot, weber, "Dr. Weber", ["Gina"])
    gina = fake.user(weber.id * 100, "Gina", "en")
    await fake.send(gina, "/summary")
    reply = await fake.next_message(gina.chat_id)
    assert "This command is for therapists" in reply["text"]
    assert summaries(fake, weber, "Your") == 0


async def test_two_therapists_each_see_only_their_own_patients(fake: FakeBotApi, bot: Bot) -> None:
    weber = fake.user(5001, "Weber", "en")
    krause = fake.user(5002, "Krause", "en")
    weber_ids = await scripted_practice(bot, weber)
    # Krause has as many patients, with the same names, all slipping like Sara.
    krause_ids = await therapist_with_patients(bot, krause, "Dr. Krause", list(FORTNIGHT))
    async with bot.uow() as uow:
        for patient_id in krause_ids:
            await write_history(uow, bot.services.catalogue, patient_id, FORTNIGHT["Sara"], START)
        await uow.commit()
    await fake.send(weber, "/summary")
    await fake.send(krause, "/summary")
    _, weber_text = await read_summary(fake, weber)
    _, krause_text = await read_summary(fake, krause)

    def shown_ids(text: str) -> set[int]:
        return {
            int(line.split("(#")[1].split(")")[0])
            for line in text.split("\n")
            if line[:1] in "→↗↘·" and "(#" in line
        }

    assert shown_ids(weber_text) == set(weber_ids.values())
    assert shown_ids(krause_text) == set(krause_ids)
    assert COHORT_SHOWN in weber_text
    # Krause: 5 x 1.5 of 6 sessions = 7.5 / 30 = 25%; no open alerts.
    assert "All patients: 25% of 30 sessions done" in krause_text
    assert "Open alerts: 0." in krause_text
    for patient_id in krause_ids:
        assert f"(#{patient_id}): 25% (100%), pain 6.0 (3.0)" in krause_text
    assert "Improved: –" in krause_text


async def test_summary_in_german(fake: FakeBotApi, bot: Bot) -> None:
    weber = fake.user(5001, "Weber", "de")
    ids = await scripted_practice(bot, weber, language="de")
    await fake.send(weber, "/summary")
    messages, text = await read_summary(fake, weber)
    caption = messages[-1]["caption"]
    assert caption == "Ihre Patientinnen und Patienten diese Woche und in der Vorwoche"
    lines = text.split("\n")
    assert lines[0] == "Ihre wöchentliche Zusammenfassung (17.11.–23.11.2026)"
    assert "Alle Patientinnen und Patienten: 62% von 30 Einheiten erledigt" in lines
    assert f"↗ Ivo (#{ids['Ivo']}): 93% (36%), Schmerzen 2,9 (4,5) ↘" in lines
    assert f"↘ Sara (#{ids['Sara']}): 25% (100%), Schmerzen 6,0 (3,0) ↗ ⚠️ 1 offen" in lines
    assert f"Verbessert: Ivo (#{ids['Ivo']})" in lines
    assert f"Verschlechtert: Sara (#{ids['Sara']})" in lines
    assert "Offene Warnungen: 2. /patients zeigt, wer Aufmerksamkeit braucht." in lines
    assert "pain" not in text and "Improved" not in text
    assert "⚙️ Zeitplan" in str(messages[-2].get("reply_markup"))
    # A German therapist without patients.
    krause = fake.user(5002, "Krause", "de")
    await sign_up_therapist(bot, krause, "Dr. Krause", language="de")
    await fake.send(krause, "/summary")
    reply = (await fake.next_message(krause.chat_id))["text"]
    assert "Noch keine Patientinnen oder Patienten. /invite erstellt eine Einladung." in reply


# --- the schedule buttons and scheduled summaries -----------------------------------------


async def with_gina(fake: FakeBotApi, bot: Bot, weber: FakeUser) -> None:
    """The therapist with one patient, Gina, and her steady fortnight."""
    (gina,) = await therapist_with_patients(bot, weber, "Dr. Weber", ["Gina"])
    async with bot.uow() as uow:
        await write_history(uow, bot.services.catalogue, gina, FORTNIGHT["Gina"], START)
        await uow.commit()
    fake.user(weber.id * 100, "Gina", "en")  # her own sessions reach her


async def open_schedule(fake: FakeBotApi, weber: FakeUser) -> dict[str, Any]:
    """/summary, then the schedule button under it; returns the schedule message."""
    await fake.send(weber, "/summary")
    messages, _text = await read_summary(fake, weber)
    fake.drain(weber.chat_id)
    await fake.tap_button(weber, messages[-2], "Schedule")
    return await fake.next_edit(weber.chat_id)


async def choose(
    fake: FakeBotApi, weber: FakeUser, message: dict[str, Any], *labels: str
) -> dict[str, Any]:
    """Tap buttons one after another, each on the edited schedule message."""
    for label in labels:
        await fake.tap_button(weber, message, label)
        message = await fake.next_edit(weber.chat_id)
    return message


async def test_weekly_summary_comes_at_the_chosen_day_and_time_once(
    fake: FakeBotApi, bot: Bot, clock: Clock
) -> None:
    weber = fake.user(5001, "Weber", "en")
    await with_gina(fake, bot, weber)
    schedule = await open_schedule(fake, weber)
    assert "A summary comes every Monday at 07:30 (Europe/Berlin)." in schedule["text"]
    schedule = await choose(fake, weber, schedule, "Daily")
    assert "A summary comes every day at 07:30 (Europe/Berlin)." in schedule["text"]
    schedule = await choose(fake, weber, schedule, "Weekly", "Day", "Wednesday", "⏰ Time", "07:00")
    assert "A summary comes every Wednesday at 07:00 (Europe/Berlin)." in schedule["text"]
    assert await next_summary_at(bot, weber) == utc(2026, 11, 25, 6, 0)  # 07:00 in Berlin
    head = "Your weekly summary"
    before = summaries(fake, weber, head)
    charts_before = charts(fake, weber)  # the chart /summary sent

    await at(bot, clock, utc(2026, 11, 24, 6, 0))  # Tuesday 07:00: wrong day
    await at(bot, clock, utc(2026, 11, 25, 5, 59))  # Wednesday 06:59: not yet
    assert summaries(fake, weber, head) == before

    clock.set(utc(2026, 11, 25, 6, 1))  # the dispatcher's own ticks send it
    await fake.wait_until(lambda: summaries(fake, weber, head) == before + 1, what="summary")
    await fake.wait_until(lambda: charts(fake, weber) == charts_before + 1, what="chart")
    sent = [m for m in fake.messages(weber.chat_id) if m.get("text", "").startswith(head)][-1]
    assert "(19.11.–25.11.2026)" in sent["text"]
    assert "Gina" in sent["text"]
    # Only once for that Wednesday, however often the dispatcher looks.
    for moment in (utc(2026, 11, 25, 6, 2), utc(2026, 11, 25, 18, 0), utc(2026, 11, 28, 6, 0)):
        await at(bot, clock, moment)
        await at(bot, clock, moment)
    assert summaries(fake, weber, head) == before + 1
    # The next Wednesday's.
    await at(bot, clock, utc(2026, 12, 2, 5, 59))
    assert summaries(fake, weber, head) == before + 1
    await at(bot, clock, utc(2026, 12, 2, 6, 0))
    assert summaries(fake, weber, head) == before + 2
    assert charts(fake, weber) == charts_before + 2


async def test_daily_summary_comes_every_day_at_the_chosen_time(
    fake: FakeBotApi, bot: Bot, clock: Clock
) -> None:
    weber = fake.user(5001, "Weber", "en")
    await with_gina(fake, bot, weber)
    schedule = await open_schedule(fake, weber)
    schedule = await choose(fake, weber, schedule, "Daily", "⏰ Time", "08:00")
    assert "A summary comes every day at 08:00 (Europe/Berlin)." in schedule["text"]
    head = "Your daily summary"
    await at(bot, clock, utc(2026, 11, 23, 23, 0))
    assert summaries(fake, weber, head) == 0  # Monday's 08:00 had passed when chosen
    await at(bot, clock, utc(2026, 11, 24, 6, 59))
    assert summaries(fake, weber, head) == 0
    await at(bot, clock, utc(2026, 11, 24, 7, 0))  # Tuesday 08:00 in Berlin
    assert summaries(fake, weber, head) == 1
    await at(bot, clock, utc(2026, 11, 24, 12, 0))
    assert summaries(fake, weber, head) == 1
    await at(bot, clock, utc(2026, 11, 25, 7, 0))
    assert summaries(fake, weber, head) == 2


async def test_summaries_off_never_come(fake: FakeBotApi, bot: Bot, clock: Clock) -> None:
    weber = fake.user(5001, "Weber", "en")
    await with_gina(fake, bot, weber)
    schedule = await open_schedule(fake, weber)
    schedule = await choose(fake, weber, schedule, "Daily", "Off")
    assert "Scheduled summaries are off." in schedule["text"]
    assert await next_summary_at(bot, weber) is None
    sent_before = charts(fake, weber)
    texts_before = summaries(fake, weber, "Your")
    for day in range(23, 31):  # every morning and evening of a week and more
        await at(bot, clock, utc(2026, 11, day, 6, 30))
        await at(bot, clock, utc(2026, 11, day, 18, 0))
    assert charts(fake, weber) == sent_before
    assert summaries(fake, weber, "Your") == texts_before
    assert await next_summary_at(bot, weber) is None


async def test_no_scheduled_summary_without_patients(
    fake: FakeBotApi, bot: Bot, clock: Clock
) -> None:
    """Nothing to report yet: no scheduled message (/summary still answers)."""
    weber = fake.user(5001, "Weber", "en")
    await sign_up_therapist(bot, weber, "Dr. Weber")
    await fake.send(weber, "/summary")
    reply = await fake.next_message(weber.chat_id)
    await fake.tap_button(weber, reply, "Schedule")
    schedule = await choose(fake, weber, await fake.next_edit(weber.chat_id), "Daily")
    assert "every day at 07:30" in schedule["text"]
    count = len(fake.messages(weber.chat_id))
    for day in (24, 25, 26):
        await at(bot, clock, utc(2026, 11, day, 6, 31))
    assert len(fake.messages(weber.chat_id)) == count
    # The schedule moved on all the same.
    assert await next_summary_at(bot, weber) == utc(2026, 11, 27, 6, 30)


async def test_time_zone_typed_as_a_city_moves_the_summary(
    fake: FakeBotApi, bot: Bot, clock: Clock
) -> None:
    weber = fake.user(5001, "Weber", "en")
    await with_gina(fake, bot, weber)
    schedule = await open_schedule(fake, weber)
    schedule = await choose(fake, weber, schedule, "Daily", "⏰ Time", "07:00")
    # 07:00 in Berlin has passed on Monday: Tuesday 06:00 UTC.
    assert await next_summary_at(bot, weber) == utc(2026, 11, 24, 6, 0)
    await fake.tap_button(weber, schedule, "Time zone")
    question = await fake.next_message(weber.chat_id)
    assert "type your city" in question["text"]
    await fake.send(weber, "New York")
    reply = await fake.next_message(weber.chat_id)
    assert "Time zone set to America/New_York." in reply["text"]
    assert "A summary comes every day at 07:00 (America/New_York)." in reply["text"]
    # 07:00 in New York is 12:00 UTC, still to come on Monday.
    assert await next_summary_at(bot, weber) == utc(2026, 11, 23, 12, 0)
    head = "Your daily summary"
    await at(bot, clock, utc(2026, 11, 23, 11, 59))
    assert summaries(fake, weber, head) == 0
    await at(bot, clock, utc(2026, 11, 23, 12, 0))
    assert summaries(fake, weber, head) == 1
    # Not again at 07:00 in Berlin the next morning.
    await at(bot, clock, utc(2026, 11, 24, 6, 30))
    assert summaries(fake, weber, head) == 1
    await at(bot, clock, utc(2026, 11, 24, 12, 0))
    assert summaries(fake, weber, head) == 2


async def test_scheduled_summary_carries_the_figures(
    fake: FakeBotApi, bot: Bot, clock: Clock
) -> None:
    """The weekly summary the dispatcher sends on its own shows the same figures."""
    weber = fake.user(5001, "Weber", "en")
    ids = await scripted_practice(bot, weber)
    for n in range(len(FORTNIGHT)):
        fake.user(weber.id * 100 + n, "Patient", "en")
    # Default: weekly on Monday 07:30 (set on the first tick, for next Monday).
    await wait_for(lambda: next_summary_at(bot, weber))
    assert await next_summary_at(bot, weber) == utc(2026, 11, 30, 6, 30)
    assert charts(fake, weber) == 0
    # As if this Monday's 07:30 summary were still due (the bot was down until now).
    async with bot.uow() as uow:
        therapist = await uow.therapists.by_user(weber.id)
        assert therapist is not None
        therapist.next_summary_at = utc(2026, 11, 23, 6, 30)
        await uow.commit()
    _, text = await read_summary(fake, weber)
    lines = text.split("\n")
    assert lines[0] == "Your weekly summary (17.11.–23.11.2026)"
    for name, line in LINES.items():
        assert line.format(id=ids[name]) in lines, (name, text)
    assert await next_summary_at(bot, weber) == utc(2026, 11, 30, 6, 30)


async def test_time_zone_from_a_shared_location_and_closing_the_schedule(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(5001, "Weber", "en")
    await with_gina(fake, bot, weber)
    schedule = await open_schedule(fake, weber)
    await fake.tap_button(weber, schedule, "Time zone")
    await fake.next_message(weber.chat_id)  # "Share your location, tap a zone, ..."
    await fake.send_location(weber, 48.21, 16.37)  # Vienna
    reply = await fake.next_message(weber.chat_id)
    assert "Time zone set to Europe/Vienna." in reply["text"]
    async with bot.uow() as uow:
        therapist = await uow.therapists.by_user(weber.id)
        assert therapist is not None and therapist.timezone == "Europe/Vienna"
        assert therapist.step is None  # a later location is not taken as an answer
    await fake.tap_button(weber, schedule, "Close")
    closed = await fake.next_edit(weber.chat_id)
    assert not closed.get("reply_markup", {}).get("inline_keyboard")


async def test_a_large_practice_gets_its_summary_over_several_messages(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(51, "Weber", "en")
    names = [f"Patient with a long name {n:02d}" for n in range(90)]
    ids = await therapist_with_patients(bot, weber, "Dr. Weber", names)
    await fake.send(weber, "/summary")
    texts: list[str] = []
    while len(texts) < 10:
        message = await fake.next_message(weber.chat_id)
        texts.append(message["text"])
        if message.get("reply_markup"):
            break  # the schedule button comes under the last part
    assert len(texts) >= 2 and all(len(text) <= 4096 for text in texts)
    whole = "\n".join(texts)
    assert all(f"(#{pid})" in whole for pid in ids)
    assert "Open alerts" in texts[-1]
