"""Load and validate the catalogue: one YAML file per entry, in three folders."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import ValidationError

from catalogue.placement import PlacementError, scene
from catalogue.schema import Entry, Exercise, Lesson, Relaxation
from coachbot.domain.vocabulary import Equipment

BUILTIN = Path(__file__).parent
_FOLDERS: Mapping[str, type[Entry]] = {
    "exercises": Exercise,
    "relaxation": Relaxation,
    "lessons": Lesson,
}
_Entry = TypeVar("_Entry", bound=Entry)


class CatalogueError(Exception):
    """The catalogue has one or more invalid files; every problem is listed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Catalogue:
    exercises: dict[str, Exercise] = field(default_factory=dict)
    relaxation: dict[str, Relaxation] = field(default_factory=dict)
    lessons: dict[str, Lesson] = field(default_factory=dict)

    def lessons_in_order(self) -> list[Lesson]:
        return sorted(self.lessons.values(), key=lambda lesson: (lesson.order, lesson.id))


def load_catalogue(paths: Iterable[Path] = (BUILTIN,)) -> Catalogue:
    """Read every entry under ``paths``; later folders override earlier ones by id."""
    problems: list[str] = []
    found: dict[str, dict[str, Entry]] = {name: {} for name in _FOLDERS}
    sources: dict[str, Path] = {}
    for root in paths:
        if not root.is_dir():
            problems.append(f"{root}: not a folder")
            continue
        for folder, model in _FOLDERS.items():
            for path in sorted((root / folder).glob("*.y*ml")):
                entry = _load_file(path, model, problems)
                if entry is not None:
                    found[folder][entry.id] = entry
                    sources[f"{folder}/{entry.id}"] = path
    catalogue = Catalogue(
        exercises=_typed(found["exercises"], Exercise),
        relaxation=_typed(found["relaxation"], Relaxation),
        lessons=_typed(found["lessons"], Lesson),
    )
    problems.extend(_cross_check(catalogue, sources))
    if problems:
        raise CatalogueError(problems)
    return catalogue


def _load_file(path: Path, model: type[_Entry], problems: list[str]) -> _Entry | None:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        problems.append(f"{path}: cannot read YAML: {error}")
        return None
    try:
        entry = model.model_validate(raw)
    except ValidationError as error:
        for detail in error.errors():
            where = ".".join(str(part) for part in detail["loc"]) or "(file)"
            problems.append(f"{path}: {where}: {detail['msg']}")
        return None
    if entry.id != path.stem:
        problems.append(f"{path}: id {entry.id!r} must match the file name")
        return None
    return entry


def _typed(entries: dict[str, Entry], model: type[_Entry]) -> dict[str, _Entry]:
    return {key: value for key, value in entries.items() if isinstance(value, model)}


def _cross_check(catalogue: Catalogue, sources: dict[str, Path]) -> list[str]:
    problems = []
    for exercise in catalogue.exercises.values():
        for link in (exercise.easier, exercise.harder):
            if link is not None and link not in catalogue.exercises:
                problems.append(
                    f"{sources[f'exercises/{exercise.id}']}: variant {link!r} does not exist"
                )
    problems.extend(
        f"{sources[f'exercises/{harder.id}']}: {problem}"
        for easier, harder in _variant_pairs(catalogue.exercises)
        for problem in _harder_problems(easier, harder)
    )
    problems.extend(_plate_problems(catalogue.exercises, sources))
    problems.extend(_picture_problems(catalogue.exercises, sources))
    orders: dict[int, str] = {}
    for lesson in catalogue.lessons.values():
        if lesson.order in orders:
            problems.append(
                f"{sources[f'lessons/{lesson.id}']}: order {lesson.order} is already used by "
                f"lesson {orders[lesson.order]}"
            )
        orders[lesson.order] = lesson.id
    return problems


def _picture_problems(exercises: Mapping[str, Exercise], sources: dict[str, Path]) -> list[str]:
    """Exercises whose figure cannot rest on its support (see catalogue/placement.py)."""
    problems: list[str] = []
    for exercise in exercises.values():
        try:
            scene(exercise.picture)
        except PlacementError as error:
            where = sources[f"exercises/{exercise.id}"]
            problems.extend(f"{where}: picture: {problem}" for problem in error.problems)
    return problems


def _variant_pairs(exercises: Mapping[str, Exercise]) -> list[tuple[Exercise, Exercise]]:
    """Every (easier, harder) pair the variant links name, from either end."""
    pairs = {(e.easier, e.id) for e in exercises.values() if e.easier is not None} | {
        (e.id, e.harder) for e in exercises.values() if e.harder is not None
    }
    return [
        (exercises[easier], exercises[harder])
        for easier, harder in sorted(pairs, key=lambda pair: (pair[1], pair[0]))
        if easier in exercises and harder in exercises
    ]


def _harder_problems(easier: Exercise, harder: Exercise) -> list[str]:
    """A harder variant is at least as restricted as its easier one: progression moves a
    patient up the links, and must not move them past what their conditions allow."""
    problems = [
        f"{condition} is unsuitable for the easier variant {easier.id} but not for this harder one"
        for condition in easier.unsuitable
        if condition not in harder.unsuitable
    ]
    problems += [
        f"{condition} needs care with the easier variant {easier.id}, so this harder one needs "
        "care or is unsuitable"
        for condition in easier.care
        if condition not in harder.care and condition not in harder.unsuitable
    ]
    if easier.needs_clearance and not harder.needs_clearance:
        problems.append(
            f"the easier variant {easier.id} waits for a surgeon's clearance, so this harder "
            "one does too (later_phase: true, or its strains)"
        )
    return problems


def _plate_problems(exercises: Mapping[str, Exercise], sources: dict[str, Path]) -> list[str]:
    """One rule for the vibration plate: the plate, not the exercise on it, decides whom it
    is unsuitable for (its contraindications), so every plate exercise names the same."""
    plate = sorted(
        (e for e in exercises.values() if Equipment.VIBRATION_PLATE in e.equipment),
        key=lambda e: e.id,
    )
    if not plate:
        return []
    first = plate[0]
    return [
        f"{sources[f'exercises/{exercise.id}']}: vibration-plate exercises must agree on "
        f"unsuitable conditions, but this one has [{', '.join(sorted(exercise.unsuitable))}] "
        f"and {first.id} has [{', '.join(sorted(first.unsuitable))}]"
        for exercise in plate[1:]
        if set(exercise.unsuitable) != set(first.unsuitable)
    ]
