"""The printable plan: "🖨 Printable plan (PDF)" under /plan and on the therapist's card
sends a PDF of the current plan, in the patient's language, holding every exercise with
the cautions that concern this patient only; another therapist's tap gets nothing."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from pypdf import PdfReader

from coachbot.domain.vocabulary import Condition, Language, PatientStatus
from tests.conftest import Bot
from tests.conversations.flows import button_data, enrol, therapist_with_patients
from tests.conversations.test_card_actions import card_message, patient_user
from tests.conversations.test_card_authorisation import NOT_YOURS, answer_to
from tests.fakebot import FakeBotApi, FakeUser

# Drawing a plan of a dozen exercises takes a few seconds of CPU in a worker thread.
DRAWN = 60.0
FILENAME = "coachbot-plan-2026-11-23.pdf"  # the clock starts on Monday 23.11.2026


def words(text: str) -> str:
    """Text with its line breaks and runs of spaces as single spaces."""
    return " ".join(text.split())


def pdf_text(message: dict[str, Any]) -> str:
    """The text of every page of the document the message carries."""
    assert message["document"]["mime_type"] == "application/pdf"
    reader = PdfReader(BytesIO(message["document_bytes"]))
    return words(" ".join(page.extract_text() for page in reader.pages))


async def plan_of_user(bot: Bot, user_id: int) -> tuple[list[str], list[Condition], int]:
    """The exercise ids of the person's plan in order, their conditions, their record id."""
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(user_id)
        assert patient is not None and patient.id is not None
        items = await uow.plans.for_patient(patient.id)
        return [item.exercise_id for item in items], patient.conditions, patient.id


def assert_holds_the_plan(
    bot: Bot, text: str, ids: list[str], conditions: list[Condition], language: str
) -> None:
    """Every exercise's title and the cautions for this person, none for anyone else."""
    catalogue = bot.services.catalogue
    shown: set[str] = set()
    hidden: set[str] = set()
    for exercise_id in ids:
        exercise = catalogue.exercises[exercise_id]
        assert words(exercise.title.get(language)) in text, exercise_id
        for caution in exercise.cautions:
            target = shown if caution.concern(conditions) else hidden
            target.add(words(caution.get(language)))
    assert shown and hidden - shown, "the plan should have cautions of both kinds"
    for said in shown:
        assert said in text, said
    for unsaid in hidden - shown:
        assert unsaid not in text, unsaid


async def test_a_patient_prints_their_plan_from_plan(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    await enrol(fake, anna, conditions=("herniated_disc",))
    await fake.send(anna, "/plan")
    overview = await fake.next_message(anna.chat_id)
    query = await fake.tap_button(anna, overview, "🖨 Printable plan (PDF)")
    assert (await fake.callback_answer(query))["text"] == "Preparing your plan to print…"
    document = await fake.next_message(anna.chat_id, timeout=DRAWN)
    assert document["document"]["file_name"] == FILENAME
    assert document["caption"] == "Your plan to print, with pictures and steps."
    text = pdf_text(document)
    assert "My exercise plan" in text and "Anna · 23 November 2026" in text
    ids, conditions, _pid = await plan_of_user(bot, anna.id)
    assert conditions == [Condition.HERNIATED_DISC]
    assert_holds_the_plan(bot, text, ids, conditions, "en")
    # Doses as the session messages word them, and whom to ask: no therapist is linked.
    assert "repetitions" in text
    assert "see your doctor or physiotherapist" in text
    assert "tell your therapist" not in text
    # The /plan message keeps its button for another copy.
    assert button_data(overview) == ["prt"]


async def test_a_german_patient_gets_the_plan_in_german(
    fake: FakeBotApi, bot: Bot, bernd: FakeUser
) -> None:
    await enrol(fake, bernd, conditions=("spinal_stenosis",))
    await fake.send(bernd, "/plan")
    overview = await fake.next_message(bernd.chat_id)
    await fake.tap_button(bernd, overview, "🖨 Plan zum Ausdrucken (PDF)")
    document = await fake.next_message(bernd.chat_id, timeout=DRAWN)
    assert document["document"]["file_name"] == FILENAME
    assert document["caption"] == "Ihr Plan zum Ausdrucken, mit Bildern und Schritten."
    text = pdf_text(document)
    assert "Mein Übungsplan" in text and "Bernd · 23. November 2026" in text
    assert "Wiederholungen" in text and "Ausgangsposition:" in text
    ids, conditions, _pid = await plan_of_user(bot, bernd.id)
    assert_holds_the_plan(bot, text, ids, conditions, "de")
    assert "My exercise plan" not in text


async def test_a_therapist_prints_a_patients_plan_from_the_card(fake: FakeBotApi, bot: Bot) -> None:
    weber = fake.user(5001, "Weber", "en")
    [anton] = await therapist_with_patients(
        bot, weber, "Dr. Weber", ["Anton"], conditions=("herniated_disc",)
    )
    anton_user = patient_user(fake, weber, 0, "Anton")
    async with bot.uow() as uow:  # Anton reads German; Dr. Weber English
        patient = await uow.patients.get(anton)
        assert patient is not None
        patient.language = Language.DE
        await uow.commit()
    card = await card_message(fake, weber, anton)
    assert f"pprt:{anton}" in button_data(card)
    query = await fake.tap_button(weber, card, "🖨 Printable plan (PDF)")
    assert (await fake.callback_answer(query))["text"] == "Preparing the plan to print…"
    document = await fake.next_message(weber.chat_id, timeout=DRAWN)
    assert document["document"]["file_name"] == FILENAME
    assert document["caption"] == "Anton's plan to print, in their language (Deutsch)."
    text = pdf_text(document)
    assert "Mein Übungsplan" in text and "Anton · 23. November 2026" in text
    ids, conditions, _pid = await plan_of_user(bot, anton_user.id)
    assert_holds_the_plan(bot, text, ids, conditions, "de")
    # Anton has a therapist: the advice names her, and nothing went to Anton himself.
    assert "sagen Sie es Ihrer Therapeutin oder Ihrem Therapeuten" in text
    assert fake.messages(anton_user.chat_id) == []


async def test_a_forged_print_of_another_therapists_patient_is_refused(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(5001, "Weber", "en")
    beck = fake.user(5002, "Beck", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    [dora] = await therapist_with_patients(bot, beck, "Dr. Beck", ["Dora"])
    card = await card_message(fake, beck, dora)
    assert await answer_to(fake, beck, card, f"pprt:{anton}") == NOT_YOURS
    assert await answer_to(fake, beck, card, "pprt:999999") == NOT_YOURS
    # A therapist is no patient: the patients' own button prints nothing for him.
    refusal = await answer_to(fake, beck, card, "prt")
    assert refusal == "This command is for patients. /help lists yours."
    assert fake.calls_to("sendDocument") == []
    # His own patient's plan he does get.
    await fake.tap(beck, card, f"pprt:{dora}")
    document = await fake.next_message(beck.chat_id, timeout=DRAWN)
    assert "Dora" in pdf_text(document)


async def test_no_plan_to_print_while_a_warning_sign_has_stopped_training(
    fake: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    await enrol(fake, anna)
    await fake.send(anna, "/plan")
    overview = await fake.next_message(anna.chat_id)
    async with bot.uow() as uow:
        patient = await uow.patients.by_user(anna.id)
        assert patient is not None
        patient.status = PatientStatus.STOPPED
        await uow.commit()
    query = await fake.tap(anna, overview, "prt")
    await fake.callback_answer(query)
    refusal = await fake.next_message(anna.chat_id)
    assert refusal["text"].startswith("Training is stopped because of a safety answer.")
    assert fake.calls_to("sendDocument") == []
