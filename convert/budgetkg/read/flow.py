"""Paragraphs from a PDF's visual text lines, by their geometry, across page breaks too.

Pure geometry like read/grid.py: the worker processes of read/pdf.py return each page's lines
with their position and font, and this joins them in the parent, so the text is the same for any
number of workers. The text's margins come from where lines start and end (a page's own where
enough of its lines share them, else those of the pages of its width). A paragraph goes on
while a line reaches the right margin (the next line's first word would not have fitted after
it) and the next one starts at the left margin, in the same font, at the usual line spacing; an
indented line, a list item (一、 （一） 1、 第一条 注：…), a centred line, a line set far from the
left margin (单位：万元) and a line split by wide gaps (部门：…  单位：万元) start a new one. A
heading printed over two lines (larger than the body, centred, or in another font with its end
centred under it) is one line.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from statistics import median

_SUPPORT = 0.1  # a margin is where at least this share of the lines start (end) ...
_MIN_SUPPORT = 3  # ... and at least this many
_EDGE = 3.0  # lines starting (ending) this close start (end) at the same place
_NEAR = 4.0  # the right margin is among line ends this many characters from the rightmost
_FULL = 2.0  # a line ending less than this many characters before the right margin reaches it
_FIT = 0.5  # ... as does one the next line's first word plus this many characters did not fit
_INDENT = 0.8  # a line starting more than this many characters right of the margin is indented
_ASIDE = 4.0  # ... and one starting more than this many is no paragraph's (单位：万元 at the right)
_CENTRED = 1.5  # a centred line's middle is this many characters from the text's middle at most
_SIZE = 0.08  # font sizes less than this share apart are the same size
_SPACING = 0.5  # a gap this many characters taller than the usual line spacing ends a paragraph
_TITLE_GAP = 1.0  # two heading lines this many characters apart (or a line spacing) are one
_NUMERALS = "一二三四五六七八九十百零〇"
_MARKER = re.compile(
    rf"(?:[{_NUMERALS}]+[、.．]"  # 一、
    rf"|[（(][{_NUMERALS}\d]+[)）]"  # （一） (1)
    r"|\d{1,2}(?:[、)）．]|\.(?!\d)|\.(?=\d{4}年))"  # 1、 1) 1． 1. 1.2024年 but not 1.5
    r"|[①-⑳]"
    rf"|第[{_NUMERALS}\d]+[条章节部分]"  # 第一条 第二部分
    r"|注[:：])"
)
_LATIN_END = re.compile(r"[A-Za-z]$")
_LATIN_START = re.compile(r"^[A-Za-z]")


@dataclass(frozen=True)
class Line:
    """A line of a page: a visual text line, or a table row (`row`: its cells joined by tabs)."""

    text: str
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    font: str = ""  # the font of all its CJK characters, "" if several or none
    spread: bool = False  # wide gaps split it into parts
    lead: float = 0.0  # width of its first unbreakable unit (grid.TextLine.lead)
    row: bool = False
    columns: tuple[float, ...] = ()  # a row's column boundaries (grid.Row.columns)
    ends: tuple[float, ...] = ()  # where each of a row's cells' text ends (grid.Row.ends)


@dataclass(frozen=True)
class Page:
    """A page's lines in reading order."""

    number: int
    width: float
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class _Frame:
    """The text area of a page: margins (the page's own where enough of its lines start or end
    at one place, else those of the pages of its width), the body's font size and font, the
    usual line spacing (the gap between two lines of a paragraph, in characters)."""

    left: float
    right: float | None  # None: too few lines end at one place to tell
    size: float
    font: str
    spacing: float

    def full(self, line: Line, following: Line | None = None) -> bool:
        """Whether `line` reaches the right margin: the first word of the line `following` it
        would not have fitted after it."""
        room = max(_FULL * line.size, (following.lead if following else 0) + _FIT * line.size)
        return self.right is not None and line.x1 >= self.right - room

    def indented(self, line: Line) -> bool:
        return line.x0 > self.left + _INDENT * line.size

    def aside(self, line: Line) -> bool:
        return line.x0 > self.left + _ASIDE * line.size

    def centred(self, line: Line, width: float) -> bool:
        middle = (self.left + self.right) / 2 if self.right is not None else width / 2
        return self.aside(line) and abs((line.x0 + line.x1) / 2 - middle) <= _CENTRED * line.size


def _support(ordered: list[float], value: float) -> int:
    """How many of the sorted values lie within _EDGE of `value`."""
    return bisect_right(ordered, value + _EDGE) - bisect_left(ordered, value - _EDGE)


def _left_edge(values: list[float], need: int) -> float | None:
    """The lowest value that `need` values lie within _EDGE of, or None."""
    ordered = sorted(values)
    return next((v for v in ordered if _support(ordered, v) >= need), None)


def _right_edge(values: list[float], need: int, size: float) -> float | None:
    """Where most lines end among those ending near the highest end `need` lines share: a
    justified line ends at the margin, a few overshoot it by a punctuation mark or a digit."""
    ordered = sorted(values)
    top = next((v for v in reversed(ordered) if _support(ordered, v) >= need), None)
    if top is None:
        return None
    near = [v for v in ordered if top - _NEAR * size <= v <= top]
    return max(near, key=lambda v: (_support(ordered, v), v))


def _text(lines: Iterable[Line]) -> list[Line]:
    return [line for line in lines if not line.row and not line.spread]


def _margins(text: list[Line], need: int) -> tuple[float | None, float | None]:
    if not text:
        return None, None
    sizes = sorted(line.size for line in text)
    left = _left_edge([line.x0 for line in text], need)
    right = _right_edge([line.x1 for line in text], need, sizes[len(sizes) // 2])
    return left, right if left is not None and right is not None and right > left else None


def _frame(lines: list[Line]) -> _Frame:
    """The frame of the pages of one width."""
    text = _text(lines)
    if not text:
        return _Frame(0.0, None, 0.0, "", 0.0)
    left, right = _margins(text, max(_MIN_SUPPORT, round(_SUPPORT * len(text))))
    sizes: Counter[float] = Counter()
    fonts: Counter[str] = Counter()
    for line in text:
        sizes[line.size] += len(line.text)
        fonts[line.font] += len(line.text) if line.font else 0
    gaps = [(b.top - a.bottom) / b.size for a, b in pairwise(text)
            if b.size > 0 and _same_size(a.size, b.size) and b.top > a.top]
    return _Frame(min(line.x0 for line in text) if left is None else left, right,
                  sizes.most_common(1)[0][0], fonts.most_common(1)[0][0],
                  median(gaps) if gaps else 1.0)


def _page_frame(page: Page, frame: _Frame) -> _Frame:
    """The frame of one page: its own margins where enough of its lines share them and they
    bound its text (not three short list items ending at one place), else `frame`'s."""
    text = _text(page.lines)
    if not text:
        return frame
    size = frame.size or text[0].size
    left, right = _margins(text, _MIN_SUPPORT if frame.right is not None else 2)
    if right is not None and right < max(line.x1 for line in text) - _NEAR * size:
        right = None
    if left is not None and left > min(line.x0 for line in text) + _NEAR * size:
        left = None
    return replace(frame, left=frame.left if left is None else left,
                   right=frame.right if right is None else right)


def _same_size(a: float, b: float) -> bool:
    return abs(a - b) <= _SIZE * max(a, b)


def _same_font(a: Line, b: Line) -> bool:
    return _same_size(a.size, b.size) and (a.font == b.font or not a.font or not b.font)


def _continues(a: Line, frame_a: _Frame, b: Line, frame_b: _Frame, width: float,
               same_page: bool) -> bool:
    """Whether text line b (in frame_b) goes on with the paragraph text line a (in frame_a)
    ends."""
    if a.spread or b.spread or not _same_font(a, b) or _MARKER.match(b.text):
        return False
    gap = b.top - a.bottom
    larger = a.size > frame_a.size and not _same_size(a.size, frame_a.size)
    other_font = bool(a.font) and a.font != frame_a.font
    centred = frame_a.centred(a, width) and frame_b.centred(b, width)
    close = (same_page and b.top > a.top
             and gap <= max(_TITLE_GAP, frame_b.spacing + _SPACING) * b.size
             and b.x0 < a.x1 and a.x0 < b.x1)
    if close and (larger or centred or (other_font and frame_b.centred(b, width))):
        return True  # a heading (larger, centred, or another font ending centred) on two lines
    spaced = same_page and gap > (frame_b.spacing + _SPACING) * b.size
    return (not centred and not frame_a.aside(a) and frame_a.full(a, b)
            and not frame_b.indented(b) and not frame_b.centred(b, width) and not spaced)


def _join(a: str, b: str) -> str:
    """Two parts of a paragraph: CJK text joins without a space, Latin words with one."""
    return f"{a} {b}" if _LATIN_END.search(a) and _LATIN_START.match(b) else a + b


def paragraphs(pages: Sequence[Page]) -> list[tuple[str, int]]:
    """The document's lines with the page each starts on: paragraphs joined, table rows as they
    are, and an empty line after each page."""
    frames: dict[int, _Frame] = {}
    for width in sorted({round(p.width) for p in pages}):
        frames[width] = _frame([line for p in pages if round(p.width) == width
                                for line in p.lines])
    out: list[tuple[str, int]] = []
    open_line: int | None = None  # index in `out` of the paragraph the last text line is in
    last: tuple[Line, _Frame] | None = None  # that text line and its page's frame
    for page in pages:
        frame = _page_frame(page, frames[round(page.width)])
        for i, line in enumerate(page.lines):
            if (not line.row and last is not None and open_line is not None
                    and _continues(*last, line, frame, page.width, same_page=i > 0)):
                out[open_line] = (_join(out[open_line][0], line.text), out[open_line][1])
                last = (line, frame)
                continue
            out.append((line.text, page.number))
            open_line, last = (None, None) if line.row else (len(out) - 1, (line, frame))
        if not page.lines:
            open_line, last = None, None
        out.append(("", page.number))
    return out
