"""One printed thing changed in a normalised document (pipeline.normalised), for mutation tests
and benchmarks/bench_mutations.py: an amount in any table, a figure of the narrative, a code, a
class name. The change is made on the frozen Document handed to linking and mapping
(dataclasses.replace), so a PDF need not be rewritten; each mutation says where it is, and
named() tells whether a finding names that place: the cell (its row and its column), the row of
the code or name, or the sentence. Deterministic for a seed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from budgetkg.tables import Amount, BudgetTable, Code, Document, Row, Statement
from budgetkg.validate import Finding

CLASSES = ("amount", "narrative", "code", "name")
NARRATIVE = "说明"  # the table a finding about a sentence is located in (validate._located)


@dataclass(frozen=True)
class Place:
    """Where a mutation is: a table's row and column (column 0: the row), or a sentence."""

    table: int = 0
    row: int = 0
    column: int = 0
    header: str = ""  # the column's header as printed, as messages quote it
    sentence: str = ""


@dataclass(frozen=True)
class Mutation:
    kind: str
    document: Document
    place: Place
    what: str  # the printed value before and after, for a failure message


def _table(doc: Document, number: int, table: BudgetTable) -> Document:
    return replace(doc, tables=tuple(table if t.number == number else t for t in doc.tables))


def _row(doc: Document, table: BudgetTable, row: Row) -> Document:
    rows = tuple(row if r.number == row.number else r for r in table.rows)
    return _table(doc, table.number, replace(table, rows=rows))


def _decimals(printed: str) -> int:
    return len(printed.rsplit(".", 1)[1]) if "." in printed else 0


def _printed(value: Decimal, decimals: int, grouped: bool) -> str:
    return format(value, f"{',' if grouped else ''}.{decimals}f")


def _amount(doc: Document, rng: random.Random) -> Mutation | None:
    cells = [(t, r, c) for t in doc.tables for r in t.rows for c in t.columns
             if c.role == "amount" and (a := r.amount(c)) is not None and a.value != 0]
    if not cells:
        return None
    table, row, column = rng.choice(cells)
    old = row.amount(column)
    assert old is not None
    decimals = _decimals(old.printed)
    # 100 to 10,000 units of the last printed digit: beyond what rounding explains (1.00 to
    # 100.00 万元 printed with two decimals, 100 to 10,000 元 printed whole)
    units = rng.choice([Decimal("100"), Decimal("350"), Decimal("1270"), Decimal("10000")])
    step = units.scaleb(-decimals)
    value = old.value + step if rng.random() < 0.5 or old.value <= step else old.value - step
    printed = _printed(value, decimals, "," in old.printed)
    yuan = old.yuan * value / old.value if old.yuan is not None else None
    new = Amount(value, printed, False, yuan, old.unit)
    i = column.number - 1
    row2 = replace(row, amounts=(*row.amounts[:i], new, *row.amounts[i + 1:]),
                   cells=(*row.cells[:i], printed, *row.cells[i + 1:]),
                   raw=(*row.raw[:i], printed, *row.raw[i + 1:]))
    return Mutation("amount", _row(doc, table, row2),
                    Place(table.number, row.number, column.number, column.header_text),
                    f"table {table.number} row {row.number} column {column.number}: "
                    f"{old.printed} -> {printed}")


MEASURES = ("amount", "share", "growth", "change", "count")


def _narrative(doc: Document, rng: random.Random) -> Mutation | None:
    figures = [i for i, s in enumerate(doc.statements) if s.measure in MEASURES and s.value > 0]
    if not figures:
        return None
    i = rng.choice(figures)
    old = doc.statements[i]
    exponent = min(old.value.as_tuple().exponent, 0)  # type: ignore[type-var]
    value = (old.value * Decimal("1.1") + 1).quantize(Decimal(1).scaleb(exponent))
    text = str(old.value)
    sentence = (old.sentence.replace(text, str(value)) if old.sentence.count(text) == 1
                else old.sentence)

    def changed(j: int, s: Statement) -> Statement:
        s = replace(s, value=value) if j == i else s
        return replace(s, sentence=sentence) if s.sentence == old.sentence else s

    statements = tuple(changed(j, s) for j, s in enumerate(doc.statements))
    return Mutation("narrative", replace(doc, statements=statements), Place(sentence=sentence),
                    f"「{old.subject}」{old.value}{old.unit} -> {value}{old.unit}")


def _coded(doc: Document) -> list[tuple[BudgetTable, Row, int]]:
    return [(t, r, k) for t in doc.tables for r in t.rows for k in range(len(r.codes))]


def recoded(table: BudgetTable, row: Row, k: int, code: Code) -> Row:
    """The row with its k-th code replaced, in its code and label cells too (a split code's
    part columns, 类 款 项, each hold their part)."""
    old = row.codes[k]
    parts = {1: (0, 3), 2: (3, 5), 3: (5, 7)}
    cells, raw = list(row.cells), list(row.raw)
    for column in table.columns:
        i = column.number - 1
        if column.block != old.block:
            continue
        if column.role == "code" and column.part in parts:
            a, b = parts[column.part]
            if cells[i] == old.code[a:b]:
                cells[i] = raw[i] = code.code[a:b]
        elif column.role == "code" and cells[i] == old.code:
            cells[i] = raw[i] = code.code
        elif column.role == "label" and cells[i] == old.name and code.name != old.name:
            cells[i] = raw[i] = code.name
    codes = (*row.codes[:k], code, *row.codes[k + 1:])
    label = code.name if row.label == old.name else row.label
    return replace(row, codes=codes, cells=tuple(cells), raw=tuple(raw), label=label)


def _code(doc: Document, rng: random.Random) -> Mutation | None:
    coded = _coded(doc)
    if not coded:
        return None
    table, row, k = rng.choice(coded)
    old = row.codes[k]
    digit = int(old.code[-1])
    new = old.code[:-1] + str((digit + rng.randint(1, 9)) % 10)  # a mistyped last digit
    row2 = recoded(table, row, k, replace(old, code=new))
    return Mutation("code", _row(doc, table, row2), Place(table.number, row.number),
                    f"table {table.number} row {row.number}: code {old.code} -> {new}")


def _name(doc: Document, rng: random.Random) -> Mutation | None:
    coded = [(t, r, k) for t, r, k in _coded(doc) if r.codes[k].name]
    if not coded:
        return None
    table, row, k = rng.choice(coded)
    old = row.codes[k]
    others = sorted({r.codes[j].name for _, r, j in coded
                     if r.codes[j].scheme == old.scheme and r.codes[j].name != old.name})
    if not others:
        return None
    name = rng.choice(others)  # the name of another class printed beside this code
    row2 = recoded(table, row, k, replace(old, name=name))
    return Mutation("name", _row(doc, table, row2), Place(table.number, row.number),
                    f"table {table.number} row {row.number}: {old.code} {old.name} -> {name}")


_MAKERS: dict[str, Callable[[Document, random.Random], Mutation | None]] = {
    "amount": _amount, "narrative": _narrative, "code": _code, "name": _name}


def mutations(doc: Document, kind: str, count: int, seed: int = 0) -> list[Mutation]:
    """Up to `count` copies of `doc`, each with one printed thing of class `kind` changed (none
    when the document prints nothing of that class)."""
    rng = random.Random(f"{seed}-{kind}")
    out = []
    for _ in range(count):
        made = _MAKERS[kind](doc, rng)
        if made is None:
            break
        out.append(made)
    return out


def _quotes(message: str, header: str) -> bool:
    """The message quotes the header as a whole (not as the end of a longer one: 小计 in
    项目支出 / 小计)."""
    for match in re.finditer(re.escape(header), message):
        before, after = message[:match.start()], message[match.end():]
        if not before.endswith("/ ") and not after.startswith(" /"):
            return True
    return False


def finding_key(f: Finding) -> tuple[str, int, int, int, str]:
    return (f.shape, *f.order, f.column, f.message_en)


def naming(mutation: Mutation, findings: Iterable[Finding],
           baseline: set[tuple[str, int, int, int, str]]) -> list[Finding]:
    """The findings, new since the unchanged document (`baseline`: finding_key of its findings),
    that name the changed place: its sentence; its row (a code or a name); its row and its
    column (an amount: the finding is about the cell, or about its row and quotes its
    column's header)."""
    place = mutation.place
    out = []
    for f in findings:
        if finding_key(f) in baseline:
            continue
        if place.sentence:
            if f.table == NARRATIVE and f.row == place.sentence:
                out.append(f)
        elif f.order == (place.table, place.row) and (
                not place.column or f.column == place.column
                or (not f.column and place.header and _quotes(f.message_en, place.header))):
            out.append(f)
    return out


def composed(doc: Document, counts: dict[str, int], seed: int = 0) -> Document:
    """`doc` with `counts[kind]` mutations of each class, each made on the result of the last."""
    for kind, count in counts.items():
        rng = random.Random(f"{seed}-{kind}")
        for _ in range(count):
            made = _MAKERS[kind](doc, rng)
            if made is not None:
                doc = made.document
    return doc


def shrunk(doc: Document, rows: int) -> Document:
    """The first `rows` rows of each table (of a project table, the rows of its first `rows`
    projects), with the identities and projects of what is kept: a small document that still
    has every kind of table and figure."""
    tables = []
    for t in doc.tables:
        last = rows
        if t.projects:
            after = sorted(p.row for p in t.projects)[rows:]
            last = after[0] - 1 if after else max((r.number for r in t.rows), default=0)
        kept = tuple(r for r in t.rows if r.number <= last)
        identities = tuple(i for i in t.identities if i.axis == "column"
                           or all(n <= last for n in (i.total, *i.parts)))
        tables.append(replace(t, rows=kept, identities=identities,
                              projects=tuple(p for p in t.projects if p.row <= last)))
    return replace(doc, tables=tuple(tables))
