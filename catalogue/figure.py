"""One standard human figure, posed: a position's segment directions become joints.

The figure is about 170 cm tall and always the same, so that a bent knee or a
lifted arm looks alike in every exercise. Coordinates are in cm: `x` to the
picture's right, `y` up the picture, `z` towards the viewer. In a view from
above, `z` is the height over the floor instead of `y`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from catalogue.poses import Direction, Part, Point, Position, View

# Segment lengths and drawn widths, cm: adult proportions rounded for a pictogram.
LOWER_BACK = 25.0
UPPER_BACK = 25.0
NECK = 8.0
HEAD_RADIUS = 11.0
UPPER_ARM = 29.0
FOREARM = 27.0
HAND_RADIUS = 4.5
THIGH = 44.0
SHIN = 42.0
FOOT = 19.0
HEEL = 5.0
HIP_HALF_WIDTH = 9.0
SHOULDER_HALF_WIDTH = 18.5
# Seen from the side a trunk is as deep as a chest; from the front, as wide as one.
TRUNK_DEPTH = 25.0
TRUNK_WIDTH = 32.0
# Lying on its side, the body rests on the hip bone and the shoulder: as high off the
# floor as a hip is wide, soft tissue and all.
SIDE_LYING_HALF = 21.0
WIDTH = {
    "upper_arm": 10.0,
    "forearm": 8.0,
    "thigh": 15.0,
    "shin": 11.0,
    "foot": 7.0,
    "neck": 9.0,
}

Vec = tuple[float, float, float]


def direction(value: Direction) -> Vec:
    """A unit vector for a picture angle (clockwise from up) with its tilt towards us."""
    angle, tilt = (value, 0.0) if isinstance(value, float | int) else value
    a, t = math.radians(angle), math.radians(tilt)
    return (math.sin(a) * math.cos(t), math.cos(a) * math.cos(t), math.sin(t))


def _add(p: Vec, d: Vec, length: float) -> Vec:
    return (p[0] + d[0] * length, p[1] + d[1] * length, p[2] + d[2] * length)


def _lateral(view: View, trunk: Vec, side: int, near: int) -> Vec:
    """The unit vector from the body's middle towards its left (+1) or right (-1) side."""
    if view.sideways:
        # Seen from the side, left and right lie along the line of sight.
        return (0.0, 0.0, -side * near)
    # Facing the viewer, the figure's left is a quarter turn clockwise from its
    # trunk in the picture; from behind, a quarter turn the other way.
    facing = 1 if view in (View.FRONT, View.ABOVE_FRONT) else -1
    x, y = trunk[1], -trunk[0]
    norm = math.hypot(x, y) or 1.0
    return (side * facing * x / norm, side * facing * y / norm, 0.0)


@dataclass(frozen=True)
class Segment:
    """A limb or body part drawn as a thick round-ended stroke."""

    name: str
    part: Part
    start: Point | str
    end: Point | str
    width: float
    # -1 far side, 0 middle, 1 near side: which shade it gets.
    side: int


@dataclass(frozen=True)
class Posed:
    """The joints of one posed figure, before it is placed on its support."""

    joints: dict[str, Vec]
    segments: tuple[Segment, ...]

    def point(self, name: Point | str) -> Vec:
        return self.joints[name]

    def xy(self, name: Point | str) -> tuple[float, float]:
        """Where the joint is drawn: its picture coordinates, whatever the view."""
        point = self.joints[name]
        return (point[0], point[1])

    def moved(self, dx: float, dy: float, dz: float = 0.0) -> Posed:
        joints = {k: (v[0] + dx, v[1] + dy, v[2] + dz) for k, v in self.joints.items()}
        return Posed(joints, self.segments)


def trunk_width(view: View) -> float:
    return TRUNK_DEPTH if view.sideways else TRUNK_WIDTH


def _chest_width(view: View, twist: float) -> float:
    """A chest turned away from facing us looks narrower, down to its depth."""
    if view.sideways:
        return TRUNK_DEPTH
    return TRUNK_DEPTH + (TRUNK_WIDTH - TRUNK_DEPTH) * abs(math.cos(twist))


def pose(position: Position, view: View, near: str = "right") -> Posed:
    """Place every joint of the figure in `position`, with the pelvis at the origin."""
    assert position.complete, "resolve a position before posing it"
    assert position.trunk and position.head is not None and position.arm_r and position.arm_l
    assert position.leg_r and position.leg_l
    near_sign = 1 if near == "right" else -1
    joints: dict[str, Vec] = {"pelvis": (0.0, 0.0, 0.0)}
    lower, upper = direction(position.trunk[0]), direction(position.trunk[1])
    joints["chest"] = _add(joints["pelvis"], lower, LOWER_BACK)
    joints["neck"] = _add(joints["chest"], upper, UPPER_BACK)
    joints["head"] = _add(joints["neck"], direction(position.head), NECK + HEAD_RADIUS)
    joints["head_base"] = _add(joints["neck"], direction(position.head), NECK)
    twist = math.radians(position.twist or 0.0)
    segments: list[Segment] = [
        Segment("lower_back", Part.TRUNK, "pelvis", "chest", trunk_width(view), 0),
        Segment("upper_back", Part.TRUNK, "chest", "neck", _chest_width(view, twist), 0),
        Segment("neck", Part.HEAD, "neck", "head_base", WIDTH["neck"], 0),
    ]
    for side, suffix in ((-1, "r"), (1, "l")):
        depth_side = side * -near_sign if view.sideways else 0
        hip_out = _lateral(view, lower, side, near_sign)
        shoulder_out = _lateral(view, upper, side, near_sign)
        if twist:
            # A turned upper body brings one shoulder forwards: shorter across the
            # picture, and nearer or further in depth.
            shoulder_out = (
                shoulder_out[0] * math.cos(twist),
                shoulder_out[1] * math.cos(twist),
                shoulder_out[2] * math.cos(twist) + side * math.sin(twist),
            )
        hip = _add(joints["pelvis"], hip_out, HIP_HALF_WIDTH)
        shoulder = _add(joints["neck"], shoulder_out, SHOULDER_HALF_WIDTH)
        shoulder = _add(shoulder, upper, -4.0)
        arm = position.arm_r if suffix == "r" else position.arm_l
        leg = position.leg_r if suffix == "r" else position.leg_l
        elbow = _add(shoulder, direction(arm[0]), UPPER_ARM)
        hand = _add(elbow, direction(arm[1]), FOREARM)
        knee = _add(hip, direction(leg[0]), THIGH)
        ankle = _add(knee, direction(leg[1]), SHIN)
        foot = direction(leg[2])
        toe = _add(ankle, foot, FOOT)
        heel = _add(ankle, foot, -HEEL)
        calf = tuple((k + a) / 2 for k, a in zip(knee, ankle, strict=True))
        names = {
            "hip": hip, "shoulder": shoulder, "elbow": elbow, "hand": hand, "knee": knee,
            "ankle": ankle, "toe": toe, "heel": heel, "calf": calf,
        }  # fmt: skip
        for name, value in names.items():
            joints[f"{name}_{suffix}"] = value  # type: ignore[assignment]
        arm_part = Part.ARM_R if suffix == "r" else Part.ARM_L
        leg_part = Part.LEG_R if suffix == "r" else Part.LEG_L
        segments += [
            Segment(f"upper_arm_{suffix}", arm_part, f"shoulder_{suffix}", f"elbow_{suffix}",
                    WIDTH["upper_arm"], depth_side),
            Segment(f"forearm_{suffix}", arm_part, f"elbow_{suffix}", f"hand_{suffix}",
                    WIDTH["forearm"], depth_side),
            Segment(f"thigh_{suffix}", leg_part, f"hip_{suffix}", f"knee_{suffix}",
                    WIDTH["thigh"], depth_side),
            Segment(f"shin_{suffix}", leg_part, f"knee_{suffix}", f"ankle_{suffix}",
                    WIDTH["shin"], depth_side),
            Segment(f"foot_{suffix}", leg_part, f"heel_{suffix}", f"toe_{suffix}",
                    WIDTH["foot"], depth_side),
        ]  # fmt: skip
    return Posed(joints, tuple(segments))


def height_axis(view: View) -> int:
    """Which coordinate is height above the floor: y, or z when seen from above."""
    return 2 if view in (View.ABOVE_FRONT, View.ABOVE_BACK, View.ABOVE_SIDE) else 1


def lowest(posed: Posed, view: View) -> float:
    """The height of the figure's lowest surface (strokes have thickness)."""
    axis = height_axis(view)
    bottoms = [posed.point("head")[axis] - HEAD_RADIUS]
    for segment in posed.segments:
        ends = (posed.point(segment.start)[axis], posed.point(segment.end)[axis])
        bottoms.append(min(ends) - _thickness(segment, view) / 2)
    for hand in ("hand_r", "hand_l"):
        bottoms.append(posed.point(hand)[axis] - HAND_RADIUS)
    return min(bottoms)


def _thickness(segment: Segment, view: View) -> float:
    """How far a segment reaches up and down: its drawn width, but seen from above a
    trunk lying on its side is as high as the body is wide."""
    if view is View.ABOVE_SIDE and segment.name in ("lower_back", "upper_back"):
        return 2 * SIDE_LYING_HALF
    return segment.width


def bottom(posed: Posed, name: str, view: View) -> float:
    """The height of the underside of the body around the named joint."""
    axis = height_axis(view)
    trunk = SIDE_LYING_HALF if view is View.ABOVE_SIDE else trunk_width(view) / 2
    radius = {
        "pelvis": trunk, "chest": trunk, "neck": trunk,
        "head": HEAD_RADIUS, "hand_r": HAND_RADIUS, "hand_l": HAND_RADIUS,
        "knee_r": WIDTH["thigh"] / 2, "knee_l": WIDTH["thigh"] / 2,
        "calf_r": WIDTH["shin"] / 2, "calf_l": WIDTH["shin"] / 2,
        "elbow_r": WIDTH["forearm"] / 2, "elbow_l": WIDTH["forearm"] / 2,
    }.get(name, WIDTH["foot"] / 2)  # fmt: skip
    value = posed.point(name)[axis] - radius
    if name.startswith(("ankle", "toe", "heel")):
        side = name[-1]
        value = (
            min(posed.point(f"heel_{side}")[axis], posed.point(f"toe_{side}")[axis])
            - WIDTH["foot"] / 2
        )
    return value
