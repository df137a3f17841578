"""The domain's vocabulary: each word is what the catalogue's files and the database rows
hold, every column fits its words, and every word has its label."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pytest
import yaml
from sqlalchemy.dialects import sqlite

from catalogue.loader import BUILTIN
from coachbot.db.tables import metadata
from coachbot.db.types import Vocabulary, Words
from coachbot.domain.vocabulary import (
    AlertKind,
    Condition,
    Difficulty,
    Equipment,
    Kind,
    Language,
    Level,
    Outcome,
    PatientStatus,
    Reason,
    RedFlag,
    SessionState,
    SummaryFrequency,
    lookup,
)
from conversations import buttons, labels
from tests.shipped import shipped_catalogue

DIALECT = sqlite.dialect()


def values(words: type[StrEnum]) -> set[str]:
    return {word.value for word in words}


def raw_exercises() -> list[dict[str, Any]]:
    return [
        yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((BUILTIN / "exercises").glob("*.yaml"))
    ]


def test_the_catalogue_files_use_the_vocabulary_and_load_as_its_members() -> None:
    for raw in raw_exercises():
        assert set(raw["kinds"]) <= values(Kind), raw["id"]
        assert set(raw.get("equipment", [])) <= values(Equipment), raw["id"]
        for tag in ("suits", "care", "unsuitable"):
            assert set(raw.get(tag, [])) <= values(Condition), (raw["id"], tag)
        assert set(raw["doses"]) == values(Level), raw["id"]
        assert set(raw["title"]) == values(Language), raw["id"]
    for exercise in shipped_catalogue().exercises.values():
        assert all(type(kind) is Kind for kind in exercise.kinds)
        assert all(type(item) is Equipment for item in exercise.equipment)
        assert all(type(c) is Condition for c in [*exercise.suits, *exercise.unsuitable])
        assert all(type(level) is Level for level in exercise.doses)


def test_every_vocabulary_column_fits_its_longest_word() -> None:
    checked = 0
    for table in metadata.tables.values():
        for column in table.columns:
            vocabulary = column.type
            if isinstance(vocabulary, Vocabulary):
                checked += 1
                assert max(len(word) for word in vocabulary.enum) <= vocabulary.length, column
    assert checked == 17


def test_words_are_stored_as_their_values_and_read_back_as_members() -> None:
    state = Vocabulary(SessionState, 16)
    assert state.process_bind_param(SessionState.DONE, DIALECT) == "done"
    assert state.process_result_value("done", DIALECT) is SessionState.DONE
    conditions = Words(Condition)
    stored = conditions.process_bind_param([Condition.AFTER_SURGERY], DIALECT)
    assert stored == ["after_surgery"] and type(stored[0]) is str
    assert conditions.process_result_value(["after_surgery"], DIALECT) == [Condition.AFTER_SURGERY]


def test_an_unknown_stored_word_is_refused_when_read() -> None:
    with pytest.raises(ValueError):
        Vocabulary(SessionState, 16).process_result_value("finished", DIALECT)
    with pytest.raises(ValueError):
        Words(Condition).process_result_value(["sore_knee"], DIALECT)


def test_a_word_from_outside_is_looked_up_or_none() -> None:
    assert lookup(Kind, "strength") is Kind.STRENGTH
    assert lookup(Kind, "Strength") is None
    assert lookup(Language, None) is None


@pytest.mark.parametrize(
    ("table", "words"),
    [
        (labels.CONDITION_LABELS, Condition),
        (labels.EQUIPMENT_LABELS, Equipment),
        (labels.LEVEL_LABELS, Level),
        (labels.LEVEL_NAMES, Level),
        (labels.KIND_LABELS, Kind),
        (labels.LANGUAGE_NAMES, Language),
        (labels.LANGUAGE_FLAGS, Language),
        (labels.STATUS_LABELS, PatientStatus),
        (labels.OUTCOME_LABELS, Outcome),
        (labels.DIFFICULTY_LABELS, Difficulty),
        (labels.FREQUENCY_LABELS, SummaryFrequency),
        (labels.RED_FLAG_LABELS, RedFlag),
        (labels.ALERT_KIND_LABELS, AlertKind),
    ],
)
def test_every_word_has_its_label(table: dict[Any, str], words: type[StrEnum]) -> None:
    assert set(table) == set(words)


def test_every_reason_a_plan_changes_for_has_its_words() -> None:
    changing = set(Reason) - {Reason.MIXED, Reason.TOO_FEW}  # those hold the plan
    assert set(labels.PATIENT_REASONS) == set(labels.THERAPIST_REASONS) == changing


def test_the_buttons_carry_the_words() -> None:
    assert [buttons.OUTCOME.data(7, outcome) for outcome in Outcome] == [
        "rep:7:done",
        "rep:7:partly",
        "rep:7:skipped",
    ]
    assert buttons.DIFFICULTY.data(7, Difficulty.HARD) == "diff:7:hard"
    assert buttons.SUMMARY.data("freq", SummaryFrequency.OFF) == "sum:freq:off"
    assert all(buttons.ADD_MENU.data(7, kind) == f"addk:7:{kind.value}" for kind in Kind)
    assert buttons.ADD_MENU.pattern.match("addk:7:yoga") is None
