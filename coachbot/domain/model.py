"""The records Coachbot keeps, as plain dataclasses (mapped to tables in `coachbot.db`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from coachbot.domain.vocabulary import (
    Actor,
    AlertKind,
    ChangeStatus,
    Condition,
    Difficulty,
    Direction,
    Equipment,
    Language,
    Level,
    Morning,
    Movement,
    OutboxPurpose,
    OutboxState,
    Outcome,
    PainSign,
    PatientStatus,
    Reason,
    RedFlag,
    SessionState,
    SummaryFrequency,
)

ALL_DAYS: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)  # Monday is 0, as in `date.weekday()`


@dataclass(frozen=True)
class Dose:
    """Sets of repetitions, of a hold, or of continuous movement (exactly one of the three)."""

    sets: int
    reps: int | None = None
    hold_seconds: int | None = None
    rest_seconds: int = 30
    move_seconds: int | None = None

    @property
    def movement(self) -> Movement:
        if self.reps is not None:
            return Movement.REPEATED
        return Movement.STATIC if self.hold_seconds is not None else Movement.CONTINUOUS


@dataclass(frozen=True)
class SessionExercise:
    """One exercise of a day's session with the dose prescribed that day."""

    exercise_id: str
    dose: Dose


@dataclass(eq=False)
class Therapist:
    name: str
    telegram_user_id: int | None = None
    language: Language = Language.EN
    created_at: datetime | None = None
    # Single-use code of the sign-up deep link, until the therapist opens it.
    signup_code: str | None = None
    timezone: str = "Europe/Berlin"
    summary_frequency: SummaryFrequency = SummaryFrequency.WEEKLY
    summary_time: time = time(7, 30)
    summary_weekday: int = 0  # Monday, for a weekly summary
    # When the next scheduled summary is due (UTC); None while summaries are off.
    next_summary_at: datetime | None = None
    # What the bot waits for the therapist to type ("message:12", "summary:tz").
    step: str | None = None
    id: int | None = None


@dataclass(eq=False)
class Invite:
    code: str
    therapist_id: int
    expires_at: datetime
    used_by: int | None = None
    used_at: datetime | None = None
    id: int | None = None

    def usable(self, now: datetime) -> bool:
        return self.used_by is None and now < self.expires_at


@dataclass(eq=False)
class Patient:
    telegram_user_id: int
    chat_id: int
    language: Language
    timezone: str
    consent_at: datetime
    created_at: datetime
    status: PatientStatus = PatientStatus.ONBOARDING
    # The question the bot waits an answer for ("onboarding:level", "settings:time"),
    # kept in the database so a restart mid-conversation loses nothing.
    step: str | None = None
    prompt_time: time = time(18, 0)
    training_days: list[int] = field(default_factory=lambda: list(ALL_DAYS))
    conditions: list[Condition] = field(default_factory=list)
    equipment: list[Equipment] = field(default_factory=list)
    level: Level = Level.BEGINNER
    # The usual pain (0-10) the patient gave at enrolment, and the usual pain as their
    # reports outside a flare have since shown it (`pain.usual_after`); None: not yet.
    baseline_pain: int | None = None
    usual_pain: int | None = None
    paused_until: date | None = None
    # The ids of the lessons the course has sent, so that the next one is the first in
    # course order not among them (a reordered course skips and repeats nothing).
    lessons_taught: list[str] = field(default_factory=list)
    therapist_id: int | None = None
    blocked_at: datetime | None = None
    # The Telegram first name, so a linked therapist knows who an alert is about.
    display_name: str = ""
    # Set by the therapist: progression leaves the plan alone.
    plan_locked: bool = False
    # When the newest report came in (silence is counted from it, or from enrolment).
    last_report_at: datetime | None = None
    # The day of the first session with a pain answer: the first week's pain is counted
    # from it (one week of rows, however long the history).
    first_pain_on: date | None = None
    # After an operation: its day (perhaps approximate, from enrolment's spans), and when
    # and by whom the surgeon's clearance for full exercise was recorded (`surgery`).
    surgery_on: date | None = None
    surgery_date_approximate: bool = False
    cleared_at: datetime | None = None
    cleared_by: Actor | None = None
    # When the red-flag screen was last finished (all clear, or stopped at a sign), and
    # the signs said yes to then; None: not screened since screens were recorded.
    screened_at: datetime | None = None
    warning_signs: list[RedFlag] = field(default_factory=list)
    id: int | None = None

    @property
    def receives_sessions(self) -> bool:
        return self.status == PatientStatus.ACTIVE


@dataclass(eq=False)
class PlanItem:
    patient_id: int
    exercise_id: str
    position: int
    sets: int
    reps: int | None = None
    hold_seconds: int | None = None
    rest_seconds: int = 30
    locked: bool = False
    move_seconds: int | None = None
    id: int | None = None

    @property
    def dose(self) -> Dose:
        return Dose(self.sets, self.reps, self.hold_seconds, self.rest_seconds, self.move_seconds)

    @dose.setter
    def dose(self, dose: Dose) -> None:
        self.sets, self.reps = dose.sets, dose.reps
        self.hold_seconds, self.rest_seconds = dose.hold_seconds, dose.rest_seconds
        self.move_seconds = dose.move_seconds


@dataclass(eq=False)
class Session:
    patient_id: int
    local_date: date
    due_at: datetime
    ends_at: datetime
    exercises: list[SessionExercise] = field(default_factory=list)
    relaxation_id: str | None = None
    lesson_id: str | None = None
    state: SessionState = SessionState.PLANNED
    sent_message_id: int | None = None
    sent_at: datetime | None = None
    lease_until: datetime | None = None
    # Sending attempts so far, when to try again after a passing failure, and why the
    # last attempt failed (Telegram's own words, never the message).
    attempts: int = 0
    retry_at: datetime | None = None
    failure: str | None = None
    # The step-by-step walk-through: its message, and the step it shows (None: not
    # started).
    walk_message_id: int | None = None
    walk_step: int | None = None
    id: int | None = None


@dataclass(eq=False)
class Report:
    session_id: int
    outcome: Outcome
    received_at: datetime
    pain_after: int | None = None
    difficulty: Difficulty | None = None
    # The next-morning check after a training day: when it is due (None once queued, or
    # for a skipped session), and the answer.
    morning_due_at: datetime | None = None
    morning: Morning | None = None
    id: int | None = None


@dataclass(eq=False)
class Alert:
    """Something a therapist should know, with its facts as values (each language words
    them): the pain reported (0-10), the days without a report, the red flag answered."""

    patient_id: int
    kind: AlertKind
    created_at: datetime
    pain: int | None = None
    days: int | None = None
    red_flag: RedFlag | None = None
    # A pain alert's usual pain then, and the signs that made it an alert.
    usual: int | None = None
    signs: list[PainSign] = field(default_factory=list)
    seen_at: datetime | None = None
    # When the therapist was sent it (once); None while not sent or no therapist.
    notified_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class ExerciseChange:
    """One exercise of a plan change: its dose before and after, or a new variant."""

    exercise_id: str
    before: Dose
    after: Dose
    new_exercise_id: str | None = None


@dataclass(eq=False)
class PlanChange:
    """A progression or regression of the plan, made or proposed from feedback."""

    patient_id: int
    created_at: datetime
    direction: Direction
    reason: Reason
    status: ChangeStatus
    changes: list[ExerciseChange] = field(default_factory=list)
    decided_at: datetime | None = None
    id: int | None = None


Buttons = list[list[tuple[str, str]]]  # rows of (label, callback data)


@dataclass(frozen=True)
class Outgoing:
    """One message as plain data: HTML text (the caption, if there is a photo), inline
    buttons and an optional PNG. The dispatcher stores and sends it without knowing
    Telegram's objects."""

    text: str
    buttons: Buttons = field(default_factory=list)
    photo: bytes | None = None


@dataclass(eq=False)
class OutboxMessage:
    """A message the dispatcher owes someone (an alert, one part of a summary, a notice to
    the operator), stored before it is sent, so a restart neither loses nor repeats it.

    Messages to one chat go out in the order they were stored. The content is dropped once
    it is sent; the row stays as the record of what went out.
    """

    chat_id: int
    purpose: OutboxPurpose
    created_at: datetime
    text: str | None = None
    buttons: Buttons | None = None
    photo: bytes | None = None
    therapist_id: int | None = None
    alert_id: int | None = None
    state: OutboxState = OutboxState.PENDING
    attempts: int = 0
    retry_at: datetime | None = None
    lease_until: datetime | None = None
    failure: str | None = None
    sent_at: datetime | None = None
    message_id: int | None = None
    id: int | None = None

    @classmethod
    def of(
        cls, message: Outgoing, chat_id: int, purpose: OutboxPurpose, now: datetime
    ) -> OutboxMessage:
        return cls(
            chat_id=chat_id,
            purpose=purpose,
            created_at=now,
            text=message.text,
            buttons=message.buttons,
            photo=message.photo,
        )

    @property
    def content(self) -> Outgoing:
        return Outgoing(self.text or "", self.buttons or [], self.photo)
