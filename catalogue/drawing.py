"""Draw a placed scene as a pictogram: a still of the key positions, and a loop.

Filled limbs with a white edge so that a limb in front of the body stays
readable; the far side lighter, the moving side in one accent colour
(Okabe-Ito vermillion, which colour-blind readers tell from the body's blue);
arrows along the real path of the moving hand, foot or head. Drawn with Pillow
at three times the size and averaged down, which smooths the edges and, with a
fixed palette and no timestamps, gives the same bytes on every run.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

import matplotlib
from PIL import Image, ImageDraw, ImageFont

from catalogue.figure import HAND_RADIUS, HEAD_RADIUS, Posed, Segment, height_axis
from catalogue.motion import Path2D, arrow_paths, between, frames
from catalogue.placement import Scene
from catalogue.poses import Part
from catalogue.props import Shape, dynamic

SUPERSAMPLE = 3
PANEL = (480, 440)
MARGIN = 34  # px around the drawing in a panel
BODY = {-1: "#9DB1C4", 0: "#23415F", 1: "#23415F"}
ACCENT = {-1: "#F2B48A", 0: "#D55E00", 1: "#D55E00"}
ARROW = "#B34700"
STYLE = {
    "furniture": ("#E4E4E4", "#A3A3A3"),
    "floor": ("#D5E4EF", "#9DB6C9"),
    "ball": ("#CFE2F3", "#6F9FC8"),
    "plate": ("#C9C9C9", "#7D7D7D"),
    "weight": ("#3B3B3B", "#3B3B3B"),
    "band": ("#009E73", "#009E73"),
    "towel": ("#B59B6B", "#B59B6B"),
}
FLOOR = "#B8B8B8"
LABEL = "#7A7A7A"
# The neck belongs to the trunk's outline, so that no white edge cuts across it.
_GROUPS: dict[str, Part] = {
    "lower_back": Part.TRUNK, "upper_back": Part.TRUNK, "neck": Part.TRUNK,
}  # fmt: skip


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"
    return ImageFont.truetype(str(path), size)


class Canvas:
    """A Pillow image with the scene's cm-to-pixel transform."""

    def __init__(self, size: tuple[int, int], box: tuple[float, float, float, float]) -> None:
        self.image = Image.new("RGB", (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE), "white")
        self.draw = ImageDraw.Draw(self.image)
        x0, y0, x1, y1 = box
        inner_w = size[0] - 2 * MARGIN
        inner_h = size[1] - 2 * MARGIN
        self.scale = min(inner_w / (x1 - x0), inner_h / (y1 - y0)) * SUPERSAMPLE
        self.x = (size[0] * SUPERSAMPLE - (x1 - x0) * self.scale) / 2 - x0 * self.scale
        # Floor at the bottom margin; everything sits on it.
        self.y = (size[1] - MARGIN) * SUPERSAMPLE + y0 * self.scale

    def px(self, point: tuple[float, float]) -> tuple[float, float]:
        return (self.x + point[0] * self.scale, self.y - point[1] * self.scale)

    def stroke(self, points: Sequence[tuple[float, float]], width: float, colour: str) -> None:
        pixels = [self.px(p) for p in points]
        w = max(1, round(width * self.scale))
        self.draw.line(pixels, fill=colour, width=w, joint="curve")
        for x, y in (pixels[0], pixels[-1]):
            r = w / 2
            self.draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)

    def disc(
        self, centre: tuple[float, float], radius: float, fill: str, edge: str | None = None
    ) -> None:
        x, y = self.px(centre)
        r = radius * self.scale
        width = max(1, round(0.9 * self.scale)) if edge else 0
        self.draw.ellipse((x - r, y - r, x + r, y + r), fill=fill, outline=edge, width=width)

    def shape(self, shape: Shape) -> None:
        fill, edge = STYLE[shape.style]
        if shape.kind == "circle":
            self.disc(shape.points[0], shape.radius, fill, edge)
        elif shape.kind == "line":
            self.stroke(shape.points, shape.width, fill)
        else:
            pixels = [self.px(p) for p in shape.points]
            self.draw.polygon(
                pixels, fill=fill, outline=edge, width=max(1, round(0.8 * self.scale))
            )

    def text(self, at: tuple[float, float], value: str, size: int, colour: str) -> None:
        self.draw.text(at, value, fill=colour, font=_font(size * SUPERSAMPLE), anchor="mm")

    def finish(self) -> Image.Image:
        # A box average over each 3 x 3 block: the smoothing of supersampling, at a
        # fraction of a Lanczos filter's cost.
        return self.image.reduce(SUPERSAMPLE)


def _depth(posed: Posed, names: Iterable[str]) -> float:
    """How near the viewer: z, which seen from above is the height."""
    values = [posed.point(n)[2] for n in names]
    return sum(values) / len(values)


def figure(canvas: Canvas, scene: Scene, posed: Posed) -> None:
    """Paint the figure and the props, back to front."""
    view, picture = scene.picture.view, scene.picture
    moving = set(picture.moving)
    groups: dict[Part, list[Segment]] = {}
    for segment in posed.segments:
        part = _GROUPS.get(segment.name, segment.part)
        groups.setdefault(part, []).append(segment)
    layers: list[tuple[float, int, object]] = []
    for part, segments in groups.items():
        names = [n for s in segments for n in (s.start, s.end)]
        order = {Part.TRUNK: 0, Part.HEAD: 1}.get(part, 2)
        layers.append((_depth(posed, names), order, (part, segments)))
    props = [*scene.props, *dynamic(picture, posed, scene.anchors)]
    for shape in props:
        depth = {-2: -1000.0, -1: -999.0, 0: -0.5, 1: 1000.0}[shape.layer]
        layers.append((depth, -1, shape))
    for _, _, item in sorted(layers, key=lambda layer: (layer[0], layer[1])):
        if isinstance(item, Shape):
            canvas.shape(item)
            continue
        part, segments = item  # type: ignore[misc]
        side = segments[0].side if view.sideways else 0
        accent = part in moving or (part is Part.TRUNK and Part.PELVIS in moving)
        colour = (ACCENT if accent else BODY)[side]
        _limb(canvas, posed, segments, colour, outline=True)
        if part is Part.TRUNK and Part.PELVIS in moving and Part.TRUNK not in moving:
            lower = [s for s in segments if s.name == "lower_back"]
            _limb(canvas, posed, segments, BODY[side], outline=False)
            _limb(canvas, posed, lower, ACCENT[side], outline=False)
        else:
            _limb(canvas, posed, segments, colour, outline=False)
        if part is Part.TRUNK:
            head_colour = (ACCENT if Part.HEAD in moving else BODY)[0]
            head = posed.xy("head")
            canvas.disc(head, HEAD_RADIUS + 1.6, "white")
            canvas.disc(head, HEAD_RADIUS, head_colour)
        if part in (Part.ARM_R, Part.ARM_L):
            hand = posed.xy(f"hand_{part.value[-1]}")
            canvas.disc(hand, HAND_RADIUS, colour)


def _limb(
    canvas: Canvas, posed: Posed, segments: list[Segment], colour: str, outline: bool
) -> None:
    view_points = [(posed.point(s.start), posed.point(s.end), s.width) for s in segments]
    for a, b, width in view_points:
        if outline:
            canvas.stroke([(a[0], a[1]), (b[0], b[1])], width + 3.2, "white")
        else:
            canvas.stroke([(a[0], a[1]), (b[0], b[1])], width, colour)


def arrows(canvas: Canvas, paths: list[Path2D]) -> None:
    """Each path as an arrow, edged in white so that it shows over a coloured limb."""
    for path in paths:
        (x0, y0), (x1, y1) = canvas.px(path[-2]), canvas.px(path[-1])
        angle = math.atan2(y1 - y0, x1 - x0)
        size = 7.5 * canvas.scale
        tip = (x1 + math.cos(angle) * size * 0.6, y1 + math.sin(angle) * size * 0.6)
        left = (tip[0] - size * math.cos(angle - 0.45), tip[1] - size * math.sin(angle - 0.45))
        right = (tip[0] - size * math.cos(angle + 0.45), tip[1] - size * math.sin(angle + 0.45))
        edge = round(1.4 * canvas.scale)
        canvas.stroke(path, 2.6 + 2.8, "white")
        canvas.draw.polygon([tip, left, right], fill="white", outline="white", width=edge)
        canvas.stroke(path, 2.6, ARROW)
        canvas.draw.polygon([tip, left, right], fill=ARROW)


def _box(scene: Scene) -> tuple[float, float, float, float]:
    """The extent of every key position, prop and arrow, in picture cm."""
    points = [(j[0], j[1]) for posed in scene.keys for j in posed.joints.values()]
    for shape in scene.props:
        points += list(shape.points)
        if shape.kind == "circle":
            (x, y), r = shape.points[0], shape.radius
            points += [(x - r, y - r), (x + r, y + r)]
    for paths in arrow_paths(scene).values():
        for path in paths:
            points += path
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    pad = 16.0
    floor = 0.0 if height_axis(scene.picture.view) == 1 else min(ys) - pad
    return (min(xs) - pad, floor, max(xs) + pad, max(ys) + pad)


def _floor(canvas: Canvas, scene: Scene, box: tuple[float, float, float, float]) -> None:
    if height_axis(scene.picture.view) == 1:
        canvas.stroke([(box[0] - 50, -0.9), (box[2] + 50, -0.9)], 1.8, FLOOR)


def _sides(canvas: Canvas, scene: Scene, posed: Posed) -> None:
    """Letter the figure's right and left where it faces us or turns its back: under
    the feet when it stands or sits, beside the hands when seen from above."""
    view = scene.picture.view
    if view.sideways:
        return
    upright = abs(posed.point("neck")[0] - posed.point("pelvis")[0]) < 30
    for side, letter in (("r", "R"), ("l", "L")):
        if height_axis(view) == 1 and upright:
            ankle = posed.point(f"ankle_{side}")
            x, y = canvas.px((ankle[0], 0.0))
            canvas.text((x, y + 15 * SUPERSAMPLE), letter, 13, LABEL)
            continue
        hand, elbow = posed.point(f"hand_{side}"), posed.point(f"elbow_{side}")
        dx, dy = hand[0] - elbow[0], hand[1] - elbow[1]
        norm = math.hypot(dx, dy) or 1.0
        at = canvas.px((hand[0] + dx / norm * 13, hand[1] + dy / norm * 13))
        canvas.text(at, letter, 13, LABEL)


def panel(box: tuple[float, float, float, float], width: int = PANEL[0]) -> tuple[int, int]:
    """A panel as tall as the drawing needs, between a flat and a square one."""
    inner = width - 2 * MARGIN
    height = inner * (box[3] - box[1]) / (box[2] - box[0]) + 2 * MARGIN
    return (width, int(min(max(height, 0.62 * width), 1.1 * width)))


def still_image(scene: Scene) -> Image.Image:
    """The key positions side by side, numbered, each with arrows to the next."""
    box = _box(scene)
    size = panel(box)
    paths = arrow_paths(scene)
    panels = []
    for number, posed in enumerate(scene.keys, start=1):
        canvas = Canvas(size, box)
        _floor(canvas, scene, box)
        figure(canvas, scene, posed)
        arrows(canvas, paths.get(number - 1, []))
        _sides(canvas, scene, posed)
        x, y = 22 * SUPERSAMPLE, 22 * SUPERSAMPLE
        r = 14 * SUPERSAMPLE
        canvas.draw.ellipse((x - r, y - r, x + r, y + r), fill=LABEL)
        canvas.text((x, y), str(number), 15, "white")
        panels.append(canvas.finish())
    image = Image.new("RGB", (size[0] * len(panels), size[1]), "white")
    draw = ImageDraw.Draw(image)
    for index, drawn in enumerate(panels):
        x = index * size[0]
        image.paste(drawn, (x, 0))
        if index:
            draw.line([(x, 30), (x, size[1] - 30)], fill="#DDDDDD", width=2)
    return image


def cover_image(scene: Scene) -> Image.Image:
    """The first key position alone, unnumbered: a picture for a step of the session."""
    box = _box(scene)
    canvas = Canvas(panel(box), box)
    _floor(canvas, scene, box)
    figure(canvas, scene, scene.keys[0])
    return canvas.finish()


def animation_frames(scene: Scene) -> list[tuple[Image.Image, int]]:
    """The loop's frames with their durations in ms."""
    box = _box(scene)
    size = panel(box)
    out = []
    for position, duration in frames(scene):
        canvas = Canvas(size, box)
        _floor(canvas, scene, box)
        posed = scene.frame(position)
        figure(canvas, scene, posed)
        _sides(canvas, scene, posed)
        out.append((canvas.finish(), duration))
    return out


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def gif(frames_: list[tuple[Image.Image, int]]) -> bytes:
    palette = _palette()
    images = [frame.quantize(palette=palette, dither=Image.Dither.NONE) for frame, _ in frames_]
    buffer = io.BytesIO()
    images[0].save(
        buffer, format="GIF", save_all=True, append_images=images[1:], loop=0,
        duration=[d for _, d in frames_], disposal=1, optimize=False,
    )  # fmt: skip
    return buffer.getvalue()


@cache
def _palette() -> Image.Image:
    """Every colour the drawing uses, each with steps towards white for smooth edges."""
    bases = {*BODY.values(), *ACCENT.values(), ARROW, FLOOR, LABEL}
    bases |= {c for pair in STYLE.values() for c in pair}
    colours: list[tuple[int, int, int]] = [(255, 255, 255)]
    for value in sorted(bases):
        r, g, b = (int(value[i : i + 2], 16) for i in (1, 3, 5))
        for step in range(8):
            t = step / 8
            colours.append(
                (round(r + (255 - r) * t), round(g + (255 - g) * t), round(b + (255 - b) * t))
            )
    flat = [channel for colour in colours[:256] for channel in colour]
    flat += [255] * (768 - len(flat))
    image = Image.new("P", (1, 1))
    image.putpalette(flat)
    return image


__all__ = ["animation_frames", "between", "gif", "png", "still_image"]
