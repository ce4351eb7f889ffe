"""Reader for PDFs with a text layer: each page becomes lines of the text form.

pdfplumber finds the ruled tables (cells from the drawn grid, so merged header cells and wrapped
cell text keep their place) and the text lines outside them; table rows become tab-separated
lines and a page break a blank line, so recognition is the same as for the text form. Page
numbers and running headers (mappings/document.yaml `page_furniture`) and a text layer printed
twice are dropped here.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from budgetkg.errors import InputError

_MIN_REPEAT_CHARS = 12
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


def _row(cells: list[str | None]) -> str:
    """A table row as a text-form line: merged cells empty, line breaks inside a cell spaces."""
    return "\t".join(" ".join((c or "").split()) for c in cells)


def to_text(path: Path, data: bytes, furniture: list[str]) -> PdfText:
    """Lines of every page in reading order: text lines, and table rows joined by tabs."""
    import pdfplumber  # imported here: only PDF input pays for it
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    if not data.startswith(b"%PDF"):
        raise InputError(path, "not a PDF (no %PDF header)")
    skip = [re.compile(p) for p in furniture]
    lines: list[str] = []
    pages: list[int] = []
    previous: set[str] = set()
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            page_count = len(pdf.pages)
            for number, page in enumerate(pdf.pages, start=1):
                tables = page.find_tables()
                boxes = [t.bbox for t in tables]
                elements: list[tuple[float, int, Any]] = [
                    (t.bbox[1], 1, t) for t in tables
                ]
                for line in page.extract_text_lines(return_chars=False):
                    text = " ".join(str(line["text"]).split())
                    if text and not _inside(line["top"], line["bottom"], boxes) and not any(
                        p.search(text) for p in skip
                    ):
                        elements.append((line["top"], 0, text))
                texts = {e[2] for e in elements if e[1] == 0 and len(e[2]) >= _MIN_REPEAT_CHARS}
                repeated = texts & previous
                if len(repeated) < max(_REPEATED_LINES, _REPEATED_PAGE * len(texts)):
                    repeated = set()
                previous = texts
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
    if not any(lines):
        raise InputError(path, "the PDF has no text layer (scanned images need OCR, which "
                               "budgetkg does not do)")
    return PdfText("\n".join(lines), tuple(pages), page_count)
