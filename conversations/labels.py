"""Every word for the domain's vocabulary a person reads: conditions, equipment,
levels, kinds of exercise, red flags, alerts and the reasons for a plan change.

Marked with N_ for extraction and translated where they are shown, so one label
reads the same in the enrolment buttons, the settings, the card and the summary.
"""

from __future__ import annotations

from html import escape

from coachbot.domain import planning
from coachbot.domain.model import Alert
from coachbot.domain.vocabulary import AlertKind, RedFlag
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
# The warning sign a patient said yes to, in a few words for their therapist.
RED_FLAG_LABELS = {
    RedFlag.CAUDA_EQUINA: N_("loss of bladder or bowel control or saddle numbness"),
    RedFlag.LEG_WEAKNESS: N_("new or worsening weakness in both legs"),
    RedFlag.FEVER_WEIGHT: N_("fever, feeling unwell or unexplained weight loss"),
    RedFlag.CANCER: N_("a history of cancer"),
    RedFlag.TRAUMA: N_("back pain since a recent fall, accident or injury"),
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


def alert_facts(alert: Alert, _: Translator) -> str | None:
    """An alert's facts in a few words, shown beside its kind; None if it has none."""
    if alert.red_flag is not None:
        return _(RED_FLAG_LABELS[alert.red_flag])
    if alert.pain is not None:
        return f"{alert.pain}/10"
    if alert.days is not None:
        return _.ngettext("{count} day", "{count} days", alert.days).format(count=alert.days)
    return None


def alert_text(alert: Alert, name: str, _: Translator) -> str:
    """What the therapist is told: who (`name`, ready for HTML), what happened, and what
    the bot did about it. Alerts from before their facts were stored may lack them."""
    pain, days, flag = alert.pain, alert.days, alert.red_flag
    match AlertKind(alert.kind):
        case AlertKind.RED_FLAG if flag is not None:
            text = _(
                "🚨 {name} answered yes to a red-flag question: {flag}. Training is stopped "
                "and they were told to seek medical care."
            )
        case AlertKind.RED_FLAG:
            text = _(
                "🚨 {name} answered yes to a red-flag question. Training is stopped and they "
                "were told to seek medical care."
            )
        case AlertKind.PAIN_HIGH if pain is not None:
            text = _("⚠️ {name} reported pain {pain}/10 after today's session.")
        case AlertKind.PAIN_HIGH:
            text = _("⚠️ {name} reported high pain after today's session.")
        case AlertKind.PAIN_RISE if pain is not None:
            text = _("⚠️ {name}'s pain ({pain}/10) is 2 or more points above their baseline.")
        case AlertKind.PAIN_RISE:
            text = _("⚠️ {name}'s pain is 2 or more points above their baseline.")
        case AlertKind.SILENT if days is not None:
            text = _.ngettext(
                "🔕 {name} has sent no report for {days} day.",
                "🔕 {name} has sent no report for {days} days.",
                days,
            )
        case AlertKind.SILENT:
            text = _("🔕 {name} has sent no report for several days.")
        case AlertKind.BOT_BLOCKED:
            text = _("🚫 {name} has blocked the bot and gets no more sessions.")
    return text.format(
        name=name, pain=pain, days=days, flag=escape(_(RED_FLAG_LABELS[flag])) if flag else ""
    )
