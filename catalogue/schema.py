"""The shape of catalogue content, validated when it is loaded.

Every text exists in English and German; every reference between entries
must resolve. Wording lives only in the YAML files next to this module; the words
it is tagged with (kinds, equipment, conditions, levels) are the domain's
(`coachbot.domain.vocabulary`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from catalogue.poses import Picture
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
# What a static exercise's steps would not say: each of these words describes movement
# that goes on (bouncing, marching, rowing, shaking, swinging), which is dosed as
# continuous time ("keep moving for 45 s"), never as a hold. Deliberately short: a word
# that also fits a held position ("hold", "breathe") would only make noise.
_CONTINUOUS_WORDS = re.compile(
    r"\b(bounc\w*|march\w*|row|rowing|shak\w*|swing\w*|keep (?:moving|going))\b",
    re.IGNORECASE,
)
_DOSE_FIELD = {
    Movement.REPEATED: "reps",
    Movement.STATIC: "hold_seconds",
    Movement.CONTINUOUS: "move_seconds",
}


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
    # How its picture is drawn (catalogue/poses.py): every exercise has one.
    picture: Picture

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
        wrong = [level for level in Level if self.doses[level].movement != self.movement]
        if wrong:
            raise ValueError(
                f"movement: {self.movement} is dosed with {_DOSE_FIELD[self.movement]}, but the "
                f"dose for {', '.join(wrong)} gives {_DOSE_FIELD[self.doses[wrong[0]].movement]}"
            )
        return self

    @model_validator(mode="after")
    def _clinically_consistent(self) -> Exercise:
        # Every problem at once, so a clinician fixes a file in one go.
        problems = [*self._continuous_held(), *self._pointless_cautions(), *self._strain_rules()]
        if not any(caution.general for caution in self.cautions):
            problems.append("needs at least one caution for everyone (concerns: [everyone])")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _continuous_held(self) -> list[str]:
        """A static exercise that moves all the time would be shown as "hold 45 s"."""
        if self.movement != Movement.STATIC:
            return []
        reasons = []
        if Kind.VIBRATION in self.kinds:
            reasons.append("it is of kind vibration")
        if Equipment.ROWING_MACHINE in self.equipment:
            reasons.append("it uses the rowing machine")
        words = sorted(
            {m.group(0).lower() for m in _CONTINUOUS_WORDS.finditer(" ".join(self.steps.en))}
        )
        if words:
            reasons.append(f"its steps say {', '.join(repr(word) for word in words)}")
        if not reasons:
            return []
        return [
            f"movement: static, but {' and '.join(reasons)}: movement that goes on is "
            'movement: continuous, dosed with move_seconds ("keep moving for 45 s"), not a hold'
        ]

    def _pointless_cautions(self) -> list[str]:
        """A caution for a condition the exercise is unsuitable for is never read."""
        return [
            f"the caution {caution.en[:40]!r}... concerns {condition}, for whom the exercise "
            "is unsuitable"
            for caution in self.cautions
            for condition in caution.concerns
            if condition in self.unsuitable
        ]

    def _strain_rules(self) -> list[str]:
        """Strains and later_phase agree with the equipment and with after_surgery."""
        problems = []
        plate = Equipment.VIBRATION_PLATE in self.equipment
        if plate and Strain.VIBRATION not in self.strains:
            problems.append("it uses the vibration plate, so it needs strains: [vibration]")
        if Strain.VIBRATION in self.strains and not plate:
            problems.append("strains: [vibration] is for exercises on the vibration plate")
        # Left out until a surgeon's clearance, so not "suited" after an operation.
        if self.needs_clearance and Condition.AFTER_SURGERY in self.suits:
            problems.append(
                "waits for a surgeon's clearance (strains or later_phase), so after_surgery "
                "belongs under care, not suits"
            )
        if self.later_phase and Condition.AFTER_SURGERY in self.unsuitable:
            problems.append("later_phase has no effect: it is unsuitable for after_surgery anyway")
        return problems


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
