"""The shape of catalogue content, validated when it is loaded.

Every text exists in English and German; every reference between entries
must resolve. Wording lives only in the YAML files next to this module; the words
it is tagged with (kinds, equipment, conditions, levels) are the domain's
(`coachbot.domain.vocabulary`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from coachbot.domain.vocabulary import Condition, Equipment, Kind, Language, Level

# Entry ids are lower_snake_case; they name entries in the database and in
# callback data, so they must stay short and stable.
EntryId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:_[a-z0-9]+)*$", max_length=40)]
# A session message holds several exercises and must stay under Telegram's
# 4096 characters, so single texts are kept short enough for a phone screen.
_MAX_LINE = 400
_MAX_LESSON = 1200


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """One short text in every language."""

    en: str = Field(min_length=1, max_length=_MAX_LINE)
    de: str = Field(min_length=1, max_length=_MAX_LINE)

    def get(self, language: str) -> str:
        return self.de if language == Language.DE else self.en


class LongText(_Strict):
    """A paragraph (a lesson body) in every language."""

    en: str = Field(min_length=1, max_length=_MAX_LESSON)
    de: str = Field(min_length=1, max_length=_MAX_LESSON)

    def get(self, language: str) -> str:
        return self.de if language == Language.DE else self.en


class TextList(_Strict):
    """A list of short texts (steps, cautions) with the same items in every language."""

    en: list[str] = Field(min_length=1)
    de: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _same_length(self) -> TextList:
        if len(self.en) != len(self.de):
            raise ValueError(f"en has {len(self.en)} items but de has {len(self.de)}")
        for item in [*self.en, *self.de]:
            if not item.strip():
                raise ValueError("empty item")
            if len(item) > _MAX_LINE:
                raise ValueError(f"item longer than {_MAX_LINE} characters: {item[:40]}...")
        return self

    def get(self, language: str) -> list[str]:
        return self.de if language == Language.DE else self.en


class Dose(_Strict):
    """Sets of either repetitions or a hold time, with rest between sets."""

    sets: int = Field(ge=1, le=6)
    reps: int | None = Field(default=None, ge=1, le=40)
    hold_seconds: int | None = Field(default=None, ge=5, le=300)
    rest_seconds: int = Field(ge=0, le=180)

    @model_validator(mode="after")
    def _reps_or_hold(self) -> Dose:
        if (self.reps is None) == (self.hold_seconds is None):
            raise ValueError("a dose has exactly one of reps or hold_seconds")
        return self


class Entry(_Strict):
    """Anything in the catalogue: named by an id that matches its file name."""

    id: EntryId


class Exercise(Entry):
    kinds: list[Kind] = Field(min_length=1)
    equipment: list[Equipment] = Field(default_factory=list)
    title: Text
    target_muscles: TextList
    starting_position: Text
    steps: TextList
    breathing: Text
    mistakes: TextList
    cautions: TextList
    doses: dict[Level, Dose]
    suits: list[Condition] = Field(default_factory=list)
    care: list[Condition] = Field(default_factory=list)
    unsuitable: list[Condition] = Field(default_factory=list)
    easier: EntryId | None = None
    harder: EntryId | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Exercise:
        missing = [level for level in Level if level not in self.doses]
        if missing:
            raise ValueError(f"doses missing for levels: {', '.join(missing)}")
        if len(self.steps.en) < 2:
            raise ValueError("an exercise needs at least two steps")
        overlap = set(self.suits) & set(self.unsuitable) or set(self.care) & set(self.unsuitable)
        if overlap:
            raise ValueError(f"conditions both allowed and unsuitable: {sorted(overlap)}")
        if self.id in (self.easier, self.harder):
            raise ValueError("an exercise cannot be its own variant")
        return self


class Relaxation(Entry):
    title: Text
    duration_minutes: int = Field(ge=1, le=30)
    intro: Text
    steps: TextList


class CheckOption(_Strict):
    text: Text
    correct: bool


class CheckQuestion(_Strict):
    question: Text
    options: list[CheckOption] = Field(min_length=2, max_length=4)
    explanation: Text

    @model_validator(mode="after")
    def _one_correct(self) -> CheckQuestion:
        if sum(option.correct for option in self.options) != 1:
            raise ValueError("a check question has exactly one correct option")
        return self


class Lesson(Entry):
    order: int = Field(ge=1)
    title: Text
    body: LongText
    check: CheckQuestion
    guideline: str = Field(min_length=3)
