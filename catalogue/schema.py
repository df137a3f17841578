"""The shape of catalogue content, validated when it is loaded.

Every text exists in English and German; every reference between entries
must resolve. Wording lives only in the YAML files next to this module; the words
it is tagged with (kinds, equipment, conditions, levels) are the domain's
(`coachbot.domain.vocabulary`).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from coachbot.domain.vocabulary import (
    Condition,
    Equipment,
    Kind,
    Language,
    Level,
    Movement,
    Strain,
)

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
    """Sets of repetitions, of a hold, or of continuous movement, with rest between sets."""

    sets: int = Field(ge=1, le=6)
    reps: int | None = Field(default=None, ge=1, le=40)
    hold_seconds: int | None = Field(default=None, ge=5, le=300)
    move_seconds: int | None = Field(default=None, ge=10, le=1200)
    rest_seconds: int = Field(ge=0, le=180)

    @model_validator(mode="after")
    def _one_amount(self) -> Dose:
        amounts = [self.reps, self.hold_seconds, self.move_seconds]
        if sum(amount is not None for amount in amounts) != 1:
            raise ValueError("a dose has exactly one of reps, hold_seconds or move_seconds")
        return self

    @property
    def movement(self) -> Movement:
        """The kind of movement this dose is written for."""
        if self.reps is not None:
            return Movement.REPEATED
        return Movement.STATIC if self.hold_seconds is not None else Movement.CONTINUOUS


EVERYONE = "everyone"


class Caution(_Strict):
    """A caution, tagged with whom it concerns: everyone, or people with the conditions
    named (a patient is shown the general ones and those for their own conditions)."""

    concerns: list[Condition | Literal["everyone"]] = Field(min_length=1)
    en: str = Field(min_length=1, max_length=_MAX_LINE)
    de: str = Field(min_length=1, max_length=_MAX_LINE)

    @model_validator(mode="after")
    def _everyone_alone(self) -> Caution:
        if EVERYONE in self.concerns and len(self.concerns) > 1:
            raise ValueError("a caution concerns everyone or named conditions, not both")
        return self

    def get(self, language: str) -> str:
        return self.de if language == Language.DE else self.en

    @property
    def general(self) -> bool:
        return EVERYONE in self.concerns

    def concern(self, conditions: Collection[Condition]) -> bool:
        """Whether a person with `conditions` should read this caution."""
        return self.general or any(condition in conditions for condition in self.concerns)


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
    cautions: list[Caution] = Field(min_length=1)
    # How it is dosed: every level's dose must be written for this movement.
    movement: Movement
    # Done on one side, then the other: the dose is for each side.
    each_side: bool = False
    doses: dict[Level, Dose]
    suits: list[Condition] = Field(default_factory=list)
    care: list[Condition] = Field(default_factory=list)
    unsuitable: list[Condition] = Field(default_factory=list)
    # Loads on the spine it brings; twisting and loaded flexion wait for a surgeon's
    # clearance after an operation.
    strains: list[Strain] = Field(default_factory=list)
    # Only for a later phase after an operation (once the surgeon has cleared exercise),
    # whatever its strains.
    later_phase: bool = False
    easier: EntryId | None = None
    harder: EntryId | None = None

    @property
    def needs_clearance(self) -> bool:
        """Whether a patient after an operation waits for clearance before doing it."""
        return self.later_phase or bool(
            {Strain.TWISTING, Strain.LOADED_FLEXION, Strain.IMPACT, Strain.VIBRATION}
            & set(self.strains)
        )

    def cautions_for(self, conditions: Collection[Condition]) -> list[Caution]:
        """The cautions a person with `conditions` reads: the general ones and theirs."""
        return [caution for caution in self.cautions if caution.concern(conditions)]

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
        wrong = [level for level, dose in self.doses.items() if dose.movement != self.movement]
        if wrong:
            raise ValueError(
                f"a {self.movement} exercise dosed as {self.doses[wrong[0]].movement} "
                f"for levels: {', '.join(wrong)}"
            )
        return self


class Relaxation(Entry):
    title: Text
    duration_minutes: int = Field(ge=1, le=30)
    intro: Text
    steps: TextList
    suits: list[Condition] = Field(default_factory=list)
    care: list[Condition] = Field(default_factory=list)
    unsuitable: list[Condition] = Field(default_factory=list)


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
