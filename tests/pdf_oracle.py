"""Where each amount of a PDF is printed: its row label and its column headers, from PDFium alone.

An oracle for the converter's graph, independent of it: the converter reads PDFs with pdfplumber
and the ruling lines of the tables; this module reads them with PDFium (pypdfium2) and the
positions of the characters only, never a ruling line. For each amount printed on a page it tells
the text of its visual line to its left (the row's code and label) and the header cells printed
above it (the column's leaf header, then the group headers over it), so a test can check each
observation of the graph cell by cell with `locate`.

Coordinates are PDF points with the origin at the page's top-left corner, y growing downward:
`x0 < x1`, `top < bottom`.
"""

from __future__ import annotations

import ctypes
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

# --------------------------------------------------------------------------------------- words


@dataclass(frozen=True)
class Word:
    """Characters printed side by side on one baseline."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


# A character: text, x0, x1, top, bottom, baseline (plain tuples: a page has thousands).
_Char = tuple[str, float, float, float, float, float]

_NUMERIC = frozenset("0123456789,.-")
# Gaps that end a word, in character heights. Inside a printed number the glyphs' boxes touch,
# while two numbers in neighbouring cells are at least the cells' padding apart. Text printed with
# letter spacing (`合 计`, `金 额`) keeps its gaps under a character, so it stays one word.
_NUMBER_GAP = 0.2
_TEXT_GAP = 0.9
# A number and text closer than this are one word (`2024年`, `54.3%`, `（20万以下）`, none of them
# an amount); farther apart they are two (`371,514,655.00一、一般公共服务支出`: an amount
# right-aligned in its cell, then the next cell's text).
_ATTACHED_GAP = 0.15


def words(page: pdfium.PdfPage) -> list[Word]:
    """The words of a page, line by line from the top, each line left to right.

    Characters are taken with their loose boxes (the font's full height, so the characters of a
    line share top and bottom). A word is a run of characters on one baseline whose gaps stay
    under about one character; it also ends where a number and text meet with a visible gap, so
    an amount printed against the neighbouring cell's text is a word of its own.
    """
    chars = sorted(_chars(page), key=lambda c: (c[5], c[1]))
    out: list[Word] = []
    start = 0
    for i in range(1, len(chars) + 1):
        if i == len(chars) or chars[i][5] - chars[start][5] > 0.2 * _height(chars[start]):
            out += _split(sorted(chars[start:i], key=lambda c: c[1]))
            start = i
    return out


def _height(char: _Char) -> float:
    return max(char[4] - char[3], 1.0)


def _split(line: Sequence[_Char]) -> list[Word]:
    """One baseline's characters, left to right, cut into words."""
    runs: list[list[_Char]] = []
    for char in line:
        if runs:
            last = runs[-1][-1]
            height = max(_height(last), _height(char))
            if char[0] == last[0] and abs(char[1] - last[1]) < 0.1 * height:
                continue  # a glyph drawn twice over itself (a bold effect)
            gap = (char[1] - last[2]) / height
            numeric = (last[0] in _NUMERIC, char[0] in _NUMERIC)
            limit = (_NUMBER_GAP if all(numeric) else _TEXT_GAP if not any(numeric)
                     else _ATTACHED_GAP)
            if gap <= limit:
                runs[-1].append(char)
                continue
        runs.append([char])
    return [Word("".join(c[0] for c in run), min(c[1] for c in run), max(c[2] for c in run),
                 min(c[3] for c in run), max(c[4] for c in run)) for run in runs]


def _chars(page: pdfium.PdfPage) -> Iterable[_Char]:
    """The printed characters of a page (whitespace left out: gaps tell words apart), placed as
    the page is displayed (a page may be turned by its /Rotate).

    Across the line a character spans its advance (its loose box), so the characters of a word
    touch; up and down it spans its ink (its tight box), since some fonts declare an ascent and
    descent far beyond their glyphs, which would make neighbouring rows overlap.
    """
    textpage = page.get_textpage()
    turn = _display(page)
    loose = pdfium_raw.FS_RECTF()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    x, y = ctypes.c_double(), ctypes.c_double()
    try:
        text = textpage.get_text_range(0, textpage.count_chars())
        for i, char in enumerate(text):
            if char.isspace() or char == "\x00":
                continue
            pdfium_raw.FPDFText_GetLooseCharBox(textpage, i, loose)
            pdfium_raw.FPDFText_GetCharBox(textpage, i, left, right, bottom, top)
            pdfium_raw.FPDFText_GetCharOrigin(textpage, i, x, y)
            x0, x1, _, _ = _box(turn, loose.left, loose.right, loose.bottom, loose.top)
            _, _, y0, y1 = _box(turn, left.value, right.value, bottom.value, top.value)
            if y1 > y0:
                yield (char, x0, x1, y0, y1, turn(x.value, y.value)[1])
    finally:
        textpage.close()


def _box(turn: Callable[[float, float], tuple[float, float]], left: float, right: float,
         bottom: float, top: float) -> tuple[float, float, float, float]:
    """A box of PDF user space as displayed: x0, x1, top, bottom."""
    (ax, ay), (bx, by) = turn(left, bottom), turn(right, top)
    return min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)


def _display(page: pdfium.PdfPage) -> Callable[[float, float], tuple[float, float]]:
    """The map from PDF user space (y upward) to the displayed page (origin top-left, y
    downward), for the page's crop box and rotation."""
    left, bottom, right, top = page.get_cropbox()
    rotation = page.get_rotation()
    if rotation == 90:
        return lambda x, y: (y - bottom, x - left)
    if rotation == 180:
        return lambda x, y: (right - x, y - bottom)
    if rotation == 270:
        return lambda x, y: (top - y, right - x)
    return lambda x, y: (x - left, top - y)


def _displayed_height(page: pdfium.PdfPage) -> float:
    left, bottom, right, top = page.get_cropbox()
    return right - left if page.get_rotation() in (90, 270) else top - bottom


# ------------------------------------------------------------------------------------- amounts

# An amount as these documents print it: with thousands separators and optional decimals
# (156,211,123 / 2,940.05), with decimals only (0.95), or a bare integer (the Wanli budgets print
# 元 as integers: `0`, `25`); bare integers are ambiguous, see _amounts_of.
AMOUNT = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d+)")
_BARE = re.compile(r"\d+")
_CODE_PART = re.compile(r"\d{1,2}")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# The line above each table naming its unit (`单位：元`, `部门： … 单位：万元`): where its header
# begins.
_UNIT_LINE = re.compile(r"单位\s*[：:]")
# Punctuation of sentences, which header cells never hold: narrative text above an amount is
# no header.
_SENTENCE = re.compile(r"[。，；]")


@dataclass(frozen=True)
class PrintedAmount:
    """An amount printed on a page (1-based).

    `line_text`: the words printed left of it on its visual line, joined without spaces (the
    row's code and label, and any block of columns to its left). `headers`: the header cells over
    it, nearest first (its leaf header, then the group headers), each cell's lines joined
    top-down without spaces. `continued`: the headers were read on an earlier page, the table
    being continued without its header.
    """

    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    line_text: str
    headers: tuple[str, ...]
    continued: bool = False


def printed_amounts(path: Path) -> list[PrintedAmount]:
    """Every amount printed on every page of a PDF, with its row label and column headers, in
    reading order. Read once per file and run: later calls are free."""
    return list(_printed_amounts(str(path)))


@cache
def _printed_amounts(path: str) -> tuple[PrintedAmount, ...]:
    pages = _read(path)
    out = []
    for number, page in enumerate(pages, start=1):
        for amount in page.amounts:
            headers, continued = _headers(pages, number - 1, amount)
            out.append(PrintedAmount(number, amount.text, amount.x0, amount.x1, amount.top,
                                     amount.bottom, page.line_text(amount), headers, continued))
    return tuple(out)


@cache
def _read(path: str) -> tuple[_Page, ...]:
    """The words of each page of a PDF."""
    document = pdfium.PdfDocument(path)
    try:
        pages = []
        for i in range(len(document)):
            page = document[i]
            try:
                pages.append(_Page.of(words(page), _displayed_height(page)))
            finally:
                page.close()
        return tuple(pages)
    finally:
        document.close()


class _Page:
    """A page's words split into amounts and the rest, with the tables' header cells."""

    def __init__(self, amounts: list[Word], text: list[Word], ceilings: list[float],
                 height: float) -> None:
        self.amounts = tuple(amounts)
        self.text = tuple(text)
        self.ceilings = tuple(sorted(ceilings))  # bottoms of the unit lines
        self.height = height
        every = sorted((*amounts, *text), key=lambda w: w.middle)
        self._by_middle = every
        self._middles = [w.middle for w in every]
        self._regions: dict[int, _Region | None] = {}

    @classmethod
    def of(cls, page_words: list[Word], height: float) -> _Page:
        rows = _rows(page_words)
        amounts: list[Word] = []
        text: list[Word] = []
        for word, row in zip(page_words, rows, strict=True):
            (amounts if _is_amount(word, row) else text).append(word)
        ceilings = [max(w.bottom for w in (word, *row))
                    for word, row in zip(page_words, rows, strict=True)
                    if _UNIT_LINE.search(word.text)]
        return cls(amounts, text, ceilings, height)

    def beside(self, top: float, bottom: float) -> list[Word]:
        """The words whose middle lies between two heights."""
        lo = bisect_left(self._middles, top)
        return self._by_middle[lo:bisect_right(self._middles, bottom)]

    def line_text(self, amount: Word) -> str:
        """The words left of an amount whose middles lie within its height (widened by a
        quarter, so both lines of a label wrapped beside it count), joined."""
        slack = 0.25 * amount.height
        left = [w for w in self.beside(amount.top - slack, amount.bottom + slack)
                if w.x1 <= amount.x0 + 0.1 * amount.height and w is not amount]
        left.sort(key=lambda w: (w.x0, w.top))
        return "".join(w.text for w in left)

    def region(self, index: int) -> _Region | None:
        """The header of the index-th table region: the part of the page below the index-th
        unit line (index 0: the part above the first one, a continued table)."""
        if index not in self._regions:
            self._regions[index] = _Region.of(self, index)
        return self._regions[index]

    def region_index(self, amount: Word) -> int:
        return bisect_right(self.ceilings, amount.top)


def _rows(page_words: Sequence[Word]) -> list[list[Word]]:
    """For each word, the words of its row, itself included, left to right: the words whose
    middles lie within half its height of its box (the cells of one row are not always aligned
    alike: a code at the top of its cell, the name in the middle of the next)."""
    by_middle = sorted(page_words, key=lambda w: w.middle)
    middles = [w.middle for w in by_middle]
    rows = []
    for word in page_words:
        reach = 0.5 * word.height
        row = by_middle[bisect_left(middles, word.top - reach):
                        bisect_right(middles, word.bottom + reach)]
        rows.append(sorted(row, key=lambda w: w.x0))
    return rows


def _is_amount(word: Word, row: Sequence[Word]) -> bool:
    """Whether a word is an amount, knowing the words of its row.

    A number with separators or decimals always is. A bare integer is not when it is part of a
    classification code printed before a name (a 3-digit 类 and up to two 1-2 digit parts,
    `201 06 01 行政运行`; a joined 5- or 7-digit code, `30101 基本工资`), a year (`2017 年度`),
    zero-padded (`公开 01 表`), or alone on its row (a page number).
    """
    text = word.text
    if not AMOUNT.fullmatch(text):
        return False
    if not _BARE.fullmatch(text):
        return True
    texts = [w.text for w in row]
    at = next(i for i, w in enumerate(row) if w is word)
    after = texts[at + 1] if at + 1 < len(texts) else ""
    return not (at in _codes(texts) or (len(text) == 4 and after.startswith("年"))
                or (len(text) > 1 and text.startswith("0")) or len(row) == 1)


def _codes(texts: Sequence[str]) -> set[int]:
    """The positions of a row's words that belong to a classification code before a name."""
    codes: set[int] = set()
    for i, text in enumerate(texts):
        if not _BARE.fullmatch(text):
            continue
        end = i + 1
        if len(text) == 3:
            while end < min(i + 3, len(texts)) and _CODE_PART.fullmatch(texts[end]):
                end += 1
        elif len(text) in (5, 7) and i == 0:
            codes.add(i)  # a joined code first on its row, its name wrapped above and below
            continue
        elif len(text) not in (5, 7):
            continue
        if end < len(texts) and _CJK.match(texts[end]):
            codes.update(range(i, end))
    return codes


# ------------------------------------------------------------------------------------- headers


@dataclass(frozen=True)
class _Cell:
    """A header cell: its words stacked top-down around one centre (一般公共 / 预算财政 / 拨款),
    how far its column reaches on each side of that centre, and whether it is a group header
    (other header cells lie under it) or a leaf."""

    lines: tuple[Word, ...]
    reach: float
    group: bool

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.lines)

    @property
    def centre(self) -> float:
        return sum(w.centre for w in self.lines) / len(self.lines)

    @property
    def bottom(self) -> float:
        return self.lines[-1].bottom

    def covers(self, amount: Word) -> bool:
        """Whether the amount lies in this cell's column: under its text, or inside its reach
        and, for a leaf, ending right of its centre (amounts are right-aligned, so the amounts
        of the column to the left end before this header's centre)."""
        if any(w.x0 < amount.x1 and amount.x0 < w.x1 for w in self.lines):
            return True
        tolerance = 0.5 * amount.height
        centre = self.centre
        return (centre - self.reach - tolerance <= amount.x0
                and amount.x1 <= centre + self.reach + tolerance
                and (self.group or amount.x1 > centre))


@dataclass(frozen=True)
class _Region:
    """The header cells of one table region of a page."""

    cells: tuple[_Cell, ...]

    def over(self, amount: Word) -> tuple[str, ...]:
        """The texts of the cells over an amount, nearest first."""
        cells = sorted((c for c in self.cells if c.covers(amount)),
                       key=lambda c: (-c.bottom, -c.centre))
        return tuple(c.text for c in cells)

    @classmethod
    def of(cls, page: _Page, index: int) -> _Region | None:
        """The header of a region: the words between its unit line (or the page's top) and its
        first amount. None when the region holds no amount."""
        ceiling = page.ceilings[index - 1] if index else float("-inf")
        floor = page.ceilings[index] if index < len(page.ceilings) else float("inf")
        amounts = [a for a in page.amounts if ceiling <= a.top and a.bottom <= floor]
        if not amounts:
            return None
        body_top = min(a.top for a in amounts)
        zone = [w for w in page.text if ceiling < w.middle and w.bottom <= body_top + 1
                and not _SENTENCE.search(w.text)]
        if not zone:
            return cls(())
        # The table's printed extent: from its unit line, which spans it, to its last row.
        extent = [w for w in (*page.text, *amounts)
                  if ceiling - 2 * w.height < w.middle < floor]
        bounds = min(w.x0 for w in extent), max(w.x1 for w in extent)
        # The rule under the header lies between its last line and the first row.
        base = (max(w.bottom for w in zone) + body_top) / 2
        return cls(_layout(_stacks(zone), bounds, base))


class _Stack:
    """A header cell being laid out: its words, and the height its cell spans."""

    def __init__(self, lines: list[Word]) -> None:
        self.lines = lines
        self.x0 = min(w.x0 for w in lines)
        self.x1 = max(w.x1 for w in lines)
        self.centre = sum(w.centre for w in lines) / len(lines)
        self.middle = (lines[0].top + lines[-1].bottom) / 2
        self.size = min(w.height for w in lines)
        self.text_span = (lines[0].top, lines[-1].bottom)
        self.span = self.text_span
        self.header = not all(_BARE.fullmatch(w.text) for w in lines)

    def beside(self, other: _Stack) -> bool:
        overlap = min(self.span[1], other.span[1]) - max(self.span[0], other.span[0])
        return overlap > 0.25 * min(self.size, other.size)

    def distance(self, other: _Stack) -> float:
        """How far this cell's column can reach towards another cell printed beside it."""
        if other.x0 >= self.x1:
            return other.x0 - self.centre
        if other.x1 <= self.x0:
            return self.centre - other.x1
        return float("inf")  # one above the other


def _layout(stacks: list[_Stack], bounds: tuple[float, float], base: float) -> list[_Cell]:
    """The reach of each header cell, and which cells are groups.

    A cell's column reaches from its centre as far as the nearest cell printed beside it, and no
    farther than the table's extent. Only the text of a cell is printed, not its frame, so a
    cell's height is inferred: a leaf (no cell under it) spans down to the header's bottom rule
    (between the header's last line and the first row), a group down to the top of the cells
    under it, and each as far up as down, its text being centred. So a leaf spanning the whole
    header (合计 beside a group 基本支出 over 人员经费 / 公用经费) stops the reach of the cells
    printed higher up beside it; no cell rises above the text of a cell over it. Which cells lie under which depends on the reaches: the two are
    worked out in turn until they agree.
    """
    left, right = bounds
    headers = [s for s in stacks if s.header]
    reaches: dict[int, float] = {}
    under: dict[int, list[_Stack]] = {}
    for _ in range(5):
        for s in stacks:
            reaches[id(s)] = min(s.centre - left, right - s.centre,
                                 *(s.distance(o) for o in stacks if o is not s and s.beside(o)))
            under[id(s)] = [o for o in headers if o.text_span[0] >= s.text_span[1] - 1
                            and abs(o.centre - s.centre) <= reaches[id(s)]]
        spans = {}
        for s in sorted(stacks, key=lambda s: -s.text_span[1]):
            bottom = min((spans[id(o)][0] for o in under[id(s)]), default=base)
            # Not above a cell over it: an empty row under a cell would push it up otherwise.
            top = max([2 * s.middle - bottom,
                       *(o.text_span[1] for o in stacks if any(c is s for c in under[id(o)]))])
            spans[id(s)] = (min(top, s.text_span[0]), max(bottom, s.text_span[1]))
        if all(spans[id(s)] == s.span for s in stacks):
            break
        for s in stacks:
            s.span = spans[id(s)]
    return [_Cell(tuple(s.lines), reaches[id(s)], bool(under[id(s)])) for s in headers]


def _stacks(zone: Sequence[Word]) -> list[_Stack]:
    """Header words gathered into cells: words around one centre on consecutive lines."""
    stacks: list[list[Word]] = []
    for word in sorted(zone, key=lambda w: (w.top, w.x0)):
        for stack in stacks:
            last = stack[-1]
            if (abs(last.centre - word.centre) <= 0.6 * word.height
                    and -0.3 * word.height <= word.top - last.bottom <= 0.8 * word.height):
                stack.append(word)
                break
        else:
            stacks.append([word])
    return [_Stack(stack) for stack in stacks]


def _headers(pages: Sequence[_Page], index: int, amount: Word,
             position: int | None = None) -> tuple[tuple[str, ...], bool]:
    """The header cells over an amount, nearest first, and whether they were read on an earlier
    page.

    Above a table continued on a new page there is no unit line: what lies above its first
    amount is either its header printed again or rows whose amount cells are empty. Unless the
    leaf found there is the leaf of the previous page's last table at the same place (the pages
    of one document share their layout), the header found on that page is taken.
    """
    page = pages[index]
    if position is None:
        position = page.region_index(amount)
    region = page.region(position)
    own = region.over(amount) if region else ()
    if position > 0 or index == 0:
        return own, False
    before = pages[index - 1]
    if before.region(len(before.ceilings)) is None:
        return own, False  # no table ends on the page before
    earlier, _ = _headers(pages, index - 1, amount, len(before.ceilings))
    if earlier and own[:1] != earlier[:1]:
        return earlier, True
    return own, False


# -------------------------------------------------------------------------------------- locate


def normalise(text: str) -> str:
    """Text as compared: full-width forms (（）：) and radicals folded to their usual form
    (NFKC), whitespace dropped."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def label_matches(line_text: str, label: str) -> bool:
    """Whether a row label is printed on a line: the whole label, or the first line of a label
    wrapped in its cell (a prefix of at least 4 characters, followed on the line by a number or
    nothing)."""
    line, label = normalise(line_text), normalise(label)
    if label in line:
        return True
    for size in range(len(label) - 1, 3, -1):
        start = line.find(label[:size])
        while start >= 0:
            rest = line[start + size:]
            if not rest or rest[0].isdigit():
                return True
            start = line.find(label[:size], start + 1)
    return False


def header_matches(headers: Sequence[str], leaf: str) -> bool:
    """Whether a header (maybe wrapped over lines, maybe split over cells) is over an amount."""
    return normalise(leaf) in normalise("".join(reversed(headers)))


def locate(amounts: Iterable[PrintedAmount], page: int, text: str, label: str,
           header_leaf: str) -> PrintedAmount | None:
    """The amount printed on a page with that text, on the line of that row label and under that
    header; None when there is none."""
    for amount in amounts:
        if (amount.page == page and amount.text == text
                and label_matches(amount.line_text, label)
                and header_matches(amount.headers, header_leaf)):
            return amount
    return None
