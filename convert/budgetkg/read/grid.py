"""One PDF page's tables and text lines, rebuilt from its drawn rules and its characters.

Pure geometry (frozen values in, frozen values out, no PDF library), so that it can be tested on
synthetic pages and run in read/pdf.py's worker processes without the converter package.
Coordinates are PDF points with `top` growing downwards, as pdfplumber gives them.

A table is a connected group of visible rules with at least two vertical ones; its columns are the
x of its vertical rules (a double border counts once), its rows the y of its horizontal rules and
the ends of its vertical rules; two neighbouring grid positions are one cell where no rule
separates them. Characters outside the tables become visual text lines.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

Colour = float | str | tuple[float | str, ...] | None

_THIN = 2.0  # a filled rectangle thinner than this is a drawn rule
_MIN_RULE = 2.0  # a rule shorter than this is a corner piece
_SAME = 1.0  # rules this close across are the same rule (a line drawn twice, a rect's edge)
_JOIN = 2.5  # collinear rules this close end to end are one rule
_TOUCH = 2.5  # a horizontal and a vertical rule this close touch
_DOUBLE = 8.0  # two parallel rules this close with no character between are one double border
_ALONGSIDE = 10.0  # ... and side by side along at least this (not a chart legend's swatch)
_SLIVER = 2.0  # a column narrower than this many characters that no text starts in is dropped
_WHITE = 0.95  # a colour component at least this light (ink at most 1 - this) is white
_OVERLAP = 0.5  # share of the smaller height two characters must share to be on one line
_GAP = 1.5  # a gap wider than this many character widths is a space
_SPREAD = 4.0  # a gap wider than this many times the font size splits a line into parts
_AMOUNT = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_OPENING = set("（(《<“‘[［【〔{")  # never ends a line
_CLOSING = set("，。、；：！？）)》>”’]］】〕}%‰,.;:!?")  # never starts one


@dataclass(frozen=True)
class Char:
    """A character as the text layer places it."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float = 10.0
    font: str = ""


@dataclass(frozen=True)
class Shape:
    """A painted path: a pdfplumber line, rect or curve with its paint."""

    kind: str  # "line", "rect" or "curve"
    x0: float
    top: float
    x1: float
    bottom: float
    stroke: bool = True
    fill: bool = False
    stroke_colour: Colour = None
    fill_colour: Colour = None
    points: tuple[tuple[float, float], ...] = ()  # a curve's (x, top) points


@dataclass(frozen=True)
class Rule:
    """A visible straight rule: at y = `at` from x `start` to `end` (horizontal), or at x = `at`
    from top `start` to bottom `end` (vertical)."""

    horizontal: bool
    at: float
    start: float
    end: float


@dataclass(frozen=True)
class TextLine:
    """A visual line of text outside the tables.

    `size` is the font size most of its characters have, `font` the font all its CJK characters
    share ("" when they differ or there are none), `spread` whether a wide gap splits it into
    parts (部门：…  单位：万元), `lead` the width of its first unit a line cannot break inside (a
    character with the punctuation that sticks to it, （项）。, or a number with the character
    after it, 161.62万).
    """

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    font: str
    spread: bool
    lead: float = 0.0


@dataclass(frozen=True)
class Row:
    """A table row: the text of each column, "" where a cell is empty or covered by a merged one.

    `columns` are the x of its table's column boundaries (one more than the cells; a dropped
    sliver belongs to the column left of it), `ends` where each cell's text ends (its last
    character's right edge, 0 where it is empty): what places the row in another page's grid.
    """

    cells: tuple[str, ...]
    x0: float
    x1: float
    top: float
    bottom: float
    columns: tuple[float, ...] = ()
    ends: tuple[float, ...] = ()


@dataclass(frozen=True)
class Layout:
    """A page's rows and text lines in reading order (by vertical position)."""

    elements: tuple[Row | TextLine, ...]


# ------------------------------------------------------------------------------------ the rules


def is_white(colour: Colour) -> bool:
    """Whether a paint colour is white: gray 1, RGB (1, 1, 1) or CMYK (0, 0, 0, 0). An unset
    colour is black (the PDF default), a pattern (a name) is not white."""
    if colour is None or isinstance(colour, str):
        return False
    values = colour if isinstance(colour, tuple) else (colour,)
    numbers = [float(v) for v in values if isinstance(v, int | float)]
    if not numbers or len(numbers) != len(values):  # a pattern among the components
        return False
    if len(numbers) == 4:  # CMYK: no ink
        return all(v <= 1 - _WHITE for v in numbers)
    return all(v >= _WHITE for v in numbers)


def _segment(x0: float, top: float, x1: float, bottom: float) -> Rule | None:
    """The rule along a thin box (a line, an edge, a thin filled rectangle), or None."""
    width, height = x1 - x0, bottom - top
    if height <= _THIN and width >= height:
        rule = Rule(True, (top + bottom) / 2, x0, x1)
    elif width <= _THIN:
        rule = Rule(False, (x0 + x1) / 2, top, bottom)
    else:
        return None
    return rule if rule.end - rule.start >= _MIN_RULE else None


def _painted(shape: Shape) -> list[Rule]:
    """The visible rules a shape paints."""
    found: list[Rule | None] = []
    stroked = shape.stroke and not is_white(shape.stroke_colour)
    if shape.kind == "rect":
        if stroked:  # the four edges
            found += [_segment(shape.x0, shape.top, shape.x1, shape.top),
                      _segment(shape.x0, shape.bottom, shape.x1, shape.bottom),
                      _segment(shape.x0, shape.top, shape.x0, shape.bottom),
                      _segment(shape.x1, shape.top, shape.x1, shape.bottom)]
        if (shape.fill and not is_white(shape.fill_colour)
                and min(shape.x1 - shape.x0, shape.bottom - shape.top) < _THIN):
            found.append(_segment(shape.x0, shape.top, shape.x1, shape.bottom))
    elif shape.kind == "line":
        if stroked:
            found.append(_segment(shape.x0, shape.top, shape.x1, shape.bottom))
    elif stroked and len(shape.points) >= 2:  # a curve: only a path of straight rules is a rule
        pairs = list(zip(shape.points, shape.points[1:], strict=False))
        if all(abs(a[0] - b[0]) <= _SAME or abs(a[1] - b[1]) <= _SAME for a, b in pairs):
            found += [_segment(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]),
                               max(a[1], b[1])) for a, b in pairs]
    return [rule for rule in found if rule is not None]


def _clusters(values: Iterable[float], tolerance: float) -> list[list[float]]:
    """Sorted values cut where two neighbours are more than `tolerance` apart."""
    out: list[list[float]] = []
    for value in sorted(values):
        if out and value - out[-1][-1] <= tolerance:
            out[-1].append(value)
        else:
            out.append([value])
    return out


def _joined(rules: list[Rule], horizontal: bool) -> list[Rule]:
    """Rules on one line (within _SAME) joined where they meet or nearly meet."""
    out: list[Rule] = []
    for group in _clusters((r.at for r in rules), _SAME):
        low, high = group[0], group[-1]
        at = sum(group) / len(group)
        spans = sorted((r.start, r.end) for r in rules if low <= r.at <= high)
        start, end = spans[0]
        for s, e in spans[1:]:
            if s <= end + _JOIN:
                end = max(end, e)
            else:
                out.append(Rule(horizontal, at, start, end))
                start, end = s, e
        out.append(Rule(horizontal, at, start, end))
    return out


def rules(shapes: Iterable[Shape]) -> list[Rule]:
    """The visible rules of a page: stroked lines and rectangle edges that are not white, thin
    filled rectangles that are not white; collinear pieces joined, corner pieces dropped.

    Large filled rectangles are never rules: cell backgrounds, and the white sheet an Excel
    export lays over a whole page, whose edges would otherwise cut titles into the table.
    """
    found = [rule for shape in shapes for rule in _painted(shape)]
    # dedupe first: a set of exactly equal rules would slow the clustering down for nothing
    unique = sorted(set(found), key=lambda r: (r.horizontal, r.at, r.start, r.end))
    return (_joined([r for r in unique if r.horizontal], True)
            + _joined([r for r in unique if not r.horizontal], False))


# ---------------------------------------------------------------------------------- the regions


class _Groups:
    """Union-find over 0..n-1: the smallest member of a group is its root."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def root(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass(frozen=True)
class _Region:
    horizontal: tuple[Rule, ...]
    vertical: tuple[Rule, ...]
    x0: float
    x1: float
    top: float
    bottom: float


def _touch(h: Rule, v: Rule) -> bool:
    return (h.start - _TOUCH <= v.at <= h.end + _TOUCH
            and v.start - _TOUCH <= h.at <= v.end + _TOUCH)


def _regions(found: list[Rule]) -> list[_Region]:
    """Connected groups of rules: a horizontal and a vertical rule touching, or two parallel
    rules side by side a double border apart (each cell drawn as its own rectangle)."""
    groups = _Groups(len(found))
    horizontal = sorted((i for i, r in enumerate(found) if r.horizontal),
                        key=lambda i: found[i].at)
    vertical = sorted((i for i, r in enumerate(found) if not r.horizontal),
                      key=lambda i: found[i].at)
    xs = [found[i].at for i in vertical]
    for i in horizontal:
        h = found[i]
        for j in vertical[bisect_left(xs, h.start - _TOUCH):bisect_right(xs, h.end + _TOUCH)]:
            if _touch(h, found[j]):
                groups.join(i, j)
    for same in (horizontal, vertical):
        for k, i in enumerate(same):
            a = found[i]
            for j in same[k + 1:]:
                b = found[j]
                if b.at - a.at > _DOUBLE:
                    break
                if min(a.end, b.end) - max(a.start, b.start) >= _ALONGSIDE:
                    groups.join(i, j)
    members_of: dict[int, list[Rule]] = {}
    for i, rule in enumerate(found):
        members_of.setdefault(groups.root(i), []).append(rule)
    out = []
    for members in members_of.values():
        hs = tuple(r for r in members if r.horizontal)
        vs = tuple(r for r in members if not r.horizontal)
        if len(vs) < 2 or not hs:
            continue
        out.append(_Region(
            hs, vs,
            min([r.start for r in hs] + [r.at for r in vs]),
            max([r.end for r in hs] + [r.at for r in vs]),
            min([r.at for r in hs] + [r.start for r in vs]),
            max([r.at for r in hs] + [r.end for r in vs]),
        ))
    return sorted(out, key=lambda r: (r.top, r.x0))


def _centre_x(char: Char) -> float:
    return (char.x0 + char.x1) / 2


def _centre_y(char: Char) -> float:
    return (char.top + char.bottom) / 2


def _boundaries(positions: Iterable[float], low: float, high: float,
                centres: list[float]) -> list[tuple[float, float]]:
    """Grid boundaries from rule positions: each a (first, last) range of rules that count as
    one, a double border (rules a few points apart, no character centre between) included; the
    region's own edges added where no rule lies. `centres` are the characters' centres on this
    axis, sorted."""
    groups = [(g[0], g[-1]) for g in _clusters(positions, _SAME)]
    merged: list[tuple[float, float]] = []
    for first, last in groups:
        if merged and first - merged[-1][1] <= _DOUBLE and (
                bisect_right(centres, merged[-1][1]) == bisect_left(centres, first)):
            merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    if not merged or merged[0][0] - low > _DOUBLE:
        merged.insert(0, (low, low))
    if merged[-1][1] < high - _DOUBLE:
        merged.append((high, high))
    return merged


def _covers(found: Sequence[Rule], boundary: tuple[float, float], point: float) -> bool:
    """Whether a rule at this boundary passes `point` (along the rule)."""
    return any(boundary[0] - _SAME <= r.at <= boundary[1] + _SAME
               and r.start - _SAME <= point <= r.end + _SAME for r in found)


# -------------------------------------------------------------------------------- cells and rows


def _line_groups(chars: Iterable[Char]) -> list[list[Char]]:
    """Characters grouped into visual lines, top to bottom; a line that sits mostly inside the
    previous one's height is the same line (a text layer can place part of a line a few points
    lower: the year of 2024年度部门决算, the quotes of “三公”)."""
    lines: list[list[Char]] = []
    top = bottom = 0.0
    for char in sorted(chars, key=lambda c: (c.top, c.x0)):
        overlap = min(bottom, char.bottom) - max(top, char.top)
        if lines and overlap >= _OVERLAP * min(bottom - top, char.bottom - char.top):
            lines[-1].append(char)
            top, bottom = min(top, char.top), max(bottom, char.bottom)
        else:
            lines.append([char])
            top, bottom = char.top, char.bottom
    return [sorted(line, key=lambda c: (c.x0, c.top)) for line in lines]


def _line_text(chars: Sequence[Char]) -> tuple[str, bool]:
    """A visual line's text (a gap wider than _GAP characters is a space) and whether a gap
    wider than _SPREAD times the font size splits it."""
    text = ""
    spread = False
    for previous, char in zip([None, *chars], chars, strict=False):
        width = max(char.x1 - char.x0, 1.0)
        if previous is not None:
            gap = char.x0 - previous.x1
            if gap > _GAP * width:
                text += " "
            spread = spread or gap > _SPREAD * char.size
        text += char.text
    return " ".join(text.split()), spread


def _cell_text(chars: Iterable[Char]) -> str:
    """A cell's text: its visual lines joined with a single space."""
    return " ".join(t for t in (_line_text(line)[0] for line in _line_groups(chars)) if t)


def is_amount(text: str) -> bool:
    """Whether a cell's text is one number (1,234.50 12% -3), spaces aside."""
    return bool(_AMOUNT.fullmatch(text.replace(" ", "")))


def _is_amount(chars: Sequence[Char]) -> bool:
    return is_amount("".join(c.text for c in chars))


@dataclass
class _Cell:
    row: int  # top-left grid position
    column: int
    rows: int  # how many row bands it spans
    chars: list[Char]


def _table(region: _Region, chars: list[Char]) -> list[Row] | None:
    """The rows of one region of rules, `chars` the characters inside it; None when it is no
    table: no text, or a single column (a framed box of text)."""
    if not chars:
        return None
    xs = _boundaries((r.at for r in region.vertical), region.x0, region.x1,
                     sorted(_centre_x(c) for c in chars))
    if len(xs) < 3:
        return None
    ys = _boundaries((r.at for r in region.horizontal), region.top, region.bottom,
                     sorted(_centre_y(c) for c in chars))
    columns, bands = len(xs) - 1, len(ys) - 1
    x_mid = [(xs[i][1] + xs[i + 1][0]) / 2 for i in range(columns)]
    y_mid = [(ys[i][1] + ys[i + 1][0]) / 2 for i in range(bands)]
    # positions (band, column) joined where no rule separates them: merged cells, each under
    # its top-left position (the smallest index)
    merged = _Groups(bands * columns)
    for band in range(bands):
        for column in range(columns):
            here = band * columns + column
            if column + 1 < columns and not _covers(region.vertical, xs[column + 1],
                                                    y_mid[band]):
                merged.join(here, here + 1)
            if band + 1 < bands and not _covers(region.horizontal, ys[band + 1],
                                                x_mid[column]):
                merged.join(here, here + columns)
    cells: dict[int, _Cell] = {}
    for i in range(bands * columns):
        r = merged.root(i)
        cell = cells.setdefault(r, _Cell(r // columns, r % columns, 1, []))
        cell.rows = max(cell.rows, i // columns - cell.row + 1)
    x_edges = [(first + last) / 2 for first, last in xs[1:-1]]
    y_edges = [(first + last) / 2 for first, last in ys[1:-1]]
    for char in chars:
        column = min(max(bisect_left(x_edges, _centre_x(char)), 0), columns - 1)
        band = min(max(bisect_left(y_edges, _centre_y(char)), 0), bands - 1)
        cells[merged.root(band * columns + column)].chars.append(char)
    # a sliver between two rules a little apart in different rows (the header's rule and the
    # body's) holds no text of its own: it is no column
    size = sorted(c.size for c in chars)[len(chars) // 2] if chars else 0.0
    written = {c.column for c in cells.values() if c.chars}
    keep = [column for column in range(columns)
            if xs[column + 1][0] - xs[column][1] >= _SLIVER * size or column in written]
    boundaries = tuple((xs[i][0] + xs[i][1]) / 2 for i in [*keep, keep[-1] + 1])
    rows: list[Row] = []
    for band in range(bands):
        starting = [c for c in cells.values() if c.row == band]
        for top, bottom, found in _split_band(starting, ys[band][1], ys[band + 1][0]):
            cells_text = tuple(found[column][0] if column in found else "" for column in keep)
            ends = tuple(found[column][1] if cells_text[i] else 0.0
                         for i, column in enumerate(keep))
            if any(cells_text):
                rows.append(Row(cells_text, region.x0, region.x1, top, bottom, boundaries, ends))
    return rows


def _split_band(cells: list[_Cell], top: float, bottom: float
                ) -> list[tuple[float, float, dict[int, tuple[str, float]]]]:
    """One row band as one or more rows: (top, bottom, text and where it ends by column).

    A band is several rows when one of its cells holds an amount on two or more visual lines (a
    table without rules between its body rows); each such line anchors a row and every other
    line goes to the row whose span holds its middle. Else a cell's wrapped lines are one text.
    """
    lines = {id(c): _line_groups(c.chars) for c in cells}
    anchors: list[list[Char]] = []
    for cell in sorted(cells, key=lambda c: c.column):
        if cell.rows != 1:
            continue
        amounts = [line for line in lines[id(cell)] if _is_amount(line)]
        if len(amounts) >= 2 and len(amounts) > len(anchors):
            anchors = amounts
    if not anchors:
        return [(top, bottom, {c.column: (_cell_text(c.chars), _end(c.chars)) for c in cells})]
    cuts = [(max(ch.bottom for ch in a) + min(ch.top for ch in b)) / 2
            for a, b in pairwise(anchors)]
    spans = list(zip([top, *cuts], [*cuts, bottom], strict=True))
    texts: list[dict[int, list[list[Char]]]] = [{} for _ in spans]
    for cell in cells:
        for line in lines[id(cell)]:
            middle = sum(_centre_y(c) for c in line) / len(line)
            index = 0 if cell.rows != 1 else bisect_left(cuts, middle)
            texts[index].setdefault(cell.column, []).append(line)
    return [(t, b, {column: (" ".join(p for p in (_line_text(part)[0] for part in parts) if p),
                             _end([c for part in parts for c in part]))
                    for column, parts in by.items()})
            for (t, b), by in zip(spans, texts, strict=True)]


def _end(chars: Sequence[Char]) -> float:
    return max((c.x1 for c in chars), default=0.0)


# ---------------------------------------------------------------------------------- text lines


def _lead(chars: Sequence[Char]) -> float:
    """The width of a line's first unit that cannot be broken: opening punctuation, then one
    character, or a number or Latin word with the character after it (a word processor keeps
    161.62万 together), then closing punctuation."""
    end = 0
    while end < len(chars) and chars[end].text in _OPENING:
        end += 1
    if end < len(chars):
        end += 1
        if chars[end - 1].text.isascii() and chars[end - 1].text.isalnum():
            while end < len(chars) and chars[end].text.isascii() and (
                    chars[end].text.isalnum() or chars[end].text in ",."):
                end += 1
            if end < len(chars) and chars[end].text not in _OPENING:
                end += 1
    while end < len(chars) and chars[end].text in _CLOSING:
        end += 1
    return chars[end - 1].x1 - chars[0].x0 if end else 0.0


def _text_line(chars: Sequence[Char]) -> TextLine:
    text, spread = _line_text(chars)
    sizes = Counter(round(c.size, 1) for c in chars)
    fonts = {c.font for c in chars if _CJK.match(c.text)}
    return TextLine(
        text, min(c.x0 for c in chars), max(c.x1 for c in chars),
        min(c.top for c in chars), max(c.bottom for c in chars),
        sizes.most_common(1)[0][0], fonts.pop() if len(fonts) == 1 else "", spread, _lead(chars))


def _text_lines(chars: Iterable[Char]) -> list[TextLine]:
    return [_text_line(group) for group in _line_groups(chars)]


def layout(chars: Sequence[Char], shapes: Iterable[Shape]) -> Layout:
    """A page's table rows and text lines in reading order.

    A region of touching rules is a table when it has two vertical rules, two columns and text
    inside; its top and bottom are where its vertical rules end as well as its horizontal ones,
    so the first row of a table continued from the previous page, drawn without a top rule,
    stays a row.
    """
    # a space the text layer holds is dropped: spaces come from the gaps between the others
    remaining = [c for c in chars if c.text.strip()]
    elements: list[tuple[float, int, Row | TextLine]] = []
    for region in _regions(rules(shapes)):
        inside: list[Char] = []
        outside: list[Char] = []
        for char in remaining:
            within = (region.x0 <= _centre_x(char) <= region.x1
                      and region.top <= _centre_y(char) <= region.bottom)
            (inside if within else outside).append(char)
        rows = _table(region, inside)
        if rows is not None:
            remaining = outside
            elements += [(row.top, 1, row) for row in rows]
    elements += [(line.top, 0, line) for line in _text_lines(remaining)]
    elements.sort(key=lambda e: (e[0], e[1]))
    return Layout(tuple(e[2] for e in elements))
