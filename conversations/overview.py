"""The patient's own view: their plan (`/plan`) and their progress (`/progress`)."""

from __future__ import annotations

from html import escape

from telegram import Update

from catalogue.schema import Exercise
from coachbot import views
from coachbot.domain import schedule
from coachbot.domain.adherence import Adherence
from coachbot.domain.planning import COOL_DOWN, WARM_UP
from coachbot.i18n import Translator
from conversations import buttons, keyboards
from conversations.charts import progress_chart
from conversations.context import CoachContext, tr
from conversations.render import dose_text, mean_pain


async def plan(update: Update, context: CoachContext) -> None:
    """/plan: the exercises of the plan with their doses, in training order."""
    assert update.effective_message and update.effective_user
    catalogue = context.services.catalogue
    patient = (await context.person(update.effective_user)).enrolled()
    assert patient.id is not None
    async with context.read() as uow:
        items = await uow.plans.for_patient(patient.id)
    _ = tr(patient.language)
    parts = part_names(_)
    lines = [_("<b>Your plan</b>"), _("Each day brings a few of these, varied through the week.")]
    current = None
    for item in items:
        exercise = catalogue.exercises.get(item.exercise_id)
        if exercise is None:
            continue
        part = part_of(exercise)
        if part != current:
            lines.append(f"\n<b>{parts[part]}</b>")
            current = part
        lock = " 🔒" if item.locked else ""
        lines.append(
            f"• {escape(exercise.title.get(patient.language))}: "
            f"{escape(dose_text(item.dose, _, exercise.each_side))}{lock}"
        )
    lines.append("\n" + _("/progress shows how you are doing."))
    await update.effective_message.reply_text(
        "\n".join(lines),
        reply_markup=keyboards.single(_("🖨 Printable plan (PDF)"), buttons.PRINT_PLAN.data()),
    )


def part_of(exercise: Exercise) -> str:
    """Where an exercise comes in a session: warm-up, main part or cool-down."""
    return exercise.kinds[0] if exercise.kinds[0] in (WARM_UP, COOL_DOWN) else "main"


def part_names(_: Translator) -> dict[str, str]:
    return {WARM_UP: _("Warm-up"), "main": _("Main part"), COOL_DOWN: _("Cool-down")}


def _percent(value: Adherence, _: Translator) -> str:
    ratio = value.ratio
    if ratio is None:
        return _("no sessions yet")
    return _.ngettext(
        "{percent}% of {count} session", "{percent}% of {count} sessions", value.prescribed
    ).format(percent=round(ratio * 100), count=value.prescribed)


async def progress(update: Update, context: CoachContext) -> None:
    """/progress: adherence, streak and pain trend, with a chart of the last 28 days."""
    assert update.effective_message and update.effective_user
    patient = (await context.person(update.effective_user)).enrolled()
    async with context.read() as uow:
        now = context.now()
        summary = await views.progress(uow, patient, now)
    _ = tr(patient.language)
    first, last = summary.pain_first_week, summary.pain_last_week
    if first is None or last is None:
        trend = _("not enough pain reports yet")
    elif last <= first - 1:
        trend = _("better 📉")
    elif last >= first + 1:
        trend = (
            _("higher 📈: please tell your therapist")
            if patient.therapist_id is not None
            else _("higher 📈: please tell your doctor or physiotherapist")
        )
    else:
        trend = _("about the same")
    text = "\n".join(
        [
            _("<b>Your progress</b>"),
            _("Last 7 days: {value}").format(value=_percent(summary.adherence_7, _)),
            _("Last 28 days: {value}").format(value=_percent(summary.adherence_28, _)),
            _.ngettext(
                "Streak: {count} session in a row",
                "Streak: {count} sessions in a row",
                summary.streak,
            ).format(count=summary.streak),
            _("Pain: first week {first}, last 7 days {last}, {trend}").format(
                first=mean_pain(first, patient.language),
                last=mean_pain(last, patient.language),
                trend=trend,
            ),
        ]
    )
    await update.effective_message.reply_text(text)
    if summary.days:
        await update.effective_message.reply_photo(
            progress_chart(summary.days, schedule.local_date(now, patient.timezone), _),
            caption=_("Your last 28 days"),
        )
