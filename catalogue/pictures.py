"""An exercise's pictures as files: a still of its key positions and a looping GIF.

Rendering is deterministic, so the same pose data always gives the same bytes and
the same digest: the bot uploads a picture to Telegram once and reuses its
file_id by digest. Pictures are cached in memory by the pose data they are drawn
from, so an edited pose is drawn afresh and an unchanged one never twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from catalogue.drawing import animation_frames, cover_image, gif, png, still_image
from catalogue.placement import scene
from catalogue.poses import Picture
from catalogue.schema import Exercise


@dataclass(frozen=True)
class Rendered:
    data: bytes
    digest: str
    filename: str
    mime: str


def _rendered(data: bytes, name: str, suffix: str, mime: str) -> Rendered:
    return Rendered(data, hashlib.sha256(data).hexdigest(), f"{name}.{suffix}", mime)


@lru_cache(maxsize=256)
def _still(picture: Picture, name: str) -> Rendered:
    return _rendered(png(still_image(scene(picture))), name, "png", "image/png")


@lru_cache(maxsize=256)
def _animation(picture: Picture, name: str) -> Rendered:
    return _rendered(gif(animation_frames(scene(picture))), name, "gif", "image/gif")


def still(exercise: Exercise) -> Rendered:
    """The key positions side by side (PNG)."""
    return _still(exercise.picture, exercise.id)


def animation(exercise: Exercise) -> Rendered:
    """A loop between the key positions (GIF)."""
    return _animation(exercise.picture, exercise.id)


COVERS = Path(__file__).parent / "covers"


@lru_cache(maxsize=8)
def cover(name: str) -> Rendered:
    """The walk-through's picture for a step without an exercise: "relaxation" or
    "lesson" (catalogue/covers/<name>.yaml)."""
    picture = Picture.model_validate(yaml.safe_load((COVERS / f"{name}.yaml").read_text()))
    return _rendered(png(cover_image(scene(picture))), f"coachbot-{name}", "png", "image/png")
