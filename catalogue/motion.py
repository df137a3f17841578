"""Movement between key positions: in-between positions, the loop, and arrows.

Each segment turns the short way from one key direction to the next, so a hand
travels on the arc the arm really makes; the arrow of a moving hand, foot or
head follows that same path, a little outside the body.
"""

from __future__ import annotations

import math
from typing import Any

from catalogue.figure import Posed, height_axis
from catalogue.placement import Scene
from catalogue.poses import Direction, Part, Point, Position, View

Path2D = list[tuple[float, float]]
HOLD_MS = 700
STEP_MS = 70
STEPS = 14
_TIP = {
    Part.ARM_R: ("hand_r", "elbow_r"),
    Part.ARM_L: ("hand_l", "elbow_l"),
    Part.LEG_R: ("ankle_r", "knee_r"),
    Part.LEG_L: ("ankle_l", "knee_l"),
    Part.HEAD: ("head", "neck"),
    Part.TRUNK: ("neck", "pelvis"),
    Part.PELVIS: ("pelvis", "chest"),
}


def _angle(value: Direction) -> tuple[float, float]:
    return (float(value), 0.0) if isinstance(value, float | int) else (value[0], value[1])


def _turn(a: Direction, b: Direction, t: float) -> Direction:
    (angle_a, tilt_a), (angle_b, tilt_b) = _angle(a), _angle(b)
    delta = (angle_b - angle_a + 180) % 360 - 180
    # Kept within one turn, as positions are written: 342 on to 16 passes 360 as 0.
    return ((angle_a + delta * t) % 360, tilt_a + (tilt_b - tilt_a) * t)


def between(a: Position, b: Position, t: float) -> Position:
    """The position a fraction `t` of the way from `a` to `b` (both whole)."""

    def seq(x: tuple[Direction, ...] | None, y: tuple[Direction, ...] | None) -> Any:
        assert x is not None and y is not None
        return tuple(_turn(p, q, t) for p, q in zip(x, y, strict=True))

    return Position(
        trunk=seq(a.trunk, b.trunk),
        twist=(a.twist or 0.0) + ((b.twist or 0.0) - (a.twist or 0.0)) * t,
        head=_turn(a.head, b.head, t),  # type: ignore[arg-type]
        arm_r=seq(a.arm_r, b.arm_r),
        arm_l=seq(a.arm_l, b.arm_l),
        leg_r=seq(a.leg_r, b.leg_r),
        leg_l=seq(a.leg_l, b.leg_l),
        support=a.support if t < 0.5 else b.support,
    )


def _ease(t: float) -> float:
    return t * t * (3 - 2 * t)


def frames(scene: Scene) -> list[tuple[Position, int]]:
    """The loop: hold each key position, move to the next, and back to the first."""
    keys = scene.picture.resolved_positions()
    out: list[tuple[Position, int]] = []
    for index, key in enumerate(keys):
        out.append((key, HOLD_MS))
        following = keys[(index + 1) % len(keys)]
        for step in range(1, STEPS):
            out.append((between(key, following, _ease(step / STEPS)), STEP_MS))
    return out


def _tips(scene: Scene) -> list[str]:
    picture = scene.picture
    if picture.arrows is not None:
        return [point.value for point in picture.arrows]
    return [_TIP[part][0] for part in picture.moving]


def arrow_paths(scene: Scene) -> dict[int, list[Path2D]]:
    """For each key position with a next one, the arrows to it."""
    keys = scene.picture.resolved_positions()
    paths: dict[int, list[Path2D]] = {}
    for index in range(len(keys) - 1):
        a, b = keys[index], keys[index + 1]
        posed = [scene.frame(between(a, b, step / 12)) for step in range(13)]
        floor = 5.0 if height_axis(scene.picture.view) == 1 else -math.inf
        found = (_path(posed, tip, floor) for tip in _tips(scene))
        paths[index] = [path for path in found if path is not None]
        turn = (b.twist or 0.0) - (a.twist or 0.0)
        if abs(turn) >= 10 and scene.picture.view is not View.SIDE:
            paths[index].append(_turning(posed[0], turn))
        tilts = a.trunk and b.trunk and abs(_delta(a.trunk[0], b.trunk[0])) >= 1
        if Part.PELVIS in scene.picture.moving and tilts:
            assert a.trunk and b.trunk
            paths[index].append(_tilt(posed[0], a.trunk[0], b.trunk[0]))
    return paths


def _turning(posed: Posed, turn: float) -> Path2D:
    """A flat arc round the chest, the way the shoulders turn (a rotation seen
    from the front: positive turns the figure's left shoulder towards us)."""
    x, y = posed.point("chest")[0], posed.point("chest")[1] + 8
    # Drawn in front of the chest: from one side across to the other.
    sweep = [math.radians(200 + step * 20) for step in range(8)]
    arc = [(x + 30 * math.cos(a), y + 9 * math.sin(a)) for a in sweep]
    return arc if turn < 0 else list(reversed(arc))


def _delta(before: Direction, after: Direction) -> float:
    return (_angle(after)[0] - _angle(before)[0] + 180) % 360 - 180


def _tilt(posed: Posed, before: Direction, after: Direction) -> Path2D:
    """A curved arrow round the pelvis, turning the way the lower back turns."""
    (start, _), (end, _) = _angle(before), _angle(after)
    turn = 1 if (end - start + 180) % 360 - 180 > 0 else -1
    x, y = posed.point("pelvis")[0], posed.point("pelvis")[1]
    # Over the pelvis, clear of the floor and of an arm resting beside the body.
    centre = 0.0
    return [
        (x + 30 * math.sin(a), y + 30 * math.cos(a))
        for a in (centre + turn * math.radians(step * 10 - 35) for step in range(8))
    ]


def _path(posed: list[Posed], tip: str, floor: float) -> Path2D | None:
    """The path of `tip`, pushed a little outwards; None when it does not move.

    A tip that moves only a little (a chin drawn in) gets a short straight arrow
    the way it goes, long enough to see."""
    raw = [(p.point(tip)[0], p.point(tip)[1]) for p in posed]
    length = sum(math.dist(raw[i], raw[i + 1]) for i in range(len(raw) - 1))
    if length < 1:
        return None
    if length < 8:
        (x0, y0), (x1, y1) = raw[0], raw[-1]
        span = math.dist(raw[0], raw[-1]) or 1.0
        dx, dy = (x1 - x0) / span, (y1 - y0) / span
        cx = (posed[0].point("pelvis")[0] + posed[0].point("neck")[0]) / 2
        cy = (posed[0].point("pelvis")[1] + posed[0].point("neck")[1]) / 2
        ox, oy = x0 - cx, y0 - cy
        norm = math.hypot(ox, oy) or 1.0
        sx, sy = x0 + ox / norm * 16, y0 + oy / norm * 16
        return [(sx + dx * t, max(sy + dy * t, floor)) for t in (0.0, 7.0, 14.0)]
    out: Path2D = []
    for p, (x, y) in zip(posed, raw, strict=True):
        # Outwards is away from the middle of the trunk.
        px = (p.point("pelvis")[0] + p.point("neck")[0]) / 2
        py = (p.point("pelvis")[1] + p.point("neck")[1]) / 2
        dx, dy = x - px, y - py
        norm = math.hypot(dx, dy) or 1.0
        # Never below the floor, where the arrow would vanish into the mat (seen from
        # above, the picture is the floor: no limit).
        out.append((x + dx / norm * 14, max(y + dy / norm * 14, floor)))
    # Leave a gap at both ends so the arrow does not touch the limb it points from.
    trimmed = _trim(out, min(5.0, 0.15 * length))
    return trimmed if len(trimmed) >= 2 else None


def _trim(path: Path2D, gap: float) -> Path2D:
    def cut(points: Path2D) -> Path2D:
        walked = 0.0
        for i in range(len(points) - 1):
            walked += math.dist(points[i], points[i + 1])
            if walked >= gap:
                return points[i + 1 :]
        return []

    start = cut(path)
    return list(reversed(cut(list(reversed(start)))))


__all__ = ["Path2D", "Point", "arrow_paths", "between", "frames"]
