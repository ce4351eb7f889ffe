"""Reader for PDFs with a text layer: each page becomes lines of the text form.

pdfplumber finds the ruled tables (cells from the drawn grid, so merged header cells and wrapped
cell text keep their place) and the text lines outside them; table rows become tab-separated
lines and a page break a blank line, so recognition is the same as for the text form. Page
numbers and running headers (mappings/document.yaml `page_furniture`) and a text layer printed
twice are dropped here.

pdfminer's parsing of the content streams is most of the time, so a long PDF is read in several
worker processes at once, each a run of pages (one per core, at least _PAGES_PER_WORKER pages
each); the text is the same for any number of workers.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from budgetkg.cores import default_jobs
from budgetkg.errors import InputError

_BASE_SECONDS = 5.0  # time budget of one PDF: this plus _SECONDS_PER_PAGE per page
_SECONDS_PER_PAGE = 0.4
_PAGES_PER_WORKER = 8  # a shorter run of pages is not worth starting another process
_MIN_REPEAT_CHARS = 12
_OVERLAP = 0.5  # share of the smaller height two text lines must share to be one line
_GAP = 1.5  # a gap wider than this many character widths is a space
_REPEATED_PAGE = 0.8  # a page repeating this share of the previous page's lines is a second layer
_REPEATED_LINES = 3  # ... and at least this many of them (a repeated 编制部门 line is not)


@dataclass(frozen=True)
class PdfText:
    """The text form of a PDF and the page each of its lines came from."""

    text: str
    pages: tuple[int, ...]  # 1-based page of each line of `text`
    page_count: int


def _inside(top: float, bottom: float, boxes: list[tuple[float, float, float, float]]) -> bool:
    middle = (top + bottom) / 2
    return any(box[1] - 1 <= middle <= box[3] + 1 for box in boxes)


def _merged_lines(lines: list[dict[str, Any]]) -> list[tuple[float, float, str]]:
    """Text lines, with a line that sits mostly inside the previous one's height merged into it.

    A text layer can place part of a line a few points lower (the year of 2024年度部门决算, the
    quotes of “三公”); the characters of both are put back in left-to-right order.
    """
    merged: list[tuple[float, float, list[dict[str, Any]]]] = []
    for line in sorted(lines, key=lambda item: item["top"]):
        top, bottom, chars = line["top"], line["bottom"], list(line["chars"])
        if merged:
            ptop, pbottom, pchars = merged[-1]
            overlap = min(bottom, pbottom) - max(top, ptop)
            if overlap >= _OVERLAP * min(bottom - top, pbottom - ptop):
                merged[-1] = (min(top, ptop), max(bottom, pbottom), pchars + chars)
                continue
        merged.append((top, bottom, chars))
    out = []
    for top, bottom, chars in merged:
        chars.sort(key=lambda c: c["x0"])
        text = ""
        for previous, char in zip([None, *chars], chars, strict=False):
            width = char["x1"] - char["x0"]
            if previous is not None and char["x0"] - previous["x1"] > _GAP * max(width, 1):
                text += " "
            text += char["text"]
        out.append((top, bottom, text))
    return out


def _row(cells: list[str | None]) -> str:
    """A table row as a text-form line: merged cells empty, line breaks inside a cell spaces."""
    return "\t".join(" ".join((c or "").split()) for c in cells)


def to_text(path: Path, data: bytes, furniture: list[str], workers: int | None = None
            ) -> PdfText:
    """The text form of a PDF, read in worker processes with a time budget.

    pdfminer can spend minutes on a damaged content stream; a worker is stopped after
    _BASE_SECONDS + _SECONDS_PER_PAGE x pages and the file reported as damaged. `workers`
    defaults to one per core, as the page count allows.
    """
    if not data.startswith(b"%PDF"):
        raise InputError(path, "not a PDF (no %PDF header)")
    page_count = _page_count(path, data)
    if page_count == 0:
        raise InputError(path, "the PDF has no pages")
    budget = _BASE_SECONDS + _SECONDS_PER_PAGE * page_count
    runs = _runs(page_count, workers or default_jobs())
    with ThreadPoolExecutor(len(runs)) as pool:
        parts = list(pool.map(lambda run: _read_pages(path, data, furniture, run, budget), runs))
    lines = [line for part in parts for line in part["lines"]]
    if not any(lines):
        raise InputError(path, "the PDF has no text layer (scanned images need OCR, which "
                               "budgetkg does not do)")
    pages = tuple(page for part in parts for page in part["pages"])
    return PdfText("\n".join(lines), pages, page_count)


def _runs(page_count: int, workers: int) -> list[tuple[int, int]]:
    """Consecutive runs of pages (first, last; 1-based), one per worker."""
    count = max(1, min(workers, page_count // _PAGES_PER_WORKER))
    size = -(-page_count // count)
    return [(first, min(first + size - 1, page_count))
            for first in range(1, page_count + 1, size)]


def _read_pages(path: Path, data: bytes, furniture: list[str], run: tuple[int, int],
                budget: float) -> dict[str, Any]:
    """One worker's lines and their pages."""
    # this file as a script (-P: its folder stays off sys.path), so that a worker imports
    # pdfplumber and not the converter package: 0.1 s less to start
    command = [sys.executable, "-P", __file__, json.dumps(furniture), *map(str, run)]
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=budget,
                              check=False)
    except subprocess.TimeoutExpired:
        raise InputError(path, f"reading the PDF took longer than {budget:.0f} s: the file "
                               "looks damaged") from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(path, lines[-1] if lines else "the PDF reader stopped")
    result: dict[str, Any] = json.loads(done.stdout)
    if "problem" in result:
        raise InputError(path, result["problem"])
    return result


def _page_count(path: Path, data: bytes) -> int:
    import pypdfium2 as pdfium  # type: ignore[import-untyped,unused-ignore]  # fast first check

    try:
        return len(pdfium.PdfDocument(data))
    except pdfium.PdfiumError as exc:
        raise InputError(path, f"not a readable PDF: {exc}") from exc


def _extract(path: Path, data: bytes, furniture: list[str], first: int = 1,
             last: int | None = None) -> tuple[list[str], list[int]]:
    """Lines of pages `first` to `last` in reading order: text lines, and table rows joined by
    tabs; and the page of each. The page before `first` is read too, to know whether `first`
    repeats its text layer."""
    import pdfplumber  # imported here: only PDF input pays for it
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    skip = [re.compile(p) for p in furniture]
    lines: list[str] = []
    pages: list[int] = []
    previous: set[str] = set()
    previous_text = ""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            last = len(pdf.pages) if last is None else min(last, len(pdf.pages))
            for number in range(max(1, first - 1), last + 1):
                page = pdf.pages[number - 1]
                tables = page.find_tables()
                boxes = [t.bbox for t in tables]
                elements: list[tuple[float, int, Any]] = [
                    (t.bbox[1], 1, t) for t in tables
                ]
                outside = [
                    line for line in page.extract_text_lines(return_chars=True)
                    if not _inside(line["top"], line["bottom"], boxes)
                ]
                for top, _, raw_text in _merged_lines(outside):
                    text = " ".join(raw_text.split())
                    if text and not any(p.search(text) for p in skip):
                        elements.append((top, 0, text))
                texts = {e[2] for e in elements if e[1] == 0 and len(e[2]) >= _MIN_REPEAT_CHARS}
                duplicate_layer = len(texts & previous) >= max(
                    _REPEATED_LINES, _REPEATED_PAGE * len(texts))
                page_text = "".join(e[2] for e in elements if e[1] == 0)
                repeated = {e[2] for e in elements if e[1] == 0 and e[2] in previous_text} if (
                    duplicate_layer) else set()
                previous, previous_text = texts, page_text
                if number < first:
                    continue
                for _, kind, element in sorted(elements, key=lambda e: (e[0], e[1])):
                    if kind == 1:
                        for cells in element.extract():
                            row = _row(cells)
                            if row.strip() and "\t" in row:
                                lines.append(row)
                                pages.append(number)
                            elif row.strip():
                                lines.append(row.strip())
                                pages.append(number)
                        continue
                    if element in repeated:
                        continue
                    lines.append(element)
                    pages.append(number)
                lines.append("")
                pages.append(number)
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
        raise InputError(path, f"not a readable PDF: {exc}") from exc
    except Exception as exc:  # pdfminer raises bare Exceptions for encrypted or broken files
        if type(exc).__module__.startswith(("pdfminer", "pdfplumber")):
            raise InputError(path, f"not a readable PDF: {exc}") from exc
        raise
    return lines, pages


def main() -> None:
    """Worker entry: a PDF on stdin, the patterns of page furniture as JSON in argv[1], the
    first and last page to read in argv[2] and argv[3]."""
    furniture, first, last = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    try:
        lines, pages = _extract(Path("stdin.pdf"), sys.stdin.buffer.read(), furniture, first,
                                last)
    except InputError as exc:
        json.dump({"problem": exc.problem}, sys.stdout)
        return
    json.dump({"lines": lines, "pages": pages}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
