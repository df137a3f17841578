"""The shape of an exercise's picture: key positions of one standard figure.

A picture is data, like the exercise's words: a view, what the body rests on, the
props, the parts that move, and two to four key positions. A position gives the
direction of each body segment *as seen in the picture*, in degrees clockwise from
straight up (0 up, 90 right, 180 down, 270 left), so an author reads the picture
off the numbers: a shin at 180 hangs straight down, a thigh at 90 points right.
A segment that leaves the picture's plane takes `[angle, out]`, `out` being how far
it tilts towards the viewer (negative: away). Positions after the first repeat
only what changes. `catalogue.figure` turns a position into joints,
`catalogue.placement` rests it on its support, `catalogue.drawing` draws it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator


class View(StrEnum):
    # From the figure's side; it faces right unless its segments say otherwise.
    SIDE = "side"
    # Facing the viewer: the figure's left is on the picture's right.
    FRONT = "front"
    # From behind: left is left.
    BACK = "back"
    # Looking down on a figure lying on the floor, written as if it stood facing
    # the viewer (front) or with its back to the viewer (back): `out` is then height.
    ABOVE_FRONT = "above_front"
    ABOVE_BACK = "above_back"
    # Looking down on a figure lying on its side, written as a side view (it faces
    # right, its near side is up): bending a knee or hip shows as it does standing.
    ABOVE_SIDE = "above_side"

    @property
    def sideways(self) -> bool:
        """Whether left and right lie along the line of sight."""
        return self in (View.SIDE, View.ABOVE_SIDE)


class Support(StrEnum):
    """What carries the body's weight, and so which points must touch what."""

    STANDING = "standing"
    SITTING_CHAIR = "sitting_chair"
    SITTING_BALL = "sitting_ball"
    LYING_BACK = "lying_back"
    LYING_FRONT = "lying_front"
    LYING_SIDE = "lying_side"
    # Lying on the back with the pelvis lifted: shoulders and feet on the floor.
    BRIDGE = "bridge"
    ALL_FOURS = "all_fours"
    KNEELING = "kneeling"
    HALF_KNEELING = "half_kneeling"
    OVER_BALL = "over_ball"
    LEGS_ON_BALL = "legs_on_ball"
    ROWING = "rowing"


class Part(StrEnum):
    """A part that can move, drawn in the accent colour with an arrow."""

    TRUNK = "trunk"
    PELVIS = "pelvis"
    HEAD = "head"
    ARM_R = "arm_r"
    ARM_L = "arm_l"
    LEG_R = "leg_r"
    LEG_L = "leg_l"


class Point(StrEnum):
    """A named point of the figure, where props attach and arrows start."""

    PELVIS = "pelvis"
    CHEST = "chest"
    NECK = "neck"
    HEAD = "head"
    SHOULDER_R = "shoulder_r"
    SHOULDER_L = "shoulder_l"
    ELBOW_R = "elbow_r"
    ELBOW_L = "elbow_l"
    HAND_R = "hand_r"
    HAND_L = "hand_l"
    HIP_R = "hip_r"
    HIP_L = "hip_l"
    KNEE_R = "knee_r"
    KNEE_L = "knee_l"
    ANKLE_R = "ankle_r"
    ANKLE_L = "ankle_l"
    CALF_R = "calf_r"
    CALF_L = "calf_l"
    TOE_R = "toe_r"
    TOE_L = "toe_l"


# A segment's direction: an angle in the picture, or [angle, tilt towards viewer].
Angle = Annotated[float, Field(ge=-360, le=360)]
Direction = Angle | tuple[Angle, Annotated[float, Field(ge=-90, le=90)]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Position(_Strict):
    """One key position; in every position but the first, unset means 'as before'."""

    # Lower back (pelvis to mid-back) and upper back (mid-back to the neck): two
    # segments so that a back can round, arch or side-bend.
    trunk: tuple[Direction, Direction] | None = None
    # Turn of the shoulders against the pelvis, degrees (rotation exercises).
    twist: Annotated[float, Field(ge=-90, le=90)] | None = None
    head: Direction | None = None
    # Upper arm, forearm.
    arm_r: tuple[Direction, Direction] | None = None
    arm_l: tuple[Direction, Direction] | None = None
    # Thigh, shin, foot.
    leg_r: tuple[Direction, Direction, Direction] | None = None
    leg_l: tuple[Direction, Direction, Direction] | None = None
    # Both sides alike, for brevity; a side given as well wins.
    arms: tuple[Direction, Direction] | None = None
    legs: tuple[Direction, Direction, Direction] | None = None
    # What the body rests on here, when it differs from the picture's (sit to stand).
    support: Support | None = None

    def resolved(self, before: Position | None) -> Position:
        """This position with both-side shorthands spread and gaps filled from `before`."""
        own = {
            "trunk": self.trunk,
            "twist": self.twist,
            "head": self.head,
            "arm_r": self.arm_r or self.arms,
            "arm_l": self.arm_l or self.arms,
            "leg_r": self.leg_r or self.legs,
            "leg_l": self.leg_l or self.legs,
            "support": self.support,
        }
        if before is not None:
            own = {
                key: before.__dict__[key] if value is None else value for key, value in own.items()
            }
        return Position(**own)

    @property
    def complete(self) -> bool:
        return None not in (self.trunk, self.head, self.arm_r, self.arm_l, self.leg_r, self.leg_l)


class Band(_Strict):
    """An elastic band (or a towel): between two points, or from points to an anchor."""

    between: tuple[Point, Point] | None = None
    # Points holding it, and where it is fastened: in front of or behind the figure
    # (a door anchor at `height` cm) or under a foot.
    hands: tuple[Point, ...] = ()
    anchor: Point | None = None
    anchor_side: Annotated[str, Field(pattern="^(front|behind|left|right)$")] | None = None
    height: Annotated[float, Field(ge=0, le=200)] | None = None
    towel: bool = False

    @model_validator(mode="after")
    def _one_shape(self) -> Band:
        fastened = self.anchor is not None or self.anchor_side is not None
        if (self.between is None) == (not self.hands):
            raise ValueError("a band is either `between` two points or held by `hands`")
        if self.hands and not fastened:
            raise ValueError("a held band needs an `anchor` point or an `anchor_side`")
        if self.anchor_side in ("front", "behind", "left", "right") and self.height is None:
            raise ValueError("a band fastened in a door needs its `height`")
        return self


class Props(_Strict):
    """What stands around the figure; a point names where it touches the body."""

    mat: bool = False
    # A chair to sit on comes with SITTING_CHAIR; `backrest` is its height above the
    # seat in cm (thoracic extension over a low backrest).
    backrest: Annotated[float, Field(ge=20, le=70)] | None = None
    # A chair back, a kitchen worktop or a wall that a hand rests on.
    chair_back: Point | None = None
    worktop: Point | None = None
    wall: Point | None = None
    # A door frame at these points (forearms against it).
    door_frame: tuple[Point, ...] = ()
    dumbbells: tuple[Point, ...] = ()
    band: Band | None = None
    cushion: tuple[Point, ...] = ()
    # An exercise ball under a point (the hands, for a stretch over the ball); it
    # rolls with that point.
    ball_under: Point | None = None
    vibration_plate: bool = False
    rowing_machine: bool = False


class Picture(_Strict):
    """An exercise's picture: how to draw its key positions."""

    view: View
    support: Support
    props: Props = Props()
    moving: tuple[Part, ...] = ()
    # Points whose path gets an arrow; by default the far end of each moving part.
    arrows: tuple[Point, ...] | None = None
    # In a side view, the figure's side towards the viewer.
    near: Annotated[str, Field(pattern="^(right|left)$")] = "right"
    positions: tuple[Position, ...] = Field(min_length=2, max_length=4)

    @model_validator(mode="after")
    def _first_is_whole(self) -> Picture:
        first = self.positions[0].resolved(None)
        if not first.complete:
            raise ValueError("the first position must give trunk, head, both arms and both legs")
        return self

    def resolved_positions(self) -> list[Position]:
        """Every position whole, each filled in from the one before."""
        out: list[Position] = []
        for position in self.positions:
            out.append(position.resolved(out[-1] if out else None))
        return out
