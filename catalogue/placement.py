"""Rest a posed figure on its support, and refuse a pose that cannot rest there.

The lowest surface of the body goes onto the floor (or the mat, plate or rail);
one point that stays put through the exercise (the standing foot, the pelvis on
a chair) keeps its place from frame to frame, so the animation does not slide.
Then each support's contacts are checked: a standing figure's feet touch the
floor, a seated one's pelvis fits a chair or ball of a real size, hands and knees
touch on all fours, and no limb passes through the ball.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from catalogue.figure import Posed, Vec, bottom, height_axis, lowest, pose
from catalogue.poses import Picture, Position, Support, View
from catalogue.props import BALL_SIZES, Anchors, Shape, ball_under, base, build

TOUCH = 3.0  # cm: how far above its support a contact may float and still touch
SEAT = (30.0, 52.0)  # chair seat heights, cm, for this figure's lower legs
ROWING_SEAT = (18.0, 45.0)


class PlacementError(ValueError):
    """A picture whose figure cannot rest on its support; every problem is listed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _steadiest(picture: Picture, names: tuple[str, str]) -> str:
    """Of two joints, the one that stays lowest through every key position."""
    view = picture.view
    highest = {
        name: max(
            bottom(p, name, view) - lowest(p, view)
            for p in (
                pose(position, view, picture.near) for position in picture.resolved_positions()
            )
        )
        for name in names
    }
    return min(names, key=lambda name: (highest[name], name != names[0]))


def anchor(picture: Picture) -> str:
    """The joint that keeps its place in every frame."""
    supports = {p.support or picture.support for p in picture.resolved_positions()}
    # On a ball or a rowing seat the feet stay and the seat moves under the pelvis.
    steady_feet = (Support.STANDING, Support.ROWING, Support.SITTING_BALL, Support.BRIDGE)
    if len(supports) > 1 or picture.support in steady_feet:
        return _steadiest(picture, ("ankle_r", "ankle_l"))
    if picture.support in (Support.ALL_FOURS, Support.KNEELING, Support.HALF_KNEELING):
        return _steadiest(picture, ("knee_r", "knee_l"))
    if picture.support is Support.OVER_BALL:
        return _steadiest(picture, ("knee_r", "knee_l"))
    return "pelvis"


def place(picture: Picture, position: Position, fixed: str) -> Posed:
    """The figure in `position`, resting on its base with `fixed` at the origin."""
    view = picture.view
    posed = pose(position, view, picture.near)
    axis = height_axis(view)
    point = posed.point(fixed)
    rise = base(picture) - lowest(posed, view)
    if axis == 1:
        return posed.moved(-point[0], rise)
    return posed.moved(-point[0], -point[1], rise)


@dataclass(frozen=True)
class Scene:
    """An exercise's picture, placed: its key positions and its props."""

    picture: Picture
    fixed: str
    keys: tuple[Posed, ...]
    props: tuple[Shape, ...]
    anchors: Anchors

    def frame(self, position: Position) -> Posed:
        return place(self.picture, position, self.fixed)


def scene(picture: Picture) -> Scene:
    """Place every key position; raise PlacementError if one cannot rest on its support."""
    fixed = anchor(picture)
    positions = picture.resolved_positions()
    keys = tuple(place(picture, position, fixed) for position in positions)
    xs = [joint[0] for posed in keys for joint in posed.joints.values()]
    props, anchors = build(picture, keys[0], (min(xs), max(xs)))
    problems: list[str] = []
    for number, (position, posed) in enumerate(zip(positions, keys, strict=True), start=1):
        support = position.support or picture.support
        problems += [f"position {number}: {p}" for p in _contacts(picture, support, posed)]
    problems += _through_ball(picture, keys)
    if problems:
        raise PlacementError(problems)
    return Scene(picture, fixed, keys, tuple(props), anchors)


def _touching(posed: Posed, names: tuple[str, ...], level: float, view: View) -> list[str]:
    return [name for name in names if bottom(posed, name, view) <= level + TOUCH]


def _contacts(picture: Picture, support: Support, posed: Posed) -> list[str]:
    """What does not touch where this support says it must."""
    view, floor = picture.view, base(picture)
    feet = ("ankle_r", "ankle_l")
    hands, knees = ("hand_r", "hand_l"), ("knee_r", "knee_l")
    problems: list[str] = []

    def needs(names: tuple[str, ...], what: str, level: float = floor) -> None:
        if not _touching(posed, names, level, view):
            problems.append(f"{what} do not touch the {'floor' if level == floor else 'support'}")

    if support in (Support.STANDING, Support.SITTING_CHAIR, Support.SITTING_BALL, Support.BRIDGE):
        needs(feet, "the feet")
    if support is Support.BRIDGE and bottom(posed, "neck", view) > floor + TOUCH:
        problems.append("the shoulders do not lie on the floor")
    if support is Support.SITTING_CHAIR:
        seat = bottom(posed, "pelvis", view)
        if not SEAT[0] <= seat <= SEAT[1]:
            problems.append(f"the pelvis is {seat:.0f} cm high, no chair seat is")
    if support in (Support.SITTING_BALL, Support.OVER_BALL, Support.LEGS_ON_BALL):
        ball = ball_under(picture.model_copy(update={"support": support}), posed)
        assert ball is not None
        if not BALL_SIZES[0] <= ball[3] <= BALL_SIZES[1]:
            problems.append(f"{ball[0]} would need a ball {2 * ball[3]:.0f} cm across")
    if support in (
        Support.LYING_BACK,
        Support.LYING_FRONT,
        Support.LYING_SIDE,
        Support.LEGS_ON_BALL,
    ):
        for name in ("pelvis", "chest"):
            if bottom(posed, name, view) > floor + TOUCH:
                problems.append(f"the {name} does not lie on the floor")
    if support in (Support.ALL_FOURS, Support.OVER_BALL):
        needs(hands, "the hands")
    if support in (Support.ALL_FOURS, Support.KNEELING, Support.HALF_KNEELING):
        needs(knees, "the knees")
    if support is Support.HALF_KNEELING:
        needs(feet, "the feet")
    if support is Support.OVER_BALL:
        needs((*knees, "toe_r", "toe_l"), "the knees or toes")
    if support is Support.ROWING:
        seat = bottom(posed, "pelvis", view)
        if not ROWING_SEAT[0] <= seat <= ROWING_SEAT[1]:
            problems.append(f"the pelvis is {seat:.0f} cm high, no rowing seat is")
    if picture.props.ball_under is not None:
        name = picture.props.ball_under.value
        diameter = bottom(posed, name, view) - floor
        if not 2 * BALL_SIZES[0] - TOUCH <= diameter <= 2 * BALL_SIZES[1] + TOUCH:
            problems.append(f"{name} would need a ball {diameter:.0f} cm across")
    if lowest(posed, view) < -0.01:
        problems.append("part of the body is below the floor")
    return problems


def _through_ball(picture: Picture, keys: tuple[Posed, ...]) -> list[str]:
    """Limbs that pass through the ball (in a side or front view, where it is a disc)."""
    if height_axis(picture.view) == 2:
        return []
    problems = []
    for number, posed in enumerate(keys, start=1):
        ball = ball_under(picture, posed)
        if ball is None:
            continue
        contact, cx, cy, radius = ball
        for segment in posed.segments:
            if contact in (segment.start, segment.end) or segment.name == "lower_back":
                continue
            if contact == "chest" and segment.name == "upper_back":
                continue
            # In depth too: a shin in front of the ball (seen from the front) is clear of it.
            a, b = posed.point(segment.start), posed.point(segment.end)
            gap = _distance((cx, cy, 0.0), a, b) - segment.width / 2
            if gap < radius - 2 * TOUCH:
                problems.append(f"position {number}: the {segment.name} passes through the ball")
    return problems


def _distance(p: Vec, a: Vec, b: Vec) -> float:
    """From point `p` to the segment from `a` to `b`."""
    d = (b[0] - a[0], b[1] - a[1], b[2] - a[2])
    length = d[0] ** 2 + d[1] ** 2 + d[2] ** 2
    along = sum((p[i] - a[i]) * d[i] for i in range(3)) / length if length else 0.0
    t = max(0.0, min(1.0, along))
    return math.dist(p, (a[0] + t * d[0], a[1] + t * d[1], a[2] + t * d[2]))
