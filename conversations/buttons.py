"""Every button's data, one small spec per family of buttons.

Telegram gives a button at most 64 bytes of data and hands them back verbatim
when it is pressed; a modified client can send anything instead. A `Family` packs
the fields of its buttons (refusing data Telegram would refuse), gives
`registry.py` an anchored pattern with a named group per field, and reads the
fields back from the match in the handler. The patterns accept ASCII only, so a
digit from another script (`lock:१:y`) is no digit here, and an id has at most 18
digits: anything larger cannot be a row id, and is answered like any stale button
instead of overflowing the database driver.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from telegram.ext import CallbackContext

from coachbot.domain.red_flags import Group
from coachbot.domain.surgery import Ago
from coachbot.domain.vocabulary import (
    Condition,
    Difficulty,
    Equipment,
    Kind,
    Language,
    Level,
    Morning,
    Outcome,
    SummaryFrequency,
)

MAX_BYTES = 64  # Telegram's limit on callback data

ID = r"[0-9]{1,18}"  # below 2**63, the largest id a database column holds
HHMM = r"(?:[01][0-9]|2[0-3])[0-5][0-9]"
INVITE = r"[A-Za-z0-9_-]{8,48}"
ENTRY = r"[a-z0-9]+(?:_[a-z0-9]+)*"  # a catalogue entry's id (catalogue.schema.EntryId)
Word = TypeVar("Word", bound=StrEnum)


@dataclass(frozen=True)
class Field:
    name: str
    regex: str


def number(name: str) -> Field:
    """A row id (or another small number) in ASCII digits."""
    return Field(name, ID)


def one_of(name: str, *values: str) -> Field:
    """One of a fixed set of words."""
    return Field(name, "|".join(re.escape(value) for value in values))


def text(name: str, regex: str) -> Field:
    """A word matching `regex` (ASCII only)."""
    return Field(name, regex)


class Data:
    """The fields of a pressed button, read from the handler's match."""

    def __init__(self, values: dict[str, str | None]) -> None:
        self._values = values

    def id(self, name: str) -> int:
        return int(self.text(name))

    def text(self, name: str) -> str:
        value = self._values.get(name)
        assert value is not None, f"the button has no {name}"
        return value

    def optional(self, name: str) -> str | None:
        return self._values.get(name)

    def word(self, name: str, words: type[Word]) -> Word:
        """A field of the domain's vocabulary (`one_of(name, *words)`), as its member."""
        return words(self.text(name))


class Family:
    """Buttons sharing a prefix: `prefix:field:field...`, the last `optional` fields
    may be left out (from the end)."""

    def __init__(self, prefix: str, *fields: Field, optional: int = 0) -> None:
        self.prefix = prefix
        self.fields = fields
        self.optional = optional
        required = fields[: len(fields) - optional]
        tail = ""
        for field in reversed(fields[len(fields) - optional :]):
            tail = f"(?::(?P<{field.name}>{field.regex}){tail})?"
        head = "".join(f":(?P<{field.name}>{field.regex})" for field in required)
        self.pattern = re.compile(rf"{re.escape(prefix)}{head}{tail}\Z", re.ASCII)

    def data(self, *values: object) -> str:
        """The data of one button; ValueError for values the pattern would refuse."""
        if not len(self.fields) - self.optional <= len(values) <= len(self.fields):
            raise ValueError(f"{self.prefix}: {len(values)} values for {len(self.fields)} fields")
        packed = ":".join([self.prefix, *(str(value) for value in values)])
        if len(packed.encode()) > MAX_BYTES:
            raise ValueError(f"{self.prefix}: button data over {MAX_BYTES} bytes")
        if not self.pattern.match(packed):
            raise ValueError(f"{self.prefix}: {packed!r} does not fit the family's pattern")
        return packed

    def answer(self, *leading: object) -> Callable[[object], str]:
        """Data for a keyboard whose buttons differ in the last field only."""
        return lambda value: self.data(*leading, value)

    def read(self, context: CallbackContext) -> Data:  # type: ignore[type-arg]
        """The fields of the button that was pressed (the handler's pattern matched)."""
        match = context.match
        assert match is not None and match.re is self.pattern, "handler registered elsewhere"
        return Data(match.groupdict())


# A multiple choice changed after enrolment rides in its buttons' data, a letter for each
# word chosen, so nothing changes until "Done" and an abandoned choice changes nothing.
CONDITION_CODES = {
    Condition.SPINE_CONDITION: "s",
    Condition.OSTEOPOROSIS: "o",
    Condition.SPINAL_STENOSIS: "n",
    Condition.SPONDYLOLISTHESIS: "l",
    Condition.HERNIATED_DISC: "h",
    Condition.POOR_POSTURE: "p",
    Condition.AFTER_SURGERY: "a",
    Condition.FREQUENT_TENSION: "t",
}
EQUIPMENT_CODES = {
    Equipment.EXERCISE_BALL: "b",
    Equipment.DUMBBELLS: "d",
    Equipment.ROWING_MACHINE: "r",
    Equipment.ELASTIC_BAND: "e",
    Equipment.VIBRATION_PLATE: "v",
}
CHOSEN = r"[a-z]{0,8}"


def pack(chosen: Iterable[Word], codes: Mapping[Word, str]) -> str:
    """The letters of the words chosen, in a stable order."""
    return "".join(sorted(codes[word] for word in set(chosen)))


def unpack(letters: str, codes: Mapping[Word, str]) -> list[Word]:
    """The words chosen, in vocabulary order (an unknown letter is ignored)."""
    return [word for word, code in codes.items() if code in letters]


LANGUAGE = one_of("language", *Language)
YES_NO = one_of("answer", "y", "n")

# Enrolment, before and after consent (onboarding.py).
WELCOME_LANGUAGE = Family("lang", LANGUAGE, text("invite", INVITE), optional=1)
CONSENT = Family(
    "consent", LANGUAGE, one_of("answer", "yes", "no"), text("invite", INVITE), optional=1
)
# `question` is the enrolment step without its "ob:" (a screen group's is "rf:<group>").
ENROLMENT = Family("ob", text("question", r"[a-z_]+(?::[a-z_]+)?"), text("value", r"[a-z0-9_]+"))

# The daily session and its report (checkin.py).
OUTCOME = Family("rep", number("session"), one_of("value", *Outcome))
PAIN = Family("pain", number("session"), text("value", r"10|[0-9]"))
# How hard it felt, or "none" for the patient skipping the question.
DIFFICULTY_ANSWERS = (Difficulty.EASY, Difficulty.RIGHT, Difficulty.HARD)
NO_ANSWER = "none"
DIFFICULTY = Family("diff", number("session"), one_of("value", *DIFFICULTY_ANSWERS, NO_ANSWER))
SAFETY_CHECK = Family("chk", number("session"), YES_NO)
EXTRA = Family("extra", number("session"), one_of("value", "relax", "lesson", "steps"))
# The walk-through (walk/): "▶ Start" under the session sends it; each of its buttons
# names the step it leads to, and "more" for an exercise's breathing, mistakes, cautions.
WALK_START = Family("go", number("session"))
WALK = Family("walk", number("session"), number("step"), one_of("view", "more"), optional=1)
# The value is the option's place in the catalogue, whatever place it was shown in.
LESSON_ANSWER = Family("lq", number("session"), text("value", r"[0-3]"))
# The next-morning check: the back this morning, compared with usual.
MORNING = Family("am", number("session"), one_of("value", *Morning))

# Lessons and relaxation on demand (library.py), named by their catalogue ids; without
# one, the list.
OPEN_LESSON = Family("lsn", text("lesson", ENTRY), optional=1)
LIBRARY_ANSWER = Family("lsq", text("lesson", ENTRY), text("value", r"[0-3]"))
OPEN_RELAXATION = Family("rlx", text("technique", ENTRY), optional=1)

# The patient's menus (menu.py).
PAUSE = Family("pause", one_of("choice", "7", "14", "open", "date", "cancel"))
CLEARED = Family("cleared", YES_NO)
SETTING = Family("set", text("what", r"[a-z]+"), text("value", r"[a-z0-9_]+"))
# Conditions or equipment in /settings: what is ticked so far, and the tap.
CHOICE = Family(
    "sch", one_of("what", "cond", "eq"), text("chosen", CHOSEN), text("value", r"[a-z_]+")
)
# The patient's operation in /settings: the screen, its day as a span, the clearance
# ("ask" for the confirmation, "y", or "n"/"unsure" after the question).
OPERATION = Family(
    "surg",
    one_of("what", "show", "date", "clear"),
    one_of("value", *Ago, "ask", "y", "n", "unsure"),
    optional=1,
)
DELETE = Family("del", one_of("answer", "yes", "no"))
# The plan as a PDF to print, under /plan (printed_plan.py).
PRINT_PLAN = Family("prt")
# The warning-sign screen taken again from /settings (screening.py): a sign or "none".
SCREEN = Family("rf", one_of("group", *Group), text("value", r"[a-z0-9_]+"))

# The therapist (therapist.py, summary.py).
ACKNOWLEDGE = Family("ack", number("alert"))
ROSTER_PAGE = Family("ros", number("page"))
LINK = Family("link", text("invite", INVITE), YES_NO)
SUMMARY = Family(
    "sum",
    one_of("what", "menu", "close", "tz", "time", "day", "freq"),
    text("value", "|".join([HHMM, "[0-6]", *SummaryFrequency])),
    optional=1,
)

# The patient's card and its menus (card/); every one names the patient.
OPEN_CARD = Family("card", number("patient"))
CARD = Family("pc", number("patient"))
PLAN = Family("plan", number("patient"))
ITEM = Family("item", number("patient"), number("item"))
DOSE = Family(
    "dose",
    number("patient"),
    number("item"),
    one_of("what", "sets", "reps", "hold", "move"),
    one_of("way", "u", "d"),
)
REMOVE = Family("rm", number("patient"), number("item"))
SWAP_MENU = Family("swap", number("patient"), number("item"))
SWAP_TO = Family("sw", number("patient"), number("item"), text("exercise", r"[a-z0-9_]+"))
ADD_MENU = Family("addk", number("patient"), one_of("kind", *Kind), optional=1)
ADD = Family("add", number("patient"), text("exercise", r"[a-z0-9_]+"))
LOCK = Family("lock", number("patient"), YES_NO)
PROPOSAL = Family("prop", number("patient"), number("change"), one_of("answer", "a", "r"))
TIME = Family("ptime", number("patient"), text("at", HHMM), optional=1)
PATIENT_PAUSE = Family("ppause", number("patient"), one_of("length", "7", "14", "open"), optional=1)
PATIENT_RESUME = Family("presume", number("patient"))
MESSAGE = Family("msg", number("patient"), one_of("cancel", "x"), optional=1)
UNLINK = Family("unl", number("patient"), one_of("sure", "y"), optional=1)
# The patient's profile from the card: conditions (ticked so far, the tap), level, and
# the surgeon's clearance after an operation (asked, then confirmed).
PATIENT_CONDITIONS = Family(
    "pcnd", number("patient"), text("chosen", CHOSEN), text("value", r"[a-z_]+"), optional=2
)
PATIENT_LEVEL = Family("plvl", number("patient"), one_of("level", *Level), optional=1)
PATIENT_CLEARED = Family("pclr", number("patient"), one_of("sure", "y"), optional=1)
# The patient's plan as a PDF to print, from the card (printed_plan.py).
PATIENT_PRINT = Family("pprt", number("patient"))
