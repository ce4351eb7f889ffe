"""Reader for the text form: a PDF's text extraction where table rows are tab-separated lines.

It splits the lines into narrative and raw tables (title, meta lines, rows by page block, notes);
recognition and the narrative parser take it from there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from budgetkg.errors import InputError
from budgetkg.mapping import Mappings
from budgetkg.normalise import compact
from budgetkg.tables import RawTable, SourceLine

_MAX_META_LINES = 6
_MAX_TITLE_CHARS = 40
_MAX_META_CHARS = 80


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

    narrative: tuple[tuple[int, str], ...]
    tables: tuple[RawTable, ...]
    contents: tuple[str, ...]  # table titles listed in the table of contents


def _is_tab_line(line: str) -> bool:
    return "\t" in line


def _looks_like_title(line: str, mappings: Mappings) -> bool:
    text = compact(line)
    if not text or _is_tab_line(line) or text.startswith("-"):
        return False
    if mappings.kind_for_title(text) is not None:
        return True
    return len(text) <= _MAX_TITLE_CHARS and text.endswith("表") and "：" not in text


def _table_start(lines: list[str], i: int, mappings: Mappings) -> int | None:
    """Index of the first row of the table titled at line i, or None if i is no table title."""
    if not _looks_like_title(lines[i], mappings):
        return None
    seen = 0
    for j in range(i + 1, min(len(lines), i + 1 + 4 * _MAX_META_LINES)):
        line = lines[j]
        if _is_tab_line(line):
            return j
        if not line.strip():
            continue
        seen += 1
        if seen > _MAX_META_LINES or len(line) > _MAX_META_CHARS:
            return None
        if _looks_like_title(line, mappings):
            return None
    return None


def split(text: str, mappings: Mappings, pages: tuple[int, ...] = ()) -> TextForm:
    """Cut the text into narrative lines and raw tables, whatever the order of the tables.

    `pages` gives the PDF page of each line when the text form was made from a PDF.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    def page(i: int) -> int:
        return pages[i] if i < len(pages) else 0

    note_starts = tuple(mappings.document["note_starts"])
    contents_re = re.compile(mappings.document["contents_item"])
    narrative: list[tuple[int, str]] = []
    tables: list[RawTable] = []
    contents: list[str] = []
    i = 0
    while i < len(lines):
        start = _table_start(lines, i, mappings)
        if start is None:
            line = lines[i].strip()
            if item := contents_re.match(line):
                contents.append(compact(item["title"]))
            elif line:
                narrative.append((i + 1, line))
            i += 1
            continue
        title = compact(lines[i])
        meta = tuple(" ".join(m.split()) for m in lines[i + 1 : start] if m.strip())
        rows: list[SourceLine] = []
        notes: list[str] = []
        block = 0
        j = start
        while j < len(lines):
            line = lines[j]
            if _is_tab_line(line) and not notes:
                rows.append(SourceLine(j + 1, tuple(line.split("\t")), block, page(j)))
            elif not line.strip():
                block += 1
            elif line.strip().startswith(note_starts) and not _looks_like_title(line, mappings):
                notes.append(line.strip())
            else:
                break
            j += 1
        tables.append(RawTable(title, i + 1, meta, tuple(rows), tuple(notes), page(i)))
        i = j
    return TextForm(tuple(narrative), tuple(tables), tuple(contents))
