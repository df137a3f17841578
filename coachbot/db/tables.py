"""The schema, mapped onto the domain's dataclasses (classical mapping).

The domain stays plain Python; SQLAlchemy instruments its classes here once.
Alembic migrations in `migrations/` must match this metadata (a test checks).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import registry

from coachbot.db.types import (
    ExerciseChanges,
    SessionExercises,
    UTCDateTime,
    Vocabulary,
    Weekdays,
    Words,
)
from coachbot.domain.model import (
    Alert,
    Invite,
    OutboxMessage,
    Patient,
    PlanChange,
    PlanItem,
    Report,
    Session,
    Therapist,
)
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

OPEN_SESSION = f"state IN ('{SessionState.PLANNED}', '{SessionState.SENDING}')"

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

therapist = Table(
    "therapist",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("telegram_user_id", BigInteger, unique=True),
    Column("name", String(120), nullable=False),
    Column("language", Vocabulary(Language, 5), nullable=False),
    Column("created_at", UTCDateTime),
    Column("signup_code", String(64), unique=True),
    Column("timezone", String(64), nullable=False, server_default="Europe/Berlin"),
    Column(
        "summary_frequency",
        Vocabulary(SummaryFrequency, 8),
        nullable=False,
        server_default=SummaryFrequency.WEEKLY.value,
    ),
    Column("summary_time", Time, nullable=False, server_default="07:30:00"),
    Column("summary_weekday", Integer, nullable=False, server_default="0"),
    Column("next_summary_at", UTCDateTime, index=True),
    Column("step", String(40)),
)

patient = Table(
    "patient",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("telegram_user_id", BigInteger, nullable=False, unique=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("language", Vocabulary(Language, 5), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("status", Vocabulary(PatientStatus, 16), nullable=False, index=True),
    Column("step", String(40)),
    Column("prompt_time", Time, nullable=False),
    Column("training_days", Weekdays, nullable=False),
    Column("conditions", Words(Condition), nullable=False),
    Column("equipment", Words(Equipment), nullable=False),
    Column("level", Vocabulary(Level, 16), nullable=False),
    Column("baseline_pain", Integer),
    Column("usual_pain", Integer),
    Column("paused_until", Date),
    Column("consent_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("blocked_at", UTCDateTime),
    Column("therapist_id", ForeignKey("therapist.id", ondelete="SET NULL"), index=True),
    Column("display_name", String(64), nullable=False, server_default=""),
    Column("plan_locked", Boolean, nullable=False, server_default="0"),
    Column("last_report_at", UTCDateTime),
    Column("first_pain_on", Date),
    Column("surgery_on", Date),
    Column("surgery_date_approximate", Boolean, nullable=False, server_default="0"),
    Column("cleared_at", UTCDateTime),
    Column("cleared_by", Vocabulary(Actor, 16)),
    Column("lessons_taught", JSON, nullable=False, server_default="[]"),
    Column("screened_at", UTCDateTime),
    Column("warning_signs", Words(RedFlag), nullable=False, server_default="[]"),
)

invite = Table(
    "invite",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("therapist_id", ForeignKey("therapist.id", ondelete="CASCADE"), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_by", ForeignKey("patient.id", ondelete="SET NULL")),
    Column("used_at", UTCDateTime),
)

plan_item = Table(
    "plan_item",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", ForeignKey("patient.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("exercise_id", String(40), nullable=False),
    Column("position", Integer, nullable=False),
    Column("sets", Integer, nullable=False),
    Column("reps", Integer),
    Column("hold_seconds", Integer),
    Column("rest_seconds", Integer, nullable=False),
    Column("locked", Boolean, nullable=False),
    Column("move_seconds", Integer),
)

session = Table(
    "session",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", ForeignKey("patient.id", ondelete="CASCADE"), nullable=False),
    Column("local_date", Date, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("exercises", SessionExercises, nullable=False),
    Column("relaxation_id", String(40)),
    Column("lesson_id", String(40)),
    Column("state", Vocabulary(SessionState, 16), nullable=False),
    Column("sent_message_id", BigInteger),
    Column("sent_at", UTCDateTime),
    Column("lease_until", UTCDateTime),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("retry_at", UTCDateTime),
    Column("failure", String(200)),
    # The walk-through's message and the step it shows (None: not started), so a tap on
    # it after a restart goes on from there and a tap on an older one is known stale.
    Column("walk_message_id", BigInteger),
    Column("walk_step", Integer),
    UniqueConstraint("patient_id", "local_date"),
    # The dispatcher's two questions: what is due, and what day has ended.
    Index("ix_session_state_due_at", "state", "due_at"),
    Index("ix_session_state_ends_at", "state", "ends_at"),
    # Whether a patient has a session still to come, without reading their history.
    Index(
        "ix_session_open_patient_id",
        "patient_id",
        sqlite_where=text(OPEN_SESSION),
        postgresql_where=text(OPEN_SESSION),
    ),
)

report = Table(
    "report",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "session_id",
        ForeignKey("session.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("outcome", Vocabulary(Outcome, 16), nullable=False),
    Column("pain_after", Integer),
    Column("difficulty", Vocabulary(Difficulty, 16)),
    Column("received_at", UTCDateTime, nullable=False),
    Column("morning_due_at", UTCDateTime),
    Column("morning", Vocabulary(Morning, 8)),
    # Next-morning checks still to queue, found directly.
    Index(
        "ix_report_morning_due_at",
        "morning_due_at",
        sqlite_where=text("morning_due_at IS NOT NULL"),
        postgresql_where=text("morning_due_at IS NOT NULL"),
    ),
)

alert = Table(
    "alert",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", ForeignKey("patient.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", Vocabulary(AlertKind, 24), nullable=False),
    # The facts each language words: pain 0-10, days without a report, the red flag.
    Column("pain", Integer),
    Column("days", Integer),
    Column("red_flag", Vocabulary(RedFlag, 24)),
    Column("usual", Integer),
    Column("signs", Words(PainSign), nullable=False, server_default="[]"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("seen_at", UTCDateTime),
    Column("notified_at", UTCDateTime),
    # Alerts still to tell a therapist about, and a patient's open ones, found directly.
    Index(
        "ix_alert_unnotified_created_at",
        "created_at",
        sqlite_where=text("notified_at IS NULL"),
        postgresql_where=text("notified_at IS NULL"),
    ),
    Index(
        "ix_alert_open_patient_id",
        "patient_id",
        sqlite_where=text("seen_at IS NULL"),
        postgresql_where=text("seen_at IS NULL"),
    ),
)

plan_change = Table(
    "plan_change",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", ForeignKey("patient.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("direction", Vocabulary(Direction, 16), nullable=False),
    Column("reason", Vocabulary(Reason, 24), nullable=False),
    Column("status", Vocabulary(ChangeStatus, 16), nullable=False),
    Column("changes", ExerciseChanges, nullable=False),
    Column("decided_at", UTCDateTime),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("purpose", Vocabulary(OutboxPurpose, 16), nullable=False),
    # What a message is about goes with it: an erased alert or therapist takes its
    # unsent messages along.
    Column("therapist_id", ForeignKey("therapist.id", ondelete="CASCADE")),
    Column("alert_id", ForeignKey("alert.id", ondelete="CASCADE")),
    Column("text", Text),
    Column("buttons", JSON),
    Column("photo", LargeBinary),
    Column("state", Vocabulary(OutboxState, 16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("retry_at", UTCDateTime),
    Column("lease_until", UTCDateTime),
    Column("failure", String(200)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("message_id", BigInteger),
    # The dispatcher's question: what is waiting to go out, per chat in order.
    Index("ix_outbox_state_chat_id", "state", "chat_id"),
)

# Named leases that processes hold for a while and renew: "updates" (the one process
# receiving updates) and "housekeeping" (the one dispatcher doing the rounds' chores).
lease = Table(
    "lease",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("holder", String(200)),
    Column("expires_at", UTCDateTime),
)

# The bot-wide send budget shared by every process: the theoretical arrival time of the
# next message (GCRA), in seconds since the epoch.
send_budget = Table(
    "send_budget",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("tat", Float, nullable=False, server_default="0"),
)

# Each picture is uploaded to Telegram once: its file id, by the digest of its bytes.
telegram_file = Table(
    "telegram_file",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("file_id", String(255), nullable=False),
    Column("stored_at", UTCDateTime, nullable=False),
)

mapper_registry = registry(metadata=metadata)
mapper_registry.map_imperatively(Therapist, therapist)
mapper_registry.map_imperatively(Patient, patient)
mapper_registry.map_imperatively(Invite, invite)
mapper_registry.map_imperatively(PlanItem, plan_item)
mapper_registry.map_imperatively(Session, session)
mapper_registry.map_imperatively(Report, report)
mapper_registry.map_imperatively(Alert, alert)
mapper_registry.map_imperatively(PlanChange, plan_change)
mapper_registry.map_imperatively(OutboxMessage, outbox)
