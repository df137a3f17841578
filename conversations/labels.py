"""Every word for the domain's vocabulary a person reads: conditions, equipment,
levels, kinds of exercise, languages, a patient's status, outcomes and difficulty,
red flags, alerts, summary schedules and the reasons for a plan change.

Each table is keyed by a `coachbot.domain.vocabulary` enum and marked with N_ for
extraction, and translated where it is shown, so one label reads the same in the
enrolment buttons, the settings, the card and the summary.
"""

from __future__ import annotations

from html import escape

from coachbot.domain.model import Alert
from coachbot.domain.vocabulary import (
    AlertKind,
    Condition,
    Difficulty,
    Equipment,
    Kind,
    Language,
    Level,
    Morning,
    Outcome,
    PainSign,
    PatientStatus,
    Reason,
    RedFlag,
    SessionState,
    SummaryFrequency,
)
from coachbot.i18n import N_, Translator

CONDITION_LABELS = {
    Condition.OSTEOPOROSIS: N_("Osteoporosis or a vertebral fracture"),
    Condition.SPINAL_STENOSIS: N_("Spinal stenosis (narrowed spinal canal)"),
    Condition.SPONDYLOLISTHESIS: N_("Spondylolisthesis (slipped vertebra)"),
    Condition.SPINE_CONDITION: N_("Another spine injury or disease"),
    Condition.HERNIATED_DISC: N_("Herniated disc"),
    Condition.POOR_POSTURE: N_("Poor posture"),
    Condition.AFTER_SURGERY: N_("After an operation"),
    Condition.FREQUENT_TENSION: N_("Frequent tension"),
}
EQUIPMENT_LABELS = {
    Equipment.EXERCISE_BALL: N_("Exercise ball"),
    Equipment.DUMBBELLS: N_("Dumbbells"),
    Equipment.ROWING_MACHINE: N_("Rowing machine"),
    Equipment.ELASTIC_BAND: N_("Elastic band"),
    Equipment.VIBRATION_PLATE: N_("Vibration plate"),
}
# The choice at enrolment, and the level's name on the therapist's card.
LEVEL_LABELS = {
    Level.BEGINNER: N_("Gentle start (new to exercise or in a lot of pain)"),
    Level.INTERMEDIATE: N_("Some experience (I move regularly)"),
    Level.ADVANCED: N_("Experienced (I train often)"),
}
LEVEL_NAMES = {
    Level.BEGINNER: N_("beginner"),
    Level.INTERMEDIATE: N_("intermediate"),
    Level.ADVANCED: N_("advanced"),
}
# In the order of a session (the therapist's "add an exercise" menu).
KIND_LABELS = {
    Kind.MOBILIZATION: N_("Mobilization (warm-up)"),
    Kind.STRENGTH: N_("Strength"),
    Kind.COORDINATION: N_("Coordination"),
    Kind.BALANCE: N_("Balance"),
    Kind.ROTATION: N_("Rotation"),
    Kind.VIBRATION: N_("Vibration"),
    Kind.STRETCHING: N_("Stretching (cool-down)"),
}
# Each language by its own name (never translated), and its flag for a button.
LANGUAGE_NAMES = {Language.EN: "English", Language.DE: "Deutsch"}
LANGUAGE_FLAGS = {Language.EN: "🇬🇧", Language.DE: "🇩🇪"}
# A patient's status on their therapist's card (a pause with an end date says it).
STATUS_LABELS = {
    PatientStatus.ONBOARDING: N_("still setting up"),
    PatientStatus.ACTIVE: N_("training"),
    PatientStatus.PAUSED: N_("paused until further notice"),
    PatientStatus.STOPPED: N_("stopped after a red-flag answer"),
    PatientStatus.BLOCKED: N_("has blocked the bot"),
}
# The report buttons under a session, and how hard it felt.
OUTCOME_LABELS = {
    Outcome.DONE: N_("✅ Done"),
    Outcome.PARTLY: N_("🌓 Partly"),
    Outcome.SKIPPED: N_("⏭ Skipped today"),
}
DIFFICULTY_LABELS = {
    Difficulty.EASY: N_("Easy"),
    Difficulty.RIGHT: N_("Just right"),
    Difficulty.HARD: N_("Too hard"),
    Difficulty.UNANSWERED: N_("not answered"),
}
# A day on the progress chart's legend, in the card strip's words.
DAY_STATE_LABELS = {
    SessionState.DONE: N_("done"),
    SessionState.PARTLY: N_("partly"),
    SessionState.SKIPPED: N_("skipped"),
    SessionState.MISSED: N_("missed"),
    SessionState.EXCUSED: N_("paused or stopped"),
    SessionState.UNDELIVERED: N_("could not be delivered"),
}
OPEN_DAY_LABEL = N_("still open")
NO_SESSION_LABEL = N_("no session")
FREQUENCY_LABELS = {
    SummaryFrequency.DAILY: N_("Daily"),
    SummaryFrequency.WEEKLY: N_("Weekly"),
    SummaryFrequency.OFF: N_("Off"),
}
# The warning sign a patient said yes to, in a few words for their therapist.
RED_FLAG_LABELS = {
    RedFlag.CAUDA_EQUINA: N_("loss of bladder or bowel control or saddle numbness"),
    RedFlag.SEXUAL_DYSFUNCTION: N_("new numbness or loss of function during sex"),
    RedFlag.LEG_WEAKNESS: N_("new or worsening weakness in both legs"),
    RedFlag.ONE_LEG_WEAKNESS: N_("a leg or foot getting weaker or numb (e.g. foot drop)"),
    RedFlag.FEVER_WEIGHT: N_("fever, chills or feeling very unwell"),
    RedFlag.WEIGHT_LOSS: N_("unexplained weight loss"),
    RedFlag.CANCER: N_("back pain new or changed since a cancer diagnosis, unchecked"),
    RedFlag.INFECTION_RISK: N_("weakened immune system or injecting drugs"),
    RedFlag.NIGHT_PAIN: N_("night or rest pain not eased by changing position"),
    RedFlag.TRAUMA: N_("back pain since a recent fall, accident or injury"),
    RedFlag.FRACTURE_RISK: N_("long-term steroids or osteoporosis, with a minor fall or strain"),
    RedFlag.NEW_AFTER_50: N_("back pain first begun after 50, unchecked"),
}
# The same sign on the patient's own button in the screen ("Yes: ..."), short and plain.
RED_FLAG_BUTTONS = {
    RedFlag.CAUDA_EQUINA: N_("Yes: bladder, bowel or numb saddle area"),
    RedFlag.SEXUAL_DYSFUNCTION: N_("Yes: numbness or problems during sex"),
    RedFlag.LEG_WEAKNESS: N_("Yes: both legs weak"),
    RedFlag.ONE_LEG_WEAKNESS: N_("Yes: a leg or foot weaker or numb"),
    RedFlag.FEVER_WEIGHT: N_("Yes: fever or feeling very unwell"),
    RedFlag.WEIGHT_LOSS: N_("Yes: weight loss without trying"),
    RedFlag.CANCER: N_("Yes: pain since a cancer diagnosis"),
    RedFlag.INFECTION_RISK: N_("Yes: weak immune system or injecting"),
    RedFlag.NIGHT_PAIN: N_("Yes: pain at night or rest"),
    RedFlag.TRAUMA: N_("Yes: pain since a fall or accident"),
    RedFlag.FRACTURE_RISK: N_("Yes: steroids or osteoporosis and a fall"),
    RedFlag.NEW_AFTER_50: N_("Yes: first back pain after 50"),
}
ALERT_KIND_LABELS = {
    AlertKind.RED_FLAG: N_("red-flag answer"),
    AlertKind.PAIN_HIGH: N_("high pain"),
    AlertKind.PAIN_RISE: N_("pain above usual"),
    AlertKind.MORNING_WORSE: N_("worse the next morning"),
    AlertKind.SILENT: N_("no reports"),
    AlertKind.BOT_BLOCKED: N_("blocked the bot"),
}
# Why a pain report alerted, in a few words for the therapist.
PAIN_SIGN_LABELS = {
    PainSign.MARKED_RISE: N_("3 or more points above usual"),
    PainSign.LASTING_RISE: N_("above usual in 3 reports in a row"),
    PainSign.SEVERE: N_("severe pain"),
}
# The answers to the next-morning check.
MORNING_LABELS = {
    Morning.BETTER: N_("🙂 Better"),
    Morning.SAME: N_("😐 Same"),
    Morning.WORSE: N_("🙁 Worse"),
}
# Why progression changed the plan (a plan changes for these reasons only), told to the
# patient and to their therapist.
PATIENT_REASONS = {
    Reason.EASY_STREAK: N_(
        "you did the whole session three times in a row, with pain no higher than usual, "
        "and it felt easy"
    ),
    Reason.PAIN_HIGH: N_("your pain was 6 or more"),
    Reason.PAIN_RISE: N_("your pain was 3 or more points above your usual level"),
    Reason.MORNING_WORSE: N_("your back was worse than usual the morning after training"),
    Reason.TOO_HARD: N_("it felt too hard more than once"),
}
THERAPIST_REASONS = {
    Reason.EASY_STREAK: N_(
        "the whole session was done three times in a row, with pain no higher than usual, "
        "and felt easy"
    ),
    Reason.PAIN_HIGH: N_("the patient's pain was 6 or more"),
    Reason.PAIN_RISE: N_("the patient's pain was 3 or more points above their usual pain"),
    Reason.MORNING_WORSE: N_("the patient's back was worse than usual the morning after training"),
    Reason.TOO_HARD: N_("it felt too hard more than once"),
}


def patient_reason(reason: Reason, _: Translator) -> str:
    """Why progression changed the plan, told to the patient."""
    return _(PATIENT_REASONS[reason]) if reason in PATIENT_REASONS else reason.value


def therapist_reason(reason: Reason, _: Translator) -> str:
    """Why progression proposed a change, told to the therapist."""
    return _(THERAPIST_REASONS[reason]) if reason in THERAPIST_REASONS else reason.value


def alert_kind(kind: AlertKind, _: Translator) -> str:
    return _(ALERT_KIND_LABELS[kind])


def alert_facts(alert: Alert, _: Translator) -> str | None:
    """An alert's facts in a few words, shown beside its kind; None if it has none."""
    if alert.red_flag is not None:
        return _(RED_FLAG_LABELS[alert.red_flag])
    if alert.pain is not None and alert.usual is not None:
        return _("{pain}/10, usual {usual}/10").format(pain=alert.pain, usual=alert.usual)
    if alert.pain is not None:
        return f"{alert.pain}/10"
    if alert.days is not None:
        return _.ngettext("{count} day", "{count} days", alert.days).format(count=alert.days)
    return None


def alert_text(alert: Alert, name: str, _: Translator) -> str:
    """What the therapist is told: who (`name`, ready for HTML), what happened, and what
    the bot did about it. Alerts from before their facts were stored may lack them."""
    pain, days, flag = alert.pain, alert.days, alert.red_flag
    match alert.kind:
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
        case AlertKind.PAIN_RISE if pain is not None and alert.usual is not None:
            text = _(
                "⚠️ {name} reported pain {pain}/10 after today's session; their usual pain "
                "is {usual}/10 ({signs})."
            )
        case AlertKind.PAIN_RISE if pain is not None:
            text = _("⚠️ {name}'s pain ({pain}/10) is 2 or more points above their baseline.")
        case AlertKind.PAIN_RISE:
            text = _("⚠️ {name}'s pain is 2 or more points above their baseline.")
        case AlertKind.MORNING_WORSE:
            text = _(
                "🌅 {name}'s back was worse than usual on the last two mornings after training."
            )
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
        name=name,
        pain=pain,
        days=days,
        usual=alert.usual,
        signs=escape(", ".join(_(PAIN_SIGN_LABELS[sign]) for sign in alert.signs)),
        flag=escape(_(RED_FLAG_LABELS[flag])) if flag else "",
    )
