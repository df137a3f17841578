"""Every action of the patient card, one test each: what the therapist is answered, what the
database holds afterwards, and what the patient is told."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from coachbot import progression
from coachbot.domain import doses as dose_rules
from coachbot.domain import planning
from coachbot.domain.model import PlanChange, PlanItem, Report, Session
from coachbot.domain.vocabulary import (
    ChangeStatus,
    Difficulty,
    Equipment,
    Level,
    Outcome,
    PatientStatus,
    SessionState,
)
from conversations.card import contact
from tests.conftest import Bot, Clock
from tests.conversations.flows import button_data, next_containing, therapist_with_patients
from tests.conversations.test_progression import report
from tests.fakebot import FakeBotApi, FakeUser

WEBER = 5001  # Dr. Weber's Telegram id; her patients are 500100, 500101, ...
NOT_POSSIBLE = "That change is not possible any more"


# --- helpers ---------------------------------------------------------------------------


def patient_user(fake: FakeBotApi, therapist: FakeUser, n: int, name: str) -> FakeUser:
    """The Telegram account of the n-th patient `therapist_with_patients` created."""
    return fake.user(therapist.id * 100 + n, name, "en")


async def card_message(fake: FakeBotApi, therapist: FakeUser, pid: int) -> dict[str, Any]:
    """`/patient <pid>`: the card (after the chart, if one is sent); the chat is drained."""
    await fake.send(therapist, f"/patient {pid}")
    while True:
        message = await fake.next_message(therapist.chat_id)
        if f"(#{pid})" in message.get("text", ""):
            fake.drain(therapist.chat_id)
            return message


async def tap_edit(
    fake: FakeBotApi, user: FakeUser, message: dict[str, Any], data: str
) -> dict[str, Any]:
    """Tap `data` on `message`; the message as the bot edited it in answer."""
    await fake.tap(user, message, data)
    return await fake.next_edit(user.chat_id)


async def alert_answer(fake: FakeBotApi, user: FakeUser, message: dict[str, Any], data: str) -> str:
    """Tap `data`; the text of the pop-up alert the bot answered with (and it edited nothing)."""
    edits = len(fake.calls_to("editMessageText"))
    query = await fake.tap(user, message, data)
    answer = await fake.callback_answer(query)
    assert answer.get("show_alert") is True, answer
    assert len(fake.calls_to("editMessageText")) == edits
    return str(answer.get("text", ""))


async def refusal(fake: FakeBotApi, user: FakeUser, message: dict[str, Any], data: str) -> str:
    """Tap `data`; the refusal the bot sent to the chat (nothing was edited)."""
    edits = len(fake.calls_to("editMessageText"))
    query = await fake.tap(user, message, data)
    await fake.callback_answer(query)
    answer = await fake.next_message(user.chat_id)
    assert len(fake.calls_to("editMessageText")) == edits
    return str(answer["text"])


async def plan_of(bot: Bot, pid: int) -> list[PlanItem]:
    async with bot.uow() as uow:
        return await uow.plans.for_patient(pid)


def doses(items: list[PlanItem]) -> dict[int | None, tuple[str, int, int | None, int | None]]:
    return {i.id: (i.exercise_id, i.sets, i.reps, i.hold_seconds) for i in items}


async def planned(bot: Bot, pid: int) -> list[Session]:
    """The patient's planned (not yet sent) sessions."""
    async with bot.uow() as uow:
        sessions = await uow.sessions.for_patient(pid)
    return [s for s in sessions if s.state == SessionState.PLANNED]


async def changes_of(bot: Bot, pid: int) -> list[PlanChange]:
    async with bot.uow() as uow:
        return list(await uow.plan_changes.for_patient(pid))


async def propose(bot: Bot, pid: int, now: datetime) -> PlanChange:
    """Three easy, low-pain sessions on the days before `now`; the progression rules then
    propose a step up to the linked therapist."""
    async with bot.uow() as uow:
        patient = await uow.patients.get(pid)
        assert patient is not None
        for days_ago in (3, 2, 1):
            moment = now - timedelta(days=days_ago)
            session = Session(
                patient_id=pid,
                local_date=moment.date(),
                due_at=moment,
                ends_at=moment + timedelta(hours=12),
                state=SessionState.DONE,
            )
            uow.sessions.add(session)
            await uow.flush()
            assert session.id is not None
            uow.reports.add(
                Report(
                    session_id=session.id,
                    outcome=Outcome.DONE,
                    received_at=moment + timedelta(hours=1),
                    pain_after=1,
                    difficulty=Difficulty.EASY,
                )
            )
        await uow.flush()
        change = await progression.review_progress(uow, patient, bot.services.catalogue, now)
        assert change is not None and change.status == ChangeStatus.PROPOSED
        await uow.commit()
    return change


def item_data(message: dict[str, Any], pid: int) -> list[str]:
    return [d for d in button_data(message) if d.startswith(f"item:{pid}:")]


# --- changing a dose ---------------------------------------------------------------------


async def test_change_dose_steps_sets_and_repetitions_within_limits(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    [session] = await planned(bot, anton)
    today = {e.exercise_id for e in session.exercises}
    plan = await plan_of(bot, anton)
    item = next(i for i in plan if i.exercise_id in today and i.reps and i.sets == 1)
    assert item.reps is not None
    reps = item.reps
    card = await card_message(fake, weber, anton)

    listing = await tap_edit(fake, weber, card, f"plan:{anton}")
    assert "Which exercise" in listing["text"]
    assert f"item:{anton}:{item.id}" in item_data(listing, anton)
    view = await tap_edit(fake, weber, card, f"item:{anton}:{item.id}")
    assert f"1 × {reps} repetitions" in view["text"]
    assert {f"dose:{anton}:{item.id}:sets:u", f"dose:{anton}:{item.id}:reps:u"} <= set(
        button_data(view)
    )
    assert not any(":hold:" in d for d in button_data(view))

    query = await fake.tap(weber, card, f"dose:{anton}:{item.id}:sets:u")
    assert (await fake.callback_answer(query)).get("text") == "Dose changed."
    view = await fake.next_edit(weber.chat_id)
    assert "✅ Dose changed." in view["text"]
    assert f"2 × {reps} repetitions, rest 30 s between sets" in view["text"]
    [stored] = [i for i in await plan_of(bot, anton) if i.id == item.id]
    assert (stored.sets, stored.reps) == (2, reps)
    # The next session, not sent yet, already has the new dose.
    [session] = await planned(bot, anton)
    [exercise] = [e for e in session.exercises if e.exercise_id == item.exercise_id]
    assert (exercise.dose.sets, exercise.dose.reps) == (2, reps)

    view = await tap_edit(fake, weber, card, f"dose:{anton}:{item.id}:reps:u")
    assert f"2 × {reps + 2} repetitions" in view["text"]
    view = await tap_edit(fake, weber, card, f"dose:{anton}:{item.id}:sets:d")
    assert f"1 × {reps + 2} repetitions" in view["text"]
    [stored] = [i for i in await plan_of(bot, anton) if i.id == item.id]
    assert (stored.sets, stored.reps) == (1, reps + 2)
    [session] = await planned(bot, anton)
    [exercise] = [e for e in session.exercises if e.exercise_id == item.exercise_id]
    assert (exercise.dose.sets, exercise.dose.reps) == (1, reps + 2)
    assert session.due_at == datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # still 18:00 Berlin

    # One set is the floor: an alert, and nothing changes.
    before = doses(await plan_of(bot, anton))
    text = await alert_answer(fake, weber, card, f"dose:{anton}:{item.id}:sets:d")
    assert "cannot go further" in text and "nothing was changed" in text
    assert doses(await plan_of(bot, anton)) == before
    # As is the ceiling of repetitions.
    async with bot.uow() as uow:
        stored = next(i for i in await uow.plans.for_patient(anton) if i.id == item.id)
        stored.reps = dose_rules.REPS[1]
        await uow.commit()
    before = doses(await plan_of(bot, anton))
    text = await alert_answer(fake, weber, card, f"dose:{anton}:{item.id}:reps:u")
    assert "cannot go further" in text and "nothing was changed" in text
    assert doses(await plan_of(bot, anton)) == before


async def test_change_dose_of_a_held_exercise_in_five_second_steps(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    [session] = await planned(bot, anton)
    today = {e.exercise_id for e in session.exercises}
    item = next(i for i in await plan_of(bot, anton) if i.exercise_id in today and i.hold_seconds)
    hold = item.hold_seconds
    assert hold is not None and item.reps is None
    card = await card_message(fake, weber, anton)
    view = await tap_edit(fake, weber, card, f"item:{anton}:{item.id}")
    assert f"{item.sets} × hold {hold} s" in view["text"]
    assert f"dose:{anton}:{item.id}:hold:u" in button_data(view)
    assert not any(":reps:" in d for d in button_data(view))

    view = await tap_edit(fake, weber, card, f"dose:{anton}:{item.id}:hold:u")
    assert f"hold {hold + 5} s" in view["text"]
    [stored] = [i for i in await plan_of(bot, anton) if i.id == item.id]
    assert stored.hold_seconds == hold + 5
    [session] = await planned(bot, anton)
    [exercise] = [e for e in session.exercises if e.exercise_id == item.exercise_id]
    assert exercise.dose.hold_seconds == hold + 5

    # Down to the floor of five seconds, then an alert and nothing changes.
    seconds = hold + 5
    while seconds > dose_rules.HOLD[0]:
        seconds -= dose_rules.HOLD_STEP
        view = await tap_edit(fake, weber, card, f"dose:{anton}:{item.id}:hold:d")
        assert f"hold {seconds} s" in view["text"]
    before = doses(await plan_of(bot, anton))
    assert before[item.id][3] == dose_rules.HOLD[0]
    text = await alert_answer(fake, weber, card, f"dose:{anton}:{item.id}:hold:d")
    assert "cannot go further" in text and "nothing was changed" in text
    assert doses(await plan_of(bot, anton)) == before


# --- swapping, adding and removing exercises -------------------------------------------------


async def test_swap_offers_only_safe_possible_exercises_of_the_same_kind(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(
        bot, weber, "Dr. Weber", ["Anton"], conditions=("osteoporosis",)
    )
    async with bot.uow() as uow:
        patient = await uow.patients.get(anton)
        assert patient is not None
        patient.equipment = [Equipment.ELASTIC_BAND]  # but no dumbbells, ball or plate
        await uow.commit()
    catalogue = bot.services.catalogue
    # The catalogue facts this test relies on.
    swings = catalogue.exercises["standing_arm_swings"]
    assert swings.kinds[0] == "rotation" and "osteoporosis" in swings.unsuitable
    assert swings.equipment == []
    band_row = catalogue.exercises["band_row"]
    assert band_row.kinds[0] == "strength" and band_row.equipment == ["elastic_band"]
    assert catalogue.exercises["dumbbell_row"].kinds[0] == "strength"

    plan = await plan_of(bot, anton)
    in_plan = {i.exercise_id for i in plan}
    card = await card_message(fake, weber, anton)
    offers: dict[str, list[str]] = {}
    for kind in ("rotation", "strength"):
        item = next(i for i in plan if catalogue.exercises[i.exercise_id].kinds[0] == kind)
        await tap_edit(fake, weber, card, f"item:{anton}:{item.id}")
        options = await tap_edit(fake, weber, card, f"swap:{anton}:{item.id}")
        assert "safe for this patient's conditions and equipment" in options["text"]
        prefix = f"sw:{anton}:{item.id}:"
        offered = [d.removeprefix(prefix) for d in button_data(options) if d.startswith(prefix)]
        expected = sorted(
            e.id
            for e in catalogue.exercises.values()
            if e.kinds[0] == kind
            and e.id not in in_plan
            and set(e.equipment) <= {"elastic_band"}
            and "osteoporosis" not in e.unsuitable
        )
        assert offered == expected and offered, (kind, offered)
        assert f"item:{anton}:{item.id}" in button_data(options)  # the way back
        offers[kind] = offered
    assert "standing_arm_swings" not in offers["rotation"]  # unsuitable for the condition
    assert "band_row" in offers["strength"]  # the band is there
    assert not any(  # no dumbbells
        "dumbbells" in catalogue.exercises[e].equipment for e in offers["strength"]
    )

    # Swap the strength item: same place, the new exercise at its starting dose.
    item = next(i for i in plan if catalogue.exercises[i.exercise_id].kinds[0] == "strength")
    new = offers["strength"][0]
    edited = await tap_edit(fake, weber, card, f"sw:{anton}:{item.id}:{new}")
    old_title = catalogue.exercises[item.exercise_id].title.en
    new_title = catalogue.exercises[new].title.en
    assert f"🔁 {old_title} → {new_title}" in edited["text"]
    assert f"(#{anton})" in edited["text"]  # back on the card
    [stored] = [i for i in await plan_of(bot, anton) if i.id == item.id]
    start = catalogue.exercises[new].doses[Level.BEGINNER]
    assert stored.exercise_id == new
    assert (stored.sets, stored.reps, stored.hold_seconds) == (
        start.sets,
        start.reps,
        start.hold_seconds,
    )

    # A forged swap to an unsafe or impossible exercise is refused and changes nothing.
    rotation = next(i for i in plan if catalogue.exercises[i.exercise_id].kinds[0] == "rotation")
    before = doses(await plan_of(bot, anton))
    for forged in (
        f"sw:{anton}:{rotation.id}:standing_arm_swings",
        f"sw:{anton}:{item.id}:dumbbell_row",
    ):
        assert NOT_POSSIBLE in await refusal(fake, weber, card, forged)
    assert doses(await plan_of(bot, anton)) == before


async def test_add_an_exercise_by_kind_at_the_dose_for_the_patients_level(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    async with bot.uow() as uow:
        patient = await uow.patients.get(anton)
        assert patient is not None
        patient.level = Level.INTERMEDIATE
        await uow.commit()
    catalogue = bot.services.catalogue
    plan = await plan_of(bot, anton)
    in_plan = {i.exercise_id for i in plan}
    card = await card_message(fake, weber, anton)

    kinds = await tap_edit(fake, weber, card, f"addk:{anton}")
    assert "What kind of exercise?" in kinds["text"]
    offered_kinds = [d for d in button_data(kinds) if d.startswith(f"addk:{anton}:")]
    assert offered_kinds == [
        f"addk:{anton}:{kind}"
        for kind in (planning.WARM_UP, *planning.MAIN_KINDS, planning.COOL_DOWN)
    ]
    options = await tap_edit(fake, weber, card, f"addk:{anton}:strength")
    offered = [d.split(":")[2] for d in button_data(options) if d.startswith(f"add:{anton}:")]
    expected = sorted(
        e.id
        for e in catalogue.exercises.values()
        if e.kinds[0] == "strength" and e.id not in in_plan and not e.equipment
    )
    assert offered == expected and offered

    new = offered[0]
    start = catalogue.exercises[new].doses[Level.INTERMEDIATE]
    assert (start.sets, start.reps) != (
        catalogue.exercises[new].doses[Level.BEGINNER].sets,
        catalogue.exercises[new].doses[Level.BEGINNER].reps,
    )
    edited = await tap_edit(fake, weber, card, f"add:{anton}:{new}")
    assert f"➕ {catalogue.exercises[new].title.en} is in the plan" in edited["text"]
    after = await plan_of(bot, anton)
    assert len(after) == len(plan) + 1
    [added] = [i for i in after if i.exercise_id == new]
    assert (added.sets, added.reps, added.hold_seconds) == (
        start.sets,
        start.reps,
        start.hold_seconds,
    )
    # The plan stays in session order: warm-up first, the new strength exercise among the
    # strength ones, stretching last.
    order = [planning.WARM_UP, *planning.MAIN_KINDS, planning.COOL_DOWN]
    parts = [order.index(catalogue.exercises[i.exercise_id].kinds[0]) for i in after]
    assert parts == sorted(parts)

    # Forged: a patient without dumbbells, or an exercise already in the plan.
    before = doses(after)
    for forged in (f"add:{anton}:dumbbell_row", f"add:{anton}:{new}"):
        assert NOT_POSSIBLE in await refusal(fake, weber, card, forged)
    assert doses(await plan_of(bot, anton)) == before


async def test_remove_an_exercise_but_never_below_three(fake: FakeBotApi, bot: Bot) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    catalogue = bot.services.catalogue
    [session] = await planned(bot, anton)
    today = {e.exercise_id for e in session.exercises}
    plan = await plan_of(bot, anton)
    gone = next(i for i in plan if i.exercise_id in today)
    card = await card_message(fake, weber, anton)
    await tap_edit(fake, weber, card, f"item:{anton}:{gone.id}")
    edited = await tap_edit(fake, weber, card, f"rm:{anton}:{gone.id}")
    title = catalogue.exercises[gone.exercise_id].title.en
    assert f"🗑 {title} is out of the plan." in edited["text"]
    assert f"(#{anton})" in edited["text"]
    after = await plan_of(bot, anton)
    assert [i.id for i in after] == [i.id for i in plan if i.id != gone.id]
    [session] = await planned(bot, anton)
    assert gone.exercise_id not in {e.exercise_id for e in session.exercises}

    # Down to three exercises, the last ones stay.
    async with bot.uow() as uow:
        for item in (await uow.plans.for_patient(anton))[3:]:
            await uow.plans.remove(item)
        await uow.commit()
    three = await plan_of(bot, anton)
    assert len(three) == planning.MIN_PER_DAY
    text = await alert_answer(fake, weber, card, f"rm:{anton}:{three[0].id}")
    assert "at least three exercises" in text
    assert doses(await plan_of(bot, anton)) == doses(three)


# --- locking the plan, deciding proposals -------------------------------------------------


async def test_a_locked_plan_gets_no_progression_and_unlocking_brings_it_back(
    fake: FakeBotApi, bot: Bot, clock: Clock
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    patient = patient_user(fake, weber, 0, "Anton")
    card = await card_message(fake, weber, anton)
    assert f"lock:{anton}:y" in button_data(card)
    edited = await tap_edit(fake, weber, card, f"lock:{anton}:y")
    assert "🔒 Plan locked" in edited["text"] and "locked: only you change it" in edited["text"]
    assert f"lock:{anton}:n" in button_data(edited)
    async with bot.uow() as uow:
        stored = await uow.patients.get(anton)
        assert stored is not None and stored.plan_locked
    before = doses(await plan_of(bot, anton))

    # Three easy sessions with low pain would propose a step up; locked, nothing happens.
    for day in range(3):
        if day:
            clock.advance(days=1)
        await report(fake, patient, "2", "Easy")
    assert await changes_of(bot, anton) == []
    assert doses(await plan_of(bot, anton)) == before
    assert not any("suggested" in m.get("text", "") for m in fake.messages(patient.chat_id))

    edited = await tap_edit(fake, weber, card, f"lock:{anton}:n")
    assert "🔓 Plan unlocked" in edited["text"]
    assert f"lock:{anton}:y" in button_data(edited)
    async with bot.uow() as uow:
        stored = await uow.patients.get(anton)
        assert stored is not None and not stored.plan_locked
    # One more easy day: the window of three easy sessions now proposes a step up.
    clock.advance(days=1)
    await report(fake, patient, "2", "Easy")
    told = await next_containing(fake, patient, "suggested a change of your plan")
    assert "felt easy" in told["text"]
    [change] = await changes_of(bot, anton)
    assert change.status == ChangeStatus.PROPOSED and change.direction == "progress"
    assert doses(await plan_of(bot, anton)) == before  # proposed, not applied


async def test_accepting_a_proposal_changes_the_plan_and_tells_the_patient(
    fake: FakeBotApi, bot: Bot, clock: Clock
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    patient = patient_user(fake, weber, 0, "Anton")
    change = await propose(bot, anton, clock())
    before = doses(await plan_of(bot, anton))
    card = await card_message(fake, weber, anton)
    assert "Proposed: a step up" in card["text"]
    accept, reject = f"prop:{anton}:{change.id}:a", f"prop:{anton}:{change.id}:r"
    assert {accept, reject} <= set(button_data(card))

    clock.advance(minutes=5)
    edited = await tap_edit(fake, weber, card, accept)
    assert "✔️ Accepted: the plan has changed and the patient was told." in edited["text"]
    assert "Proposed" not in edited["text"] and accept not in button_data(edited)
    [stored] = await changes_of(bot, anton)
    assert stored.status == ChangeStatus.ACCEPTED and stored.decided_at == clock()
    after = await plan_of(bot, anton)
    moved = {c.exercise_id: c.after for c in change.changes}
    for item in after:
        if item.exercise_id in moved:
            assert item.dose == moved[item.exercise_id]
        else:
            assert doses([item]) == {item.id: before[item.id]}
    assert doses(after) != before
    told = await fake.next_message(patient.chat_id)
    assert "Your therapist Dr. Weber has agreed to this change:" in told["text"]
    assert "moves up a step" in told["text"]
    first = change.changes[0]
    title = bot.services.catalogue.exercises[first.exercise_id].title.en
    assert f"{title}: " in told["text"]

    # A second tap on the same proposal, either button: "already decided", nothing changes.
    for data in (accept, reject):
        text = await refusal(fake, weber, card, data)
        assert "already decided" in text
    [again] = await changes_of(bot, anton)
    assert again.status == ChangeStatus.ACCEPTED and again.decided_at == stored.decided_at
    assert doses(await plan_of(bot, anton)) == doses(after)
    assert len(fake.messages(patient.chat_id)) == 1


async def test_accepting_keeps_a_dose_the_therapist_changed_by_hand_since(
    fake: FakeBotApi, bot: Bot, clock: Clock
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    patient_user(fake, weber, 0, "Anton")
    change = await propose(bot, anton, clock())
    first = change.changes[0]
    item = next(i for i in await plan_of(bot, anton) if i.exercise_id == first.exercise_id)
    card = await card_message(fake, weber, anton)
    await tap_edit(fake, weber, card, f"dose:{anton}:{item.id}:sets:u")
    by_hand = next(i for i in await plan_of(bot, anton) if i.id == item.id).dose
    assert by_hand.sets == first.before.sets + 1

    await tap_edit(fake, weber, card, f"prop:{anton}:{change.id}:a")
    plan = {i.exercise_id: i.dose for i in await plan_of(bot, anton)}
    assert plan[first.exercise_id] == by_hand  # not the proposal's "after"
    for other in change.changes[1:]:
        assert plan.get(other.new_exercise_id or other.exercise_id) == other.after


async def test_an_accepted_proposal_reaches_todays_unsent_session(
    fake: FakeBotApi, bot: Bot, clock: Clock
) -> None:
    """Accepted at 09:00, the change is in the session due at 18:00 the same day, as a dose
    change from the card is (see test_change_dose_steps_sets_and_repetitions_within_limits)."""
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    patient_user(fake, weber, 0, "Anton")
    change = await propose(bot, anton, clock())
    [session] = await planned(bot, anton)
    assert session.local_date == date(2026, 11, 23) and session.due_at > clock()
    moved = {c.exercise_id: c.after for c in change.changes}
    assert moved.keys() & {e.exercise_id for e in session.exercises}
    card = await card_message(fake, weber, anton)
    await tap_edit(fake, weber, card, f"prop:{anton}:{change.id}:a")
    [session] = await planned(bot, anton)
    assert session.local_date == date(2026, 11, 23)
    prescribed = {e.exercise_id: e.dose for e in session.exercises if e.exercise_id in moved}
    assert prescribed == {e: moved[e] for e in prescribed}


async def test_rejecting_a_proposal_keeps_the_plan(
    fake: FakeBotApi, bot: Bot, clock: Clock
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    patient = patient_user(fake, weber, 0, "Anton")
    change = await propose(bot, anton, clock())
    before = doses(await plan_of(bot, anton))
    card = await card_message(fake, weber, anton)
    edited = await tap_edit(fake, weber, card, f"prop:{anton}:{change.id}:r")
    assert "✖️ Rejected: the plan stays as it is." in edited["text"]
    [stored] = await changes_of(bot, anton)
    assert stored.status == ChangeStatus.REJECTED and stored.decided_at == clock()
    assert doses(await plan_of(bot, anton)) == before
    assert fake.messages(patient.chat_id) == []

    text = await refusal(fake, weber, card, f"prop:{anton}:{change.id}:a")
    assert "already decided" in text
    [again] = await changes_of(bot, anton)
    assert again.status == ChangeStatus.REJECTED
    assert doses(await plan_of(bot, anton)) == before


# --- time, pause and resume --------------------------------------------------------------------


async def test_change_training_time_moves_the_next_session_and_tells_the_patient(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    patient = patient_user(fake, weber, 0, "Anton")
    card = await card_message(fake, weber, anton)
    menu = await tap_edit(fake, weber, card, f"ptime:{anton}")
    assert "New training time for Anton" in menu["text"] and "18:00" in menu["text"]
    assert f"ptime:{anton}:2000" in button_data(menu)
    assert f"pc:{anton}" in button_data(menu)

    edited = await tap_edit(fake, weber, card, f"ptime:{anton}:2000")
    assert "⏰ Training time set to 20:00." in edited["text"]
    assert "Training at 20:00 (Europe/Berlin)" in edited["text"]
    async with bot.uow() as uow:
        stored = await uow.patients.get(anton)
        assert stored is not None and stored.prompt_time == time(20, 0)
    [session] = await planned(bot, anton)
    assert session.local_date == date(2026, 11, 23)
    assert session.due_at == datetime(2026, 11, 23, 19, 0, tzinfo=UTC)  # 20:00 in Berlin
    told = await fake.next_message(patient.chat_id)
    assert "Your therapist Dr. Weber has moved your training time to 20:00." in told["text"]

    # 07:00 has passed today (09:00 in Berlin): the next session is tomorrow morning.
    await tap_edit(fake, weber, card, f"ptime:{anton}:0700")
    [session] = await planned(bot, anton)
    assert session.due_at == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


async def test_pause_for_a_week_or_until_resumed_and_resume(fake: FakeBotApi, bot: Bot) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    patient = patient_user(fake, weber, 0, "Anton")
    card = await card_message(fake, weber, anton)
    assert f"ppause:{anton}" in button_data(card) and f"presume:{anton}" not in button_data(card)
    menu = await tap_edit(fake, weber, card, f"ppause:{anton}")
    assert "How long should Anton's training pause?" in menu["text"]
    assert {f"ppause:{anton}:7", f"ppause:{anton}:14", f"ppause:{anton}:open"} <= set(
        button_data(menu)
    )

    edited = await tap_edit(fake, weber, card, f"ppause:{anton}:7")
    assert "⏸ Paused. The patient was told." in edited["text"]
    assert "paused until Monday, 30 November" in edited["text"]
    assert f"presume:{anton}" in button_data(edited) and f"ppause:{anton}" not in button_data(
        edited
    )
    async with bot.uow() as uow:
        stored = await uow.patients.get(anton)
        assert stored is not None
        assert stored.status == PatientStatus.PAUSED
        assert stored.paused_until == date(2026, 11, 30)
    assert await planned(bot, anton) == []  # nothing is sent while paused
    told = await fake.next_message(patient.chat_id)
    assert "paused your training until Monday, 30 November" in told["text"]
    assert "Dr. Weber" in told["text"] and "/resume" in told["text"]

    edited = await tap_edit(fake, weber, card, f"presume:{anton}")
    assert "▶️ Training restarted. The patient was told." in edited["text"]
    async with bot.uow() as uow:
        stored = await uow.patients.get(anton)
        assert stored is not None
        assert stored.status == PatientStatus.ACTIVE and stored.paused_until is None
    assert len(await planned(bot, anton)) == 1
    told = await fake.next_message(patient.chat_id)
    assert "Your therapist Dr. Weber has restarted your training" in told["text"]

    edited = await tap_edit(fake, weber, card, f"ppause:{anton}:open")
    assert "paused until further notice" in edited["text"]
    async with bot.uow() as uow:
        stored = await uow.patients.get(anton)
        assert stored is not None
        assert stored.status == PatientStatus.PAUSED and stored.paused_until is None
    told = await fake.next_message(patient.chat_id)
    assert "paused your training until further notice" in told["text"]


async def test_a_patient_stopped_after_a_red_flag_cannot_be_paused_or_resumed(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    patient = patient_user(fake, weber, 0, "Anton")
    async with bot.uow() as uow:
        stored = await uow.patients.get(anton)
        assert stored is not None
        stored.status = PatientStatus.STOPPED
        await uow.commit()
    card = await card_message(fake, weber, anton)
    assert "stopped after a red-flag answer" in card["text"]
    assert not any(d.startswith(("ppause:", "presume:")) for d in button_data(card))

    for forged in (f"ppause:{anton}:7", f"ppause:{anton}:open", f"presume:{anton}"):
        text = await refusal(fake, weber, card, forged)
        assert "Training is stopped after a red-flag answer" in text
        assert "nothing was changed" in text
    async with bot.uow() as uow:
        stored = await uow.patients.get(anton)
        assert stored is not None
        assert stored.status == PatientStatus.STOPPED and stored.paused_until is None
    assert fake.messages(patient.chat_id) == []


# --- messages -----------------------------------------------------------------------------


async def test_message_reaches_the_patient_signed_with_the_therapists_name(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    patient = patient_user(fake, weber, 0, "Anton")
    card = await card_message(fake, weber, anton)
    prompt = await tap_edit(fake, weber, card, f"msg:{anton}")
    assert "Type your message to Anton (up to 1000 characters)" in prompt["text"]
    assert button_data(prompt) == [f"msg:{anton}:x"]
    async with bot.uow() as uow:
        therapist = await uow.therapists.by_user(weber.id)
        assert therapist is not None and therapist.step == f"message:{anton}"

    text = "Well done this week! Remember: hips < shoulders & breathe out."
    await fake.send(weber, text)
    assert (await fake.next_message(weber.chat_id))["text"] == "✅ Sent to Anton."
    told = await fake.next_message(patient.chat_id)
    assert told["text"] == f"✉️ Message from your therapist Dr. Weber:\n\n{text}"
    async with bot.uow() as uow:
        therapist = await uow.therapists.by_user(weber.id)
        assert therapist is not None and therapist.step is None
    # The next text is not sent on.
    await fake.send(weber, "and one more thing")
    assert "Please use a command" in (await fake.next_message(weber.chat_id))["text"]
    assert len(fake.messages(patient.chat_id)) == 1


async def test_an_overlong_message_is_refused_and_cancel_sends_nothing(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    patient = patient_user(fake, weber, 0, "Anton")
    card = await card_message(fake, weber, anton)
    await tap_edit(fake, weber, card, f"msg:{anton}")
    await fake.send(weber, "x" * (contact.MESSAGE_LIMIT + 1))
    reply = await fake.next_message(weber.chat_id)
    assert "up to 1000 characters; nothing was sent." in reply["text"]
    assert fake.messages(patient.chat_id) == []

    edited = await tap_edit(fake, weber, card, f"msg:{anton}:x")
    assert "Nothing was sent." in edited["text"] and f"(#{anton})" in edited["text"]
    async with bot.uow() as uow:
        therapist = await uow.therapists.by_user(weber.id)
        assert therapist is not None and therapist.step is None
    await fake.send(weber, "Hello Anton")
    assert "Please use a command" in (await fake.next_message(weber.chat_id))["text"]
    assert fake.messages(patient.chat_id) == []

    # Exactly at the limit is fine.
    await tap_edit(fake, weber, card, f"msg:{anton}")
    await fake.send(weber, "y" * contact.MESSAGE_LIMIT)
    assert "Sent to Anton" in (await fake.next_message(weber.chat_id))["text"]
    assert "y" * contact.MESSAGE_LIMIT in (await fake.next_message(patient.chat_id))["text"]


async def test_a_message_to_a_patient_who_blocked_the_bot_says_so(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    [anton] = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton"])
    patient = patient_user(fake, weber, 0, "Anton")
    fake.block(patient)
    card = await card_message(fake, weber, anton)
    await tap_edit(fake, weber, card, f"msg:{anton}")
    await fake.send(weber, "Are you all right?")
    reply = await fake.next_message(weber.chat_id)
    assert (
        "Anton could not be reached" in reply["text"] and "Nothing was delivered" in reply["text"]
    )
    assert fake.messages(patient.chat_id) == []


# --- unlinking ------------------------------------------------------------------------------


async def test_unlink_after_confirming(fake: FakeBotApi, bot: Bot, clock: Clock) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    anton, berta = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton", "Berta"])
    patient = patient_user(fake, weber, 0, "Anton")
    change = await propose(bot, anton, clock())
    async with bot.uow() as uow:
        stored = await uow.patients.get(anton)
        assert stored is not None
        stored.plan_locked = True
        await uow.commit()
    card = await card_message(fake, weber, anton)

    question = await tap_edit(fake, weber, card, f"unl:{anton}")
    assert "Unlink Anton?" in question["text"]
    assert button_data(question) == [f"unl:{anton}:y", f"pc:{anton}"]
    edited = await tap_edit(fake, weber, card, f"pc:{anton}")  # "No"
    assert f"Anton (#{anton})" in edited["text"]
    async with bot.uow() as uow:
        stored = await uow.patients.get(anton)
        assert stored is not None and stored.therapist_id is not None
    assert [c.status for c in await changes_of(bot, anton)] == [ChangeStatus.PROPOSED]

    await tap_edit(fake, weber, card, f"unl:{anton}")
    clock.advance(minutes=1)
    edited = await tap_edit(fake, weber, card, f"unl:{anton}:y")
    assert "🔗 Anton is unlinked and was told." in edited["text"]
    assert button_data(edited) == ["ros:0"]
    async with bot.uow() as uow:
        stored = await uow.patients.get(anton)
        assert stored is not None
        assert stored.therapist_id is None and not stored.plan_locked
    [lapsed] = await changes_of(bot, anton)
    assert lapsed.id == change.id
    assert lapsed.status == ChangeStatus.REJECTED and lapsed.decided_at == clock()
    told = await fake.next_message(patient.chat_id)
    assert "Dr. Weber has ended the link with you" in told["text"]

    await fake.send(weber, "/patients")
    roster = await fake.next_message(weber.chat_id)
    assert "Anton" not in roster["text"] and "Berta" in roster["text"]
    assert f"card:{anton}" not in button_data(roster) and f"card:{berta}" in button_data(roster)


# --- opening the card by id, and in German -----------------------------------------------------


async def test_patient_command_opens_the_card_or_explains_itself(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(WEBER, "Weber", "en")
    _anton, berta = await therapist_with_patients(bot, weber, "Dr. Weber", ["Anton", "Berta"])
    for typed in (f"/patient {berta}", f"/patient #{berta}"):
        await fake.send(weber, typed)
        card = await fake.next_message(weber.chat_id)
        assert card["text"].startswith(f"Berta (#{berta}) · training")
        assert f"plan:{berta}" in button_data(card)
    for typed in ("/patient", "/patient Anton"):
        await fake.send(weber, typed)
        usage = await fake.next_message(weber.chat_id)
        assert usage["text"] == (
            "Which patient? Send /patients and tap a name, or type e.g. /patient 12."
        )
        assert not button_data(usage)


async def test_a_german_therapist_gets_the_card_and_its_answers_in_german(
    fake: FakeBotApi, bot: Bot
) -> None:
    weber = fake.user(WEBER, "Weber", "de")
    [anton] = await therapist_with_patients(
        bot, weber, "Dr. Weber", ["Anton"], language="de", conditions=("herniated_disc",)
    )
    patient = fake.user(WEBER * 100, "Anton", "de")
    card = await card_message(fake, weber, anton)
    text = card["text"]
    assert f"Anton (#{anton}) · trainiert" in text
    assert "Beschwerden: Bandscheibenvorfall" in text
    assert "Mo., Di., Mi." in text and "Einstiegsniveau" in text
    assert "Therapietreue: 7 Tage" in text
    catalogue = bot.services.catalogue
    plan = await plan_of(bot, anton)
    for item in plan:
        assert catalogue.exercises[item.exercise_id].title.de in text
    assert "Wiederholungen" in text and "halten" in text  # the doses
    assert "Conditions" not in text and "Adherence" not in text
    assert any(
        b["text"] == "📝 Plan bearbeiten"
        for row in card["reply_markup"]["inline_keyboard"]
        for b in row
    )

    item = next(i for i in plan if i.reps is not None)
    query = await fake.tap(weber, card, f"dose:{anton}:{item.id}:sets:u")
    assert (await fake.callback_answer(query)).get("text") == "Dosierung geändert."
    view = await fake.next_edit(weber.chat_id)
    assert "✅ Dosierung geändert." in view["text"]
    assert f"2 × {item.reps} Wiederholungen" in view["text"]

    edited = await tap_edit(fake, weber, card, f"ptime:{anton}:2000")
    assert "Trainingszeit auf 20:00 Uhr gestellt" in edited["text"]
    told = await fake.next_message(patient.chat_id)
    assert "Dr. Weber hat Ihre Trainingszeit auf 20:00 Uhr verlegt" in told["text"]
