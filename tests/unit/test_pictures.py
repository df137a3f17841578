"""Every exercise's picture: drawn, distinct, the same every time, and resting on its support."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from PIL import Image, ImageChops

from catalogue.figure import lowest
from catalogue.loader import BUILTIN, CatalogueError, load_catalogue
from catalogue.motion import frames
from catalogue.pictures import animation, cover, still
from catalogue.placement import PlacementError, scene
from catalogue.poses import Picture
from catalogue.props import base
from catalogue.schema import Exercise
from coachbot.cli import main

CATALOGUE = load_catalogue()
EXERCISES = sorted(CATALOGUE.exercises.values(), key=lambda exercise: exercise.id)
DRAWN = EXERCISES


def _inked(image: Image.Image) -> float:
    """The share of pixels that are not white."""
    grey = image.convert("L")
    histogram = grey.histogram()
    return 1 - histogram[255] / sum(histogram)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every picture as `coachbot catalogue pictures` writes it, in a process of its own."""
    folder = tmp_path_factory.mktemp("pictures")
    command = [sys.executable, "-m", "coachbot", "catalogue", "pictures", str(folder)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode == 0, result.stderr
    assert f"of {len(EXERCISES)} exercises" in result.stdout
    return folder


def test_the_command_writes_a_still_and_an_animation_of_every_exercise(written: Path) -> None:
    for exercise in EXERCISES:
        still_file = Image.open(written / f"{exercise.id}.png")
        loop = Image.open(written / f"{exercise.id}.gif")
        assert still_file.format == "PNG" and still_file.width >= 900
        assert loop.format == "GIF" and loop.info.get("loop") == 0
        # Identical frames are merged: only a picture where something moves has many.
        assert getattr(loop, "n_frames", 1) >= (10 if exercise.picture.moving else 1)


def test_every_picture_is_drawn_the_same_in_another_process(written: Path) -> None:
    for exercise in DRAWN:
        assert (written / f"{exercise.id}.png").read_bytes() == still(exercise).data
        assert (written / f"{exercise.id}.gif").read_bytes() == animation(exercise).data


@pytest.mark.parametrize("exercise", DRAWN, ids=lambda exercise: exercise.id)
def test_a_picture_is_not_blank_and_its_loop_moves(exercise: Exercise) -> None:
    # That it renders identically twice is checked against another process above.
    first = still(exercise)
    image = Image.open(io.BytesIO(first.data))
    panels = len(exercise.picture.positions)
    width = image.width // panels
    for index in range(panels):
        panel = image.crop((index * width, 0, (index + 1) * width, image.height))
        assert _inked(panel) > 0.03, f"panel {index + 1} is nearly blank"
    if not exercise.picture.moving:
        return  # nothing to see move (tightening the pelvic floor)
    # The loop moves: some frame differs from the first.
    loop = Image.open(io.BytesIO(animation(exercise).data))
    start = loop.convert("RGB")
    moved = False
    for index in range(1, getattr(loop, "n_frames", 1)):
        loop.seek(index)
        moved = moved or ImageChops.difference(start, loop.convert("RGB")).getbbox() is not None
    assert moved


def test_no_two_exercises_share_a_picture() -> None:
    stills = {still(exercise).digest: exercise.id for exercise in DRAWN}
    loops = {animation(exercise).digest: exercise.id for exercise in DRAWN}
    assert len(stills) == len(loops) == len(DRAWN)


@pytest.mark.parametrize("exercise", DRAWN, ids=lambda exercise: exercise.id)
def test_the_figure_rests_on_its_support_in_every_frame(exercise: Exercise) -> None:
    assert exercise.picture is not None
    placed = scene(exercise.picture)
    floor = base(exercise.picture)
    for position, _ in frames(placed):
        posed = placed.frame(position)
        # Its lowest surface touches the floor, mat, plate or rail, and no joint is below.
        assert lowest(posed, exercise.picture.view) == pytest.approx(floor, abs=0.01)
        axis = 2 if exercise.picture.view.value.startswith("above") else 1
        assert min(joint[axis] for joint in posed.joints.values()) >= floor - 0.01


def _picture(**changes: object) -> Picture:
    standing = {
        "view": "side",
        "support": "standing",
        "moving": ["arm_r"],
        "positions": [
            {"trunk": [0, 0], "head": 0, "arms": [180, 180], "legs": [180, 180, 90]},
            {"arm_r": [90, 90]},
        ],
    }
    return Picture.model_validate({**standing, **changes})


def test_a_pose_that_cannot_rest_on_its_support_is_refused() -> None:
    scene(_picture())  # the standing figure is fine
    # Said to stand, but lying flat: the back is on the floor and the feet are not.
    lying = [
        {"trunk": [270, 270], "head": 270, "arms": [90, 90], "legs": [90, 90, 0]},
        {"arm_r": [0, 0]},
    ]
    with pytest.raises(PlacementError, match="the feet do not touch the floor"):
        scene(_picture(positions=lying))
    # Straight legs under a seated pelvis: no chair is that high.
    seated = [
        {"trunk": [0, 0], "head": 0, "arms": [180, 180], "legs": [180, 180, 90]},
        {"arm_r": [90, 90]},
    ]
    with pytest.raises(PlacementError, match="no chair seat is"):
        scene(_picture(support="sitting_chair", positions=seated))
    # On all fours with one knee and both hands in the air.
    floating = [
        {"trunk": [90, 90], "head": 90, "arms": [90, 90], "legs": [180, 270, 270]},
        {"arm_r": [100, 100]},
    ]
    with pytest.raises(PlacementError, match="the hands do not touch"):
        scene(_picture(support="all_fours", positions=floating))


def test_a_limb_through_the_ball_is_refused() -> None:
    through = [
        {"trunk": [0, 0], "head": 0, "arms": [180, 180], "legs": [115, 180, 90]},
        # The shin swung back under the pelvis passes through the ball.
        {"leg_r": [115, 250, 90]},
    ]
    with pytest.raises(PlacementError, match="passes through the ball"):
        scene(_picture(support="sitting_ball", positions=through))


def test_catalogue_check_names_an_exercise_whose_pose_cannot_be_placed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CATALOGUE_PATHS", raising=False)
    monkeypatch.chdir(tmp_path)
    raw = yaml.safe_load((BUILTIN / "exercises" / "bird_dog.yaml").read_text(encoding="utf-8"))
    raw["id"] = "floating_dog"
    raw["easier"] = raw["harder"] = None
    raw["picture"]["positions"][0]["arms"] = [90, 90]  # hands off the floor
    (tmp_path / "clinic" / "exercises").mkdir(parents=True)
    (tmp_path / "clinic" / "exercises" / "floating_dog.yaml").write_text(
        yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8"
    )
    assert main(["catalogue", "check", str(tmp_path / "clinic")]) == 1
    error = capsys.readouterr().err
    assert "floating_dog.yaml: picture: position 1: the hands do not touch the floor" in error
    with pytest.raises(CatalogueError):
        load_catalogue([BUILTIN, tmp_path / "clinic"])


def test_an_exercise_without_pose_data_is_refused(tmp_path: Path) -> None:
    raw = yaml.safe_load((BUILTIN / "exercises" / "bird_dog.yaml").read_text(encoding="utf-8"))
    raw["id"] = "unseen_dog"
    raw["easier"] = raw["harder"] = None
    del raw["picture"]
    (tmp_path / "clinic" / "exercises").mkdir(parents=True)
    (tmp_path / "clinic" / "exercises" / "unseen_dog.yaml").write_text(
        yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8"
    )
    with pytest.raises(CatalogueError, match=r"unseen_dog\.yaml.*picture"):
        load_catalogue([BUILTIN, tmp_path / "clinic"])


def test_the_walk_through_has_a_picture_for_relaxation_and_for_the_lesson() -> None:
    relaxation, lesson = cover("relaxation"), cover("lesson")
    assert relaxation.digest != lesson.digest
    for picture in (relaxation, lesson):
        image = Image.open(io.BytesIO(picture.data))
        assert image.format == "PNG" and _inked(image) > 0.03
