"""Where each amount of a PDF is printed: its row label and its column headers, from PDFium alone.

An oracle for the converter's graph, independent of it: the converter reads PDFs with pdfplumber
and the ruling lines of the tables; this module reads them with PDFium (pypdfium2) and the
positions of the characters only, never a ruling line. For each amount printed on a page it tells
the text of its visual line to its left (the row's code and label) and the header cells printed
above it (the column's leaf header, then the group headers over it), so a test can check each
observation of the graph cell by cell with `locate`.

How, in short: characters become words (`words`); numbers that are codes, years, page numbers
or parts of text are told from amounts (`_is_amount`); a unit line (单位：元) opens a table, whose
header is the text between it and the first amount; header words stacked around one centre are
one cell, and a cell's column reaches across as far as its neighbours allow (`_layout`); an
amount goes under the leaf whose column holds it and under the groups over that leaf. A table
continued on the next page without its header takes the header of the page before.

Known limits (each one fails a check loudly rather than passing it): amounts in sentences get no
header; a row label wrapped over lines further apart than about a character height, or over
three lines, is only partly in `line_text`; two neighbouring header cells whose texts fill them
read as one word (公务用车购置公务用车运行); header lines printed far apart read as cells of their
own (小 / 计), found again by `header_matches`, but the groups over them may be missed; a bare
3-digit amount printed right before a name reads as a code; a dash printed as a stated zero is
not looked for.

Coordinates are PDF points with the origin at the displayed page's top-left corner, y growing
downward: `x0 < x1`, `top < bottom`.
"""

from __future__ import annotations

import ctypes
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
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


# A character: text, x0, x1, top, bottom, baseline, height (at least 1pt: a comma's ink is
# flat) and whether it belongs in a number. Plain tuples: a page has thousands.
_Char = tuple[str, float, float, float, float, float, float, bool]

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

    A word is a run of characters on one baseline whose gaps stay under about one character; it
    also ends where a number and text meet with a visible gap, so an amount printed against the
    neighbouring cell's text is a word of its own.
    """
    textpage = page.get_textpage()
    try:
        return _words(page, textpage, textpage.get_text_range(0, textpage.count_chars()))
    finally:
        textpage.close()


def _words(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, text: str) -> list[Word]:
    chars = sorted(_chars(page, textpage, text), key=lambda c: (c[5], c[1]))
    out: list[Word] = []
    start = 0
    for i in range(1, len(chars) + 1):
        if i == len(chars) or chars[i][5] - chars[start][5] > max(0.2 * chars[start][6], 1.0):
            out += _split(sorted(chars[start:i], key=lambda c: c[1]))
            start = i
    return out


def _split(line: Sequence[_Char]) -> list[Word]:
    """One baseline's characters, left to right, cut into words."""
    runs: list[list[_Char]] = []
    last: _Char | None = None
    for char in line:
        if last is not None:
            height = max(last[6], char[6])
            if char[0] == last[0] and abs(char[1] - last[1]) < 0.1 * height:
                continue  # a glyph drawn twice over itself (a bold effect)
            limit = (_NUMBER_GAP if last[7] and char[7] else _TEXT_GAP
                     if not (last[7] or char[7]) else _ATTACHED_GAP)
            if char[1] - last[2] <= limit * height:
                runs[-1].append(char)
                last = char
                continue
        runs.append([char])
        last = char
    return [Word("".join(c[0] for c in run), min(c[1] for c in run), max(c[2] for c in run),
                 min(c[3] for c in run), max(c[4] for c in run)) for run in runs]


def _chars(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, text: str) -> list[_Char]:
    """The printed characters of a page (whitespace left out: gaps tell words apart), placed as
    the page is displayed (a page may be turned by its /Rotate).

    Along the line a character spans its advance (its loose box), so the characters of a word
    touch; across it, its ink (its tight box), since some fonts declare an ascent and descent far
    beyond their glyphs, which would make neighbouring rows overlap.
    """
    handle = textpage.raw  # the bare handle: these calls run once per character
    loose = pdfium_raw.FS_RECTF()
    left, right, bottom, top, x, y = values = [ctypes.c_double() for _ in range(6)]
    refs = [ctypes.byref(v) for v in values]
    loose_ref = ctypes.byref(loose)
    measured: list[_Measured] = []
    for i, char in enumerate(text):
        if char.isspace() or char == "\x00":
            continue
        pdfium_raw.FPDFText_GetLooseCharBox(handle, i, loose_ref)
        pdfium_raw.FPDFText_GetCharBox(handle, i, *refs[:4])
        pdfium_raw.FPDFText_GetCharOrigin(handle, i, *refs[4:])
        measured.append((char, loose.left, loose.right, loose.bottom, loose.top, left.value,
                         right.value, bottom.value, top.value, x.value, y.value))
    return _displayed(measured, page.get_cropbox(), page.get_rotation())


# A character as PDFium measures it in PDF user space (y upward): its text, its loose box (left,
# right, bottom, top), its tight box (the same) and its origin (x, y).
_Measured = tuple[str, float, float, float, float, float, float, float, float, float, float]


def _displayed(measured: list[_Measured], crop: tuple[float, float, float, float],
               rotation: int) -> list[_Char]:
    """Characters as displayed: origin at the top-left of the crop box, y downward, the page
    turned by its rotation. Along the line from the loose box, across it from the tight box,
    the baseline from the origin."""
    left, bottom, right, top = crop
    width, height = (top - bottom, right - left) if rotation in (90, 270) else (
        right - left, top - bottom)
    out = []
    for char, l_left, l_right, l_bottom, l_top, t_left, t_right, t_bottom, t_top, x, y in measured:
        if rotation == 90:  # user y runs rightward, user x downward
            placed = (l_bottom - bottom, l_top - bottom, t_left - left, t_right - left, x - left)
        elif rotation == 180:
            placed = (right - l_right, right - l_left, t_bottom - bottom, t_top - bottom,
                      y - bottom)
        elif rotation == 270:
            placed = (top - l_top, top - l_bottom, right - t_right, right - t_left, right - x)
        else:
            placed = (l_left - left, l_right - left, top - t_top, top - t_bottom, top - y)
        if placed[3] > placed[2] and _visible(placed, width, height):
            out.append((char, *placed, max(placed[3] - placed[2], 1.0), char in _NUMERIC))
    return out


def _visible(placed: tuple[float, ...], width: float, height: float) -> bool:
    """Whether a displayed character lies on the page (a text layer may hold text below its
    edge, which no one sees)."""
    x0, x1, top, bottom = placed[:4]
    return x1 > 0 and x0 < width and bottom > 0 and top < height


# ------------------------------------------------------------------------------------- amounts

# An amount as these documents print it: with thousands separators and optional decimals
# (156,211,123 / 2,940.05), with decimals only (0.95), or a bare integer (the Wanli budgets print
# 元 as integers: `0`, `25`); bare integers are ambiguous, see _is_amount.
AMOUNT = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d+)")
_BARE = re.compile(r"\d+")
_SPACE = 0.35  # a space between words, in heights of the text (cells keep about 0.5 apart)
_UNIT_AFTER = re.compile(r"万?元|%|％")
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
    """An amount printed on a page (1-based), where it is printed (points, y downward).

    `line_text`: the words printed left of it on its visual line, joined without spaces (the
    row's code and label, and any block of columns to its left). `headers`: the header cells over
    it, nearest first (its leaf header, then the group headers), each cell's lines joined
    top-down without spaces; none for an amount written in a sentence. `continued`: the headers
    were read on an earlier page, the table being continued without its header.
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


def unit_line_pages(path: Path) -> list[int]:
    """The pages (1-based) printing a unit line (单位：元, 单位：万元): where tables begin."""
    return [number for number, page in enumerate(_read(str(path)), start=1) if page.ceilings]


@cache
def _printed_amounts(path: str) -> tuple[PrintedAmount, ...]:
    pages = _read(path)
    out = []
    for number, page in enumerate(pages, start=1):
        for amount in page.amounts:
            headers, continued = ((), False) if page.in_prose(amount) else _headers(
                pages, number - 1, page.region_index(amount), amount, page.align(amount))
            if headers and page.after_text(amount):
                headers, continued = (), False  # a figure of a sentence, not a cell
            out.append(PrintedAmount(number, amount.text, amount.x0, amount.x1, amount.top,
                                     amount.bottom, page.line_text(amount), headers, continued))
    return tuple(out)


@cache
def _read(path: str) -> tuple[_Page, ...]:
    """The words of each page of a PDF (none on a page printing no digit: it holds no amount)."""
    document = pdfium.PdfDocument(path)
    try:
        pages = []
        for i in range(len(document)):
            page = document[i]
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_range(0, textpage.count_chars())
                found = _words(page, textpage, text) if any(c.isdigit() for c in text) else []
                pages.append(_Page.of(found))
            finally:
                textpage.close()
                page.close()
        return tuple(pages)
    finally:
        document.close()


class _Page:
    """A page's words split into amounts and the rest, with the tables' header cells."""

    def __init__(self, amounts: list[Word], text: list[Word], ceilings: list[float]) -> None:
        self.amounts = tuple(amounts)
        self.text = tuple(text)
        self.ceilings = tuple(sorted(ceilings))  # bottoms of the unit lines
        every = sorted((*amounts, *text), key=lambda w: w.middle)
        self._by_middle = every
        self._middles = [w.middle for w in every]
        self._regions: dict[int, _Region | None] = {}
        self.left = min((w.x0 for w in every), default=0.0)
        self.right = max((w.x1 for w in every), default=0.0)

    @classmethod
    def of(cls, page_words: list[Word]) -> _Page:
        """A page of these words: which are amounts, where its unit lines are."""
        rows = _rows(page_words)
        amounts: list[Word] = []
        text: list[Word] = []
        for word, row in zip(page_words, rows, strict=True):
            wrapped = _next_line_start(word, page_words) if row[-1] is word else None
            (amounts if _is_amount(word, row, wrapped) else text).append(word)
        ceilings = [max(w.bottom for w in (word, *row))
                    for word, row in zip(page_words, rows, strict=True)
                    if _UNIT_LINE.search(word.text)]
        return cls(amounts, text, ceilings)

    def beside(self, top: float, bottom: float) -> list[Word]:
        """The words whose middle lies between two heights."""
        lo = bisect_left(self._middles, top)
        return self._by_middle[lo:bisect_right(self._middles, bottom)]

    def after_text(self, amount: Word) -> bool:
        """Whether text is printed right before an amount on its line (about a space away: less
        than a third of its height), as a figure of a sentence is; a cell of a table keeps
        its padding from its neighbour (about half its height)."""
        level = [w for w in self.beside(amount.top, amount.bottom)
                 if w is not amount and w.x1 <= amount.x0 and _level(w, amount)]
        before = max(level, key=lambda w: w.x1, default=None)
        return (before is not None and bool(_CJK.search(before.text[-1]))
                and amount.x0 - before.x1 < _SPACE * amount.height)

    def line_text(self, amount: Word) -> str:
        """The words left of an amount whose middles lie within its height, widened so both
        lines of a label wrapped beside it count (a row is taller than that), joined."""
        slack = 0.7 * amount.height
        left = [w for w in self.beside(amount.top - slack, amount.bottom + slack)
                if w.x1 <= amount.x0 + 0.1 * amount.height and w is not amount]
        cells: list[list[Word]] = []  # the lines of a label wrapped in its cell stay together
        for word in sorted(left, key=lambda w: (w.x0, w.top)):
            cell = max((c for c in cells if _wrapped_with(c, word)), default=None,
                       key=lambda c: min(word.x1, c[0].x1) - max(word.x0, c[0].x0))
            if cell is None:
                cells.append([word])
            else:
                cell.append(word)
        return "".join(w.text for cell in cells for w in sorted(cell, key=lambda w: w.top))

    def align(self, amount: Word) -> str:
        """How the amounts of an amount's column are aligned: "left", "right" or "centre".

        Its column: the amounts of its region overlapping it across. Right unless the column
        holds three amounts or more aligned otherwise (left: same start, not the same end).
        """
        position = self.region_index(amount)
        column = [a for a in self.amounts if self.region_index(a) == position
                  and a.x0 < amount.x1 and amount.x0 < a.x1]
        if len(column) < 3:
            return "right"
        starts = max(a.x0 for a in column) - min(a.x0 for a in column)
        ends = max(a.x1 for a in column) - min(a.x1 for a in column)
        if ends <= 1 or ends <= starts:
            return "right"
        return "left" if starts <= 1 else "centre"

    def in_prose(self, amount: Word) -> bool:
        """Whether an amount is printed in a sentence (its line holds sentence punctuation):
        narrative, with no column header."""
        reach = 0.5 * amount.height
        return any(_SENTENCE.search(w.text) and _level(w, amount)
                   for w in self.beside(amount.top - reach, amount.bottom + reach))

    def region(self, index: int) -> _Region | None:
        """The header of the index-th table region: the part of the page below the index-th
        unit line (index 0: the part above the first one, a continued table)."""
        if index not in self._regions:
            self._regions[index] = _Region.of(self, index)
        return self._regions[index]

    def region_index(self, amount: Word) -> int:
        """Which table region an amount lies in: how many unit lines are above it."""
        return bisect_right(self.ceilings, amount.top)


def _rows(page_words: Sequence[Word]) -> list[list[Word]]:
    """For each word, the words of its row, itself included, left to right: the words whose
    middles lie within half its height (at least half the page's usual height) of its box (the
    cells of one row are not always aligned alike: a code at the top of its cell, the name in
    the middle of the next)."""
    by_middle = sorted(page_words, key=lambda w: w.middle)
    middles = [w.middle for w in by_middle]
    heights = sorted(w.height for w in page_words)
    usual = heights[len(heights) // 2] if heights else 0.0  # a lone 0 is shorter than its row
    rows = []
    for word in page_words:
        reach = 0.5 * max(word.height, usual)
        row = by_middle[bisect_left(middles, word.top - reach):
                        bisect_right(middles, word.bottom + reach)]
        rows.append(sorted(row, key=lambda w: w.x0))
    return rows


def _next_line_start(word: Word, page_words: Sequence[Word]) -> Word | None:
    """The first word of the line below a word that ends its line (where a sentence goes on)."""
    below = [w for w in page_words
             if word.bottom <= w.top < word.bottom + 2 * word.height and w.x1 < word.x0]
    return min(below, key=lambda w: (w.top, w.x0), default=None)


def _is_amount(word: Word, row: Sequence[Word], wrapped: Word | None = None) -> bool:
    """Whether a word is an amount, knowing the words of its row.

    A number with separators or decimals always is. A bare integer is not when it is part of a
    classification code printed before a name (a 3-digit 类 and up to two 1-2 digit parts,
    `201 06 01 行政运行`; a joined 5- or 7-digit code, `30101 基本工资`), a year (`2017 年度`),
    zero-padded (`公开 01 表`), a number inside text (`公开 10 表`: text close on both sides), or
    alone on its row (a page number). No number followed by its unit (17981.68 万元, 5.82 %) is:
    a table prints its unit above it, a sentence beside each figure (on the next line when the
    sentence wraps right after the number: `wrapped`, the first word of that line).
    """
    text = word.text
    if not AMOUNT.fullmatch(text):
        return False
    texts = [w.text for w in row]
    at = next(i for i, w in enumerate(row) if w is word)
    after = texts[at + 1] if at + 1 < len(texts) else ""
    if _UNIT_AFTER.match(after) and _level(row[at + 1], word):
        return False  # 17981.68 万元: a figure of a sentence, its unit printed after it
    # a sentence wrapped right after the number: 33172.15 | 万元，…
    if wrapped is not None and (_UNIT_AFTER.match(wrapped.text)
                                or (len(text) == 4 and wrapped.text[0] == "年")):
        return False
    if not _BARE.fullmatch(text):
        return True
    return not (at in _codes(texts) or (len(text) == 4 and after.startswith("年"))
                or (len(text) > 1 and text.startswith("0")) or len(row) == 1
                or _inside_text(word, row))


def _inside_text(word: Word, row: Sequence[Word]) -> bool:
    """Whether a word has text (not a number) printed close by on both sides."""
    level = [w for w in row if w is not word and _level(w, word)]
    before = max((w for w in level if w.x1 <= word.x0), key=lambda w: w.x1, default=None)
    after = min((w for w in level if w.x0 >= word.x1), key=lambda w: w.x0, default=None)
    close = 1.2 * word.height
    return (before is not None and after is not None
            and not before.text[-1].isdigit() and not after.text[0].isdigit()
            and word.x0 - before.x1 < close and after.x0 - word.x1 < close)


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
    how far its column reaches on each side of that centre, and the cells under it (by their
    place in the region's list; none for a leaf)."""

    lines: tuple[Word, ...]
    reach: float
    under: tuple[int, ...]

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.lines)

    @property
    def centre(self) -> float:
        return sum(w.centre for w in self.lines) / len(self.lines)

    @property
    def bottom(self) -> float:
        return self.lines[-1].bottom

    def reaches(self, amount: Word) -> bool:
        """Whether the amount lies under this cell's text or inside its reach."""
        if any(w.x0 < amount.x1 and amount.x0 < w.x1 for w in self.lines):
            return True
        tolerance = 0.5 * amount.height
        return (self.centre - self.reach - tolerance <= amount.x0
                and amount.x1 <= self.centre + self.reach + tolerance)

    def holds(self, amount: Word, align: str) -> bool:
        """For a leaf: whether the amount lies in its column. Inside its reach and on the side
        of its centre where the column's amounts are aligned: the right-aligned amounts of the
        column to the left end before this header's centre, the left-aligned ones of the column
        to the right start after it."""
        if not self.reaches(amount):
            return False
        if align == "centre" or any(w.x0 < amount.x1 and amount.x0 < w.x1 for w in self.lines):
            return True
        return amount.x0 < self.centre if align == "left" else amount.x1 > self.centre


@dataclass(frozen=True)
class _Region:
    """The header cells of one table region of a page."""

    cells: tuple[_Cell, ...]
    prose: bool = False

    def over(self, amount: Word, align: str) -> tuple[str, ...]:
        """The texts of the cells over an amount, nearest first: the leaves holding it, and the
        groups reaching it over a cell that does (a group's reach alone can take in the column
        of a neighbour printed lower, whose text is centred far from its frame)."""
        over: dict[int, bool] = {}
        for i in sorted(range(len(self.cells)), key=lambda i: -self.cells[i].bottom):
            cell = self.cells[i]
            over[i] = (any(over.get(j, False) for j in cell.under) if cell.under
                       else cell.holds(amount, align))
        cells = sorted((self.cells[i] for i, yes in over.items() if yes),
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
        zone = [w for w in page.text if ceiling < w.middle and w.bottom <= body_top + 1]
        if any(_SENTENCE.search(w.text) for w in zone):
            return cls((), prose=True)  # narrative: no header, nor a table continued
        if not zone:
            return cls(())
        # How far a table may extend: the page's printed width (a table's own text need not
        # reach its frame: 合计 centred in the first column, nothing left of it).
        bounds = page.left, page.right
        # The rule under the header lies between its last line and the first row.
        last = max(w.bottom for w in zone)
        base = (last + body_top) / 2
        # The rule over the header: as far above its first line as the bottom rule is below
        # its last.
        head = min(w.top for w in zone) - (base - last)
        return cls(tuple(_layout(_stacks(zone), bounds, (head, base))))


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
        return overlap > 0.6 * min(self.size, other.size)

    def distance(self, other: _Stack) -> float:
        """How far this cell's column can reach towards another cell printed beside it."""
        if other.x0 >= self.x1:
            return other.x0 - self.centre
        if other.x1 <= self.x0:
            return self.centre - other.x1
        return float("inf")  # one above the other


def _layout(stacks: list[_Stack], bounds: tuple[float, float],
            rules: tuple[float, float]) -> list[_Cell]:
    """The reach of each header cell, and the cells under each group.

    A cell's column reaches from its centre as far as the nearest cell printed beside it, and no
    farther than the table's extent. Only the text of a cell is printed, not its frame, so a
    cell's height is inferred: a leaf (no cell under it) spans down to the header's bottom rule
    (between the header's last line and the first row), a group down to the top of the cells
    under it, and each as far up as down, its text being centred: up to the header's top rule,
    or else to the text of the cells above it (if that would take it above the top rule, empty
    cells lie under it, and only its text is known). So a leaf spanning the whole header (合计
    beside a group 基本支出 over 人员经费 / 公用经费) stops the reach of the cells printed higher
    up beside it. Which cells lie under which depends on the reaches: the two are worked out in
    turn until they agree.
    """
    left, right = bounds
    head, base = rules
    headers = [s for s in stacks if s.header]
    reaches: dict[int, float] = {}
    under: dict[int, list[_Stack]] = {}
    for _ in range(5):
        for s in stacks:
            reaches[id(s)] = min(s.centre - left, right - s.centre,
                                 *(s.distance(o) for o in stacks if o is not s and s.beside(o)))
            under[id(s)] = [o for o in headers if o.text_span[0] >= s.text_span[1] - 1
                            and abs(o.centre - s.centre) <= reaches[id(s)]]
            if len(under[id(s)]) < 2:
                under[id(s)] = []  # a group spans two columns at least
        spans: dict[int, tuple[float, float]] = {}
        for s in sorted(stacks, key=lambda s: -s.text_span[1]):
            bottom = min((spans[id(o)][0] for o in under[id(s)]), default=base)
            top = 2 * s.middle - bottom
            if top < head - 0.3 * s.size:
                spans[id(s)] = s.text_span  # not that tall: empty cells under it
                continue
            if top > head + 0.3 * s.size:  # not the whole height: under the cells above it
                reach = reaches[id(s)]
                top = max([top, *(o.text_span[1] for o in stacks
                                  if o.text_span[1] <= s.text_span[0]
                                  and s.centre - reach < o.x1 and o.x0 < s.centre + reach)])
            spans[id(s)] = (min(top, s.text_span[0]), max(bottom, s.text_span[1]))
        if all(spans[id(s)] == s.span for s in stacks):
            break
        for s in stacks:
            s.span = spans[id(s)]
    # A cell lies under one of the groups printed beside each other: the one nearest across.
    children: dict[int, list[_Stack]] = {id(s): [] for s in headers}
    for cell in headers:
        chosen: list[_Stack] = []
        for group in sorted((g for g in headers if any(c is cell for c in under[id(g)])),
                            key=lambda g: abs(g.centre - cell.centre)):
            if not any(group.beside(other) for other in chosen):
                chosen.append(group)
                children[id(group)].append(cell)
    place = {id(s): i for i, s in enumerate(headers)}
    return [_Cell(tuple(s.lines), reaches[id(s)], tuple(place[id(o)] for o in children[id(s)]))
            for s in headers]


def _stacks(zone: Sequence[Word]) -> list[_Stack]:
    """Header words gathered into cells: a word continues the cell above it when it is printed
    right under that cell's last line, centred on it or inside its width (a header wrapped in
    its cell: 一般公共 / 预算财政 / 拨款), and neither line is wider than the other's cell: no
    line reaches over the text of another cell beside the other line (公务用车购置及运行维护费
    over 公务用车购置费 is a group over its first child, not one wrapped cell)."""
    stacks: list[list[Word]] = []
    for word in sorted(zone, key=lambda w: (w.top, w.x0)):
        for stack in stacks:
            last = stack[-1]
            slack = 0.6 * word.height
            if (-0.5 * slack <= word.top - last.bottom <= 1.3 * slack
                    and (abs(last.centre - word.centre) <= slack
                         or last.x0 - slack <= word.x0 <= word.x1 <= last.x1 + slack)
                    and not _reaches_over(last, word, zone)
                    and not _reaches_over(word, last, zone)):
                stack.append(word)
                break
        else:
            stacks.append([word])
    return [_Stack(stack) for stack in stacks]


def _reaches_over(line: Word, other: Word, zone: Sequence[Word]) -> bool:
    """Whether a line spans the text of a word printed beside another line."""
    return any(w is not other and w is not line and _level(w, other)
               and w.x0 < line.x1 and line.x0 < w.x1 for w in zone)


def _wrapped_with(cell: Sequence[Word], word: Word) -> bool:
    """Whether a word continues a cell's text on another line: it shares no line with the cell
    and lies across its text, give or take most of a character (an indented first line)."""
    slack = 0.8 * word.height
    return (not any(_level(w, word) for w in cell)
            and word.x0 < max(w.x1 for w in cell) + slack
            and word.x1 > min(w.x0 for w in cell) - slack)


def _level(a: Word, b: Word) -> bool:
    """Whether two words are printed at one height."""
    return min(a.bottom, b.bottom) - max(a.top, b.top) > 0.25 * min(a.height, b.height)


def _headers(pages: Sequence[_Page], index: int, position: int, amount: Word,
             align: str) -> tuple[tuple[str, ...], bool]:
    """The header cells over an amount of the position-th region of a page, nearest first, and
    whether they were read on an earlier page.

    Above a table continued on a new page there is no unit line: what lies above its first
    amount is either its header printed again or rows whose amount cells are empty. Unless the
    leaf found there is the leaf of the previous page's last table at the same place (the pages
    of one document share their layout), the header found on that page is taken.
    """
    region = pages[index].region(position)
    own = region.over(amount, align) if region else ()
    if position > 0 or index == 0 or (region and region.prose):
        return own, False
    before = pages[index - 1]
    last = len(before.ceilings)
    if before.region(last) is None:
        return own, False  # no table ends on the page before
    earlier, _ = _headers(pages, index - 1, last, amount, align)
    if earlier and own[:1] != earlier[:1]:
        return earlier, True
    return own, False


# -------------------------------------------------------------------------------------- locate


def normalise(text: str) -> str:
    """Text as compared: full-width forms (（）：) and radicals folded to their usual form
    (NFKC), whitespace dropped."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def label_matches(line_text: str, label: str) -> bool:
    """Whether a row label is printed on a line: the whole label, the first line of a label
    wrapped in its cell (a prefix of at least 4 characters, followed on the line by a number or
    nothing), or the line a label wrapped over three lines prints beside its amount (at least 4
    characters, all of them in the label)."""
    line, label = normalise(line_text), normalise(label)
    if label in line or (len(line) >= 4 and line in label):  # or a middle line of a wrapped label
        return True
    for size in range(len(label) - 1, 3, -1):
        start = line.find(label[:size])
        while start >= 0:
            rest = line[start + size:]
            if not rest or rest[0].isdigit():
                return True
            start = line.find(label[:size], start + 1)
    return False


def header_matches(headers: Sequence[str], header: str) -> bool:
    """Whether a header is over an amount: a leaf, or a path of headers `A / B / C` (each part in
    turn), found in the headers read top-down; a leaf may also be made of whole header cells in
    that order (a header wrapped into lines so far apart that each reads as a cell of its own,
    interleaved with the lines of its neighbour: 小 / 因公 / 计)."""
    cells = [normalise(h) for h in reversed(headers)]
    joined = "".join(cells)
    parts = [normalise(part) for part in header.split(" / ")]
    at = 0
    for part in parts:
        found = joined.find(part, at)
        if found < 0:
            return len(parts) == 1 and _spelled(part, cells)
        at = found + len(part)
    return True


def _spelled(text: str, cells: Sequence[str]) -> bool:
    """Whether a text is the concatenation of some of the cells, in their order."""
    if not text:
        return True
    return any(text.startswith(cell) and _spelled(text[len(cell):], cells[i + 1:])
               for i, cell in enumerate(cells) if cell)


def locate(amounts: Iterable[PrintedAmount], page: int, text: str, label: str,
           header: str) -> PrintedAmount | None:
    """The first amount printed on a page with that text, on the line of that row label and
    under that header (a leaf, or a path `A / B`); None when there is none."""
    for amount in amounts:
        if (amount.page == page and amount.text == text
                and label_matches(amount.line_text, label)
                and header_matches(amount.headers, header)):
            return amount
    return None
