"""Printable pages: text wrapped to fit and pictures, in blocks kept together on A4
pages, written to a PDF with matplotlib (no other dependency).

For paper on a fridge, read by older eyes: A4 portrait, text of 12 pt and titles
larger, nothing overlapping. Text is wrapped here, word by word, to the width each
word measures in the font it is printed in (DejaVu Sans, which matplotlib brings and
which has every character of the catalogue, umlauts and "•" included); the font is
embedded as TrueType (`pdf.fonttype` 42), so the text can be searched, copied and
read back. Drawing is CPU work of a second or so: callers run `pdf` in a worker
thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from io import BytesIO
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

PAGE = (8.27, 11.69)  # A4 portrait, inches
MARGIN = 0.65
WIDTH = PAGE[0] - 2 * MARGIN
FOOTER = 0.4  # the page number's strip at the bottom
ROOM = PAGE[1] - 2 * MARGIN - FOOTER  # for blocks, on every page
TEXT = 12.0  # points
SMALL = 11.0
LEADING = 1.3  # line height, as a multiple of the type size
BESIDE = 0.2  # inches between a picture and the text beside it
FONT = "DejaVu Sans"
INK, GREY = "#222222", "#555555"
# The PDF backend reads matplotlib's global settings while it writes: one document at a
# time, with its settings held only meanwhile (charts elsewhere draw PNGs, unaffected).
_LOCK = threading.Lock()


@contextmanager
def _drawing() -> Iterator[None]:
    import matplotlib

    with _LOCK, matplotlib.rc_context({"pdf.fonttype": 42}):
        yield


@dataclass(frozen=True)
class Text:
    """A line of text, `top` and `left` in inches from the block's top and the margin."""

    top: float
    left: float
    text: str
    size: float
    bold: bool = False
    colour: str = INK


@dataclass(frozen=True)
class Picture:
    """A PNG, `width` x `height` inches, at `top`/`left` like a Text."""

    top: float
    left: float
    width: float
    height: float
    png: bytes


@dataclass
class Block:
    """What belongs together on one page (an exercise with its picture), written top
    down: each `line` goes below the last, beside a picture `beside` placed on the right
    until the text has passed it."""

    items: list[Text | Picture] = field(default_factory=list)
    height: float = 0.0
    _narrow_until: float = 0.0
    _narrow_by: float = 0.0

    def line(
        self,
        text: str,
        size: float = TEXT,
        *,
        bold: bool = False,
        colour: str = INK,
        indent: float = 0.0,
        label: str = "",
        label_colour: str | None = None,
    ) -> None:
        """`text` wrapped to the width there is; a `label` ("1)", "•") hangs in front of
        its first line, the lines after it aligned under the text."""
        left = indent + (width_of(label + " ", size, bold) if label else 0.0)
        if label:
            mark = Text(self.height, indent, label, size, bold, label_colour or colour)
            self.items.append(mark)
        words = text.split()
        while True:
            room = WIDTH - left - (self._narrow_by if self.height < self._narrow_until else 0)
            count = _fitting(words, room, size, bold)
            self.items.append(Text(self.height, left, " ".join(words[:count]), size, bold, colour))
            self.height += line_height(size)
            words = words[count:]
            if not words:
                return

    def beside(self, png: bytes, width: float, height: float) -> None:
        """A picture on the right, its top level with the next line."""
        self.items.append(Picture(self.height, WIDTH - width, width, height, png))
        self._narrow_until = self.height + height
        self._narrow_by = width + BESIDE

    def close(self, gap: float) -> None:
        """Below everything so far, the picture included, and `gap` more."""
        self.height = max(self.height, self._narrow_until) + gap

    def gap(self, inches: float) -> None:
        self.height += inches


def _fitting(words: list[str], room: float, size: float, bold: bool) -> int:
    """How many of `words` fit on a line `room` inches wide (at least one: a word wider
    than a line, which no text of the catalogue has, runs on rather than vanish)."""
    space = width_of(" ", size, bold)
    used = 0.0
    for count, word in enumerate(words):
        used += width_of(word, size, bold) + (space if count else 0.0)
        if used > room:
            return max(1, count)
    return len(words)


@cache
def width_of(text: str, size: float, bold: bool = False) -> float:
    """How wide `text` is printed, in inches, with a little to spare (a line's words
    are measured one by one, kerning between them aside)."""
    from matplotlib.textpath import TextToPath

    width, _height, _descent = TextToPath().get_text_width_height_descent(
        text, _font(size, bold), ismath=False
    )
    return float(width) * 1.01 / 72


def _font(size: float, bold: bool) -> FontProperties:
    from matplotlib.font_manager import FontProperties

    return FontProperties(family=FONT, size=size, weight="bold" if bold else "normal")


def line_height(size: float) -> float:
    return size * LEADING / 72


def _top(item: Text | Picture) -> float:
    return item.top


def _bottom(item: Text | Picture) -> float:
    return item.top + (item.height if isinstance(item, Picture) else line_height(item.size))


def paginate(blocks: Sequence[Block]) -> list[list[Block]]:
    """Blocks on pages in order, each kept whole where it fits a page; one taller than
    a page (none in the catalogue today) is cut between its lines."""
    pages: list[list[Block]] = [[]]
    used = 0.0
    for whole in blocks:
        for block in _pieces(whole):
            if pages[-1] and used + block.height > ROOM:
                pages.append([])
                used = 0.0
            pages[-1].append(block)
            used += block.height
    return pages


def _pieces(block: Block) -> list[Block]:
    if block.height <= ROOM:
        return [block]
    pieces = [Block()]
    offset = 0.0
    for item in sorted(block.items, key=_top):
        if _bottom(item) - offset > ROOM and pieces[-1].items:
            offset = item.top
            pieces.append(Block())
        moved = _moved(item, item.top - offset)
        pieces[-1].items.append(moved)
        pieces[-1].height = max(pieces[-1].height, _bottom(moved))
    return pieces


def _moved(item: Text | Picture, top: float) -> Text | Picture:
    if isinstance(item, Picture):
        return Picture(top, item.left, item.width, item.height, item.png)
    return Text(top, item.left, item.text, item.size, item.bold, item.colour)


def figures(pages: list[list[Block]], footer: Sequence[str]) -> list[Figure]:
    """A figure per page, `footer[n]` at the bottom of page n."""
    from matplotlib.figure import Figure
    from matplotlib.image import imread

    drawn = []
    for page, words in zip(pages, footer, strict=True):
        figure = Figure(figsize=PAGE)
        top = PAGE[1] - MARGIN
        for block in page:
            for item in block.items:
                y = (top - item.top) / PAGE[1]
                x = (MARGIN + item.left) / PAGE[0]
                if isinstance(item, Picture):
                    axes = figure.add_axes(
                        (x, y - item.height / PAGE[1], item.width / PAGE[0], item.height / PAGE[1])
                    )
                    # "none": a vector backend embeds the picture's own pixels, unscaled.
                    axes.imshow(imread(BytesIO(item.png), format="png"), interpolation="none")
                    axes.set_axis_off()
                else:
                    figure.text(
                        x,
                        y,
                        item.text,
                        fontproperties=_font(item.size, item.bold),
                        color=item.colour,
                        va="top",
                        ha="left",
                    )
            top -= block.height
        bottom = MARGIN / PAGE[1]
        figure.text(0.5, bottom, words, fontproperties=_font(SMALL, False), color=GREY, ha="center")
        drawn.append(figure)
    return drawn


def pdf(pages: list[list[Block]], footer: Sequence[str], title: str, created: datetime) -> bytes:
    """The pages as a PDF; the same bytes for the same pages and `created`."""
    from matplotlib.backends.backend_pdf import PdfPages

    buffer = BytesIO()
    with _drawing():
        metadata = {"Title": title, "Author": "Coachbot", "Creator": "Coachbot"}
        with PdfPages(buffer, metadata={**metadata, "CreationDate": created}) as document:
            for figure in figures(pages, footer):
                document.savefig(figure)
    return buffer.getvalue()


def png_pages(pages: list[list[Block]], footer: Sequence[str], dpi: int = 60) -> list[bytes]:
    """The pages as PNG images, to look at what is printed."""
    images = []
    with _drawing():
        for figure in figures(pages, footer):
            buffer = BytesIO()
            figure.savefig(buffer, format="png", dpi=dpi)
            images.append(buffer.getvalue())
    return images
