"""Raw table -> RecognisedTable: its kind from what its title says, its header rows told from its
body, each column's role and terms from its header words (mappings/vocabulary.yaml) and cells,
and the column identities its header tree states (a 合计 column is the sum of its siblings).

A table whose title names no kind keeps every cell, as kind `unrecognised`, with a notice naming
the nearest kinds. A table whose unit is printed nowhere gets no unit, with a notice: its amounts
get no value in 元 (never a default unit).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from budgetkg.cells import compact, header_key, parse_amount
from budgetkg.mapping import Kind, Mappings
from budgetkg.tables import Column, Identity, Notice, RawTable, RecognisedTable, SourceLine

_MAX_HEADER_ROWS = 6
_CODE = re.compile(r"^\d{3,22}$")
_QUOTES = re.compile(r"[“”\"‘’「」]")


def _trim(cells: Sequence[str]) -> list[str]:
    out = list(cells)
    while out and not out[-1].strip():
        out.pop()
    return out


def where(line: SourceLine | RawTable) -> str:
    return f"page {line.page}" if line.page else f"line {line.line}"


class _Words:
    """What a cell looks like, by the rules of mappings/."""

    def __init__(self, mappings: Mappings):
        self.vocabulary = mappings.vocabulary
        self.zero_marks = tuple(mappings.document["zero_marks"])

    def amount(self, cell: str) -> bool:
        return parse_amount(cell, self.zero_marks) is not None

    def code(self, cell: str) -> bool:
        return bool(_CODE.match(compact(cell)))

    def total(self, cell: str) -> bool:
        return bool(self.vocabulary.total.search(_QUOTES.sub("", compact(cell))))

    def item(self, cell: str) -> bool:
        return self.vocabulary.item_level(cell.strip()) > 0

    def placeholder(self, cell: str) -> bool:
        return self.vocabulary.is_placeholder(cell)


# ----------------------------------------------------------------------------------- kinds


def kind_of(raw: RawTable, organisation: str, mappings: Mappings) -> tuple[Kind, Notice | None]:
    """The table's kind by its title, or by its first row when it prints no title; an
    unrecognised table gets a notice naming the nearest."""
    if raw.title:
        kind = mappings.kind_for_title(raw.title, organisation)
    else:
        kind = mappings.kind_for_header(compact("".join(raw.lines[0].cells))) if (
            raw.lines) else None
    if kind is not None:
        return kind, None
    nearest = "、".join(f"{k.label_zh} ({k.id})" for k in mappings.nearest_kinds(
        raw.title, organisation))
    title = raw.title or "(a table printed without a title)"
    return mappings.unrecognised, Notice(
        "table-unrecognised", where(raw),
        f"table {title!r}: its title names no known kind, so it is kept as a generic table "
        f"(every cell, kind unrecognised); nearest kinds: {nearest}")


# ------------------------------------------------------------------------------------ unit


def unit_of(raw: RawTable, header: list[list[str]], mappings: Mappings) -> tuple[str, str]:
    """(unit concept id, unit as printed) from the title and meta lines, then the header cells;
    ("", "") when the table prints none."""
    units: dict[str, str] = mappings.document["units"]
    patterns = [re.compile(p) for p in mappings.document["unit_patterns"]]
    sources = [[raw.title, *raw.meta], [c for row in header for c in row]]
    for source in sources:
        for pattern in patterns:
            for text in source:
                if m := pattern.search(compact(text)):
                    return units[m["unit"]], m["unit"]
    return "", ""


# ---------------------------------------------------------------------------------- header


def split_header(lines: Sequence[SourceLine], words: _Words) -> int:
    """How many of the first lines are header rows: they end at the first row that holds an
    amount, a code or a numbered item, or a total / placeholder label standing alone. A page
    that holds header rows only (a page break inside the header) goes on into the next."""
    block = lines[0].block if lines else 0
    for i, line in enumerate(lines[:_MAX_HEADER_ROWS + 1]):
        if line.block != block:
            if block != lines[0].block:
                return i
            block = line.block
        cells = [c.strip() for c in line.cells if c.strip()]
        if not cells:
            continue
        if any(words.amount(c) and any(ch.isdigit() for ch in c) for c in cells):
            return i
        if any(words.code(c) for c in cells[:3]) or words.item(cells[0]):
            return i
        if i > 0 and len(cells) == 1 and (words.total(cells[0]) or words.placeholder(cells[0])):
            return i
    return min(len(lines), _MAX_HEADER_ROWS)


def header_paths(rows: list[list[str]], width: int, words: _Words) -> list[tuple[str, ...]]:
    """Column paths from stacked header rows, where a spanning cell prints only in its first
    column.

    The top row always spans right to the next printed cell; a lower row spans right only under
    the same parent and never in the bottom row (a leaf does not span). A group printed one
    column before its own total (上年结转结余 over 其他收入 | 合计 | …) starts at that total: a
    group's total opens it.
    """
    grid = [[c.strip() for c in row] + [""] * (width - len(row)) for row in rows]
    _total_opens_group(grid, words)
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
            key = header_key(row[c])
            if key and (not path or path[-1] != key):
                path.append(key)
        paths.append(tuple(path))
    return paths


def _total_opens_group(grid: list[list[str]], words: _Words) -> None:
    """A group label printed over an amount column whose child is not a total, while the next
    column (under the same span) has a total child, is moved onto that total: the column
    before belongs to the group before (其他收入 of 本年收入, not of 上年结转结余)."""
    for r in range(len(grid) - 1):
        row, below = grid[r], grid[r + 1]
        for c in range(1, len(row) - 1):
            if (row[c] and not row[c + 1] and below[c] and not words.total(below[c])
                    and words.vocabulary.column_rule(below[c]) is None
                    and words.total(below[c + 1]) and not row[c - 1] and any(row[:c])):
                row[c + 1], row[c] = row[c], ""


# --------------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class _Layout:
    columns: tuple[Column, ...]
    identities: tuple[Identity, ...]


def columns_of(paths: list[tuple[str, ...]], body: Sequence[SourceLine], words: _Words,
               table_terms: tuple[tuple[str, str], ...]) -> _Layout:
    """Each column's role, scheme, block and terms; the column identities of the header."""
    vocabulary = words.vocabulary
    roles: list[Column] = []
    for i, path in enumerate(paths):
        cells = [line.cells[i].strip() for line in body if i < len(line.cells)]
        filled = [c for c in cells if c]
        rule = next((r for element in reversed(path) if (r := vocabulary.column_rule(element))),
                    None)
        amounts = [c for c in filled if words.amount(c)]
        says_amount = bool(path) and bool(vocabulary.terms_of(" ".join(path)) or any(
            words.total(e) for e in path) or _amount_word(path[-1]))
        if rule is not None and not (rule.role == "label" and filled and
                                     len(amounts) == len(filled)):
            role, part, level = rule.role, rule.part, rule.level
        elif (filled and len(amounts) == len(filled)) or says_amount:
            role, part, level = "amount", 0, 0
        else:
            role, part, level = "text", 0, 0
        scheme = next((s for e in path if (s := vocabulary.scheme_of(e))), "")
        group = path[-2] if role.startswith("indicator") and len(path) > 1 else ""
        terms = vocabulary.terms_of(" ".join(path)) if role == "amount" else ()
        roles.append(Column(
            number=i + 1, header=path, role=role, scheme=scheme, part=part, level=level,
            group=group, terms=terms,
            total=role == "amount" and any(words.total(e) for e in path),
            of_which=role == "amount" and any(vocabulary.of_which.search(e) for e in path),
        ))
    columns = _this_year(_blocks(roles))
    identities = tuple(_identities(columns, words))
    return _Layout(_with_carry_over(columns, identities), identities)


_WITH_CARRY = ("coverage", "with-carry-over")
_CARRIED = {("fundingSource", "carry-over"), ("expenditureType", "carry-forward")}


def _with_carry_over(columns: tuple[Column, ...],
                     identities: tuple[Identity, ...]) -> tuple[Column, ...]:
    """A total column whose parts hold carried money (总计 = 本年收入 / 合计 + 上年结转结余 /
    合计) is more than the year's income or expenditure: it gets the with-carry-over coverage,
    and so does a total over such a total."""
    by_number = {c.number: c for c in columns}
    marked: set[int] = set()
    changed = True
    while changed:
        changed = False
        for identity in identities:
            if identity.total not in marked and any(
                    set(by_number[p].terms) & _CARRIED or p in marked for p in identity.parts):
                marked.add(identity.total)
                changed = True
    return tuple(replace(c, terms=tuple(sorted({*c.terms, _WITH_CARRY})))
                 if c.number in marked else c for c in columns)


_CARRY_OVER = ("fundingSource", "carry-over")
_THIS_YEAR = ("fundingSource", "current-year-funds")


def _this_year(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """Beside a column of last year's carry-over (上年结转), the other columns naming a funding
    source (一般公共预算, 政府性基金 …) are this year's money (本年资金): a 一般公共预算 column
    without a carry-over column beside it may hold carried-over general-budget money too."""
    carried = {c.block for c in columns if _CARRY_OVER in c.terms}
    out = []
    for c in columns:
        funded = any(d == "fundingSource" for d, _ in c.terms)
        if c.block in carried and funded and _CARRY_OVER not in c.terms:
            c = replace(c, terms=tuple(sorted({*c.terms, _THIS_YEAR})))
        out.append(c)
    return tuple(out)


def _amount_word(element: str) -> bool:
    return element in ("金额", "预算数", "决算数", "数额", "预算金额", "决算金额")


def _blocks(columns: list[Column]) -> tuple[Column, ...]:
    """Side-by-side blocks: a label column printed after amount columns starts a new block
    (with the code columns right before it); the amount columns after it, up to the next, are
    its figures. Label columns side by side are one label in two levels."""
    starts: list[int] = []
    seen_amount = False
    for column in columns:
        if column.role == "amount":
            seen_amount = True
        elif column.role == "label" and seen_amount:
            start = column.number
            while start > 1 and columns[start - 2].role in ("code", "unit-code"):
                start -= 1
            starts.append(start)
            seen_amount = False
    if not starts:
        return tuple(columns)
    out: list[Column] = []
    block = 1
    for column in columns:
        if column.number in starts:
            block += 1
        out.append(Column(column.number, column.header, column.role, block, column.scheme,
                          column.part, column.level, column.group, column.terms, column.total,
                          column.of_which))
    return tuple(out)


def _identities(columns: tuple[Column, ...], words: _Words) -> list[Identity]:
    """Each total column equals the sum of its siblings under the same parent header (each
    sibling by its own total, else by its leaves), within its block, leaf by leaf of a phase
    split (合计 / 预算数 = the 预算数 of each sibling)."""
    amounts = [c for c in columns if c.role == "amount"]
    out = []
    for total in amounts:
        position = next((k for k, e in enumerate(total.header) if words.total(e)), None)
        if position is None:
            continue
        prefix, suffix = total.header[:position], total.header[position + 1:]
        family = [c for c in amounts if c.block == total.block and not c.of_which]
        siblings = []
        for c in family:
            if c.header[:position] == prefix and len(c.header) > position:
                element = c.header[position]
                if element != total.header[position] and element not in siblings:
                    siblings.append(element)
        parts: list[int] = []
        for element in siblings:
            found = _representatives(family, (*prefix, element), suffix, words)
            if not found:
                parts = []
                break
            parts += found
        if parts and total.number not in parts:
            out.append(Identity(total.number, tuple(sorted(set(parts)))))
    return out


def _representatives(family: list[Column], prefix: tuple[str, ...], suffix: tuple[str, ...],
                     words: _Words) -> list[int]:
    """The columns that together print the total of the header node `prefix` for the leaves
    `suffix`: the node itself, else its own total, else its children's."""
    exact = [c for c in family if c.header == (*prefix, *suffix)]
    if exact:
        return [exact[0].number]
    inside = [c for c in family if c.header[:len(prefix)] == prefix
              and c.header[len(c.header) - len(suffix):] == suffix and len(c.header) > len(
                  prefix) + len(suffix)]
    own_total = [c for c in inside if words.total(c.header[len(prefix)])
                 and c.header == (*prefix, c.header[len(prefix)], *suffix)]
    if own_total:
        return [own_total[0].number]
    children: list[str] = []
    for c in inside:
        if c.header[len(prefix)] not in children:
            children.append(c.header[len(prefix)])
    out: list[int] = []
    for child in children:
        found = _representatives(family, (*prefix, child), suffix, words)
        if not found:
            return []
        out += found
    return out


# ---------------------------------------------------------------------------------- tables


def _header_in_body(line: SourceLine, words: _Words) -> tuple[list[str], SourceLine] | None:
    """A first body row that also holds header words of its own row (类 | 款 | 项 beside the 合计
    row: a PDF grid can merge the two) is split: the header words make the last header row,
    the other cells stay the body row."""
    cells = [c.strip() for c in line.cells]
    head = [c if c and (rule := words.vocabulary.column_rule(c)) is not None and rule.part
            else "" for c in cells]
    if sum(1 for c in head if c) < 2:
        return None
    rest = tuple("" if h else c for h, c in zip(head, line.cells, strict=True))
    return _trim(head), SourceLine(line.line, rest, line.block, line.page, line.file)


def _repeated_header(line: SourceLine, header: list[list[str]]) -> bool:
    keys = [header_key(c) for c in _trim(line.cells)]
    return any(keys == [header_key(c) for c in _trim(row)] for row in header if _trim(row))


def recognise_table(raw: RawTable, number: int, organisation: str,
                    mappings: Mappings) -> RecognisedTable:
    """The kind, header, columns and identities of one raw table."""
    words = _Words(mappings)
    kind, notice = kind_of(raw, organisation, mappings)
    notices = [notice] if notice else []
    terms = _table_terms(raw.title, kind, organisation, mappings)
    depth = split_header(raw.lines, words) if kind.layout == "grid" else 0
    width = max([len(_trim(line.cells)) for line in raw.lines] + [0])
    header = _spread([line for line in raw.lines[:depth]], width)
    lines = list(raw.lines[depth:])
    if depth and lines and (merged := _header_in_body(lines[0], words)) is not None:
        header.append(merged[0])  # a header row the PDF printed in the first body row
        lines[0] = merged[1]
    body = [line for line in lines
            if not (line.block != raw.lines[0].block and _repeated_header(line, header))]
    body = [SourceLine(line.line, tuple(list(line.cells[:width]) + [""] * (width - len(
        line.cells))), line.block, line.page, line.file) for line in body]
    unit, unit_text = unit_of(raw, header, mappings)
    if kind.layout == "grid":
        layout = columns_of(header_paths(header, width, words), body, words, terms)
        columns, identities = layout.columns, layout.identities
    else:
        columns, identities = tuple(Column(i + 1, (), "text") for i in range(width)), ()
    if kind.id == mappings.unrecognised.id or (kind.layout == "grid" and not kind.terms):
        columns = _generic(columns, words)
    if not unit and any(c.role == "amount" and c.money for c in columns) and any(
            words.amount(line.cells[c.number - 1]) for line in body for c in columns
            if c.role == "amount"):
        notices.append(Notice("unit-missing", where(raw),
                              f"table {raw.title!r} prints no money unit (单位：万元 or 元): its "
                              "amounts are kept as printed, with no value in 元"))
    return RecognisedTable(number, kind.id, raw.title, raw, unit, unit_text, terms, columns,
                           tuple(body), identities, tuple(notices))


def _spread(lines: Sequence[SourceLine], width: int) -> list[list[str]]:
    """Header rows as cells; the rows of a page that printed only the top of a header split by
    a page break are narrower than the table when its merged cells were drawn as one: their
    cells are spread evenly over its columns (收入 | 支出 over four columns)."""
    rows = [_trim(line.cells) for line in lines]
    last = lines[-1].block if lines else 0
    out = []
    for line, row in zip(lines, rows, strict=True):
        if line.block != last and 0 < len(row) < width and width % len(row) == 0:
            step = width // len(row)
            row = [row[c // step] if c % step == 0 else "" for c in range(width)]
        out.append(row)
    return out


def _generic(columns: tuple[Column, ...], words: _Words) -> tuple[Column, ...]:
    """A table of no known kind: its first text column labels its rows when no header names a
    label; a column of numbers is money only when its header names money (编制数 and 数量 are
    counts)."""
    out = list(columns)
    if not any(c.role == "label" for c in out):
        first = next((c for c in out if c.role == "text"), None)
        if first is not None:
            out[first.number - 1] = replace(first, role="label")
    money = words.vocabulary.money
    return tuple(replace(c, money=bool(c.terms) or any(money.search(e) for e in c.header))
                 if c.role == "amount" else c for c in out)


def _table_terms(title: str, kind: Kind, organisation: str,
                 mappings: Mappings) -> tuple[tuple[str, str], ...]:
    """What the kind (its operation) and the title's own words (its funding source) say of
    every figure of the table."""
    vocabulary = mappings.vocabulary
    core = mappings.title_core(title, organisation)
    terms = {(d, v) for d, v in vocabulary.terms_of(core) if d in vocabulary.title_dimensions}
    return tuple(sorted(terms | set(kind.terms)))
