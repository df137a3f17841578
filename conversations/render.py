"""Session messages as Telegram HTML, in the patient's language, from catalogue content."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date
from html import escape

from babel.dates import format_date
from babel.numbers import format_decimal

from catalogue.loader import Catalogue
from catalogue.schema import Lesson, Relaxation
from coachbot.domain.model import Dose, Patient, PlanChange, Session, SessionExercise
from coachbot.domain.pain import usual_of, zones
from coachbot.domain.timing import session_minutes
from coachbot.domain.vocabulary import ChangeStatus, Condition, Direction
from coachbot.i18n import Translator
from conversations import labels

MESSAGE_LIMIT = 4096
# "Monday, 23 November" / "Montag, 23. November"
_DAY_FORMATS = {"en": "EEEE, d MMMM", "de": "EEEE, d. MMMM"}


def day_name(day: date, language: str) -> str:
    return format_date(day, format=_DAY_FORMATS.get(language, "EEEE, d MMMM"), locale=language)


def mean_pain(value: float | None, language: str) -> str:
    """A mean pain score with one decimal, written as the language writes it (2,5)."""
    return "–" if value is None else format_decimal(value, format="0.0", locale=language)


def percent(ratio: float | None) -> str:
    return "–" if ratio is None else f"{round(ratio * 100)}%"


def dose_text(dose: Dose, _: Translator, each_side: bool = False) -> str:
    """ "2 × 10 repetitions each side", "3 × hold 20 s", "2 × keep moving for 45 s"."""
    if dose.reps is not None:
        amount = _("{sets} × {reps} repetitions").format(sets=dose.sets, reps=dose.reps)
    elif dose.hold_seconds is not None:
        amount = _("{sets} × hold {seconds} s").format(sets=dose.sets, seconds=dose.hold_seconds)
    else:
        amount = _("{sets} × keep moving for {seconds} s").format(
            sets=dose.sets, seconds=dose.move_seconds
        )
    if each_side:
        amount += _(" each side")
    if dose.sets > 1 and dose.rest_seconds:
        amount += _(", rest {seconds} s between sets").format(seconds=dose.rest_seconds)
    return amount


def title(catalogue: Catalogue, exercise_id: str, language: str) -> str:
    """An exercise's name, or its id if it has left the catalogue since."""
    exercise = catalogue.exercises.get(exercise_id)
    return exercise.title.get(language) if exercise else exercise_id


def plan_dose_text(exercise_id: str, dose: Dose, catalogue: Catalogue, _: Translator) -> str:
    """An exercise's dose, "each side" where the exercise is done on one side at a time."""
    exercise = catalogue.exercises.get(exercise_id)
    return dose_text(dose, _, each_side=exercise is not None and exercise.each_side)


def traffic_light_text(usual: int, _: Translator) -> str:
    """The pain traffic light for this person: zones above their usual pain."""
    green, red = zones(usual)
    text = _("Pain traffic light, for your usual pain of {usual}/10: 🟢 up to {green} fine").format(
        usual=usual, green=green
    )
    if green < 10:
        text += " · " + _("🟡 {low} or more: go easier").format(low=green + 1)
    if red is not None:
        text += " · " + _("🔴 {red} or more: stop for today").format(red=red)
    return text + "."


def exercise_block(
    number: int,
    exercise_id: str,
    dose: Dose,
    catalogue: Catalogue,
    _: Translator,
    conditions: Collection[Condition],
) -> str:
    """An exercise in full (the instructions of a session sent before the walk-through)."""
    exercise = catalogue.exercises.get(exercise_id)
    language = _.language
    if exercise is None:  # removed from the catalogue since the session was planned
        return ""
    lines = [
        f"<b>{number}. {escape(exercise.title.get(language))}</b>",
        f"<i>{escape(dose_text(dose, _, exercise.each_side))}</i>",
        _("Start: {position}").format(position=escape(exercise.starting_position.get(language))),
    ]
    lines += [
        f"{step_number}) {escape(step)}"
        for step_number, step in enumerate(exercise.steps.get(language), start=1)
    ]
    lines.append(_("Breathing: {cue}").format(cue=escape(exercise.breathing.get(language))))
    lines.append(_("Avoid: {mistake}").format(mistake=escape(exercise.mistakes.get(language)[0])))
    lines += [f"⚠️ {escape(caution.get(language))}" for caution in exercise.cautions_for(conditions)]
    return "\n".join(lines)


def relaxation_block(session: Session, catalogue: Catalogue, _: Translator) -> str:
    technique = catalogue.relaxation.get(session.relaxation_id or "")
    return "" if technique is None else relaxation_text(technique, _)


def relaxation_text(technique: Relaxation, _: Translator) -> str:
    """A relaxation technique in full: title and minutes, intro, numbered steps."""
    language = _.language
    heading = _("Relaxation: {title} ({minutes} min)").format(
        title=technique.title.get(language), minutes=technique.duration_minutes
    )
    lines = [f"🧘 <b>{escape(heading)}</b>", escape(technique.intro.get(language))]
    lines += [
        f"{number}) {escape(step)}"
        for number, step in enumerate(technique.steps.get(language), start=1)
    ]
    return "\n".join(lines)


def lesson_block(session: Session, catalogue: Catalogue, _: Translator) -> str:
    lesson = catalogue.lessons.get(session.lesson_id or "")
    return "" if lesson is None else lesson_text(lesson, _)


def lesson_text(lesson: Lesson, _: Translator) -> str:
    """A back-school lesson: its title and body."""
    title = _("Back school: {title}").format(title=lesson.title.get(_.language))
    return f"📘 <b>{escape(title)}</b>\n{escape(lesson.body.get(_.language))}"


def check_answer_text(lesson: Lesson, index: int, _: Translator) -> str:
    """A lesson's check question answered with option `index` (its place in the
    catalogue): the question, the answer, whether it is right, and why."""
    language = _.language
    option = lesson.check.options[index]
    verdict = _("✅ Right!") if option.correct else _("Not quite.")
    return (
        "📘 <b>"
        + escape(lesson.check.question.get(language))
        + "</b>\n"
        + _("Your answer: {answer}").format(answer=escape(option.text.get(language)))
        + f"\n\n{verdict} "
        + escape(lesson.check.explanation.get(language))
    )


def session_text(session: Session, catalogue: Catalogue, _: Translator, patient: Patient) -> str:
    """The session as it is sent: one short message that fits a phone's screen, with a
    greeting, the exercises and their doses, what else it holds, about how long it
    takes, and the pain traffic light. The walk-through ("▶ Start") shows the rest."""
    language = _.language
    greeting = (
        _("Hello {name}!").format(name=patient.display_name)
        if patient.display_name
        else _("Hello!")
    )
    heading = _("Your training for {day}").format(day=day_name(session.local_date, language))
    lines = [f"{escape(greeting)} <b>{escape(heading)}</b>"]
    doses: list[tuple[Dose, bool]] = []
    for number, item in enumerate(present(session, catalogue), start=1):
        exercise = catalogue.exercises[item.exercise_id]
        # The rests between sets are for the walk-through; here the dose at a glance.
        dose = dose_text(replace(item.dose, rest_seconds=0), _, exercise.each_side)
        lines.append(f"{number}. {escape(exercise.title.get(language))} · <i>{escape(dose)}</i>")
        doses.append((item.dose, exercise.each_side))
    technique = catalogue.relaxation.get(session.relaxation_id or "")
    lesson = catalogue.lessons.get(session.lesson_id or "")
    if technique is not None:
        lines.append("🧘 " + escape(technique.title.get(language)))
    if lesson is not None:
        lines.append("📘 " + escape(lesson.title.get(language)))
    minutes = session_minutes(
        doses, technique.duration_minutes if technique else None, lesson is not None
    )
    lines.append("⏱ " + escape(_("About {minutes} minutes.").format(minutes=minutes)))
    usual = usual_of(patient.baseline_pain, patient.usual_pain)
    lines.append(escape(traffic_light_text(usual, _)))
    lines.append(
        "<b>"
        + escape(_("Tap ▶ Start to go through it step by step, then tell me how it went."))
        + "</b>"
    )
    return "\n".join(lines)


def present(session: Session, catalogue: Catalogue) -> list[SessionExercise]:
    """The session's exercises still in the catalogue (one may have left it since)."""
    return [item for item in session.exercises if item.exercise_id in catalogue.exercises]


def exercise_details(
    session: Session, catalogue: Catalogue, _: Translator, conditions: Collection[Condition]
) -> list[str]:
    """Every exercise of the session in full, in as few messages as fit."""
    return pack(
        [
            exercise_block(number, item.exercise_id, item.dose, catalogue, _, conditions)
            for number, item in enumerate(session.exercises, start=1)
        ]
    )


def pack(blocks: list[str], limit: int = MESSAGE_LIMIT, joiner: str = "\n\n") -> list[str]:
    """Join blocks (with blank lines) into as few messages as fit the limit."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}{joiner}{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
        current = block[:limit]
    if current:
        messages.append(current)
    return messages


def change_text(change: PlanChange, catalogue: Catalogue, _: Translator) -> str:
    """What changed in the plan and why, or what was proposed to the therapist."""
    language = _.language

    def name(exercise_id: str) -> str:
        return escape(title(catalogue, exercise_id, language))

    lines = []
    for item in change.changes:
        if item.new_exercise_id:
            lines.append(
                "• "
                + _("{old} → {new}: {dose}").format(
                    old=name(item.exercise_id),
                    new=name(item.new_exercise_id),
                    dose=escape(plan_dose_text(item.new_exercise_id, item.after, catalogue, _)),
                )
            )
        else:
            lines.append(
                "• "
                + _("{exercise}: {before} → {after}").format(
                    exercise=name(item.exercise_id),
                    before=escape(plan_dose_text(item.exercise_id, item.before, catalogue, _)),
                    after=escape(plan_dose_text(item.exercise_id, item.after, catalogue, _)),
                )
            )
    why = escape(labels.patient_reason(change.reason, _))
    if change.status == ChangeStatus.PROPOSED:
        head = _("📝 I have suggested a change of your plan to your therapist, because {why}:")
    elif change.direction is Direction.PROGRESS:
        head = _("📈 Your plan moves up a step, because {why}:")
    else:
        head = _("📉 I have made your plan a little easier, because {why}:")
    return head.format(why=why) + "\n" + "\n".join(lines)
