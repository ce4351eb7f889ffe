"""The typed objects handed from stage to stage: Document, BudgetTable, Statement and their parts.

The reader produces a Document whose tables are still raw (RawTable: lines of cells as printed);
recognition turns each into a BudgetTable (kind, columns with roles, rows of normalised cells).
Nothing here knows a table title or a column name: that lives in mappings/.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path


@dataclass(frozen=True)
class SourceLine:
    """One printed line of a table: its cells as extracted and where it was found."""

    line: int  # 1-based line of the text form (for a PDF: of its text form)
    cells: tuple[str, ...]
    block: int  # page block: lines separated by a page break belong to different blocks
    page: int = 0  # 1-based PDF page, 0 for the text form


@dataclass(frozen=True)
class RawTable:
    """A table as found in the document, before recognition."""

    title: str
    line: int
    meta: tuple[str, ...]  # lines between the title and the first row (部门名称：…, 单位：万元)
    lines: tuple[SourceLine, ...]
    notes: tuple[str, ...]  # lines after the rows (注：…, 本表无数据)
    page: int = 0


@dataclass(frozen=True)
class Amount:
    """An amount cell: exact decimal in the printed unit; `stated_zero` for 0, 0.00, - or —."""

    value: Decimal
    printed: str
    stated_zero: bool = False


@dataclass(frozen=True)
class Column:
    """A printed column: its header path (top-down), the role the mapping gives it, its terms."""

    number: int  # 1-based position in the table
    header: tuple[str, ...]
    role: str  # amount | label | code | name | unit-code | project-type | indicator-* | text
    block: str = ""
    scheme: str = ""  # code list of a code/name/label column
    part: int = 0  # position of a split code column (类=1, 款=2, 项=3)
    group: str = ""  # indicator group (成本指标 …) for indicator columns
    terms: tuple[tuple[str, str], ...] = ()  # (dimension, concept id) pairs the column implies

    @property
    def header_text(self) -> str:
        return " / ".join(self.header)


@dataclass(frozen=True)
class Row:
    """A printed body row with its cells normalised (wrapped text re-joined)."""

    number: int  # 1-based order of the row in the table, continuation pages merged
    line: int
    cells: tuple[str, ...]  # one per column, "" when the cell is empty
    raw: tuple[str, ...]  # the same cells exactly as extracted
    page: int = 0


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


@dataclass
class BudgetTable:
    """A recognised table: its kind from mappings/, its columns with roles and its rows."""

    number: int  # order in the document, 1-based
    kind: str
    title: str
    unit: str  # unit concept id (wan-yuan | yuan)
    unit_text: str
    line: int
    columns: list[Column]
    rows: list[Row]
    notes: list[str]
    empty: bool = False
    page: int = 0
    projects: list[ProjectEntry] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)  # table-level (department) goals
    tasks: list[Task] = field(default_factory=list)
    annual_goal: str = ""
    problems: list[str] = field(default_factory=list)  # what recognition could not place


@dataclass(frozen=True)
class Statement:
    """A figure stated in the narrative, with the sentence it came from."""

    section: str
    subject: str
    topic: str  # topic id from mappings/narrative.yaml, "" when none matched
    measure: str  # amount | share | change | growth | count
    value: Decimal
    unit: str  # as printed: 万元, %, 辆, 台（套）, 个 …
    sentence: str
    line: int
    page: int = 0


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
class Links:
    """What the document links to, found after reading (link/): its region, its projects
    matched with their performance goals, and the earlier years' figures its narrative implies."""

    regions: tuple[str, ...] = ()  # the department's region, broadest first (上海市, 上海市普陀区)
    projects: tuple[ProjectMatch, ...] = ()
    prior: tuple[PriorFigure, ...] = ()
    narrative: tuple[str, ...] = ()  # narrative paragraphs citing a policy or a standard


@dataclass
class Organisation:
    """The department, its budget units and internal divisions as printed."""

    name: str
    code: str = ""
    units: dict[str, str] = field(default_factory=dict)  # unit code -> name
    unit_names: list[str] = field(default_factory=list)  # units named in the narrative
    divisions: list[str] = field(default_factory=list)
    responsibilities: list[str] = field(default_factory=list)


@dataclass
class Document:
    """A budget document: what was read and recognised, ready to be mapped."""

    path: Path
    sha256: str
    title: str
    year: int
    phase: str  # budget | adjusted | final
    organisation: Organisation
    issued: str = ""  # ISO date printed in the document
    scope: str = "department"  # department | unit (a unit's own document)
    raw_tables: list[RawTable] = field(default_factory=list)
    tables: list[BudgetTable] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    unknown_tables: list[str] = field(default_factory=list)
    links: Links = field(default_factory=Links)
