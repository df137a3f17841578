"""The catalogue's clinical consistency: the shipped content, and how `coachbot catalogue
check` reports a family of variants or the vibration plates disagreeing."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from catalogue.loader import BUILTIN, Catalogue, CatalogueError, load_catalogue
from catalogue.schema import Exercise
from coachbot.cli import main
from coachbot.domain.planning import MAIN_KINDS, Profile, build_plan
from coachbot.domain.vocabulary import Condition, Equipment, Kind, Movement
from tests.shipped import shipped_catalogue

CATALOGUE: Catalogue = shipped_catalogue()
EXERCISES = list(CATALOGUE.exercises.values())
PLATE = [e for e in EXERCISES if Equipment.VIBRATION_PLATE in e.equipment]

# --- the shipped catalogue ---------------------------------------------------------------


def _early_after_surgery(exercise: Exercise) -> bool:
    """What a fresh post-operative patient may be given before the surgeon clears exercise."""
    return not exercise.needs_clearance and Condition.AFTER_SURGERY not in exercise.unsuitable


@pytest.mark.parametrize(
    "others",
    [frozenset(), *(frozenset({c}) for c in Condition if c != Condition.AFTER_SURGERY)],
    ids=lambda others: "+".join(sorted(others)) or "alone",
)
def test_a_fresh_post_operative_patient_without_equipment_gets_a_full_plan(
    others: frozenset[Condition],
) -> None:
    profile = Profile(frozenset({Condition.AFTER_SURGERY, *others}), frozenset())
    plan = build_plan([e for e in EXERCISES if _early_after_surgery(e)], profile)
    kinds = Counter(CATALOGUE.exercises[exercise_id].kinds[0] for exercise_id in plan)
    assert kinds[Kind.MOBILIZATION] >= 2, plan
    assert kinds[Kind.STRETCHING] >= 2, plan
    full_main = [k for k in (Kind.STRENGTH, Kind.COORDINATION, Kind.BALANCE) if kinds[k] >= 2]
    assert len(full_main) >= 2, plan
    assert not {kind for kind in kinds if kind in MAIN_KINDS} & {Kind.ROTATION, Kind.VIBRATION}


def test_no_twisting_loaded_bending_impact_or_vibration_before_clearance() -> None:
    for exercise in EXERCISES:
        if exercise.kinds[0] == Kind.ROTATION or {
            Equipment.VIBRATION_PLATE,
            Equipment.ROWING_MACHINE,
        } & set(exercise.equipment):
            assert not _early_after_surgery(exercise), exercise.id
    assert {e.id for e in EXERCISES if e.strains} >= {
        "dumbbell_seated_rotation",
        "open_book",
        "knee_rocking",
        "dumbbell_hip_hinge",
        "ball_bouncing",
        "heel_drops",
        "vibration_plate_stance",
    }


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_moving_exercises_are_not_held(exercise: Exercise) -> None:
    if Kind.VIBRATION in exercise.kinds or Equipment.ROWING_MACHINE in exercise.equipment:
        assert exercise.movement == Movement.CONTINUOUS
        assert all(dose.move_seconds for dose in exercise.doses.values())


# The words each condition's cautions name it by; "spine condition" covers all three
# specific ones, which are spine conditions too.
NAMED_BY = {
    Condition.HERNIATED_DISC: (("disc",), ("bandscheibe",)),
    Condition.AFTER_SURGERY: (("operation", "replacement"), ("operation", "hüftgelenk")),
    Condition.SPINE_CONDITION: (("spine condition",), ("wirbelsäulenerkrankung",)),
    Condition.OSTEOPOROSIS: (("osteoporosis", "spine condition"), ("osteoporose", "erkrankung")),
    Condition.SPINAL_STENOSIS: (("stenosis", "spine condition"), ("stenose", "erkrankung")),
    Condition.SPONDYLOLISTHESIS: (
        ("spondylolisthesis", "spine condition"),
        ("wirbelgleiten", "erkrankung"),
    ),
}


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_each_caution_is_tagged_with_whom_it_names(exercise: Exercise) -> None:
    for caution in exercise.cautions:
        if caution.general:
            # What a patient without these conditions reads says nothing of them.
            for words in ("surgeon", "disc", "osteoporosis", "stenosis", "spine condition"):
                assert words not in caution.en.lower(), caution.en
            continue
        for condition in caution.concerns:
            assert isinstance(condition, Condition)
            english, german = NAMED_BY[condition]
            assert any(word in caution.en.lower() for word in english), caution.en
            assert any(word in caution.de.lower() for word in german), caution.de


def test_a_patient_without_conditions_reads_no_operation_or_disc_advice() -> None:
    shown = [c.en for e in EXERCISES for c in e.cautions_for(frozenset())]
    assert shown and not [text for text in shown if "surgeon" in text or "disc" in text]
    assert all(any(c.general for c in e.cautions) for e in EXERCISES)


def test_every_vibration_plate_exercise_warns_of_all_contraindications() -> None:
    assert len(PLATE) == 4
    english = [
        "thrombosis",
        "epilepsy",
        "pacemaker",
        "inflammation",
        "infection",
        "kidney or gallstones",
        "fracture",
        "operation",
        "pregnancy",
        "joint replacement",
        "metal in your spine",
    ]
    german = ["Thrombose", "Epilepsie", "Herzschrittmacher", "Entzündung", "Gallensteinen"]
    for exercise in PLATE:
        general = " ".join(c.en for c in exercise.cautions_for(frozenset()))
        assert all(word in general for word in english), exercise.id
        general_de = " ".join(c.de for c in exercise.cautions_for(frozenset()))
        assert all(word in general_de for word in german), exercise.id
        assert exercise.strains == ["vibration"]
        assert set(exercise.unsuitable) == set(PLATE[0].unsuitable)
    # The gentlest stance is no stricter than the calf raise (it was, for a disc).
    for condition in (Condition.HERNIATED_DISC, Condition.AFTER_SURGERY, Condition.OSTEOPOROSIS):
        assert condition in PLATE[0].unsuitable


# --- families of variants and the plates, in a folder of their own ---------------------


def _exercise(name: str, template: str = "heel_slides", **changes: Any) -> dict[str, Any]:
    raw = yaml.safe_load((BUILTIN / "exercises" / f"{template}.yaml").read_text("utf-8"))
    assert isinstance(raw, dict)
    raw.update({"id": name, "easier": None, "harder": None, **changes})
    return raw


def _folder(tmp_path: Path, *entries: dict[str, Any]) -> Path:
    folder = tmp_path / "clinic"
    (folder / "exercises").mkdir(parents=True)
    for raw in entries:
        text = yaml.safe_dump(raw, allow_unicode=True)
        (folder / "exercises" / f"{raw['id']}.yaml").write_text(text, "utf-8")
    return folder


def _problems(folder: Path) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue([folder])
    return caught.value.problems


def test_a_harder_variant_keeps_what_is_unsuitable_for_the_easier(tmp_path: Path) -> None:
    easy = _exercise("easy_one", harder="hard_one", unsuitable=["osteoporosis"])
    easy["suits"].remove("osteoporosis")
    hard = _exercise("hard_one", easier="easy_one")
    folder = _folder(tmp_path, easy, hard)
    assert _problems(folder) == [
        f"{folder / 'exercises' / 'hard_one.yaml'}: osteoporosis is unsuitable for the easier "
        "variant easy_one but not for this harder one"
    ]


def test_a_harder_variant_needs_care_where_the_easier_does(tmp_path: Path) -> None:
    easy = _exercise("easy_one", care=["herniated_disc"])
    easy["suits"].remove("herniated_disc")
    # Linked from the harder end only: the link counts whichever file names it.
    hard = _exercise("hard_one", easier="easy_one")
    problems = _problems(_folder(tmp_path, easy, hard))
    assert len(problems) == 1
    expected = "hard_one.yaml: herniated_disc needs care with the easier variant easy_one"
    assert expected in problems[0]


def test_a_harder_variant_waits_for_clearance_where_the_easier_does(tmp_path: Path) -> None:
    easy = _exercise("easy_one", harder="hard_one", later_phase=True)
    easy["suits"].remove("after_surgery")
    easy["care"] = ["after_surgery"]
    hard = _exercise("hard_one", care=["after_surgery"])
    hard["suits"].remove("after_surgery")
    problems = _problems(_folder(tmp_path, easy, hard))
    assert len(problems) == 1
    assert "easy_one waits for a surgeon's clearance, so this harder one does too" in problems[0]


def test_a_stricter_harder_variant_is_fine(tmp_path: Path) -> None:
    easy = _exercise("easy_one", harder="hard_one")
    hard = _exercise("hard_one", easier="easy_one", later_phase=True, unsuitable=["osteoporosis"])
    hard["suits"] = ["poor_posture"]
    hard["care"] = ["after_surgery"]
    catalogue = load_catalogue([_folder(tmp_path, easy, hard)])
    assert set(catalogue.exercises) == {"easy_one", "hard_one"}


def test_vibration_plate_exercises_agree_on_whom_the_plate_is_unsuitable_for(
    tmp_path: Path,
) -> None:
    gentle = _exercise("plate_a", "vibration_plate_stance")
    strong = _exercise("plate_b", "vibration_plate_calf_raise")
    strong["unsuitable"].remove("herniated_disc")
    strong["care"] = ["herniated_disc"]
    folder = _folder(tmp_path, gentle, strong)
    problems = _problems(folder)
    assert len(problems) == 1
    assert problems[0].startswith(f"{folder / 'exercises' / 'plate_b.yaml'}: ")
    assert "vibration-plate exercises must agree on unsuitable conditions" in problems[0]
    assert "plate_a has [after_surgery, herniated_disc," in problems[0]


@pytest.fixture
def clean_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CATALOGUE_PATHS", raising=False)


@pytest.mark.usefixtures("clean_environment")
def test_catalogue_check_fails_on_a_family_that_loosens_as_it_gets_harder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    easy = _exercise("easy_one", harder="hard_one", unsuitable=["spondylolisthesis"])
    easy["suits"].remove("spondylolisthesis")
    folder = _folder(tmp_path, easy, _exercise("hard_one"))
    assert main(["catalogue", "check", str(folder)]) == 1
    captured = capsys.readouterr()
    assert "the catalogue has 1 problem(s)" in captured.err
    assert (
        f"{folder / 'exercises' / 'hard_one.yaml'}: spondylolisthesis is unsuitable for the "
        "easier variant easy_one but not for this harder one"
    ) in captured.err
    assert captured.out == ""
