"""Reader for PDFs with a text layer: each page becomes lines of the text form.

Each page's tables are rebuilt from its drawn rules and characters (read/grid.py: cells from the
visible grid, so merged header cells and wrapped cell text keep their place) and the text
outside them cut into visual lines; table rows become tab-separated lines and a page break a
blank line, so recognition is the same as for the text form. Page numbers and running headers
(mappings/document.yaml `page_furniture`) and a text layer printed twice are dropped here.
Visual lines are then joined into paragraphs, across page breaks too (read/flow.py).

pdfminer's parsing of the content streams is most of the time, so a long PDF is read in several
worker processes at once, each a run of pages (one per core, at least _PAGES_PER_WORKER pages
each); a worker returns each line with its geometry and the paragraphs are joined here, so the
text is the same for any number of workers.
"""

from __future__ import annotations

import io
import json
import math
import re
import resource
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from budgetkg.cores import default_jobs
from budgetkg.errors import InputError

if TYPE_CHECKING or __name__ != "__main__":
    from budgetkg.read import continued, flow, grid
else:  # the worker script: grid.py from its folder, so read/__init__ (the converter) stays out
    sys.path.insert(0, str(Path(__file__).parent))
    import grid

_BASE_SECONDS = 5.0  # processor-time budget of a worker: this plus _SECONDS_PER_PAGE per page
_SECONDS_PER_PAGE = 0.4
_WALL_FACTOR = 10  # a worker idle that long (not computing) is stopped too
_PAGES_PER_WORKER = 8  # a shorter run of pages is not worth starting another process
_MIN_REPEAT_CHARS = 12
_REPEATED_PAGE = 0.8  # a page repeating this share of the previous page's lines is a second layer
_REPEATED_LINES = 3  # ... and at least this many of them (a repeated 编制部门 line is not)
_SUBSET = re.compile(r"^(b')?[A-Z]{6}\+")  # the subset tag of an embedded font: ABCDEE+SimSun


@dataclass(frozen=True)
class PdfText:
    """The text form of a PDF and the page each of its lines came from."""

    text: str
    pages: tuple[int, ...]  # 1-based page of each line of `text`
    page_count: int


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
    pages = [_page(page) for part in parts for page in part["pages"]]
    if not any(page.lines for page in pages):
        raise InputError(path, "the PDF has no text layer (scanned images need OCR, which "
                               "budgetkg does not do)")
    lines = flow.paragraphs(continued.aligned(pages))
    return PdfText("\n".join(text for text, _ in lines), tuple(page for _, page in lines),
                   page_count)


def _page(found: dict[str, Any]) -> flow.Page:
    """A page as a worker returns it (see _extract)."""
    return flow.Page(found["number"], found["width"], tuple(
        flow.Line(text, x0, x1, top, bottom, size, font, spread, lead, row, tuple(columns),
                  tuple(ends))
        for text, x0, x1, top, bottom, size, font, spread, lead, row, columns, ends
        in found["lines"]))


def _runs(page_count: int, workers: int) -> list[tuple[int, int]]:
    """Consecutive runs of pages (first, last; 1-based), one per worker."""
    count = max(1, min(workers, page_count // _PAGES_PER_WORKER))
    size = -(-page_count // count)
    return [(first, min(first + size - 1, page_count))
            for first in range(1, page_count + 1, size)]


def _read_pages(path: Path, data: bytes, furniture: list[str], run: tuple[int, int],
                budget: float) -> dict[str, Any]:
    """One worker's pages."""
    # this file as a script (-P: its folder stays off sys.path), so that a worker imports
    # pdfplumber and not the converter package: 0.1 s less to start
    command = [sys.executable, "-P", __file__, json.dumps(furniture), *map(str, run),
               str(budget)]
    damaged = InputError(path, f"reading the PDF took more than {budget:.0f} s of processor "
                               "time: the file looks damaged")
    try:
        done = subprocess.run(command, input=data, capture_output=True,
                              timeout=budget * _WALL_FACTOR, check=False)
    except subprocess.TimeoutExpired:
        raise damaged from None
    if done.returncode == -signal.SIGXCPU:
        raise damaged
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


def _colour(value: Any) -> grid.Colour:
    """A pdfplumber paint colour as grid.py takes it (lists become tuples)."""
    return tuple(value) if isinstance(value, list | tuple) else value


def _shapes(page: Any) -> list[grid.Shape]:
    """The painted lines, rectangles and curves of a pdfplumber page."""
    out = []
    for kind, found in (("line", page.lines), ("rect", page.rects), ("curve", page.curves)):
        for shape in found:
            points = tuple((float(x), float(y)) for x, y in shape.get("pts") or ()) if (
                kind == "curve") else ()
            out.append(grid.Shape(
                kind, shape["x0"], shape["top"], shape["x1"], shape["bottom"],
                bool(shape.get("stroke")), bool(shape.get("fill")),
                _colour(shape.get("stroking_color")), _colour(shape.get("non_stroking_color")),
                points))
    return out


def _chars(page: Any) -> list[grid.Char]:
    """The characters printed on the page: a text layer can hold text placed off the page (a
    Jiangsu export carries the next tables below the page's bottom edge), which no one sees."""
    left, top, right, bottom = page.bbox
    return [grid.Char(c["text"], c["x0"], c["x1"], c["top"], c["bottom"], c["size"],
                      _SUBSET.sub(r"\1", c["fontname"])) for c in page.chars
            if left <= (c["x0"] + c["x1"]) / 2 <= right
            and top <= (c["top"] + c["bottom"]) / 2 <= bottom]


def _extract(path: Path, data: bytes, furniture: list[str], first: int = 1,
             last: int | None = None) -> list[dict[str, Any]]:
    """Pages `first` to `last`, each its number, width and lines in reading order: text lines
    and table rows (cells joined by tabs), each with its geometry (flow.Line's fields). The
    page before `first` is read too, to know whether `first` repeats its text layer."""
    import pdfplumber  # imported here: only PDF input pays for it
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    skip = [re.compile(p) for p in furniture]
    out: list[dict[str, Any]] = []
    previous: set[str] = set()
    previous_text = ""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            last = len(pdf.pages) if last is None else min(last, len(pdf.pages))
            for number in range(max(1, first - 1), last + 1):
                page = pdf.pages[number - 1]
                elements = [
                    e for e in grid.layout(_chars(page), _shapes(page)).elements
                    if isinstance(e, grid.Row) or not any(p.search(e.text) for p in skip)
                ]
                texts = {e.text for e in elements
                         if isinstance(e, grid.TextLine) and len(e.text) >= _MIN_REPEAT_CHARS}
                duplicate_layer = len(texts & previous) >= max(
                    _REPEATED_LINES, _REPEATED_PAGE * len(texts))
                page_text = "".join(e.text for e in elements if isinstance(e, grid.TextLine))
                repeated = {e.text for e in elements if isinstance(e, grid.TextLine)
                            and e.text in previous_text} if duplicate_layer else set()
                previous, previous_text = texts, page_text
                if number < first:
                    continue
                out.append({"number": number, "width": round(float(page.width), 2),
                            "lines": [_geometry(e) for e in elements
                                      if isinstance(e, grid.Row) or e.text not in repeated]})
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
        raise InputError(path, f"not a readable PDF: {exc}") from exc
    except Exception as exc:  # pdfminer raises bare Exceptions for encrypted or broken files
        if type(exc).__module__.startswith(("pdfminer", "pdfplumber")):
            raise InputError(path, f"not a readable PDF: {exc}") from exc
        raise
    return out


def _geometry(element: grid.Row | grid.TextLine) -> list[Any]:
    """A line as JSON: flow.Line's fields in order (positions rounded: the text must not depend
    on the last bits of a float)."""
    if isinstance(element, grid.Row):
        return ["\t".join(element.cells), round(element.x0, 2), round(element.x1, 2),
                round(element.top, 2), round(element.bottom, 2), 0.0, "", False, 0.0, True,
                [round(x, 2) for x in element.columns], [round(x, 2) for x in element.ends]]
    return [element.text, round(element.x0, 2), round(element.x1, 2), round(element.top, 2),
            round(element.bottom, 2), round(element.size, 2), element.font, element.spread,
            round(element.lead, 2), False, [], []]


def main() -> None:
    """Worker entry: a PDF on stdin, the patterns of page furniture as JSON in argv[1], the
    first and last page to read in argv[2] and argv[3], the processor seconds it may take in
    argv[4] (past them the system stops it: a budget of processor time, not of wall-clock time,
    so that a loaded machine does not pass for a damaged file)."""
    furniture, first, last = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    seconds = math.ceil(float(sys.argv[4]))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    try:
        pages = _extract(Path("stdin.pdf"), sys.stdin.buffer.read(), furniture, first, last)
    except InputError as exc:
        json.dump({"problem": exc.problem}, sys.stdout)
        return
    json.dump({"pages": pages}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
