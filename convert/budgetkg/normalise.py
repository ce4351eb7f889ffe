"""The normalise stage: Recognised -> Document. Each table's cells become typed values, by small
named steps (each says the rule it applies):

- a page block whose cells slid left (an empty cell lost in the text form) is put back, when
  the cells then fit what their columns hold;
- a row fragment a page break cut off (the end of a wrapped name alone at the top of the next
  page) is joined to the row it ends;
- wrapped cell text is re-joined; a code printed in the name cell (`2010101 行政运行`) is taken
  out of it; codes printed in 类/款/项 columns are joined;
- amounts become exact decimals in the printed unit and in 元 (none when the table states no
  unit); a printed 0, 0.00 or dash is a stated zero, an empty cell no amount;
- a row that can be read more than one way (a cell lost or one too many in the text form) is
  read the way under which the table's own identities hold, and the choice is recorded;
- the totals of uncoded rows (本年收入合计 over the numbered items, 收入总计 over 本年收入合计
  and 上年结转) are stated as row identities;
- projects, their indicators and the department's goals are gathered from their rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from budgetkg.cells import compact, join_code, parse_amount, rejoin_wrapped
from budgetkg.mapping import Form, Mappings
from budgetkg.tables import (
    Amount,
    BudgetTable,
    Code,
    Column,
    Document,
    Identity,
    Indicator,
    Organisation,
    ProjectEntry,
    Recognised,
    RecognisedTable,
    Row,
    SourceLine,
    Task,
    Terms,
)
from budgetkg.vocab import codelists

_MAX_SHIFT = 3
_TAGS = re.compile(r"<[^>]+>")
_CODE_IN_LABEL = re.compile(r"^(?P<code>\d{3}(?:\d{2}){0,2})\s*(?P<name>[\u3400-\u9fff].*)$")
_QUOTES = re.compile(r"[“”\"‘’「」]")


def normalise(recognised: Recognised, mappings: Mappings) -> Document:
    """The document with every table typed and read; the organisation's printed codes kept."""
    tables = tuple(_table(t, mappings) for t in recognised.tables)
    organisation = _printed_codes(recognised.organisation, tables, mappings)
    return Document(recognised.source, recognised.heading, organisation, tables,
                    recognised.statements, recognised.paragraphs, recognised.notices + tuple(
                        n for t in recognised.tables for n in t.notices))


class _Cells:
    """How a table's cells are read: its unit, zero marks, code shapes, vocabulary."""

    def __init__(self, table: RecognisedTable, mappings: Mappings):
        self.table = table
        self.mappings = mappings
        self.vocabulary = mappings.vocabulary
        self.zero_marks = tuple(mappings.document["zero_marks"])
        self.unit = table.unit
        codes = mappings.codes
        self.schemes = {name: re.compile(p) for name, p in codes["schemes"].items()}
        self.part_digits: list[int] = codes["part_digits"]
        self.organisations = {k: re.compile(p) for k, p in codes["organisations"].items()}
        self.project = re.compile(codes["project"])

    def amount(self, text: str, unit: str | None = None) -> Amount | None:
        """The amount a cell prints, in the table's unit (or `unit`, where its row names one)."""
        parsed = parse_amount(text, self.zero_marks)
        if parsed is None:
            return None
        unit = self.unit if unit is None else unit
        factor = codelists().yuan_factor[unit] if unit else None
        return Amount(parsed.value, parsed.printed, parsed.stated_zero,
                      parsed.value * factor if factor is not None else None, unit)

    def is_amount(self, text: str) -> bool:
        return parse_amount(text, self.zero_marks) is not None

    def scheme(self, code: str) -> str:
        return next((name for name, p in self.schemes.items() if p.match(code)), "")

    def total(self, text: str) -> bool:
        return bool(self.vocabulary.total.search(_QUOTES.sub("", compact(text))))


# ------------------------------------------------------------------------------------ grid


def _table(table: RecognisedTable, mappings: Mappings) -> BudgetTable:
    cells = _Cells(table, mappings)
    kind = mappings.kind(table.kind)
    if kind.layout == "form":
        return _form(table, cells, mappings.forms[kind.id])
    lines, problems = _realigned(list(table.body), table.columns, cells)
    lines = _fragments_joined(lines, table.columns, cells)
    readings: list[str] = []
    rows: list[Row] = []
    for number, line in enumerate(lines, start=1):
        values = list(line.cells)
        chosen = _reading(values, table, cells)
        if chosen is not None:
            values, why = chosen
            readings.append(f"{_where(line)}, row {number}: {why}")
        rows.append(_row(number, line, values, table.columns, cells))
    rows = _with_terms(rows, table.columns, cells)
    empty = any(c.role == "amount" for c in table.columns) and not any(
        a is not None for row in rows for a in row.amounts)
    problems += _unplaced(table.columns, rows)
    projects = _projects(table.columns, rows, cells)
    row_identities = tuple(_labelled(i, rows, table.columns, cells) for i in (
        *_row_identities(table.columns, rows, cells),
        *_level_identities(kind.levels, table.columns, rows, cells),
        *_unit_identities(table.columns, rows, projects, cells)))
    rows = _with_carry_over(rows, row_identities)
    identities = table.identities + row_identities
    return BudgetTable(
        number=table.number, kind=table.kind, title=table.title, unit=table.unit,
        unit_text=table.unit_text, line=table.raw.line, columns=table.columns, rows=tuple(rows),
        notes=table.raw.notes, terms=table.terms, empty=empty, page=table.raw.page,
        file=table.raw.file, identities=identities, readings=tuple(readings),
        projects=tuple(projects), problems=tuple(problems),
    )


def _where(line: SourceLine | Row) -> str:
    return f"page {line.page}" if line.page else f"line {line.line}"


def _misplaced(values: Sequence[str], columns: Sequence[Column], cells: _Cells) -> list[int]:
    """Columns whose cell cannot be what the column holds: text in an amount column, or a
    formatted amount (7,454.80) in a code or name column."""
    out = []
    for column in columns:
        i = column.number - 1
        cell = values[i].strip() if i < len(values) else ""
        if not cell:
            continue
        amount = cells.is_amount(cell)
        formatted = amount and any(ch in cell for ch in ",.")
        if (column.role == "amount" and not amount) or (
                column.role in ("code", "label", "unit-code") and formatted):
            out.append(i)
    return out


def _realigned(lines: list[SourceLine], columns: tuple[Column, ...],
               cells: _Cells) -> tuple[list[SourceLine], list[str]]:
    """A page block whose cells slid left (an empty cell lost) is shifted back into place,
    when every row of the block then fits its columns."""
    width = len(columns)
    blocks: dict[int, list[SourceLine]] = {}
    for line in lines:
        blocks.setdefault(line.block, []).append(line)
    out: list[SourceLine] = []
    problems: list[str] = []
    for block in blocks.values():
        rows = [list(line.cells) + [""] * (width - len(line.cells)) for line in block]
        if any(_misplaced(r, columns, cells) for r in rows):
            bad = min(i for r in rows for i in _misplaced(r, columns, cells))
            shifted = None
            for shift in range(1, _MAX_SHIFT + 1):
                candidate = [r[:bad] + [""] * shift + r[bad:] for r in rows]
                if all(not any(c.strip() for c in r[width:]) for r in candidate):
                    candidate = [r[:width] for r in candidate]
                    if not any(_misplaced(r, columns, cells) for r in candidate):
                        shifted = candidate
                        break
            if shifted is not None:
                rows = shifted
            else:
                for r, line in zip(rows, block, strict=True):
                    text = [r[c.number - 1] for c in columns if c.role == "amount"
                            and r[c.number - 1].strip() and not cells.is_amount(r[c.number - 1])]
                    if text:
                        problems.append(
                            f"{_where(line)}: text {text[0]!r} in an amount column, kept as text "
                            f"(row: {' | '.join(c for c in r if c.strip())})")
        out.extend(replace(line, cells=tuple(r[:width])) for line, r in zip(block, rows,
                                                                          strict=True))
    return out, problems


_FRAGMENT_CHARS = 6  # the end of a name a page break cut off is short: 业支出, 费


def _fragments_joined(lines: list[SourceLine], columns: tuple[Column, ...],
                      cells: _Cells) -> list[SourceLine]:
    """The first row of a page block that holds only the short end of a label the page break
    cut (no amount, no code, no numbering; the row before it is no total and its label ends
    mid-name) is joined to it."""
    labels = [c.number - 1 for c in columns if c.role == "label"]
    out: list[SourceLine] = []
    for line in lines:
        previous = out[-1] if out else None
        filled = [i for i, c in enumerate(line.cells) if c.strip()]
        if (previous is not None and line.block != previous.block and filled
                and all(i in labels for i in filled)
                and all(len(compact(line.cells[i])) <= _FRAGMENT_CHARS
                        and not cells.vocabulary.item_level(line.cells[i].strip())
                        for i in filled)
                and all(previous.cells[i].strip() and not cells.total(previous.cells[i])
                        and not previous.cells[i].strip().endswith(("）", ")"))
                        for i in filled)
                and not any(cells.is_amount(c) for c in line.cells)):
            joined = tuple(p + c if c.strip() else p for p, c in zip(previous.cells, line.cells,
                                                                     strict=False))
            out[-1] = replace(previous, cells=joined + previous.cells[len(joined):])
            continue
        out.append(line)
    return out


# ---------------------------------------------------------------------------- row readings


def _check(values: Sequence[str], identities: Sequence[Identity],
           cells: _Cells) -> tuple[int, int]:
    """(identities that hold, identities that fail) of a row's values; an identity with an
    empty total and empty parts says nothing."""
    held = failed = 0
    for identity in identities:
        if identity.axis != "column":
            continue
        total = parse_amount(values[identity.total - 1], cells.zero_marks) if (
            identity.total - 1 < len(values)) else None
        parts = [parse_amount(values[p - 1], cells.zero_marks) if p - 1 < len(values) else None
                 for p in identity.parts]
        printed = [p for p in parts if p is not None]
        if total is None and not printed:
            continue
        value = total.value if total is not None else Decimal(0)
        summed = sum((p.value for p in printed), Decimal(0))
        if abs(value - summed) <= _tolerance(total, printed):
            held += 1
        else:
            failed += 1
    return held, failed


def _tolerance(total: Amount | None, parts: Sequence[Amount]) -> Decimal:
    """Half the last printed digit per figure: the rounding of the printed parts."""
    figures = [*parts, *([total] if total is not None else [])]
    return sum((_half_digit(a.printed) for a in figures), Decimal(0))


def _half_digit(printed: str) -> Decimal:
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return Decimal(5) / Decimal(10) ** (decimals + 1)


def _bounds(columns: Sequence[Column], cells: _Cells) -> list[tuple[int, int]]:
    """(of-which column, its total) pairs: 其中：财政拨款 is at most the 小计 beside it."""
    out = []
    for part in columns:
        if not part.of_which:
            continue
        k = next((i for i, e in enumerate(part.header) if cells.vocabulary.of_which.search(e)),
                 len(part.header) - 1)
        total = next((c for c in columns if c.role == "amount" and c.header[:k] == part.header[:k]
                      and len(c.header) > k and cells.total(c.header[k])), None)
        if total is not None:
            out.append((part.number, total.number))
    return out


def _within_bounds(values: Sequence[str], bounds: Sequence[tuple[int, int]],
                   cells: _Cells) -> bool:
    for part, total in bounds:
        p = parse_amount(values[part - 1], cells.zero_marks)
        t = parse_amount(values[total - 1], cells.zero_marks)
        if p is not None and p.value > 0 and (t is None or p.value > t.value):
            return False
    return True


def _reading(values: list[str], table: RecognisedTable,
             cells: _Cells) -> tuple[list[str], str] | None:
    """Another reading of a row (one empty cell put back where the text form lost it, or one
    empty cell taken out) under which more of the table's identities hold than as printed,
    every cell fits its column and no of-which part exceeds its total; of several, the one
    moving the fewest printed cells. None when the printed reading is the best."""
    identities = [i for i in table.identities if i.axis == "column"]
    if not identities:
        return None
    held, failed = _check(values, identities, cells)
    if not failed:
        return None
    bounds = _bounds(table.columns, cells)
    width = len(values)
    candidates: dict[tuple[str, ...], str] = {}
    for position in range(1, width):
        if not values[-1].strip():  # a lost cell: everything from `position` moves right
            candidates.setdefault((*values[:position], "", *values[position:-1]), "right")
        if not values[position - 1].strip():  # a cell too many: the rest moves left
            candidates.setdefault((*values[:position - 1], *values[position:], ""), "left")
    best: tuple[tuple[int, int, int], list[str], str] | None = None
    for candidate, direction in candidates.items():
        listed = list(candidate)
        if listed == values or _misplaced(listed, table.columns, cells) or not _within_bounds(
                listed, bounds, cells):
            continue
        c_held, c_failed = _check(listed, identities, cells)
        if c_held <= held or c_failed >= failed:
            continue
        moved = [i for i, v in enumerate(values) if v.strip() and (
            i >= len(listed) or listed[i] != v)]
        score = (c_held, -c_failed, -len(moved))
        if best is None or score > best[0]:
            first = moved[0] + 1 if moved else 0
            why = (f"the cells from column {first} on read one column to the {direction} (an "
                   f"empty cell {'lost' if direction == 'right' else 'too many'} in the text "
                   f"form before them)")
            best = (score, listed, why)
    if best is None:
        return None
    return best[1], (f"{best[2]}: {best[0][0]} of the table's column identities hold so, "
                     f"{held} as printed")


# ------------------------------------------------------------------------------------ rows


def _row(number: int, line: SourceLine, values: list[str], columns: tuple[Column, ...],
         cells: _Cells) -> Row:
    raw = tuple(values)
    text = [rejoin_wrapped(v) for v in values]
    codes: list[Code] = []
    labels = [c for c in columns if c.role == "label"]
    for (block, scheme), found in _code_groups(columns).items():
        parts = [(c.part, text[c.number - 1]) for c in sorted(found, key=lambda c: c.part)]
        code = join_code(parts, cells.part_digits)
        name = _name_for(labels, block, scheme, text)
        if code and cells.scheme(code):
            codes.append(Code(block, cells.scheme(code), code, name))
    for column in labels:  # a code printed in the name cell: 2010101 行政运行
        m = _CODE_IN_LABEL.match(text[column.number - 1])
        if m and cells.scheme(m["code"]) and not any(c.name == text[column.number - 1]
                                                     for c in codes):
            text[column.number - 1] = m["name"].strip()
            codes.append(Code(column.block, cells.scheme(m["code"]), m["code"],
                              text[column.number - 1]))
    label = next((text[c.number - 1] for c in labels if text[c.number - 1]), "")
    amounts = tuple(cells.amount(text[c.number - 1], None if c.money else "")
                    if c.role == "amount" else None for c in columns)
    name_cells = [text[c.number - 1] for c in columns if c.role in ("label", "code", "unit-code")
                  and text[c.number - 1]]
    # a row without a label whose text names a total (合计 under 采购品目大类) is one too
    named_total = name_cells or [text[c.number - 1] for c in columns if c.role == "text"
                                 and text[c.number - 1] and not label][:1]
    is_total = any(cells.total(t) for t in named_total) and not codes
    unit = next((text[c.number - 1] for c in columns if c.role in ("unit-code", "code")
                 and any(p.match(text[c.number - 1]) for p in cells.organisations.values())),
                "") if not codes else ""
    return Row(number, line.line, tuple(text), raw, line.page, amounts, tuple(codes), label,
               is_total, cells.vocabulary.item_level(label), file=line.file, unit=unit)


def _code_groups(columns: Sequence[Column]) -> dict[tuple[int, str], list[Column]]:
    """The code columns of each code printed in a row: by block, and by the code list their
    header names (部门预算经济分类 and 政府预算经济分类 side by side are two codes)."""
    groups: dict[tuple[int, str], list[Column]] = {}
    for column in columns:
        if column.role == "code":
            groups.setdefault((column.block, column.scheme), []).append(column)
    return dict(sorted(groups.items()))


def _name_for(labels: Sequence[Column], block: int, scheme: str, text: Sequence[str]) -> str:
    """The name printed beside a code: its block's label of the same code list, else the
    block's first label."""
    same = [c for c in labels if c.block == block and c.scheme == scheme and text[c.number - 1]]
    any_ = [c for c in labels if c.block == block and text[c.number - 1]]
    chosen = same or any_
    return text[chosen[0].number - 1] if chosen else ""


def _with_terms(rows: list[Row], columns: tuple[Column, ...], cells: _Cells) -> list[Row]:
    """What the label of a row printed without a code says of its figures, per block, with
    what the items above it say: a numbered item's terms go to the items numbered under it,
    to the 其中 rows and to the unnumbered rows after it (up to the next item of its level or
    a total); an unnumbered row after a total heads the numbered items below it (年初结转和结余
    over 一、一般公共预算财政拨款); in a label of two levels, the outer label's terms go to
    the inner labels of its group (一般公共预算资金 | 公共财政拨款(补助)资金)."""
    vocabulary = cells.vocabulary
    labels = [c for c in columns if c.role == "label"]
    stacks: dict[int, list[tuple[int, Terms]]] = {c.block: [] for c in labels}
    groups: dict[int, Terms] = {}  # the terms of the current outer label, per block
    sections: dict[int, Terms] = {}  # an unnumbered row heading the numbered items below it
    out = []
    for row in rows:
        terms: list[tuple[int, Terms]] = []
        named: list[int] = []
        spanned = block_labels(row, columns, cells)
        for column in labels:
            if any(c.block == column.block for c in row.codes):
                continue
            text = row.cells[column.number - 1] or (
                spanned.get(column.block, "") if column is _first_label(labels, column.block)
                else "")
            if not text:
                continue
            own = tuple(t for t in vocabulary.terms_of(text) if t[0] in vocabulary.row_dimensions)
            stack = stacks[column.block]
            level = vocabulary.item_level(text)
            first = column is _first_label(labels, column.block)
            if cells.total(text):
                stack.clear()
                sections[column.block] = ()
            elif level:
                del stack[next((i for i, (lv, _) in enumerate(stack) if lv >= level),
                               len(stack)):]
            elif first and not stack:  # 年初财政拨款结转和结余 over 一、一般公共预算财政拨款
                sections[column.block] = own
            inherited = tuple(t for _, ts in stack for t in ts)
            if level:
                inherited += sections.get(column.block, ())
            if level and not cells.total(text):
                stack.append((level, own))
            if first:
                groups[column.block] = own
            else:
                inherited += groups.get(column.block, ())
            found = tuple(sorted(set(own) | set(inherited)))
            if found:
                terms.append((column.block, found))
            if own:
                named.append(column.block)
        out.append(replace(row, terms=tuple(terms), named=tuple(named)) if terms else row)
    return out


_WITH_CARRY = ("coverage", "with-carry-over")
_CARRIED = {("fundingSource", "carry-over"), ("expenditureType", "carry-forward")}


def _with_carry_over(rows: list[Row], identities: Sequence[Identity]) -> list[Row]:
    """A total whose parts hold carried money (上年结转结余, 年初结转和结余, 年末结转和结余) is
    more than the year's income or expenditure (收入总计 = 本年收入合计 + 上年结转结余): it gets
    the with-carry-over coverage, and so does a total over such a total."""
    by_number = {r.number: r for r in rows}

    def terms(number: int, block: int) -> set[tuple[str, str]]:
        return set(dict(by_number[number].terms).get(block, ()))

    marked: set[tuple[int, int]] = set()  # (row, block)
    changed = True
    while changed:
        changed = False
        for identity in identities:
            key = (identity.total, identity.block)
            if identity.axis != "row" or key in marked:
                continue
            if terms(identity.total, identity.block) & _CARRIED:
                continue  # 年初财政拨款结转和结余 over its sources: carried money, no more
            if any(terms(p, identity.block) & _CARRIED or (p, identity.block) in marked
                   for p in identity.parts):
                marked.add(key)
                changed = True
    out = []
    for row in rows:
        blocks = [b for r, b in marked if r == row.number]
        if not blocks:
            out.append(row)
            continue
        block_terms = dict(row.terms)
        for block in blocks:
            block_terms[block] = tuple(sorted({*block_terms.get(block, ()), _WITH_CARRY}))
        out.append(replace(row, terms=tuple(sorted(block_terms.items()))))
    return out


def _first_label(labels: Sequence[Column], block: int) -> Column:
    return next(c for c in labels if c.block == block)


def _unplaced(columns: tuple[Column, ...], rows: list[Row]) -> list[str]:
    """Columns no header word explains although they hold text (kept as text, reported)."""
    problems = []
    for column in columns:
        filled = [r for r in rows if r.cells[column.number - 1]]
        if column.role == "text" and filled and not column.header:
            problems.append(
                f"{_where(filled[0])}: column {column.number} has no header; its "
                f"{len(filled)} cell(s) are kept as text")
    return problems


def block_labels(row: Row, columns: Sequence[Column], cells: _Cells) -> dict[int, str]:
    """The label a row prints in each block: its block's first label cell, or the text a cell
    merged over the block's code columns prints there (人员经费合计 over 科目编码 and 科目名称);
    a label printed across blocks (当年支出小计 and 结转下年资金 merged over the function and
    the use blocks, their amounts in the last) labels the blocks after it whose label cell is
    empty, when its own block prints no amount."""
    blocks = sorted({c.block for c in columns if c.role == "label"})

    def label(block: int) -> str:
        own = [c for c in columns if c.block == block and c.role in ("code", "label")]
        texts = [compact(row.cells[c.number - 1]) for c in own if c.role == "label"]
        texts += [t for c in own if c.role == "code" and (t := compact(row.cells[c.number - 1]))
                  and not t.isdigit()]
        return next((t for t in texts if t), "")

    labels = {b: label(b) for b in blocks}
    printed = {b: any(row.amount(c) for c in columns if c.role == "amount" and c.block == b)
               for b in blocks}
    out: dict[int, str] = {}
    spanning = ""
    for index, block in enumerate(blocks):
        text = labels[block]
        if text:
            later = [b for b in blocks[index + 1:] if not labels[b] and printed[b]]
            spanning = text if cells.total(text) or (not printed[block] and later) else ""
            out[block] = text
        elif spanning:
            out[block] = spanning
    return out


def _row_identities(columns: tuple[Column, ...], rows: list[Row], cells: _Cells) -> list[Identity]:
    """The totals of uncoded rows, block by block: a total of the year (本年收入合计, 当年支出
    小计) is the sum of the numbered items above it; a numbered item, of the items one level
    below it; a grand total (收入总计, 总计) is the year's total and the rows between them
    (上年结转, 年初结转和结余 …), or, without a year's total, the numbered items; such an
    unnumbered row after the year's total, of the numbered items right below it (年初财政拨款结转和
    结余 over 一、一般公共预算财政拨款 二、…). A label in
    two levels (一般公共预算资金 | 小计) makes groups: a group's 小计 is the sum of its rows. In a
    block of coded rows, a total naming what it totals is the sum of the outermost codes."""
    out: list[Identity] = []
    for block in sorted({c.block for c in columns if c.role == "label"}):
        if any(c.block == block for r in rows for c in r.codes):
            out += _coded_block_totals(rows, block, columns, cells)
            continue
        labelled = [(r, text) for r in rows if (text := block_labels(r, columns, cells).get(
            block, ""))]
        levels = [c for c in columns if c.role == "label" and c.block == block]
        if len(levels) > 1:
            out += _group_identities(rows, levels[0], levels[1], block, cells)
        elif labelled:
            out += [_spanning_total(i, rows, columns, cells)
                    for i in _block_identities(labelled, block, cells)]
    return out


def _labelled(identity: Identity, rows: list[Row], columns: tuple[Column, ...],
              cells: _Cells) -> Identity:
    """A row identity whose total row prints several labels (本年收入合计 | 本年支出合计) with
    the one of its block, as printed: a finding about it quotes that one."""
    row = next(r for r in rows if r.number == identity.total)
    printed = [row.cell(c) for c in columns if c.role == "label" and row.cell(c)]
    own = block_labels(row, columns, cells).get(identity.block, "")
    if len(printed) < 2 or not own:
        return identity
    return replace(identity, label=next((t for t in printed if compact(t) == own), ""))


def _spanning_total(identity: Identity, rows: list[Row], columns: tuple[Column, ...],
                    cells: _Cells) -> Identity:
    """A total whose label is merged over its block and a later one, its figure printed in the
    later block's amount column only (当年支出小计 over the function and the use blocks of a
    收支预算总表, its figure under the use block's 金额): the total of the function amounts is
    that figure, when each of the two blocks has one amount column."""
    row = next(r for r in rows if r.number == identity.total)

    def amount_columns(block: int) -> list[Column]:
        return [c for c in columns if c.role == "amount" and c.block == block]

    own = amount_columns(identity.block)
    if len(own) != 1 or row.amount(own[0]) is not None:
        return identity
    labels = block_labels(row, columns, cells)
    for block in sorted(b for b in labels if b > identity.block):
        later = amount_columns(block)
        if labels[block] != labels[identity.block] or len(later) != 1:
            break
        if row.amount(later[0]) is not None:
            return replace(identity, total_column=later[0].number)
    return identity


def _coded_block_totals(rows: list[Row], block: int, columns: tuple[Column, ...],
                        cells: _Cells) -> list[Identity]:
    """A block of coded rows whose total row names what it totals (人员经费合计 under 301 and
    303, 公用经费合计 under 302 and 310, in a final account's 基本支出决算表): the sum of the
    block's outermost codes, those under no other code the block prints. A plain 合计 or 总计 is
    left to the TotalRow shape, which sums the outermost codes of every column from the graph."""
    coded = [(r, c.code) for r in rows for c in r.codes if c.block == block]
    printed = {code for _, code in coded}
    outermost = tuple(dict.fromkeys(r.number for r, code in coded if not any(
        other != code and code.startswith(other) for other in printed)))
    out: list[Identity] = []
    for row in rows:
        text = block_labels(row, columns, cells).get(block, "")
        if (outermost and cells.total(text) and text not in ("合计", "总计")
                and not any(c.block == block for c in row.codes)):
            out.append(Identity(row.number, outermost, "row", block))
    return out


def _level_identities(levels: tuple[re.Pattern[str], ...], columns: tuple[Column, ...],
                      rows: list[Row], cells: _Cells) -> list[Identity]:
    """Rows nested by the text column they fill (kinds.yaml `levels`): a row is the sum of the
    rows one level below it up to the next row of its level or above; a row whose outermost
    cell is a total (合计) is the sum of the outermost rows; a row filling none of them (the
    same 采购物品 bought another way) is at the level of the row before it."""
    if not levels:
        return []
    level_of = {c.number: i for c in columns if c.role in ("text", "label")
                for i, p in enumerate(levels) if p.search(c.header_text)}
    if len(set(level_of.values())) < len(levels):
        return []  # the table does not print every level: its nesting is not known
    nested: list[tuple[Row, int]] = []
    totals: list[Row] = []
    for row in rows:
        filled = sorted(level_of[n] for n in level_of if row.cells[n - 1].strip())
        if not any(a is not None for a in row.amounts):
            continue
        if not filled:  # 物业管理服务 bought two ways: its second row names only the way
            if nested:
                nested.append((row, nested[-1][1]))
            continue
        if filled[0] == 0 and cells.total(row.cells[next(
                n for n, lv in level_of.items() if lv == 0) - 1].strip()):
            totals.append(row)
        else:  # at its innermost level: a page that repeats the 专项 beside an item
            nested.append((row, filled[-1]))
    out: list[Identity] = []
    for index, (row, level) in enumerate(nested):
        children = []
        for after, after_level in nested[index + 1:]:
            if after_level <= level:
                break
            if after_level == level + 1:
                children.append(after.number)
        if children:
            out.append(Identity(row.number, tuple(children), "row", 0))
    top = tuple(r.number for r, lv in nested if lv == 0)
    out += [Identity(t.number, top, "row", 0) for t in totals if top]
    return out


def _group_identities(rows: list[Row], outer: Column, inner: Column, block: int,
                      cells: _Cells) -> list[Identity]:
    """A label in two levels: a row naming an outer label starts its group; the group's row
    whose inner label is a total (小计) is the sum of the group's other rows; a total in the
    outer column alone (收入总计) is the sum of the groups (each by its 小计)."""
    groups: list[list[Row]] = []
    grand: list[Row] = []
    for row in rows:
        outer_text, inner_text = row.cell(outer), row.cell(inner)
        if outer_text and not inner_text and cells.total(outer_text):
            grand.append(row)
        elif outer_text:
            groups.append([row])
        elif groups and inner_text:
            groups[-1].append(row)
    out: list[Identity] = []
    heads: list[int] = []
    for group in groups:
        subtotal = next((r for r in group if cells.total(r.cell(inner))), None)
        if subtotal is None:
            heads += [r.number for r in group]
            continue
        heads.append(subtotal.number)
        parts = tuple(r.number for r in group if r is not subtotal)
        if parts:
            out.append(Identity(subtotal.number, parts, "row", block))
    for row in grand:
        out.append(Identity(row.number, tuple(heads), "row", block))
    return out


def _block_identities(rows: list[tuple[Row, str]], block: int,
                      cells: _Cells) -> list[Identity]:
    vocabulary = cells.vocabulary
    out: list[Identity] = []
    items: list[Row] = []  # numbered items (一、…) since the last total
    year_total: Row | None = None  # the last total of the year (本年收入合计)
    after_year: list[Row] = []  # unnumbered rows after it (上年结转结余 …)
    for index, (row, text) in enumerate(rows):
        level = vocabulary.item_level(text)
        if level == 1:
            children = []
            for after, after_text in rows[index + 1:]:
                after_level = vocabulary.item_level(after_text)
                if after_level <= 1 or cells.total(after_text):
                    break
                if after_level == 2:
                    children.append(after.number)
            if children:
                out.append(Identity(row.number, tuple(children), "row", block))
        if cells.total(text):
            if vocabulary.current_year.search(text):
                if items:
                    out.append(Identity(row.number, tuple(r.number for r in items), "row",
                                        block))
                year_total, after_year = row, []
            elif year_total is not None:
                out.append(Identity(row.number, (year_total.number,
                                                 *(r.number for r in after_year)), "row", block))
                year_total = None
            elif items:
                out.append(Identity(row.number, tuple(r.number for r in items), "row", block))
            items = []
        elif year_total is not None and level == 0:
            after_year.append(row)
            heads = []  # 年初财政拨款结转和结余 over 一、一般公共预算财政拨款 二、…
            for after, after_text in rows[index + 1:]:
                if vocabulary.item_level(after_text) != 1 or cells.total(after_text):
                    break
                heads.append(after.number)
            if heads:
                out.append(Identity(row.number, tuple(heads), "row", block))
        elif level == 1:
            items.append(row)
    return out


# -------------------------------------------------------------------------------- projects


def _projects(columns: tuple[Column, ...], rows: list[Row], cells: _Cells) -> list[ProjectEntry]:
    """Projects of a project table (a row with a project type) or a performance table (a row
    with a project code, its indicators on the rows below until the next code)."""
    role = {c.role: c for c in reversed(columns) if c.role in ("unit-code", "label",
                                                                 "project-type")}
    names = [c for c in columns if c.role == "indicator-level"]
    values = {c.group: c for c in columns if c.role == "indicator-value"}
    if "project-type" not in role and not names:
        return []
    out: list[ProjectEntry] = []
    current: ProjectEntry | None = None
    pending: list[Indicator] = []

    def close() -> None:
        if current is not None:
            out.append(replace(current, indicators=tuple(pending)))

    for row in rows:
        code = row.cell(role["unit-code"]) if "unit-code" in role else ""
        name = row.cell(role["label"]) if "label" in role else ""
        if "project-type" in role:
            kinds = [v for d, v in cells.vocabulary.terms_of(row.cell(role["project-type"]))
                     if d == "expenditureType"]
            if kinds:
                out.append(ProjectEntry(name, row.number, code, "", kinds[0]))
            continue
        if code:
            close()
            current, pending = None, []
            if cells.project.match(code):
                current = ProjectEntry(name, row.number, "", code)
        if current is None:
            continue
        for column in names:
            value_column = values.get(column.group)
            level3 = row.cell(column)
            value = row.cell(value_column) if value_column else ""
            if level3 or value:
                pending.append(_indicator(column.group, "", level3, value,
                                          cells.vocabulary.comparators, row.number))
    close()
    return out


def _unit_identities(columns: tuple[Column, ...], rows: list[Row],
                     projects: Sequence[ProjectEntry], cells: _Cells) -> list[Identity]:
    """The totals of a table's unit rows: a row printing a department or unit code (017,
    017001) and no project is the sum of the unit rows one level below it (codes that extend
    its code, the shortest), or, without any, of the projects up to the next unit row; the
    table's 合计 row, of the outermost unit rows (or of all projects, when it prints none)."""
    role = next((c for c in columns if c.role == "unit-code"), None)
    if role is None:
        return []
    project_rows = {p.row for p in projects}
    entries: list[tuple[Row, str]] = []  # unit rows with their code, projects with ""
    totals: list[Row] = []
    for row in rows:
        if not any(a is not None for a in row.amounts):
            continue
        code = row.cell(role)
        if row.number in project_rows:
            entries.append((row, ""))
        elif code.isdigit() and not cells.project.match(code):
            entries.append((row, code))
        elif not code and any(cells.total(text) for text in row.cells if text.strip()):
            totals.append(row)
    out: list[Identity] = []
    for index, (row, code) in enumerate(entries):
        if not code:
            continue
        below: list[tuple[Row, str]] = []
        for after, after_code in entries[index + 1:]:
            if after_code and not (after_code.startswith(code) and len(after_code) > len(code)):
                break
            below.append((after, after_code))
        units = [len(c) for _, c in below if c]
        if units and not below[0][1]:
            continue  # projects of its own before its units: which are its parts is not told
        parts = [r.number for r, c in below if len(c) == min(units)] if units else [
            r.number for r, _ in below]
        if parts:
            out.append(Identity(row.number, tuple(parts), "row", 0))
    units = [len(c) for _, c in entries if c]
    top = tuple(r.number for r, c in entries if (len(c) == min(units) if units else not c))
    out += [Identity(t.number, top, "row", 0) for t in totals if top]
    return out


def parse_indicator_value(raw: str, comparators: Sequence[tuple[str, str]]) -> tuple[
    str, Decimal | None, str
]:
    """(comparator, value, unit) of a printed target such as ≥90%, ≤4289.5万元, 7%左右, 100个."""
    text = compact(raw)
    comparator = ""
    for printed, canonical in comparators:
        if text.startswith(printed):
            comparator, text = canonical, text[len(printed):]
            break
        if text.endswith(printed) and canonical == "左右":
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


def _indicator(level1: str, level2: str, level3: str, raw: str,
               comparators: Sequence[tuple[str, str]], row: int, note: str = "") -> Indicator:
    comparator, value, unit = parse_indicator_value(raw, comparators)
    return Indicator(level1, level2, level3, raw, comparator, value, unit, note, row)


# ------------------------------------------------------------------------------------ form


@dataclass
class _FormState:
    goal: str = ""
    tasks: list[Task] | None = None
    indicators: list[Indicator] | None = None


def _form(table: RecognisedTable, cells: _Cells, form: Form) -> BudgetTable:
    """A form-layout table: labelled fields (goal, tasks, a budget block of labelled amounts),
    then an indicator grid whose header row names its columns (vocabulary.yaml `columns`).
    Rows of the grid are read right-aligned on its value column: the text form drops the
    empty cells a row starts with."""
    vocabulary = cells.vocabulary
    width = max((len(line.cells) for line in table.body), default=0)
    rows: list[Row] = []
    grid: dict[str, int] = {}
    levels = ["", "", ""]
    tasks: list[Task] = []
    indicators: list[Indicator] = []
    goal = ""
    in_tasks = False
    units: dict[str, str] = cells.mappings.document["units"]
    block_unit = cells.unit
    unit_res = [re.compile(p) for p in cells.mappings.document["unit_patterns"]]
    for number, line in enumerate(table.body, start=1):
        raw = tuple(list(line.cells) + [""] * (width - len(line.cells)))
        text = [rejoin_wrapped(c) for c in raw]
        filled = [c for c in text if c]
        roles = [vocabulary.column_rule(c) for c in text]
        if filled and sum(1 for r in roles if r and r.role.startswith("indicator")) >= 2:
            grid = {_grid_key(r.role, r.level): i for i, r in enumerate(roles)
                    if r and r.role.startswith("indicator")}
            in_tasks = False
            rows.append(Row(number, line.line, tuple(text), raw, line.page,
                            (None,) * width, file=line.file))
            continue
        amounts: list[Amount | None] = [None] * width
        if grid and filled:
            names, value, note = _indicator_cells(filled, grid)
            for k in (0, 1):
                if names[k]:
                    levels[k] = names[k]
                    if k == 0:
                        levels[1] = names[1]
            if names[2] or value:
                indicators.append(_indicator(levels[0], levels[1], names[2], value,
                                             vocabulary.comparators, number, note))
        elif filled and form.goal.search(compact(filled[0])) and len(filled) > 1:
            goal = _TAGS.sub("", filled[1]).strip()
        elif filled and form.tasks.search(compact(filled[0])):
            in_tasks = True
        elif any(cells.is_amount(c) for c in filled):
            in_tasks = False
            named = next((units[m["unit"]] for c in text for p in unit_res
                          if c and (m := p.search(compact(c)))), "")
            block_unit = named or block_unit  # 部门预算总额（万元） names the unit of its block
            amounts = [cells.amount(c, block_unit) if cells.is_amount(c) else None for c in text]
        elif in_tasks and len(filled) == 2:
            tasks.append(Task(filled[0], _TAGS.sub("", filled[1]).strip()))
        rows.append(Row(number, line.line, tuple(text), raw, line.page, tuple(amounts),
                        label=next((c for c in text if c), ""), file=line.file))
    columns = tuple(Column(i + 1, (), "text") for i in range(width))
    return BudgetTable(
        number=table.number, kind=table.kind, title=table.title, unit=table.unit,
        unit_text=table.unit_text, line=table.raw.line, columns=columns, rows=tuple(rows),
        notes=table.raw.notes, terms=table.terms, empty=False, page=table.raw.page,
        file=table.raw.file, indicators=tuple(indicators), tasks=tuple(tasks), annual_goal=goal,
    )


def _grid_key(role: str, level: int) -> str:
    return f"level{level}" if role == "indicator-level" else role.removeprefix("indicator-")


def _indicator_cells(filled: list[str], grid: dict[str, int]) -> tuple[list[str], str, str]:
    """(level names 1-3, value, note) of an indicator row, read from its last cell back: the
    text form drops empty cells, so position says less than order does. A row filling every
    column of the grid ends with its note; else its last cell is the value, the one before the
    level-3 name, and the cells before those the higher levels."""
    cells = list(filled)
    note = cells.pop() if "note" in grid and len(cells) >= len(grid) else ""
    value = cells.pop() if cells else ""
    level3 = cells.pop() if cells else ""
    upper = ["", ""]
    for k in (1, 0):
        if cells:
            upper[k] = cells.pop()
    return [upper[0], upper[1], level3], value, note


# ----------------------------------------------------------------------------- organisation


def _printed_codes(org: Organisation, tables: tuple[BudgetTable, ...],
                   mappings: Mappings) -> Organisation:
    """The organisation's own code (部门代码) and its units' codes, where the tables print them."""
    department = re.compile(mappings.codes["organisations"]["department"])
    unit = re.compile(mappings.codes["organisations"]["unit"])
    code = org.code
    units = dict(org.units)
    for table in tables:
        for row in table.rows:
            if department.match(row.unit):
                code = code or row.unit
            elif unit.match(row.unit) and row.label:
                units.setdefault(row.unit, row.label)
    return replace(org, code=code, units=tuple(sorted(units.items())))
