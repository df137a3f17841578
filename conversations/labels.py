"""Every word for the domain's vocabulary a person reads: conditions, equipment,
levels, kinds of exercise, alerts and the reasons for a plan change.

Marked with N_ for extraction and translated where they are shown, so one label
reads the same in the enrolment buttons, the settings, the card and the summary.
"""

from __future__ import annotations

from coachbot.domain import planning
from coachbot.i18n import N_, Translator

CONDITION_LABELS = {
    "spine_condition": N_("Spine injury or disease"),
    "herniated_disc": N_("Herniated disc"),
    "poor_posture": N_("Poor posture"),
    "after_surgery": N_("After an operation"),
    "frequent_tension": N_("Frequent tension"),
}
EQUIPMENT_LABELS = {
    "exercise_ball": N_("Exercise ball"),
    "dumbbells": N_("Dumbbells"),
    "rowing_machine": N_("Rowing machine"),
    "elastic_band": N_("Elastic band"),
    "vibration_plate": N_("Vibration plate"),
}
LEVEL_LABELS = {
    "beginner": N_("Gentle start (new to exercise or in a lot of pain)"),
    "intermediate": N_("Some experience (I move regularly)"),
    "advanced": N_("Experienced (I train often)"),
}
KIND_LABELS = {
    planning.WARM_UP: N_("Mobilization (warm-up)"),
    "strength": N_("Strength"),
    "coordination": N_("Coordination"),
    "balance": N_("Balance"),
    "rotation": N_("Rotation"),
    "vibration": N_("Vibration"),
    planning.COOL_DOWN: N_("Stretching (cool-down)"),
}
LEVEL_NAMES = {
    "beginner": N_("beginner"),
    "intermediate": N_("intermediate"),
    "advanced": N_("advanced"),
}


def therapist_reason(reason: str, _: Translator) -> str:
    """Why progression proposed a change, told to the therapist."""
    reasons = {
        "easy_streak": _(
            "the whole session was done three times in a row with low pain and felt easy"
        ),
        "pain_high": _("the patient's pain was 6 or more"),
        "pain_rise": _("the patient's pain was clearly above their baseline"),
        "too_hard": _("it felt too hard more than once"),
    }
    return reasons.get(reason, reason)


def alert_kind(kind: str, _: Translator) -> str:
    kinds = {
        "red_flag": _("red-flag answer"),
        "pain_high": _("high pain"),
        "pain_rise": _("pain above baseline"),
        "silent": _("no reports"),
        "bot_blocked": _("blocked the bot"),
    }
    return kinds.get(kind, kind)
