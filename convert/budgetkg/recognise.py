"""Raw table -> BudgetTable: the table kind (title + header, from mappings/) and column roles.

Also the layout-level normalisation: header paths from spanned header cells, continuation pages
merged, wrapped cell text re-joined, page blocks whose cells slid left put back in their columns,
project records and performance indicators gathered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from budgetkg.mapping import ColumnRule, Mappings, TableMapping
from budgetkg.normalise import compact, header_key, is_amount, rejoin_wrapped
from budgetkg.tables import (
    BudgetTable,
    Column,
    Indicator,
    ProjectEntry,
    RawTable,
    Row,
    SourceLine,
    Task,
)

_MAX_SHIFT = 3
_TAGS = re.compile(r"<[^>]+>")


def _trim(cells: Sequence[str]) -> list[str]:
    out = list(cells)
    while out and not out[-1].strip():
        out.pop()
    return out


def identify(raw: RawTable, mappings: Mappings) -> TableMapping | None:
    """The mapping whose title pattern and header signature both fit the raw table."""
    text = " ".join(header_key(c) for line in raw.lines for c in line.cells)
    for mapping in mappings.tables:
        if mapping.matches_title(raw.title) and all(t in text for t in mapping.header_requires):
            return mapping
    return None


def header_paths(rows: list[list[str]], width: int) -> list[tuple[str, ...]]:
    """Column paths from stacked header rows, where a spanning cell prints only in its first column.

    The top row always spans right to the next printed cell; a lower row spans right only under
    the same parent and never in the bottom row (a leaf does not span).
    """
    grid = [[header_key(c) for c in row] + [""] * (width - len(row)) for row in rows]
    filled: list[list[str]] = []
    for r, row in enumerate(grid):
        out = list(row)
        for c in range(1, width):
            if out[c] or not out[c - 1]:
                continue
            if r == 0:
                out[c] = out[c - 1]
            elif r < len(grid) - 1:
                parent = tuple(f[c] for f in filled)
                if parent == tuple(f[c - 1] for f in filled):
                    out[c] = out[c - 1]
        filled.append(out)
    paths = []
    for c in range(width):
        path: list[str] = []
        for row in filled:
            if row[c] and (not path or path[-1] != row[c]):
                path.append(row[c])
        paths.append(tuple(path))
    return paths


def _unit(raw: RawTable, mapping: TableMapping, mappings: Mappings) -> tuple[str, str]:
    """(unit concept id, unit as printed) from the meta lines, then the header, then the mapping."""
    units: dict[str, str] = mappings.document["units"]
    header_text = [c for line in raw.lines[: max(mapping.header_rows, 1)] for c in line.cells]
    for source in (raw.meta, header_text):
        for pattern in mappings.document["unit_patterns"]:
            for text in source:
                if m := re.search(pattern, compact(text)):
                    return units[m["unit"]], m["unit"]
    if mapping.default_unit:
        printed = {v: k for k, v in units.items()}[mapping.default_unit]
        return mapping.default_unit, printed
    return "", ""


class _Grid:
    """A grid table's header, body lines and column roles."""

    def __init__(self, raw: RawTable, mapping: TableMapping, mappings: Mappings):
        self.mapping = mapping
        self.zero_marks = tuple(mappings.document["zero_marks"])
        self.total = re.compile(mappings.codes["total"])
        self.problems: list[str] = []
        depth = mapping.header_rows
        head = [_trim(line.cells) for line in raw.lines[:depth]]
        body_lines = list(raw.lines[depth:])
        if head and raw.lines[depth - 1 : depth]:
            head[-1], first_row = self._split_header_row(raw.lines[depth - 1])
            if first_row is not None:
                body_lines.insert(0, first_row)
        self.width = max((len(h) for h in head), default=0)
        body = self._without_repeated_headers(body_lines, head)
        self.width = max([self.width, *(len(_trim(line.cells)) for line in body)])
        self.columns = self._columns(header_paths(head, self.width))
        self.lines = self._realigned(body)

    def _split_header_row(self, line: SourceLine) -> tuple[list[str], SourceLine | None]:
        """A header row that also holds the first body row (a PDF can merge them) is split:
        header words stay in the header, the other cells become a body row."""
        cells = list(line.cells)
        if all(not c.strip() or header_key(c) in self.mapping.header_vocabulary()
               for c in cells):
            return _trim(cells), None
        vocabulary = {w for w in self.mapping.header_vocabulary() if not self.total.search(w)}
        head = [c if header_key(c) in vocabulary else "" for c in cells]
        rest = tuple("" if header_key(c) in vocabulary else c for c in cells)
        return _trim(head), SourceLine(line.line, rest, line.block, line.page)

    def _without_repeated_headers(
        self, lines: Sequence[SourceLine], head: list[list[str]]
    ) -> list[SourceLine]:
        """A continuation page repeats the header: drop the repeat, keep every body line."""
        first = [header_key(c) for c in head[0]] if head else []
        vocabulary = self.mapping.header_vocabulary()
        out: list[SourceLine] = []
        skip = 0
        for line in lines:
            cells = [header_key(c) for c in _trim(line.cells)]
            if skip and all(not c or c in vocabulary for c in cells):
                skip -= 1
                continue
            skip = 0
            if cells == first:
                skip = len(head) - 1
                continue
            out.append(line)
        return out

    def _columns(self, paths: list[tuple[str, ...]]) -> list[Column]:
        """Each header path's rule: the exact path, else the one rule with the same leaf.

        The text layer can print a spanning header one column off (项目支出 over 公用经费), so a
        leaf that names exactly one still-unmatched rule identifies the column.
        """
        rules: dict[int, ColumnRule] = {}
        used: set[int] = set()
        for i, path in enumerate(paths):  # side-by-side blocks repeat a path: rules in order
            rule = next((r for r in self.mapping.columns
                         if r.header == path and id(r) not in used), None)
            if rule is not None:
                rules[i] = rule
                used.add(id(rule))
        for i, path in enumerate(paths):
            if i in rules or not path:
                continue
            same_leaf = [r for r in self.mapping.columns
                         if r.header[-1] == path[-1] and id(r) not in used]
            if len(same_leaf) == 1:
                rules[i] = same_leaf[0]
                used.add(id(same_leaf[0]))
        columns = []
        for i, path in enumerate(paths):
            r = rules.get(i)
            if r is None:
                columns.append(Column(i + 1, path, "text"))
            else:
                columns.append(Column(i + 1, r.header, r.role, r.block, r.scheme, r.part,
                                      r.group, r.terms))
        return columns

    def _misplaced(self, row: list[str]) -> list[int]:
        """Columns whose cell cannot be what the column holds: text in an amount column, or
        a formatted amount (7,454.80) in a code or name column."""
        out = []
        for c in self.columns:
            i = c.number - 1
            cell = row[i].strip() if i < len(row) else ""
            if not cell:
                continue
            amount = is_amount(cell, self.zero_marks)
            formatted = amount and any(ch in cell for ch in ",.")
            if (c.role == "amount" and not amount) or (
                    c.role in ("code", "label", "name") and formatted):
                out.append(i)
        return out

    def _fits(self, rows: list[list[str]]) -> bool:
        return not any(self._misplaced(row) for row in rows)

    def _realigned(self, body: list[SourceLine]) -> list[SourceLine]:
        """A page block whose cells slid left (an empty cell lost) is shifted back into place."""
        blocks: dict[int, list[SourceLine]] = {}
        for line in body:
            blocks.setdefault(line.block, []).append(line)
        out: list[SourceLine] = []
        for lines in blocks.values():
            rows = [_trim(line.cells) + [""] * self.width for line in lines]
            rows = [r[: max(self.width, len(_trim(r)))] for r in rows]
            if not self._fits(rows):
                rows = self._shift(rows, lines)
            out.extend(SourceLine(line.line, tuple(row), line.block, line.page)
                       for line, row in zip(lines, rows, strict=True))
        return out

    def _shift(self, rows: list[list[str]], lines: list[SourceLine]) -> list[list[str]]:
        amount_cols = [c.number - 1 for c in self.columns if c.role == "amount"]
        bad = min(i for row in rows for i in self._misplaced(row))
        for shift in range(1, _MAX_SHIFT + 1):
            candidate = [row[:bad] + [""] * shift + row[bad:] for row in rows]
            if all(not any(c.strip() for c in row[self.width :]) for row in candidate):
                candidate = [row[: self.width] for row in candidate]
                if self._fits(candidate):
                    return candidate
        for row, line in zip(rows, lines, strict=True):
            text = [row[i] for i in amount_cols
                    if i < len(row) and row[i].strip() and not is_amount(row[i], self.zero_marks)]
            if text:
                self.problems.append(
                    f"{_where(line)}: text {text[0]!r} in an amount column, kept as text "
                    f"(row: {' | '.join(c for c in row if c.strip())})")
        return rows

    def rows(self) -> list[Row]:
        out = []
        for number, line in enumerate(self.lines, start=1):
            raw = tuple(line.cells[: self.width]) + ("",) * (self.width - len(line.cells))
            out.append(Row(number, line.line, tuple(rejoin_wrapped(c) for c in raw), raw,
                           line.page))
        return out


def _where(line: SourceLine | Row) -> str:
    return f"page {line.page}" if line.page else f"line {line.line}"


def _table_problems(columns: list[Column], rows: list[Row]) -> list[str]:
    """Columns the mapping gives no role although they hold cells (kept as text, reported)."""
    problems = []
    for column in columns:
        filled = [r for r in rows if r.cells[column.number - 1]]
        if column.role == "text" and filled:
            header = column.header_text or "(no header)"
            problems.append(
                f"{_where(filled[0])}: column {column.number} {header!r} has no role in the "
                f"mapping; its {len(filled)} cell(s) are kept as text"
            )
    return problems


def parse_indicator_value(raw: str, comparators: dict[str, str], row: int = 0) -> tuple[
    str, Decimal | None, str
]:
    """(comparator, value, unit) of a printed target such as ≥90%, ≤4289.5万元, 7%左右, 100个."""
    text = compact(raw)
    comparator = ""
    for printed in sorted(comparators, key=len, reverse=True):
        if text.startswith(printed):
            comparator, text = comparators[printed], text[len(printed) :]
            break
        if text.endswith(printed) and comparators[printed] == "左右":
            comparator, text = "左右", text[: -len(printed)]
            break
    m = re.match(r"^(\d+(?:\.\d+)?)(.*)$", text)
    if not m:
        return comparator, None, ""
    try:
        value = Decimal(m[1])
    except InvalidOperation:
        return comparator, None, ""
    return comparator or "=", value, m[2]


def _indicator(level1: str, level2: str, level3: str, raw: str, comparators: dict[str, str],
               row: int, note: str = "") -> Indicator:
    comparator, value, unit = parse_indicator_value(raw, comparators)
    return Indicator(level1, level2, level3, raw, comparator, value, unit, note, row)


def _projects_from_grid(columns: list[Column], rows: list[Row], mapping: TableMapping,
                        project_code: re.Pattern[str]) -> list[ProjectEntry]:
    """Projects of a project table (a row with a project type) or a performance table."""
    wanted = ("unit-code", "label", "project-type")
    role = {c.role: c.number - 1 for c in columns if c.role in wanted}
    rule = {r.role: r for r in mapping.columns}
    values = dict(rule["project-type"].values) if "project-type" in rule else {}
    comparators: dict[str, str] = mapping.options.get("comparators", {})
    groups = [c for c in columns if c.role == "indicator-name"]
    value_col = {c.group: c.number - 1 for c in columns if c.role == "indicator-value"}
    out: list[ProjectEntry] = []
    current: ProjectEntry | None = None
    pending: list[Indicator] = []

    def close() -> None:
        if current is not None:
            out.append(ProjectEntry(current.name, current.row, current.unit_code, current.code,
                                    current.project_type, tuple(pending)))

    for row in rows:
        code = row.cells[role["unit-code"]] if "unit-code" in role else ""
        name = row.cells[role["label"]] if "label" in role else ""
        ptype = row.cells[role["project-type"]] if "project-type" in role else ""
        if "project-type" in role:
            if ptype in values:
                out.append(ProjectEntry(name, row.number, code, "", values.get(ptype, ""), ()))
            continue
        if code:
            close()
            current, pending = None, []
            if project_code.match(code):
                current = ProjectEntry(name, row.number, "", code)
        if current is None:
            continue
        for col in groups:
            label = row.cells[col.number - 1]
            vcol = value_col.get(col.group)
            value = row.cells[vcol] if vcol is not None else ""
            if label or value:
                pending.append(_indicator(col.group, "", label, value, comparators, row.number))
    close()
    return out


def _grid_table(number: int, raw: RawTable, mapping: TableMapping, mappings: Mappings) -> (
    BudgetTable
):
    grid = _Grid(raw, mapping, mappings)
    rows = grid.rows()
    unit, unit_text = _unit(raw, mapping, mappings)
    table = BudgetTable(
        number=number, kind=mapping.kind, title=raw.title, unit=unit, unit_text=unit_text,
        line=raw.line, columns=grid.columns, rows=rows, notes=list(raw.notes), page=raw.page,
        problems=grid.problems + _table_problems(grid.columns, rows),
    )
    table.empty = not any(
        row.cells[c.number - 1] for row in rows for c in grid.columns if c.role == "amount"
    )
    if any(c.role in ("project-type", "indicator-name") for c in grid.columns):
        table.projects = _projects_from_grid(
            grid.columns, rows, mapping, re.compile(mappings.codes["project"])
        )
    return table


def _performance_goals(number: int, raw: RawTable, mapping: TableMapping, mappings: Mappings) -> (
    BudgetTable
):
    """A department performance table: goal, tasks, budget block, then an indicator grid."""
    opts = mapping.options
    zero_marks = tuple(mappings.document["zero_marks"])
    width = max(len(_trim(line.cells)) for line in raw.lines)
    rows = []
    for n, line in enumerate(raw.lines, start=1):
        cells = (list(line.cells) + [""] * width)[:width]
        rows.append(Row(n, line.line, tuple(rejoin_wrapped(c) for c in cells), tuple(cells),
                        line.page))
    columns = [Column(i + 1, (), "text") for i in range(width)]
    unit, unit_text = _unit(raw, mapping, mappings)
    table = BudgetTable(number, mapping.kind, raw.title, unit, unit_text, raw.line, columns, rows,
                        list(raw.notes), page=raw.page)
    indicator_header = [compact(h) for h in opts["indicator_header"]]
    comparators: dict[str, str] = opts.get("comparators", {})
    in_tasks = in_indicators = False
    levels = ["", "", ""]
    for row in rows:
        cells = [c for c in row.cells if c]
        compacted = [compact(c) for c in row.cells]
        if cells and compacted[0] == indicator_header[0]:
            in_indicators, in_tasks = True, False
            continue
        if in_indicators:
            if not cells:
                continue
            if len(cells) < 2:  # a lone cell: no name/value pair to read; kept as a text cell
                table.problems.append(f"{_where(row)}: indicator row with one cell "
                                      f"{cells[0]!r}, kept as text")
                continue
            note = cells.pop() if len(cells) > 4 else ""
            value, level3, *upper = reversed(cells)
            for i, name in enumerate(upper):  # upper[0] is level 2, upper[1] level 1
                levels[1 - i] = name
                if i == 0 and len(upper) == 1:
                    pass
            table.indicators.append(
                _indicator(levels[0], levels[1], level3, value, comparators, row.number, note)
            )
            continue
        if cells and compact(cells[0]) == compact(opts["goal_label"]) and len(cells) > 1:
            table.annual_goal = _TAGS.sub("", cells[1]).strip()
            continue
        if cells and compact(cells[0]) == compact(opts["tasks_label"]):
            in_tasks = True
            continue
        if any(is_amount(c, zero_marks) for c in cells):
            in_tasks = False
            continue
        if in_tasks and len(cells) == 2:
            table.tasks.append(Task(cells[0], _TAGS.sub("", cells[1]).strip()))
    return table


def recognise(raw: RawTable, number: int, mappings: Mappings) -> BudgetTable | None:
    """The BudgetTable for a raw table, or None when no mapping knows it."""
    mapping = identify(raw, mappings)
    if mapping is None:
        return None
    if mapping.layout == "performance-goals":
        return _performance_goals(number, raw, mapping, mappings)
    return _grid_table(number, raw, mapping, mappings)
