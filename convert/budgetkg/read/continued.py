"""Tables continued on the next page with a coarser grid, put back in the previous page's columns.

A page can draw its part of a table without some inner vertical rules (merged cells), so its own
grid has fewer columns than the table on the page before, and its rows fewer cells, which later
stages would map onto the wrong columns. Pure geometry over read/flow.py's lines, run in the
parent on the whole document (a continuation needs two pages; the workers see runs of pages).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

from budgetkg.read import flow, grid

_EDGE = 3.0  # column boundaries this close on two pages are the same rule


def aligned(pages: Sequence[flow.Page]) -> list[flow.Page]:
    """The pages with each continued table's rows in the columns of the table it continues.

    A page's first table continues the previous page's last one when both touch the page
    break (the previous page ends with a row, this one starts with one: page furniture is
    already gone) and its column boundaries are a subset of the previous table's, the outer
    ones included (the same horizontal extent). With fewer columns, each of its cells goes to
    the first previous column it spans, an amount (right-aligned) to the one its text ends in,
    and the positions between stay empty; the aligned rows then carry the previous columns, so
    a table over three pages is aligned on each.
    """
    out: list[flow.Page] = []
    previous: flow.Line | None = None  # the last line of the page before, if a table row
    for page in pages:
        lines = page.lines
        if previous is not None and lines and lines[0].row:
            lines = _continued(previous, lines)
        out.append(replace(page, lines=lines) if lines is not page.lines else page)
        previous = lines[-1] if lines and lines[-1].row else None
    return out


def _continued(previous: flow.Line, lines: tuple[flow.Line, ...]) -> tuple[flow.Line, ...]:
    """`lines` (a page starting with a table row) with its first table's rows in the columns of
    `previous`, the last row of the page before, where its grid is a coarser one of it."""
    spans = spanned(previous.columns, lines[0].columns)
    if spans is None:
        return lines
    first = lines[0]
    count = next((i for i, line in enumerate(lines)
                  if not line.row or line.columns != first.columns), len(lines))
    return tuple(_placed(line, previous.columns, spans) for line in lines[:count]) + lines[count:]


def spanned(wide: Sequence[float], narrow: Sequence[float]) -> list[range] | None:
    """For each column of a grid with boundaries `narrow`, the columns of the grid with
    boundaries `wide` it spans; None unless `narrow` has fewer columns and each of its
    boundaries, the outer ones included, is one of `wide`'s (it is `wide` with rules left out)."""
    if len(narrow) < 2 or len(narrow) >= len(wide):
        return None
    found: list[int] = []
    for x in narrow:
        nearest = min(range(len(wide)), key=lambda i: abs(wide[i] - x))
        if abs(wide[nearest] - x) > _EDGE or (found and nearest <= found[-1]):
            return None
        found.append(nearest)
    if found[0] != 0 or found[-1] != len(wide) - 1:
        return None
    return [range(a, b) for a, b in pairwise(found)]


def _placed(line: flow.Line, wide: tuple[float, ...], spans: list[range]) -> flow.Line:
    """A row of the coarser grid in the columns `wide`: text in the first column its cell spans,
    an amount in the last one whose left boundary its text ends past."""
    cells = line.text.split("\t")
    if len(cells) != len(spans) or len(line.ends) != len(spans):
        return line
    texts = [""] * (len(wide) - 1)
    ends = [0.0] * (len(wide) - 1)
    for text, end, span in zip(cells, line.ends, spans, strict=True):
        if not text:
            continue
        column = span[0]
        if grid.is_amount(text):
            column = max((i for i in span if wide[i] < end), default=span[0])
        texts[column], ends[column] = text, end
    return replace(line, text="\t".join(texts), columns=wide, ends=tuple(ends))
