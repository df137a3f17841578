"""/lessons and /relax: the back-school course and the relaxation techniques on demand,
through the real Application."""

from __future__ import annotations

from typing import Any

from catalogue.loader import Catalogue
from coachbot import enrolment
from coachbot.domain import quiz
from coachbot.domain.vocabulary import Condition, Language, PatientStatus
from tests.conftest import START, Bot
from tests.conversations.flows import button_data, sign_up_therapist
from tests.fakebot import FakeBotApi, FakeUser


async def enrolled(
    bot: Bot,
    user: FakeUser,
    *,
    language: str = "en",
    conditions: tuple[str, ...] = (),
    status: PatientStatus = PatientStatus.ACTIVE,
    taught: tuple[str, ...] = (),
) -> int:
    """A patient who has finished enrolment, with the lessons `taught`; returns their id."""
    async with bot.uow() as uow:
        patient = await enrolment.consent(
            uow,
            telegram_user_id=user.id,
            chat_id=user.chat_id,
            language=Language(language),
            timezone="Europe/Berlin",
            first_step="ob:days",
            now=START,
        )
        patient.conditions = [Condition(condition) for condition in conditions]
        await enrolment.finish_enrolment(uow, patient, bot.services.catalogue, START)
        patient.status = status
        patient.lessons_taught = list(taught)
        await uow.commit()
        assert patient.id is not None
        return patient.id


def labels(message: dict[str, Any]) -> list[str]:
    return [
        button["text"]
        for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
    ]


async def lessons_taught(bot: Bot, user: FakeUser) -> list[str]:
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(user.id)
        assert patient is not None
        return patient.lessons_taught


async def open_lesson(
    fake: FakeBotApi, user: FakeUser, listing: dict[str, Any], title: str
) -> tuple[str, dict[str, Any]]:
    """Tap a lesson in the list; its text, and the message with its question."""
    await fake.tap_button(user, listing, title)
    text = (await fake.next_message(user.chat_id))["text"]
    return text, await fake.next_message(user.chat_id)


# --- /lessons -----------------------------------------------------------------------------------


async def test_lessons_lists_the_course_and_opens_any_lesson_with_its_question(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    catalogue: Catalogue = bot.services.catalogue
    await enrolled(bot, anna, taught=("how_the_spine_works",))
    await fake.send(anna, "/lessons")
    listing = await fake.next_message(anna.chat_id)
    assert "Back school" in listing["text"]
    shown = labels(listing)
    assert len(shown) == len(catalogue.lessons)
    assert shown[0] == "✅ 1. How your spine, discs and deep muscles work"  # already sent
    assert shown[1] == "2. When to see a doctor"  # early in the course, not sent yet

    # Any lesson opens, the last one too, with its question.
    text, question = await open_lesson(fake, anna, listing, "Keeping it up")
    last = catalogue.lessons_in_order()[-1]
    assert "Back school: " + last.title.en in text
    assert last.body.en[:40] in text
    assert last.check.question.en in question["text"]
    right = next(n for n, option in enumerate(last.check.options) if option.correct)
    assert sorted(button_data(question)) == [f"lsq:{last.id}:{n}" for n in range(3)]
    fake.drain(anna.chat_id)
    await fake.tap(anna, question, f"lsq:{last.id}:{right}")
    answered = await fake.next_edit(anna.chat_id)
    assert "✅ Right!" in answered["text"]
    assert last.check.explanation.en[:40] in answered["text"]

    # And back to the list; reading on demand leaves the course as it was.
    await fake.tap_button(anna, answered, "All lessons")
    again = await fake.next_message(anna.chat_id)
    assert labels(again) == shown
    assert await lessons_taught(bot, anna) == ["how_the_spine_works"]


async def test_lessons_in_german_for_a_patient_whose_training_is_stopped(
    fake: FakeBotApi, bot: Bot, bernd: FakeUser
) -> None:
    await enrolled(bot, bernd, language="de", status=PatientStatus.STOPPED)
    await fake.send(bernd, "/lessons")
    listing = await fake.next_message(bernd.chat_id)
    assert "Rückenschule" in listing["text"]
    assert labels(listing)[1] == "2. Wann Sie zum Arzt gehen sollten"
    text, question = await open_lesson(fake, bernd, listing, "Wann Sie zum Arzt")
    assert "Rückenschule: Wann Sie zum Arzt gehen sollten" in text
    assert "Reithosenbereich" in text
    assert "Eine kurze Frage zu dieser Lektion" in question["text"]
    await fake.tap_button(bernd, question, "Muskelkater")
    answered = await fake.next_edit(bernd.chat_id)
    assert "Nicht ganz." in answered["text"]
    assert "Ihre Antwort: Muskelkater am Tag nach dem Üben" in answered["text"]


async def test_the_options_come_in_each_persons_own_order_and_the_right_one_is_right(
    fake: FakeBotApi, bot: Bot, anna: FakeUser, bernd: FakeUser
) -> None:
    catalogue: Catalogue = bot.services.catalogue
    anna_id = await enrolled(bot, anna)
    bernd_id = await enrolled(bot, bernd)  # in English too, to compare the labels
    lesson = next(
        lesson
        for lesson in catalogue.lessons_in_order()
        if quiz.option_order(anna_id, lesson.id, 3) != quiz.option_order(bernd_id, lesson.id, 3)
    )
    right = next(option.text.en for option in lesson.check.options if option.correct)
    seen = []
    for user in (anna, bernd):
        await fake.send(user, "/lessons")
        listing = await fake.next_message(user.chat_id)
        _text, question = await open_lesson(fake, user, listing, lesson.title.en)
        seen.append(labels(question))
        # The same person sees the same order the next time.
        _text, again = await open_lesson(fake, user, listing, lesson.title.en)
        assert labels(again) == labels(question)
        fake.drain(user.chat_id)
        await fake.tap_button(user, question, right)
        assert "✅ Right!" in (await fake.next_edit(user.chat_id))["text"]
    assert seen[0] != seen[1]
    assert sorted(seen[0]) == sorted(seen[1])


async def test_a_stale_or_forged_lesson_button_gets_a_clear_answer(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    await enrolled(bot, anna)
    await fake.send(anna, "/lessons")
    listing = await fake.next_message(anna.chat_id)
    for forged in ("lsn:a_lesson_long_gone", "lsq:a_lesson_long_gone:1", "lsq:pacing:3"):
        query = await fake.tap(anna, listing, forged)
        await fake.callback_answer(query)
        reply = await fake.next_message(anna.chat_id)
        assert "no longer in the course" in reply["text"] and "/lessons" in reply["text"]
    # Data no family accepts: the stale-button answer.
    query = await fake.tap(anna, listing, "lsn:Pacing!")
    assert "no longer valid" in (await fake.callback_answer(query))["text"]


async def test_lessons_and_relax_are_for_enrolled_patients(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    weber = fake.user(2001, "Weber", "de")
    await sign_up_therapist(bot, weber, "Dr. Weber", "de")
    await fake.send(weber, "/lessons")
    assert "Dieser Befehl ist für Patientinnen" in (await fake.next_message(weber.chat_id))["text"]
    await fake.send(anna, "/relax")  # not enrolled
    assert "/start" in (await fake.next_message(anna.chat_id))["text"]


async def test_help_and_the_command_menu_offer_lessons_and_relax_in_both_languages(
    fake: FakeBotApi, bot: Bot, anna: FakeUser, bernd: FakeUser
) -> None:
    await enrolled(bot, anna)
    await enrolled(bot, bernd, language="de")
    await fake.send(anna, "/help")
    english = (await fake.next_message(anna.chat_id))["text"]
    assert "/lessons: Back-school lessons" in english and "/relax: Relaxation" in english
    await fake.send(bernd, "/help")
    german = (await fake.next_message(bernd.chat_id))["text"]
    assert "/lessons: Die Lektionen der Rückenschule" in german
    assert "/relax: Entspannungsübungen" in german
    for language in ("", "de"):
        assert {"lessons", "relax"} <= {c["command"] for c in fake.commands[language]}


# --- /relax -------------------------------------------------------------------------------------


async def test_relax_lists_only_what_suits_the_patient_and_sends_the_one_tapped(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    catalogue: Catalogue = bot.services.catalogue
    await enrolled(bot, anna, conditions=("osteoporosis",))
    await fake.send(anna, "/relax")
    listing = await fake.next_message(anna.chat_id)
    shown = labels(listing)
    # Hugging both knees is not for fragile bones: the bedtime routine is left out.
    assert len(shown) == len(catalogue.relaxation) - 1
    assert not any("bedtime" in label for label in shown)
    assert "Resting with your legs up on a chair (10 min)" in shown
    minutes = [int(label.rsplit("(", 1)[1].split()[0]) for label in shown]
    assert minutes == sorted(minutes)  # shortest first

    await fake.tap_button(anna, listing, "legs up on a chair")
    technique = catalogue.relaxation["step_position_rest"]
    sent = await fake.next_message(anna.chat_id)
    assert "Relaxation: Resting with your legs up on a chair (10 min)" in sent["text"]
    assert technique.steps.en[1][:40] in sent["text"]
    assert "Go gently with this one" in sent["text"]  # getting down to the floor
    await fake.tap_button(anna, sent, "Other techniques")
    assert labels(await fake.next_message(anna.chat_id)) == shown

    await fake.tap_button(anna, listing, "Belly breathing")
    assert "Go gently" not in (await fake.next_message(anna.chat_id))["text"]

    # A button for a technique that does not suit her (forged, or her conditions changed).
    for forged in ("rlx:bedtime_back_routine", "rlx:no_such_technique"):
        query = await fake.tap(anna, listing, forged)
        await fake.callback_answer(query)
        reply = await fake.next_message(anna.chat_id)
        assert "not one I can suggest" in reply["text"] and "/relax" in reply["text"]


async def test_relax_in_german_for_a_paused_patient(
    fake: FakeBotApi, bot: Bot, bernd: FakeUser
) -> None:
    catalogue: Catalogue = bot.services.catalogue
    await enrolled(bot, bernd, language="de", status=PatientStatus.PAUSED)
    await fake.send(bernd, "/relax")
    listing = await fake.next_message(bernd.chat_id)
    assert "Entspannung" in listing["text"]
    assert len(labels(listing)) == len(catalogue.relaxation)
    bedtime = catalogue.relaxation["bedtime_back_routine"]
    await fake.tap_button(bernd, listing, bedtime.title.de)
    sent = await fake.next_message(bernd.chat_id)
    assert f"Entspannung: {bedtime.title.de} (10 Min.)" in sent["text"]
    assert bedtime.intro.de[:40] in sent["text"]
    assert "Weitere Entspannungsübungen" in labels(sent)[0]


async def test_the_sessions_question_shows_the_options_in_the_persons_order_too(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    catalogue: Catalogue = bot.services.catalogue
    anna_id = await enrolled(bot, anna)
    await fake.send(anna, "/today")
    session = await fake.next_message(anna.chat_id)
    await fake.tap_button(anna, session, "Done")
    await fake.tap_button(anna, await fake.next_message(anna.chat_id), "🟢 1")
    await fake.next_message(anna.chat_id)  # the advice
    await fake.tap_button(anna, await fake.next_message(anna.chat_id), "Easy")
    await fake.next_message(anna.chat_id)  # report complete
    question = await fake.next_message(anna.chat_id)
    assert "quick question on today's lesson" in question["text"]
    lesson = catalogue.lessons["how_the_spine_works"]  # the first session's
    options = lesson.check.options
    assert labels(question) == [
        options[n].text.en for n in quiz.option_order(anna_id, lesson.id, len(options))
    ]
    fake.drain(anna.chat_id)
    await fake.tap_button(anna, question, next(o.text.en for o in options if o.correct))
    assert "✅ Right!" in (await fake.next_edit(anna.chat_id))["text"]
