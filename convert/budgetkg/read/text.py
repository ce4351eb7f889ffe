"""Reader for the text form: a PDF's text extraction where table rows are tab-separated lines.

Tables are found by their rows first: a run of tab-separated lines (page breaks inside a run
allowed) is a table body; its title and meta lines are the lines just above it (or its own first
rows, when the title is printed inside the grid); the notes are the lines just below it. A run
with no title of its own, after a page break and nothing else, continues the table before it.
Every other line is narrative; a line of the contents naming a table is kept apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from budgetkg.cells import compact
from budgetkg.errors import InputError
from budgetkg.mapping import Mappings
from budgetkg.tables import RawTable, SourceLine

_LOOK_BACK = 6  # lines above a table body searched for its title and meta lines
_WRAPPED_TAIL = 12  # the longest end of a contents entry printed on a line of its own (出预算表)
_NUMERAL = "(?:[二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])"  # 一 … 九十九
_LABEL = re.compile(rf"^(?:[（(]?(?:公开\s*\d+\s*表|公开表{_NUMERAL}|附表\s*\d+|"
                    rf"表\s*(?:\d+|{_NUMERAL}))[）)]?[：:、.．\s]*)$")
_LABELLED = re.compile(_LABEL.pattern.removesuffix("$").removesuffix(")") + r")\s*(?P<rest>\S.*)$")
_FRAGMENT = re.compile(r"[\u3400-\u9fff（）()]{1,12}")  # the end of a cut meta value: 公厅
_FIGURE = re.compile(r"\d[\d,]*\.\d+|\d{1,3}(?:,\d{3})+|(?:^|\t)\d+(?:\t|$)")
_LEADER = re.compile(r"\s*[.…·．]{2,}\s*\d*\s*$")  # a contents entry's dot leader and page
_CONTINUED = re.compile(r"[（(]续[表]?[）)]|续表")


def decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK and GB2312)."""
    if not data.strip():
        raise InputError(path, "the file is empty")
    if b"\x00" in data[:8192]:
        raise InputError(path, "binary file (NUL bytes): expected a text extraction (.txt)")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\r\n\f")
        if controls > 8:
            raise InputError(path, "binary file (control bytes): expected a text extraction")
        if not text.strip():
            raise InputError(path, "the file is empty")
        return text
    raise InputError(path, "text is neither UTF-8 nor GB18030/GBK")


@dataclass(frozen=True)
class TextForm:
    """The document's lines split into narrative lines and raw tables."""

    narrative: tuple[tuple[int, str], ...]  # (1-based line, text)
    tables: tuple[RawTable, ...]
    contents: tuple[str, ...]  # table titles listed in the table of contents


@dataclass
class _Run:
    """A run of table rows: [start, end) line indexes, page breaks inside allowed."""

    start: int
    end: int


class _Lines:
    """The text form's lines and what each looks like, by the rules of mappings/document.yaml."""

    def __init__(self, text: str, mappings: Mappings, pages: tuple[int, ...]):
        self.mappings = mappings
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.pages = pages
        doc = mappings.document
        self.title_re = re.compile(doc["table_title"])
        self.meta_re = re.compile(doc["meta_line"])
        self.unit_res = [re.compile(p) for p in doc["unit_patterns"]]
        self.note_starts = tuple(doc["note_starts"])
        self.contents_re = re.compile(doc["contents_item"])

    def page(self, i: int) -> int:
        return self.pages[i] if i < len(self.pages) else 0

    def is_row(self, i: int) -> bool:
        return "\t" in self.lines[i] and bool(self.lines[i].strip())

    def is_blank(self, i: int) -> bool:
        return not self.lines[i].strip()

    def text(self, i: int) -> str:
        return " ".join(self.lines[i].split())

    def is_meta(self, text: str) -> bool:
        return bool(self.meta_re.search(text)) or any(p.search(compact(text))
                                                       for p in self.unit_res)

    def title(self, text: str) -> tuple[str, str] | None:
        """(title, meta printed after it on the same line) when the text is a table title;
        a label before it (公开01表：…, 表一 …) stays part of it."""
        labelled = _LABELLED.match(text.strip())
        if labelled is not None and (found := self.title(labelled["rest"])) is not None:
            return text.strip()[: labelled.start("rest")] + found[0], found[1]
        m = self.title_re.match(text.strip())
        if m is None or "：" in m["title"] or ":" in m["title"] or len(compact(m["title"])) < 3:
            return None
        if _LABEL.match(compact(m["title"])):  # 公开01表 alone labels the title below it
            return None
        if text.strip().endswith(("。", "；")):
            return None
        return m["title"].strip(), (m["meta"] or "").strip()

    def kind(self, title: str) -> bool:
        """The title names a known table kind."""
        return self.mappings.kind_for_title(title) is not None

    def is_note(self, text: str) -> bool:
        return text.startswith(self.note_starts)


def _runs(lines: _Lines) -> list[_Run]:
    """Runs of table rows; blank lines (page breaks) inside a run are allowed."""
    runs: list[_Run] = []
    i, n = 0, len(lines.lines)
    while i < n:
        if not lines.is_row(i):
            i += 1
            continue
        start = i
        end = i + 1
        j = end
        while j < n:
            if lines.is_row(j):
                if _title_row(lines, j):  # a title printed inside the grid starts a table
                    break
                end = j + 1
            elif not lines.is_blank(j):
                break
            j += 1
        runs.append(_Run(start, end))
        i = end
    return runs


def _title_row(lines: _Lines, i: int) -> bool:
    """A grid row holding only a title that names a table kind."""
    cell = _single_cell(lines.lines[i])
    return cell is not None and (found := lines.title(cell)) is not None and lines.kind(found[0])


def _single_cell(line: str) -> str | None:
    """The text of a tab line holding one filled cell (a title or meta row inside a grid)."""
    cells = [c.strip() for c in line.split("\t") if c.strip()]
    return " ".join(cells) if len(cells) == 1 else None


def _meta_row(line: str, lines: _Lines) -> str | None:
    """A grid row whose every filled cell is meta (部门： | 江苏省… | 单位：万元) as one line."""
    cells = [c.strip() for c in line.split("\t") if c.strip()]
    if not cells or not any(lines.is_meta(c) for c in cells):
        return None
    if any(not lines.is_meta(c) and (any(ch.isdigit() for ch in c) or len(cells) > 3)
           for c in cells):
        return None
    return " ".join(cells)


def split(text: str, mappings: Mappings, pages: tuple[int, ...] = ()) -> TextForm:
    """Cut the text into narrative lines and raw tables, whatever the order of the tables.

    `pages` gives the PDF page of each line when the text form was made from a PDF.
    """
    lines = _Lines(text, mappings, pages)
    claimed: set[int] = set()
    tables: list[RawTable] = []
    previous_end = 0
    for run in _runs(lines):
        title, meta, title_line = _title_above(lines, run.start, previous_end)
        if not title and _stray(lines, run):
            continue  # a chart's labels set in columns: narrative text, not a table
        first = run.start
        # a title and meta lines printed inside the grid, as its first rows
        while first < run.end:
            cell = _single_cell(lines.lines[first]) if lines.is_row(first) else None
            meta_row = _meta_row(lines.lines[first], lines) if lines.is_row(first) else None
            if cell is not None and (found := lines.title(cell)) and (not title or (
                    lines.kind(found[0]) and not lines.kind(title))):
                title, title_line = found[0], first
                meta += [found[1]] if found[1] else []
            elif cell is not None and lines.is_meta(cell):
                meta.append(cell)
            elif meta_row is not None:
                meta.append(meta_row)
            elif not lines.is_blank(first):
                break
            first += 1
        body = _blocks(lines, first, run.end)
        notes, after = _notes(lines, run.end)
        for i in range(title_line if title_line is not None else run.start, after):
            claimed.add(i)
        continued = bool(title and _CONTINUED.search(title)) or bool(
            tables and title and body and _repeats(lines, tables[-1], title, body[0]))
        if tables and (not title or continued) and _continues(lines, previous_end, run.start,
                                                              title_line):
            tables[-1] = _extend(tables[-1], body, notes)
        else:
            start = title_line if title_line is not None else run.start
            tables.append(RawTable(title, start + 1, tuple(m for m in meta if m), tuple(body),
                                   tuple(notes), lines.page(start)))
        previous_end = after
    narrative: list[tuple[int, str]] = []
    contents: list[str] = []
    first_table = min(claimed, default=len(lines.lines))  # the contents come before the tables
    for i in range(len(lines.lines)):
        if i in claimed:
            continue
        line = lines.text(i)
        if not line:
            continue
        narrative.append((i + 1, line))
        if i > first_table:
            continue
        previous = narrative[-2][1] if len(narrative) > 1 else ""
        wrapped = (not previous.endswith("表") and len(line) <= _WRAPPED_TAIL
                   and not lines.contents_re.match(line))
        for text in ([f"{previous}{line}"] if previous and wrapped else []) + [line]:
            text = _LEADER.sub("", text)  # 1.2024年部门财务收支预算总表……………… 12
            if (item := lines.contents_re.match(text)) and lines.title(text):
                contents.append(compact(item["title"]))  # (an entry wrapped over two lines)
                break
    return TextForm(tuple(narrative), tuple(tables), tuple(contents))


def _blocks(lines: _Lines, first: int, end: int) -> list[SourceLine]:
    out, block = [], 0
    for j in range(first, end):
        if lines.is_blank(j):
            block += 1
        else:
            out.append(SourceLine(j + 1, tuple(lines.lines[j].split("\t")), block, lines.page(j)))
    return out


def _title_above(lines: _Lines, start: int, floor: int) -> tuple[str, list[str], int | None]:
    """The title and meta lines printed above a table body (title, meta, title's index).

    A short fragment between the meta lines and the body is the end of a meta value printed
    in a cell too narrow for it (部门：中国共产党江苏省委员会办 | 公厅): it is put back."""
    meta: list[str] = []
    fragments: list[str] = []
    i = start - 1
    seen = 0
    title, title_index = "", None
    while i >= floor and seen < _LOOK_BACK:
        if lines.is_blank(i) or lines.is_row(i):
            i -= 1
            continue
        text = lines.text(i)
        seen += 1
        found = lines.title(text)
        if found is not None:
            title, same_line_meta = found
            title_index = i
            # a label on the line above (公开01表), or a title wrapped over two lines
            above = _previous_text(lines, i, floor)
            if above is not None:
                label = lines.text(above)
                if _LABEL.match(label) or _wrapped(label, title, lines):
                    title, title_index = f"{label}{title}" if not _LABEL.match(label) else (
                        f"{label} {title}"), above
            meta = ([same_line_meta] if same_line_meta else []) + meta
            break
        if lines.is_meta(text) and len(text) <= 80:
            meta.insert(0, text)
        elif not meta and _FRAGMENT.fullmatch(compact(text)) and (
                (above := _previous_text(lines, i, floor)) is not None
                and lines.is_meta(lines.text(above))):
            fragments.insert(0, compact(text))
        else:
            break
        i -= 1
    for fragment in fragments:
        meta = _continue_meta(meta, fragment, lines)
    return title, meta, title_index


def _continue_meta(meta: list[str], fragment: str, lines: _Lines) -> list[str]:
    """Meta lines with a fragment put back at the end of the last value that is not a unit."""
    for k in range(len(meta) - 1, -1, -1):
        unit = next((m for p in lines.unit_res if (m := p.search(meta[k]))), None)
        if unit is None:
            return [*meta[:k], meta[k] + fragment, *meta[k + 1:]]
        if unit.start() > 0:
            head, tail = meta[k][: unit.start()].rstrip(), meta[k][unit.start():]
            return [*meta[:k], f"{head}{fragment} {tail}", *meta[k + 1:]]
    return [*meta, fragment]


def _previous_text(lines: _Lines, i: int, floor: int) -> int | None:
    j = i - 1
    while j >= floor and lines.is_blank(j):
        j -= 1
    return j if j >= floor and not lines.is_row(j) else None


def _wrapped(first: str, second: str, lines: _Lines) -> bool:
    """A title printed over two lines: the second part alone names no table kind, both
    together do, and the first does not end a sentence or a title."""
    return (len(first) <= 60 and not first.endswith(("表", "。", "；", "：", ":"))
            and not lines.kind(second) and lines.kind(first + second))


def _notes(lines: _Lines, end: int) -> tuple[list[str], int]:
    """The notes printed under a table (注：…, 本表无数据) and the index after them."""
    notes: list[str] = []
    j = end
    while j < len(lines.lines):
        if lines.is_blank(j):
            j += 1
            if notes:
                break
            continue
        text = lines.text(j)
        if lines.is_note(text) and lines.title(text) is None:
            notes.append(text)
            j += 1
            continue
        break
    # trailing blank lines are not the table's
    k = j
    while k > end and lines.is_blank(k - 1):
        k -= 1
    return notes, k if notes else end


def _stray(lines: _Lines, run: _Run) -> bool:
    """A run of one row without any figure."""
    rows = [i for i in range(run.start, run.end) if lines.is_row(i)]
    return len(rows) == 1 and not _FIGURE.search(lines.lines[rows[0]])


def _repeats(lines: _Lines, table: RawTable, title: str, first: SourceLine) -> bool:
    """A title and header row repeating the table before (a page of it printed with its title
    again, without 续表)."""
    core = lines.mappings.title_core
    return (core(title) == core(table.title) and bool(table.lines)
            and [compact(c) for c in first.cells] == [compact(c) for c in table.lines[0].cells])


def _continues(lines: _Lines, previous_end: int, start: int, title_line: int | None) -> bool:
    """Nothing but page breaks and meta lines (a repeated 单位：万元) between the previous table
    and this run (or its 续表 title)."""
    end = title_line if title_line is not None else start
    return all(lines.is_blank(i) or lines.is_meta(lines.text(i)) for i in range(previous_end, end))


def _extend(table: RawTable, body: list[SourceLine], notes: list[str]) -> RawTable:
    last = max((line.block for line in table.lines), default=0)
    shifted = tuple(SourceLine(b.line, b.cells, b.block + last + 1, b.page) for b in body)
    return RawTable(table.title, table.line, table.meta, table.lines + shifted,
                    table.notes + tuple(notes), table.page)
