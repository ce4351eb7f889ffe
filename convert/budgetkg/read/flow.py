"""Paragraphs from a PDF's visual text lines, by their geometry, across page breaks too.

Pure geometry like read/grid.py: the worker processes of read/pdf.py return each page's lines
with their position and font, and this joins them in the parent, so the text is the same for any
number of workers. A paragraph goes on while a line reaches the right margin (the next line's
first word would not have fitted after it) and the next one starts at the left margin, in the
same font, at the usual line spacing; an indented line, a list item (一、 （一） 1、 第一条 …),
a heading (centred, or another font or size) and a line split by wide gaps (部门：…  单位：万元)
start a new one. A heading printed over two lines (centred, or in a font larger than the text's)
is one line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from statistics import median

_SUPPORT = 0.1  # a margin is where at least this share of the lines start (end) ...
_MIN_SUPPORT = 3  # ... and at least this many
_EDGE = 3.0  # lines starting (ending) this close start (end) at the same place
_FULL = 1.5  # a line ending less than this many characters before the right margin reaches it
_FIT = 0.5  # ... as does one the next line's first word plus this many characters did not fit
_INDENT = 0.8  # a line starting more than this many characters right of the margin is indented
_ASIDE = 4.0  # ... and one starting more than this many is no paragraph's (单位：万元 at the right)
_CENTRED = 2.0  # a centred line's middle is this many characters from the text's middle at most
_SIZE = 0.08  # font sizes less than this share apart are the same size
_SPACING = 0.5  # a gap this many characters taller than the usual line spacing ends a paragraph
_TITLE_GAP = 1.0  # two centred lines at most this many characters apart are one title
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


@dataclass(frozen=True)
class Page:
    """A page's lines in reading order."""

    number: int
    width: float
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class _Frame:
    """The text area of the pages of one width: margins, body font size, usual line spacing
    (the gap between two lines of a paragraph, in characters)."""

    left: float
    right: float | None  # None: too few lines end at one place to tell
    size: float
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
        return (line.x0 > self.left + _CENTRED * line.size and not self.full(line)
                and abs((line.x0 + line.x1) / 2 - middle) <= _CENTRED * line.size)


def _edge(values: list[float], need: int, lowest: bool) -> float | None:
    """The lowest (highest) value that `need` values lie within _EDGE of, or None."""
    ordered = sorted(values) if lowest else sorted(-v for v in values)
    end = 0
    for start, value in enumerate(ordered):
        end = max(end, start)
        while end + 1 < len(ordered) and ordered[end + 1] - value <= _EDGE:
            end += 1
        if end - start + 1 >= need:
            return value if lowest else -value
    return None


def _frame(lines: list[Line]) -> _Frame:
    text = [line for line in lines if not line.row and not line.spread]
    if not text:
        return _Frame(0.0, None, 0.0, 0.0)
    need = max(_MIN_SUPPORT, round(_SUPPORT * len(text)))
    left = _edge([line.x0 for line in text], need, lowest=True)
    right = _edge([line.x1 for line in text], need, lowest=False)
    sizes: Counter[float] = Counter()
    for line in text:
        sizes[line.size] += len(line.text)
    gaps = [(b.top - a.bottom) / b.size for a, b in pairwise(text)
            if b.size > 0 and _same_size(a.size, b.size) and b.top > a.top]
    return _Frame(min(line.x0 for line in text) if left is None else left,
                  right if left is not None and right is not None and right > left else None,
                  sizes.most_common(1)[0][0], median(gaps) if gaps else 1.0)


def _same_size(a: float, b: float) -> bool:
    return abs(a - b) <= _SIZE * max(a, b)


def _same_font(a: Line, b: Line) -> bool:
    return _same_size(a.size, b.size) and (a.font == b.font or not a.font or not b.font)


def _continues(a: Line, b: Line, frame: _Frame, width: float, same_page: bool) -> bool:
    """Whether text line b goes on with the paragraph text line a ends."""
    if a.spread or b.spread or not _same_font(a, b) or _MARKER.match(b.text):
        return False
    gap = b.top - a.bottom
    larger = a.size > frame.size and not _same_size(a.size, frame.size)
    if larger or (frame.centred(a, width) and frame.centred(b, width)):
        # a heading (a larger font, or centred) printed over two lines
        return same_page and b.top > a.top and gap <= _TITLE_GAP * b.size
    spaced = same_page and gap > (frame.spacing + _SPACING) * b.size
    return (not frame.aside(a) and not frame.centred(a, width) and frame.full(a, b)
            and not frame.indented(b) and not frame.centred(b, width) and not spaced)


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
    last: Line | None = None  # that text line
    for page in pages:
        frame = frames[round(page.width)]
        for i, line in enumerate(page.lines):
            if (not line.row and last is not None and open_line is not None
                    and _continues(last, line, frame, page.width, same_page=i > 0)):
                out[open_line] = (_join(out[open_line][0], line.text), out[open_line][1])
                last = line
                continue
            out.append((line.text, page.number))
            open_line, last = (None, None) if line.row else (len(out) - 1, line)
        if not page.lines:
            open_line, last = None, None
        out.append(("", page.number))
    return out
