"""The typed values handed from stage to stage, all frozen: a stage never changes what it was
handed, it returns a new value.

    read       -> Source       the files of one document as lines: narrative and raw tables
    recognise  -> Recognised   the document's heading, each table's kind and column roles, the
                               narrative's statements
    normalise  -> Document     each table's cells typed (amounts in 元 with their printed form,
                               codes joined), ambiguous rows read by the table's own arithmetic
    link       -> Document     the same, with what it links to (Links)

Nothing here knows a table title or a column name: that lives in mappings/.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

Terms = tuple[tuple[str, str], ...]  # (dimension, concept id) pairs, sorted


@dataclass(frozen=True)
class Notice:
    """Something a stage could not do or had to guess, reported with the build (a warning):
    a stable code, where it is (table title, page or line) and what happened."""

    code: str  # e.g. table-unrecognised, unit-missing, table-missing, heading-guessed
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


# ------------------------------------------------------------------------------------ read


@dataclass(frozen=True)
class SourceFile:
    """One file of a document as read: its path, content hash and input form."""

    path: Path
    sha256: str
    form: str  # pdf | text | xlsx | csv
    pages: int = 0


@dataclass(frozen=True)
class SourceLine:
    """One printed line of a table: its cells as extracted and where it was found."""

    line: int  # 1-based line of the text form (for a PDF: of its text form)
    cells: tuple[str, ...]
    block: int  # page block: lines separated by a page break belong to different blocks
    page: int = 0  # 1-based PDF page, 0 for the text form
    file: int = 0  # index of the file in Source.files


@dataclass(frozen=True)
class RawTable:
    """A table as found in the document, before recognition."""

    title: str
    line: int
    meta: tuple[str, ...]  # lines between the title and the first row (部门名称：…, 单位：万元)
    lines: tuple[SourceLine, ...]
    notes: tuple[str, ...]  # lines after the rows (注：…, 本表无数据)
    page: int = 0
    file: int = 0


@dataclass(frozen=True)
class TextLine:
    """A narrative line (a paragraph of a PDF): its text and where it was printed."""

    line: int
    text: str
    page: int = 0
    file: int = 0


@dataclass(frozen=True)
class Source:
    """What the read stage hands on: the files of one document as lines of the text form."""

    files: tuple[SourceFile, ...]
    narrative: tuple[TextLine, ...]
    tables: tuple[RawTable, ...]
    contents: tuple[str, ...]  # table titles listed in the table of contents

    @property
    def sha256(self) -> str:
        """The document's content hash: its file's, or of its files' hashes in order."""
        if len(self.files) == 1:
            return self.files[0].sha256
        return combined_sha256([f.sha256 for f in self.files])


def combined_sha256(hashes: Sequence[str]) -> str:
    """The content hash of a document of several files: of their hashes, in order."""
    return hashlib.sha256("".join(hashes).encode()).hexdigest()


# ------------------------------------------------------------------------------- recognise


@dataclass(frozen=True)
class Column:
    """A printed column: its header path (top-down, as printed), the role its header words and
    cells give it, and the terms its header words give its figures."""

    number: int  # 1-based position in the table
    header: tuple[str, ...]
    role: str  # amount | label | code | unit-code | project-type | indicator-* | text
    block: int = 0  # side-by-side block (0 = the only one)
    scheme: str = ""  # code list of a code or label column (function, dept-economic …)
    part: int = 0  # position of a split code column (类=1, 款=2, 项=3)
    level: int = 0  # indicator level of an indicator-level column
    group: str = ""  # indicator group (成本指标 …) of indicator columns
    terms: Terms = ()  # (dimension, concept id) pairs the header words imply
    total: bool = False  # 合计 / 小计 / 总计: the total of its sibling columns
    of_which: bool = False  # 其中：…: a part no total adds
    money: bool = True  # its numbers are money, in the table's unit (else counts as printed)

    @property
    def header_text(self) -> str:
        return " / ".join(self.header)


@dataclass(frozen=True)
class Identity:
    """A total that the table's own layout says equals the sum of its parts: columns (in every
    row) or rows (in every amount column of a block)."""

    total: int  # column number, or row number
    parts: tuple[int, ...]
    axis: str = "column"  # column | row
    block: int = 0  # for a row identity: the block whose amount columns it holds in
    # for a row identity whose total row prints its figure in the one amount column of a later
    # block, its label merged over both (当年支出小计 of a 收支预算总表): that column's number
    total_column: int = 0
    # for a row identity whose total row prints several labels (本年收入合计 | 本年支出合计):
    # the label it has in the identity's block
    label: str = ""


@dataclass(frozen=True)
class RecognisedTable:
    """A raw table with its kind and its columns' roles; body lines still as printed."""

    number: int  # order in the document, 1-based
    kind: str  # a kind of mappings/kinds.yaml, or "unrecognised"
    title: str
    raw: RawTable
    unit: str  # unit concept id (wan-yuan | yuan); "" when the table states none
    unit_text: str
    terms: Terms  # what the table's kind and title say of every figure
    columns: tuple[Column, ...]
    body: tuple[SourceLine, ...]  # header rows and repeated headers left out
    identities: tuple[Identity, ...]  # column identities from the header tree
    notices: tuple[Notice, ...] = ()


@dataclass(frozen=True)
class Heading:
    """What the document says of itself: title, year, phase, scope, organisation, date."""

    title: str
    year: int
    phase: str  # budget | adjusted | final
    scope: str  # department | unit
    organisation: str
    issued: str = ""  # ISO date printed in the document
    guessed: tuple[str, ...] = ()  # which of year, phase, scope had to be guessed


@dataclass(frozen=True)
class Statement:
    """A figure stated in the narrative, with the sentence it came from."""

    section: str
    subject: str
    topic: str  # topic id from mappings/narrative.yaml, "" when none matched
    measure: str  # amount | earlier-amount (比上年预算数1400万元) | share | change | growth | count
    value: Decimal
    unit: str  # as printed: 万元, %, 辆, 台（套）, 个 …
    sentence: str
    line: int
    page: int = 0
    file: int = 0
    phase: str = ""  # the phase its clause names (年初预算 → budget, 决算 → final), if any
    whole: str = ""  # what a share is of, when the sentence names it (占“三公”经费的…%)
    outer: str = ""  # the top-level heading it is under (五、财政拨款支出预算表情况说明), if any
    ends: str = ""  # the mark ending its sentence (。 or ；), "" at the end of the paragraph


@dataclass(frozen=True)
class Organisation:
    """The department, its budget units and internal divisions as printed."""

    name: str
    code: str = ""
    units: tuple[tuple[str, str], ...] = ()  # (unit code, name) as printed in the tables
    unit_names: tuple[str, ...] = ()  # units named in the narrative
    divisions: tuple[str, ...] = ()
    responsibilities: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recognised:
    """What the recognise stage hands on: the document's heading and organisation, its tables
    with their kinds and column roles, and the figures of its narrative."""

    source: Source
    heading: Heading
    organisation: Organisation
    tables: tuple[RecognisedTable, ...]
    statements: tuple[Statement, ...]
    paragraphs: tuple[TextLine, ...]  # the narrative, paragraphs re-joined
    notices: tuple[Notice, ...] = ()


# ------------------------------------------------------------------------------- normalise


@dataclass(frozen=True)
class Amount:
    """An amount cell: the exact decimal as printed, in the table's unit, and in 元 (None when
    the table states no unit); `stated_zero` for 0, 0.00, - or —."""

    value: Decimal
    printed: str
    stated_zero: bool = False
    yuan: Decimal | None = None
    unit: str = ""  # the unit concept id it is printed in; "" when the table states none


@dataclass(frozen=True)
class Code:
    """A classification code a row prints, joined, with the name printed beside it."""

    block: int  # the side-by-side block it is printed in
    scheme: str  # its code list (function, dept-economic, gov-economic), told by the code
    code: str
    name: str = ""


@dataclass(frozen=True)
class Row:
    """A printed body row, cells normalised (wrapped text re-joined), what it stands for read."""

    number: int  # 1-based order of the row in the table, continuation pages merged
    line: int
    cells: tuple[str, ...]  # one per column, "" when the cell is empty
    raw: tuple[str, ...]  # the same cells exactly as extracted
    page: int = 0
    amounts: tuple[Amount | None, ...] = ()  # one per column: the amount of an amount cell
    codes: tuple[Code, ...] = ()  # the classification codes the row prints
    label: str = ""  # the row's name as printed (its first label cell)
    total: bool = False  # a 合计 / 总计 / 小计 row
    level: int = 0  # the numbering level of its label (一、 = 1, （一） = 2 …)
    terms: tuple[tuple[int, Terms], ...] = ()  # (block, terms) its label gives its figures
    named: tuple[int, ...] = ()  # the blocks where its own label says what it is
    file: int = 0
    unit: str = ""  # the organisation code it prints (部门代码 017, 单位代码 017001)

    def cell(self, column: Column) -> str:
        return self.cells[column.number - 1]

    def amount(self, column: Column) -> Amount | None:
        return self.amounts[column.number - 1] if self.amounts else None


@dataclass(frozen=True)
class Indicator:
    """A performance indicator with its level names and parsed target."""

    level1: str
    level2: str
    level3: str
    raw_value: str
    comparator: str = ""
    value: Decimal | None = None
    unit: str = ""
    note: str = ""
    row: int = 0


@dataclass(frozen=True)
class ProjectEntry:
    """A project as printed in a project or project-performance table."""

    name: str
    row: int
    unit_code: str = ""
    code: str = ""  # the project code as printed (21 digits in Henan documents)
    project_type: str = ""  # concept id in the expenditure-type list
    indicators: tuple[Indicator, ...] = ()


@dataclass(frozen=True)
class Task:
    name: str
    content: str


@dataclass(frozen=True)
class BudgetTable:
    """A table ready to be mapped: its kind, columns with roles, typed rows, the identities its
    layout states, and how its ambiguous rows were read."""

    number: int  # order in the document, 1-based
    kind: str
    title: str
    unit: str  # unit concept id (wan-yuan | yuan); "" when the table states none
    unit_text: str
    line: int
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    notes: tuple[str, ...]
    terms: Terms = ()
    empty: bool = False
    page: int = 0
    file: int = 0
    identities: tuple[Identity, ...] = ()
    readings: tuple[str, ...] = ()  # how rows that read more than one way were read, and why
    projects: tuple[ProjectEntry, ...] = ()
    indicators: tuple[Indicator, ...] = ()  # table-level (department) goals
    tasks: tuple[Task, ...] = ()
    annual_goal: str = ""
    problems: tuple[str, ...] = ()  # what could not be placed, for the build's warnings


@dataclass(frozen=True)
class ProjectRef:
    """A project as printed in one table: where (table and row number), its name and amount."""

    table: int  # the table's number in the document
    row: int  # the project's row number in that table
    name: str
    amount: Decimal | None  # its total in 元; None when the cell holds no amount
    where: str = ""  # where it is printed: "page 12" of a PDF, "line 462" of a text form


@dataclass(frozen=True)
class ProjectMatch:
    """A project of the project table and its entry in the project-performance table (same
    amount, similar name); or, unmatched (`entry` None), a project of either table with the
    nearest name in the other table, for the report."""

    project: ProjectRef
    entry: ProjectRef | None
    nearest: ProjectRef | None
    similarity: Decimal  # 0 to 1: of the name to the entry's, else to the nearest's


@dataclass(frozen=True)
class PriorFigure:
    """A figure of an earlier fiscal year implied by the narrative: this year's stated amount
    minus the stated change, or divided by 1 + the stated growth rate."""

    year: int  # the fiscal year compared with (与2025年相比 -> 2025)
    phase: str  # budget-phase concept id of the compared figure; "" when the text names none
    value: Decimal  # in the unit of `amount`
    tolerance: Decimal  # in that unit: what the rounding of the printed figures explains
    method: str  # change | growth
    comparison: str  # the words naming the comparison, as printed (与2025年相比)
    amount: int  # index in Document.statements of this year's amount
    change: int  # index in Document.statements of the stated change or growth rate


@dataclass(frozen=True)
class Place:
    """A place a department belongs to, broadest first: named in full (上海市普陀区), with its
    division code ("" when the list has none: a sub-district, a development zone)."""

    name: str
    code: str
    within: str  # the key of the place it lies in, "" for none
    printed: bool  # named in the department's name (else: a division above a printed one)

    @property
    def key(self) -> str:
        """What identifies the place: its division code, else its full name."""
        return self.code or self.name


@dataclass(frozen=True)
class Links:
    """What the document links to, found after reading (link/): its region, its projects
    matched with their performance goals, and the earlier years' figures its narrative implies."""

    regions: tuple[Place, ...] = ()  # the department's places, broadest first (上海市 …)
    organisation: str = ""  # the form of its name its IRIs are minted from ("": as printed)
    projects: tuple[ProjectMatch, ...] = ()
    prior: tuple[PriorFigure, ...] = ()
    narrative: tuple[str, ...] = ()  # narrative paragraphs citing a policy or a standard


@dataclass(frozen=True)
class Document:
    """A budget document: what was read, recognised and normalised, ready to be linked and
    mapped."""

    source: Source
    heading: Heading
    organisation: Organisation
    tables: tuple[BudgetTable, ...]
    statements: tuple[Statement, ...]
    paragraphs: tuple[TextLine, ...]
    notices: tuple[Notice, ...] = ()
    links: Links = field(default_factory=Links)

    # the heading's parts, as the later stages name them
    @property
    def title(self) -> str:
        return self.heading.title

    @property
    def year(self) -> int:
        return self.heading.year

    @property
    def phase(self) -> str:
        return self.heading.phase

    @property
    def scope(self) -> str:
        return self.heading.scope

    @property
    def issued(self) -> str:
        return self.heading.issued

    @property
    def sha256(self) -> str:
        return self.source.sha256

    @property
    def path(self) -> Path:
        return self.source.files[0].path

    def with_links(self, links: Links) -> Document:
        return replace(self, links=links)
