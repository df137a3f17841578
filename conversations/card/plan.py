"""The plan editor of a patient's card: an exercise's dose, swapping, removing and
adding exercises, locking the plan, and deciding progression's proposals."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update

from catalogue.loader import Catalogue
from coachbot import access, plans, progression
from coachbot.db.uow import UnitOfWork
from coachbot.domain.doses import DoseField
from coachbot.domain.errors import GoneFromPlan, InvalidChange
from coachbot.domain.model import Patient, PlanChange, PlanItem, Therapist
from coachbot.domain.vocabulary import ChangeStatus, Kind, Movement, lookup
from coachbot.i18n import Translator
from conversations import buttons, keyboards, labels
from conversations.card.view import Said, act, back
from conversations.context import CoachContext, tr
from conversations.keyboards import button
from conversations.render import change_text, plan_dose_text, title


async def _plan(
    update: Update, context: CoachContext, pid: int
) -> tuple[Therapist, Patient, list[PlanItem]]:
    """The therapist tapping, their patient `pid` and that patient's plan (read only)."""
    assert update.effective_user is not None
    async with context.read() as uow:
        therapist = await context.therapist(update.effective_user, uow)
        patient = await access.own_patient(uow, therapist, pid)
        items = await uow.plans.for_patient(pid)
    return therapist, patient, items


def _plan_buttons(
    pid: int, items: list[PlanItem], language: str, catalogue: Catalogue, _: Translator
) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                f"{n}. {title(catalogue, item.exercise_id, language)}",
                buttons.ITEM.data(pid, item.id),
            )
        ]
        for n, item in enumerate(items, start=1)
    ]
    rows.append([button(_("➕ Add an exercise"), buttons.ADD_MENU.data(pid))])
    rows.append(back(pid, _))
    return InlineKeyboardMarkup(rows)


async def plan_menu(update: Update, context: CoachContext) -> None:
    """The plan as buttons: tap an exercise to change it, or add one."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    pid = buttons.PLAN.read(context).id("patient")
    therapist, _patient, items = await _plan(update, context, pid)
    _ = tr(therapist.language)
    await query.edit_message_text(
        _("Which exercise do you want to change?"),
        reply_markup=_plan_buttons(pid, items, therapist.language, context.services.catalogue, _),
    )


async def _item_view(
    update: Update, context: CoachContext, pid: int, item_id: int, note: str = ""
) -> None:
    """One exercise of the plan, its dose and cautions, and what can be done with it."""
    query = update.callback_query
    assert query is not None
    catalogue = context.services.catalogue
    therapist, _patient, items = await _plan(update, context, pid)
    _ = tr(therapist.language)
    item = next((i for i in items if i.id == item_id), None)
    if item is None:
        raise GoneFromPlan
    exercise = catalogue.exercises.get(item.exercise_id)
    # The therapist reads what the patient reads: general cautions and the patient's own.
    cautions = exercise.cautions_for(_patient.conditions) if exercise else []
    text = "\n".join(
        ([note, ""] if note else [])
        + [
            f"<b>{escape(title(catalogue, item.exercise_id, therapist.language))}</b>",
            escape(plan_dose_text(item.exercise_id, item.dose, catalogue, _)),
            *[f"⚠️ {escape(caution.get(therapist.language))}" for caution in cautions],
        ]
    )
    amount, less, more = {
        Movement.REPEATED: ("reps", _("➖ 2 repetitions"), _("➕ 2 repetitions")),
        Movement.STATIC: ("hold", _("➖ 5 s hold"), _("➕ 5 s hold")),
        Movement.CONTINUOUS: ("move", _("➖ 15 s moving"), _("➕ 15 s moving")),
    }[item.dose.movement]
    rows = [
        [
            button(_("➖ 1 set"), buttons.DOSE.data(pid, item_id, "sets", "d")),
            button(_("➕ 1 set"), buttons.DOSE.data(pid, item_id, "sets", "u")),
        ],
        [
            button(less, buttons.DOSE.data(pid, item_id, amount, "d")),
            button(more, buttons.DOSE.data(pid, item_id, amount, "u")),
        ],
        [
            button(_("🔁 Swap"), buttons.SWAP_MENU.data(pid, item_id)),
            button(_("🗑 Remove"), buttons.REMOVE.data(pid, item_id)),
        ],
        [button(_("‹ Plan"), buttons.PLAN.data(pid))],
    ]
    await query.edit_message_text(text, reply_markup=InlineKeyboardMarkup(rows))


async def item_menu(update: Update, context: CoachContext) -> None:
    """One exercise of the plan: its dose and what can be done with it."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    data = buttons.ITEM.read(context)
    await _item_view(update, context, data.id("patient"), data.id("item"))


async def change_dose(update: Update, context: CoachContext) -> None:
    """➖/➕ a set, two repetitions or five seconds of holding."""
    query = update.callback_query
    assert query is not None
    data = buttons.DOSE.read(context)
    pid, item_id = data.id("patient"), data.id("item")
    what: DoseField = data.text("what")  # type: ignore[assignment]  # the pattern's words
    up = data.text("way") == "u"
    catalogue = context.services.catalogue
    try:
        async with context.uow() as uow:
            therapist = await context.therapist(query.from_user, uow)
            patient = await access.own_patient(uow, therapist, pid)
            await plans.change_dose(uow, patient, item_id, what, up, catalogue, context.now())
            await uow.commit()
    except InvalidChange:
        _ = tr((await context.person(query.from_user)).language)
        await query.answer(
            _("The dose cannot go further that way; nothing was changed."), show_alert=True
        )
        return
    _ = tr(therapist.language)
    await query.answer(_("Dose changed."))
    await _item_view(update, context, pid, item_id, _("✅ Dose changed."))


async def remove_item(update: Update, context: CoachContext) -> None:
    """Take an exercise out of the plan."""
    data = buttons.REMOVE.read(context)
    catalogue = context.services.catalogue

    async def remove(uow: UnitOfWork, patient: Patient) -> PlanItem:
        return await plans.remove_exercise(uow, patient, data.id("item"), catalogue, context.now())

    def say(
        item: PlanItem, therapist: Therapist, _p: Patient, _: Translator, p_: Translator
    ) -> Said:
        exercise = escape(title(catalogue, item.exercise_id, therapist.language))
        return Said(_("🗑 {exercise} is out of the plan.").format(exercise=exercise))

    await act(
        update,
        context,
        data.id("patient"),
        remove,
        say,
        refused=lambda _: _("A plan keeps at least three exercises."),
    )


async def _offer(
    update: Update,
    context: CoachContext,
    question: str,
    options: list[str],
    choose: keyboards.Answer,
    back_to: str,
    _: Translator,
) -> None:
    """The exercises the therapist may choose from, a button each, or (one answer per
    tap) an alert that there is none."""
    query = update.callback_query
    assert query is not None
    if not options:
        await query.answer(_("No other exercise of this kind suits this patient."), show_alert=True)
        return
    await query.answer()
    catalogue = context.services.catalogue
    rows = [[button(title(catalogue, e, _.language), choose(e))] for e in options]
    rows.append([button(_("‹ Back"), back_to)])
    await query.edit_message_text(question, reply_markup=InlineKeyboardMarkup(rows))


async def swap_menu(update: Update, context: CoachContext) -> None:
    """The exercises of the same kind this patient may do instead."""
    query = update.callback_query
    assert query is not None
    data = buttons.SWAP_MENU.read(context)
    pid, item_id = data.id("patient"), data.id("item")
    catalogue = context.services.catalogue
    therapist, patient, items = await _plan(update, context, pid)
    _ = tr(therapist.language)
    item = next((i for i in items if i.id == item_id), None)
    if item is None:
        raise GoneFromPlan
    kind = catalogue.exercises[item.exercise_id].kinds[0]
    question = _(
        "Swap {exercise} for which exercise? Only those safe for this patient's "
        "conditions and equipment are shown."
    ).format(exercise=escape(title(catalogue, item.exercise_id, therapist.language)))
    await _offer(
        update,
        context,
        question,
        plans.candidates(catalogue, patient, items, kind),
        buttons.SWAP_TO.answer(pid, item_id),
        buttons.ITEM.data(pid, item_id),
        _,
    )


async def swap_to(update: Update, context: CoachContext) -> None:
    """Put the chosen exercise in the plan instead."""
    data = buttons.SWAP_TO.read(context)
    catalogue = context.services.catalogue

    async def swap(uow: UnitOfWork, patient: Patient) -> tuple[str, PlanItem]:
        return await plans.swap_exercise(
            uow, patient, data.id("item"), data.text("exercise"), catalogue, context.now()
        )

    def say(
        result: tuple[str, PlanItem],
        therapist: Therapist,
        _p: Patient,
        _: Translator,
        p_: Translator,
    ) -> Said:
        old, item = result
        return Said(
            _("🔁 {old} → {new}: {dose}").format(
                old=escape(title(catalogue, old, therapist.language)),
                new=escape(title(catalogue, item.exercise_id, therapist.language)),
                dose=escape(plan_dose_text(item.exercise_id, item.dose, catalogue, _)),
            )
        )

    await act(update, context, data.id("patient"), swap, say)


async def add_menu(update: Update, context: CoachContext) -> None:
    """Adding an exercise: first its kind, then the exercise."""
    query = update.callback_query
    assert query is not None
    data = buttons.ADD_MENU.read(context)
    pid, kind = data.id("patient"), lookup(Kind, data.optional("kind"))
    catalogue = context.services.catalogue
    therapist, patient, items = await _plan(update, context, pid)
    _ = tr(therapist.language)
    if kind is None:
        await query.answer()
        rows = [
            [button(_(label), buttons.ADD_MENU.data(pid, each))]
            for each, label in labels.KIND_LABELS.items()
        ]
        rows.append([button(_("‹ Plan"), buttons.PLAN.data(pid))])
        await query.edit_message_text(
            _("What kind of exercise?"), reply_markup=InlineKeyboardMarkup(rows)
        )
        return
    question = _(
        "Add which exercise? Only those safe for this patient's conditions and equipment are shown."
    )
    await _offer(
        update,
        context,
        question,
        plans.candidates(catalogue, patient, items, kind),
        buttons.ADD.answer(pid),
        buttons.ADD_MENU.data(pid),
        _,
    )


async def add_exercise(update: Update, context: CoachContext) -> None:
    """Add the chosen exercise at the starting dose for the patient's level."""
    data = buttons.ADD.read(context)
    catalogue = context.services.catalogue

    async def add(uow: UnitOfWork, patient: Patient) -> PlanItem:
        return await plans.add_exercise(
            uow, patient, data.text("exercise"), catalogue, context.now()
        )

    def say(
        item: PlanItem, therapist: Therapist, _p: Patient, _: Translator, p_: Translator
    ) -> Said:
        return Said(
            _("➕ {exercise} is in the plan: {dose}").format(
                exercise=escape(title(catalogue, item.exercise_id, therapist.language)),
                dose=escape(plan_dose_text(item.exercise_id, item.dose, catalogue, _)),
            )
        )

    await act(update, context, data.id("patient"), add, say)


async def lock_plan(update: Update, context: CoachContext) -> None:
    """Lock the plan against automatic changes, or unlock it."""
    data = buttons.LOCK.read(context)
    locked = data.text("answer") == "y"

    async def lock(uow: UnitOfWork, patient: Patient) -> None:
        plans.set_plan_lock(patient, locked)

    def say(_r: None, _t: Therapist, _p: Patient, _: Translator, p_: Translator) -> Said:
        if locked:
            return Said(_("🔒 Plan locked: progression will not change or propose anything."))
        return Said(_("🔓 Plan unlocked: progression proposes changes to you again."))

    await act(update, context, data.id("patient"), lock, say)


async def decide_proposal(update: Update, context: CoachContext) -> None:
    """Accept (the plan changes now, the patient is told) or reject a proposal."""
    data = buttons.PROPOSAL.read(context)
    accept = data.text("answer") == "a"
    catalogue = context.services.catalogue

    async def decide(uow: UnitOfWork, patient: Patient) -> PlanChange:
        return await progression.decide_change(
            uow, patient, data.id("change"), accept, catalogue, context.now()
        )

    def say(
        change: PlanChange, therapist: Therapist, _p: Patient, _: Translator, p_: Translator
    ) -> Said:
        if change.status != ChangeStatus.ACCEPTED:
            return Said(_("✖️ Rejected: the plan stays as it is."))
        return Said(
            _("✔️ Accepted: the plan has changed and the patient was told."),
            p_("Your therapist {name} has agreed to this change:").format(
                name=escape(therapist.name)
            )
            + "\n"
            + change_text(change, catalogue, p_),
        )

    await act(update, context, data.id("patient"), decide, say)
