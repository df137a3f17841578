"""The things around the figure, as plain shapes in the figure's cm coordinates.

Each prop is built from the body it serves: a chair's seat is where the pelvis
rests, a worktop's top is under the hand that leans on it, a band runs from the
hands to its anchor. So a prop can never float beside a figure that does not use
it, and the same prop looks the same in every exercise.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalogue.figure import HAND_RADIUS, WIDTH, Posed, bottom, height_axis
from catalogue.poses import Picture, Support, View

MAT = 2.0
PLATE = 15.0
RAIL = 10.0
BALL_SIZES = (24.0, 38.0)  # radius, cm: 48 to 76 cm exercise balls


@dataclass(frozen=True)
class Shape:
    """A polygon (closed), a polyline, or a circle, with how it is painted."""

    kind: str  # "polygon", "line" or "circle"
    points: tuple[tuple[float, float], ...]
    style: str  # "furniture", "floor", "ball", "band", "towel", "weight", "plate"
    width: float = 0.0
    radius: float = 0.0
    # Painted before the figure's far side (-1), after its middle (0) or last (1).
    layer: int = -1


def box(x0: float, y0: float, x1: float, y1: float, style: str, layer: int = -1) -> Shape:
    points = ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
    return Shape("polygon", points, style, layer=layer)


def line(points: list[tuple[float, float]], style: str, width: float, layer: int = -1) -> Shape:
    return Shape("line", tuple(points), style, width=width, layer=layer)


def circle(x: float, y: float, radius: float, style: str, layer: int = -1) -> Shape:
    return Shape("circle", ((x, y),), style, radius=radius, layer=layer)


def base(picture: Picture) -> float:
    """The height the lowest part of the body rests at: floor, mat, plate or rail."""
    if picture.props.vibration_plate:
        return PLATE
    if picture.props.rowing_machine:
        return RAIL
    if picture.props.mat:
        return MAT
    return 0.0


def facing(posed: Posed) -> int:
    """+1 when the figure's thighs point right of its pelvis, else -1."""
    knees = (posed.point("knee_r")[0] + posed.point("knee_l")[0]) / 2
    return 1 if knees >= posed.point("pelvis")[0] else -1


def ball_under(picture: Picture, posed: Posed) -> tuple[str, float, float, float] | None:
    """The ball's contact point, its centre in the picture and its radius, if the
    support has one. Seen from above the centre is under the contact point."""
    contact = {
        Support.SITTING_BALL: "pelvis",
        Support.OVER_BALL: "chest",
        Support.LEGS_ON_BALL: "calves",
    }.get(picture.support)
    if contact is None:
        return None
    if contact == "calves":
        # Both calves rest on the ball: it lies between them.
        names = ("calf_r", "calf_l")
        top = min(bottom(posed, name, picture.view) for name in names)
        x = sum(posed.point(name)[0] for name in names) / 2
        y = sum(posed.point(name)[1] for name in names) / 2
    else:
        top = bottom(posed, contact, picture.view)
        x, y = posed.point(contact)[0], posed.point(contact)[1]
    radius = top / 2
    return contact, x, y if height_axis(picture.view) == 2 else radius, radius


Anchors = dict[str, tuple[float, float]]


def build(
    picture: Picture, posed: Posed, extent: tuple[float, float]
) -> tuple[list[Shape], Anchors]:
    """Every still prop of `picture`, shaped around `posed` (the first key position,
    placed), and the fixed points that moving props hang from."""
    props, view, shapes = picture.props, picture.view, []
    anchors: Anchors = {}
    above = height_axis(view) == 2
    side = view is View.SIDE
    face = facing(posed)
    if props.mat and above:
        # Seen from above the mat is the floor under the whole figure.
        ys = [joint[1] for joint in posed.joints.values()]
        shapes.append(box(extent[0] - 12, min(ys) - 16, extent[1] + 12, max(ys) + 16, "floor"))
    elif props.mat:
        shapes.append(box(extent[0] - 12, 0, extent[1] + 12, MAT, "floor"))
    if picture.support is Support.SITTING_CHAIR or any(
        p.support is Support.SITTING_CHAIR for p in picture.positions
    ):
        shapes += _chair(picture, posed, face, side)
    if props.ball_under is not None:
        radius = bottom(posed, props.ball_under, view) / 2
        anchors["ball"] = (posed.point(props.ball_under)[0], radius)
    ball = ball_under(picture, posed)
    if ball is not None:
        _, x, y, radius = ball
        anchors["ball"] = (x, radius)
        if picture.support is Support.OVER_BALL:
            shapes.append(circle(x, y, radius, "ball", layer=0 if side else -1))
    for name, style in ((props.chair_back, "chair_back"), (props.worktop, "worktop")):
        if name is not None:
            shapes += _rest(posed, name, style, view)
    if props.wall is not None:
        x, _ = posed.xy(props.wall)
        out = 1 if x >= posed.point("pelvis")[0] else -1
        edge = x + out * HAND_RADIUS
        shapes.append(box(edge, 0, edge + out * 10, 205, "furniture"))
    for name in props.door_frame:
        x, _ = posed.xy(name)
        out = 1 if x >= posed.point("pelvis")[0] or side else -1
        edge = x + out * WIDTH["forearm"] / 2
        shapes.append(box(edge, 0, edge + out * 9, 205, "furniture"))
    if props.vibration_plate:
        shapes += _plate(posed, view, face, picture.support is Support.STANDING)
    if props.rowing_machine:
        shapes += _rower(posed, view, face)
        anchors["band"] = (posed.point("heel_r")[0] + face * 50, 34.0)
    band = props.band
    if band is not None and band.anchor_side is not None:
        xs = [p[0] for p in posed.joints.values()]
        sign = {"front": face, "behind": -face, "right": -1, "left": 1}[band.anchor_side]
        if view in (View.BACK, View.ABOVE_BACK) and band.anchor_side in ("left", "right"):
            sign = -sign  # a figure with its back to us has its right on our right
        x = (max(xs) + 45) if sign > 0 else (min(xs) - 45)
        anchors["band"] = (x, band.height or 100.0)
        shapes.append(box(x, 0, x + sign * 8, 205, "furniture"))
    for name in props.cushion:
        x, y = posed.xy(name)
        gap = bottom(posed, name, view) - base(picture)
        if gap > 2 and not above:
            shapes.append(box(x - 14, base(picture), x + 14, base(picture) + gap, "furniture"))
    return shapes, anchors


def dynamic(picture: Picture, posed: Posed, anchors: Anchors) -> list[Shape]:
    """Props that move with the body: weights in the hands, a band or towel."""
    view, shapes = picture.view, []
    rolling = (Support.SITTING_BALL, Support.LEGS_ON_BALL)
    ball = ball_under(picture, posed) if picture.support in rolling else None
    if ball is not None and "ball" in anchors:
        # The ball rolls with what rests on it: the pelvis rocking or circling, the
        # legs tipping to one side.
        _, x, y, _ = ball
        radius = anchors["ball"][1]
        if height_axis(view) == 1:
            y = radius
        layer = 0 if view is View.SIDE else -1
        shapes.append(circle(x, y, radius, "ball", layer=layer))
    if picture.props.ball_under is not None and "ball" in anchors:
        radius = anchors["ball"][1]
        x = posed.point(picture.props.ball_under)[0]
        shapes.append(circle(x, radius, radius, "ball", layer=0))
    if picture.props.rowing_machine:
        # The seat slides with the pelvis along the rail.
        pelvis = posed.point("pelvis")[0]
        seat = bottom(posed, "pelvis", view)
        shapes.append(box(pelvis - 16, RAIL, pelvis + 16, seat, "plate", layer=-1))
    for name in picture.props.dumbbells:
        x, y = posed.xy(name)
        shapes.append(box(x - 9, y - 4, x + 9, y + 4, "weight", layer=1))
        shapes.append(box(x - 10, y - 6, x - 6, y + 6, "weight", layer=1))
        shapes.append(box(x + 6, y - 6, x + 10, y + 6, "weight", layer=1))
    if picture.props.rowing_machine:
        chain = [anchors["band"], posed.xy("hand_r")]
        shapes.append(line(chain, "band", 2.5, layer=1))
    band = picture.props.band
    if band is None:
        return shapes
    style = "towel" if band.towel else "band"
    thick = 4.0 if band.towel else 2.5
    if band.between is not None:
        a, b = (posed.xy(name) for name in band.between)
        shapes.append(line([a, b], style, thick, layer=1))
        return shapes
    anchor = posed.xy(band.anchor) if band.anchor is not None else anchors["band"]
    for name in band.hands:
        shapes.append(line([posed.xy(name), anchor], style, thick, layer=1))
    return shapes


def _chair(picture: Picture, posed: Posed, face: int, side: bool) -> list[Shape]:
    seat = bottom(posed, "pelvis", picture.view)
    x = posed.point("pelvis")[0]
    back_height = picture.props.backrest or 42.0
    if not side:
        return [
            box(x - 24, seat - 4, x + 24, seat, "furniture"),
            box(x - 22, seat, x + 22, seat + back_height, "furniture", layer=-2),
            box(x - 24, 0, x - 20, seat - 4, "furniture"),
            box(x + 20, 0, x + 24, seat - 4, "furniture"),
        ]
    # The backrest stands just behind the pelvis, so a back sitting right back
    # touches it.
    back, front = x - face * 14, x + face * 24
    return [
        box(back, seat - 4, front, seat, "furniture"),
        box(back, 0, back - face * 4, seat + back_height, "furniture"),
        box(front, 0, front - face * 4, seat - 4, "furniture"),
    ]


BESIDE = 15.0  # cm: a hand this close to the pelvis rests on something at the side


def _rest(posed: Posed, name: str, style: str, view: View) -> list[Shape]:
    x, _ = posed.xy(name)
    top = bottom(posed, name, view)
    away = 1 if x >= posed.point("pelvis")[0] else -1
    if view is View.SIDE and abs(x - posed.point("pelvis")[0]) < BESIDE:
        return _beside(x, top, style)
    if style == "worktop":
        return [
            box(x - away * 10, top - 4, x + away * 55, top, "furniture"),
            box(x + away * 2, 0, x + away * 55, top - 4, "furniture", layer=-2),
        ]
    post = x + away * 2
    return [
        box(post - away * 3, 0, post + away * 1, top, "furniture"),
        box(post, 44, post + away * 40, 48, "furniture"),
        box(post + away * 40, 0, post + away * 36, 48, "furniture"),
    ]


def _beside(x: float, top: float, style: str) -> list[Shape]:
    """A chair back or worktop at the figure's far side, seen face on behind it."""
    if style == "worktop":
        return [
            box(x - 40, top - 4, x + 40, top, "furniture", layer=-2),
            box(x - 38, 0, x + 38, top - 4, "furniture", layer=-2),
        ]
    return [
        box(x - 20, top - 4, x + 20, top, "furniture", layer=-2),
        box(x - 20, 0, x - 16, top, "furniture", layer=-2),
        box(x + 16, 0, x + 20, top, "furniture", layer=-2),
        box(x - 20, 44, x + 20, 48, "furniture", layer=-2),
    ]


def _plate(posed: Posed, view: View, face: int, standing: bool) -> list[Shape]:
    toes = [posed.point(f"toe_{s}")[0] for s in "rl"] + [posed.point(f"heel_{s}")[0] for s in "rl"]
    shapes = [box(min(toes) - 14, 0, max(toes) + 14, PLATE, "plate")]
    if view is View.SIDE and standing:
        column = max(toes) + 14 if face > 0 else min(toes) - 14
        hands = [posed.xy(f"hand_{s}") for s in "rl"]
        top = max(110.0, max(h[1] for h in hands) - HAND_RADIUS)
        shapes.append(line([(column, PLATE), (column + face * 8, top)], "plate", 6))
        grip = min(hands, key=lambda h: abs(h[0] - column))
        shapes.append(line([(column + face * 8, top), grip], "plate", 5))
    return shapes


def _rower(posed: Posed, view: View, face: int) -> list[Shape]:
    pelvis = posed.point("pelvis")[0]
    heel = posed.point("heel_r")[0]
    front = heel + face * 60
    rear = pelvis - face * 90
    return [
        box(rear, 0, front, RAIL, "plate"),
        box(rear, 0, rear + face * 5, RAIL + 6, "plate"),
        line([(heel - face * 4, RAIL), (heel + face * 14, RAIL + 30)], "plate", 5),
        circle(front - face * 10, 34, 24, "plate"),
    ]
