"""The domain's vocabulary: every word Coachbot stores or reads from its catalogue, each
set of words one StrEnum, defined here and nowhere else.

The values are what the database rows and the catalogue's YAML files hold, so a value is
never renamed (a new word may be added). The catalogue schema validates its files into
these, the tables read their columns back as members (`coachbot.db.types.Vocabulary`),
and `conversations.labels` words each member for people.

Words that are never stored stay with the rule they belong to (`red_flags.Urgency`,
`safety.Light`, `summary.Trend`, `enrolment.Question`, `enrolment.Answered`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)


def lookup(words: type[E], value: str | None) -> E | None:
    """The member of `words` spelt `value`, or None for anything else (a word from
    outside: a button, a command line)."""
    try:
        return None if value is None else words(value)
    except ValueError:
        return None


# --- the catalogue and a patient's profile -----------------------------------------------


class Kind(StrEnum):
    """A kind of exercise; an exercise's first kind is its place in a session."""

    MOBILIZATION = "mobilization"
    STRETCHING = "stretching"
    COORDINATION = "coordination"
    STRENGTH = "strength"
    ROTATION = "rotation"
    BALANCE = "balance"
    VIBRATION = "vibration"


class Equipment(StrEnum):
    EXERCISE_BALL = "exercise_ball"
    DUMBBELLS = "dumbbells"
    ROWING_MACHINE = "rowing_machine"
    ELASTIC_BAND = "elastic_band"
    VIBRATION_PLATE = "vibration_plate"


class Condition(StrEnum):
    # Another spine injury or disease (the specific ones below are asked for by name,
    # because what suits them differs).
    SPINE_CONDITION = "spine_condition"
    OSTEOPOROSIS = "osteoporosis"  # osteoporosis, or a vertebral fracture
    SPINAL_STENOSIS = "spinal_stenosis"
    SPONDYLOLISTHESIS = "spondylolisthesis"
    HERNIATED_DISC = "herniated_disc"
    POOR_POSTURE = "poor_posture"
    AFTER_SURGERY = "after_surgery"
    FREQUENT_TENSION = "frequent_tension"


class Movement(StrEnum):
    """What the body does in an exercise, which decides how it is dosed."""

    REPEATED = "repeated"  # repetitions: "10 repetitions"
    STATIC = "static"  # a position held still: "hold 30 s"
    CONTINUOUS = "continuous"  # moving without a pause: "keep moving for 45 s"


class Strain(StrEnum):
    """A load on the spine an exercise brings, which some phases and conditions avoid."""

    TWISTING = "twisting"  # rotation of the trunk
    LOADED_FLEXION = "loaded_flexion"  # bending forward under load (weights, band, sit-up)
    IMPACT = "impact"  # bouncing, jumping, jarring
    VIBRATION = "vibration"  # a vibration plate


class Actor(StrEnum):
    """Who recorded a change to a patient's profile (an operation's clearance)."""

    PATIENT = "patient"
    THERAPIST = "therapist"


class Level(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Language(StrEnum):
    """The languages every text exists in (the catalogue's and the bot's own)."""

    EN = "en"
    DE = "de"


# --- patients and their sessions ---------------------------------------------------------


class PatientStatus(StrEnum):
    ONBOARDING = "onboarding"
    ACTIVE = "active"
    PAUSED = "paused"
    # A red-flag answer stopped training until a clinician has seen the patient.
    STOPPED = "stopped"
    # The patient blocked the bot; nothing is sent until they come back.
    BLOCKED = "blocked"


class SessionState(StrEnum):
    PLANNED = "planned"
    SENDING = "sending"  # claimed by a dispatcher, being sent right now
    SENT = "sent"
    DONE = "done"
    PARTLY = "partly"
    SKIPPED = "skipped"
    MISSED = "missed"
    EXCUSED = "excused"
    # Telegram refused it for good (a 400, three times); not counted against the patient.
    UNDELIVERED = "undelivered"


OPEN_STATES = frozenset({SessionState.PLANNED, SessionState.SENDING, SessionState.SENT})


class Outcome(StrEnum):
    DONE = "done"
    PARTLY = "partly"
    SKIPPED = "skipped"


class Difficulty(StrEnum):
    EASY = "easy"
    RIGHT = "right"
    HARD = "hard"
    # The patient chose not to say (the report's last question is optional).
    UNANSWERED = "unanswered"


class RedFlag(StrEnum):
    """A warning sign the screening asks about (their groups, order and urgency:
    `red_flags`). The values are stored in alerts and a patient's last screen (and, for
    the first five, in the enrolment steps of patients from before the groups)."""

    CAUDA_EQUINA = "cauda_equina"
    LEG_WEAKNESS = "leg_weakness"  # both legs
    # Fever or feeling very unwell (until 2026-12 the question also asked for weight loss).
    FEVER_WEIGHT = "fever_weight"
    # Back pain started or changed since a cancer diagnosis, unchecked (until 2026-12:
    # any history of cancer).
    CANCER = "cancer"
    TRAUMA = "trauma"
    SEXUAL_DYSFUNCTION = "sexual_dysfunction"
    ONE_LEG_WEAKNESS = "one_leg_weakness"
    WEIGHT_LOSS = "weight_loss"
    INFECTION_RISK = "infection_risk"
    NIGHT_PAIN = "night_pain"
    FRACTURE_RISK = "fracture_risk"
    NEW_AFTER_50 = "new_after_50"


# --- therapists ------------------------------------------------------------------------


class SummaryFrequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


class AlertKind(StrEnum):
    RED_FLAG = "red_flag"
    # Raised before pain was judged against usual pain; kept for old alerts, never raised.
    PAIN_HIGH = "pain_high"
    # A pain report clearly above the patient's usual pain (its signs: `PainSign`).
    PAIN_RISE = "pain_rise"
    # "Worse than usual" on two next-morning checks in a row.
    MORNING_WORSE = "morning_worse"
    SILENT = "silent"
    BOT_BLOCKED = "bot_blocked"


class PainSign(StrEnum):
    """Why a pain report alerts (one alert per report names every sign that applies)."""

    MARKED_RISE = "marked_rise"  # 3 or more above usual
    LASTING_RISE = "lasting_rise"  # 2 or more above usual in each of the last 3 reports
    SEVERE = "severe"  # 9 or 10, above usual


class Morning(StrEnum):
    """The answer to the next-morning check: the back this morning, compared with usual."""

    BETTER = "better"
    SAME = "same"
    WORSE = "worse"


# --- progression (the rules: `progression`) ----------------------------------------------


class Direction(StrEnum):
    PROGRESS = "progress"
    HOLD = "hold"
    REGRESS = "regress"


class Reason(StrEnum):
    EASY_STREAK = "easy_streak"  # done, low pain and easy, WINDOW times
    PAIN_HIGH = "pain_high"  # (old changes only: pain was judged on a fixed scale)
    PAIN_RISE = "pain_rise"  # newest pain well above usual pain
    MORNING_WORSE = "morning_worse"  # the next morning was worse than usual
    TOO_HARD = "too_hard"  # "too hard" HARD_REPEATS times
    MIXED = "mixed"
    TOO_FEW = "too_few"


class ChangeStatus(StrEnum):
    APPLIED = "applied"  # made automatically (no therapist)
    PROPOSED = "proposed"  # waiting for the therapist
    ACCEPTED = "accepted"
    REJECTED = "rejected"


# --- delivery (the rules: `delivery`) ----------------------------------------------------


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a dispatcher, on the wire right now
    SENT = "sent"
    FAILED = "failed"  # refused for good (a 400, three times); the operator was told
    UNCERTAIN = "uncertain"  # no answer in time: it may have arrived, so never resent


class OutboxPurpose(StrEnum):
    ALERT = "alert"
    SUMMARY = "summary"
    OPERATOR = "operator"
    MORNING = "morning"  # the next-morning check, to a patient
    NOTICE = "notice"  # a change the patient made to their profile, to their therapist


class Failure(StrEnum):
    """What a failed send was, as the dispatcher's rules sort it; a stored failure reason
    begins with it ("uncertain: no answer")."""

    RATE_LIMITED = "rate_limited"
    PASSING = "passing"
    REFUSED = "refused"
    GONE = "gone"
    UNCERTAIN = "uncertain"
