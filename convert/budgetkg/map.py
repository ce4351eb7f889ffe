"""Document -> triples of one named graph per document, using mappings/ and ontology/ terms.

Every printed amount is one qb:Observation (row x column of its table) with the value as
printed, its unit and the value in 元; every other printed cell is a bk:TextCell, so the tables
can be rebuilt from the graph alone. Classifications come from column, block and row terms.
The links found by link/ become triples here too: regions, project <-> goal entries, earlier
years' figures, inferred codes, and the policy documents and standards every text cites.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox

from budgetkg import __version__
from budgetkg.iris import (
    DCT,
    ORG,
    PROV,
    QB,
    RDF,
    RDFS,
    SKOS,
    XSD,
    Minter,
    concept,
    digest,
    scheme,
    structure,
    term,
)
from budgetkg.link.codes import TableRow, infer
from budgetkg.link.policy import Citations, Decision, Finder, Standard
from budgetkg.mapping import Form, Kind, Mappings
from budgetkg.tables import (
    Amount,
    BudgetTable,
    Column,
    Document,
    Indicator,
    PriorFigure,
    ProjectEntry,
    Row,
    Statement,
)
from budgetkg.vocab import codelists

CNY = "http://publications.europa.eu/resource/authority/currency/CNY"

# Data Cube components of every table's structure: the printed grid is the key of an
# observation; the document-level dimensions are repeated on each observation (normalised form).
DIMENSIONS = ("row", "column", "fiscalYear", "budgetPhase", "organisation")
MEASURE = "amount"
ATTRIBUTES = ("printedAmount", "printedTolerance", "printedUnit", "printedText", "currency")
# every attribute but the unit (a table may print none) and the currency
REQUIRED_ATTRIBUTES = ("printedAmount", "printedTolerance", "printedText")

# The fact layer: each fact is an observation of its document's fact set of its kind (its
# operation), under the kind's structure in ontology/budgetkg.ttl. A fact not broken down by a
# dimension has the dimension's total (the budget unit's is the department itself).
FACT_STRUCTURES = {"expenditure": "ExpenditureFactStructure", "income": "IncomeFactStructure"}
FACT_TOTALS = {
    "functionalClassification": "function/total",
    "deptEconomicClassification": "dept-economic/total",
    "govEconomicClassification": "gov-economic/total",
    "fundingSource": "funding-source/total",
    "expenditureType": "expenditure-type/total",
    "project": "project/total",
    "coverage": "coverage/current-year",
}
# The dimensions a grand total may be broken down by, in the order the leaves are sought in.
BREAKDOWNS = ("functionalClassification", "fundingSource", "expenditureType", "budgetUnit",
              "deptEconomicClassification", "govEconomicClassification", "project")
FISCAL_YEAR_INTERVAL = "http://reference.data.gov.uk/id/year/"
OBEU_DIMENSION = "http://data.openbudgets.eu/ontology/dsd/dimension/"

Value = ox.NamedNode | ox.Literal


def lit(value: object, datatype: str = "") -> ox.Literal:
    if datatype:
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype))
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, Decimal):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "decimal"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    return ox.Literal(str(value))


def zh(text: str) -> ox.Literal:
    return ox.Literal(text, language="zh")


@dataclass
class _Graph:
    """Collects the triples of one document graph."""

    name: ox.NamedNode
    triples: set[ox.Triple] = field(default_factory=set)
    nodes: dict[str, ox.NamedNode] = field(default_factory=dict)

    def node(self, iri: str) -> ox.NamedNode:
        node = self.nodes.get(iri)
        if node is None:
            node = self.nodes[iri] = ox.NamedNode(iri)
        return node

    def add(self, s: str, p: str, o: Value | str) -> None:
        obj = self.node(o) if isinstance(o, str) else o
        self.triples.add(ox.Triple(self.node(s), self.node(p), obj))

    def a(self, s: str, *classes: str) -> None:
        for c in classes:
            self.add(s, RDF + "type", c)

    def sorted(self) -> list[ox.Triple]:
        """Triples in a fixed order, so that every serialisation is byte-identical."""
        return sorted(self.triples, key=_sort_key)


@dataclass
class _Fact:
    """A fiscal fact of the document (its dimensions) and the printed cells stating it."""

    key: tuple[tuple[str, str], ...]  # (property IRI, value IRI or literal) pairs, sorted
    cells: list[tuple[tuple[int, int, int], Decimal, Decimal, str]] = field(default_factory=list)
    # ((table, row, column), amount in 元, its rounding tolerance in 元, observation IRI)


@dataclass
class _Context:
    graph: _Graph
    iri: Minter
    doc: Document
    mappings: Mappings
    unit_iris: dict[str, str] = field(default_factory=dict)
    projects: dict[tuple[int, int], str] = field(default_factory=dict)  # (table, row) -> IRI
    printed_codes: dict[str, dict[str, str]] = field(default_factory=dict)  # scheme: code -> name
    # (table IRI, block, code list) -> its rows in order, for code inference
    classified: dict[tuple[str, int, str], list[TableRow]] = field(default_factory=dict)
    table_iris: dict[int, str] = field(default_factory=dict)  # table number -> IRI
    facts: dict[str, _Fact] = field(default_factory=dict)  # fact IRI -> what states it

    def dims(self) -> dict[str, Value]:
        return {
            "fiscalYear": lit(self.doc.year, "gYear"),
            "budgetPhase": ox.NamedNode(concept("budget-phase", self.doc.phase)),
            "organisation": ox.NamedNode(self.iri.org),
        }


def _structures(g: _Graph, kinds: list[Kind]) -> None:
    """One qb:DataStructureDefinition per table kind met in the document."""
    for kind in kinds:
        dsd = structure(kind.id)
        g.a(dsd, QB + "DataStructureDefinition")
        g.add(dsd, RDFS + "label", zh(kind.label_zh))
        g.add(dsd, RDFS + "label", ox.Literal(kind.label_en, language="en"))
        order = 0
        for role, names in (("dimension", DIMENSIONS), ("measure", (MEASURE,)),
                            ("attribute", ATTRIBUTES)):
            for name in names:
                order += 1
                spec = f"{dsd}/component/{name}"
                g.add(dsd, QB + "component", spec)
                g.a(spec, QB + "ComponentSpecification")
                g.add(spec, QB + role, term(name))
                g.add(spec, QB + "order", lit(order))
                if role == "attribute":
                    g.add(spec, QB + "componentRequired", lit(name in REQUIRED_ATTRIBUTES))


def _organisation(ctx: _Context) -> None:
    g, iri, org = ctx.graph, ctx.iri, ctx.doc.organisation
    g.a(iri.org, term("Department"), ORG + "FormalOrganization")
    g.add(iri.org, RDFS + "label", zh(org.name))
    g.add(iri.org, SKOS + "prefLabel", zh(org.name))
    if org.code:
        g.add(iri.org, term("orgCode"), lit(org.code))
    for text in org.responsibilities:
        g.add(iri.org, term("responsibility"), zh(text))
    for name in org.divisions:
        div = iri.division(name)
        g.a(div, term("InternalDivision"), ORG + "OrganizationalUnit")
        g.add(div, RDFS + "label", zh(name))
        g.add(div, ORG + "unitOf", iri.org)
        g.add(iri.org, ORG + "hasUnit", div)
    named = {name: code for code, name in org.units if code != org.code}
    for name in org.unit_names:
        named.setdefault(name, "")
    for name, code in sorted(named.items()):
        unit = iri.unit(code, name)
        ctx.unit_iris[code or name] = unit
        g.a(unit, term("BudgetUnit"), ORG + "OrganizationalUnit")
        g.add(unit, RDFS + "label", zh(name))
        if code:
            g.add(unit, term("orgCode"), lit(code))
        g.add(unit, ORG + "unitOf", iri.org)
        g.add(iri.org, ORG + "hasUnit", unit)


def _document(ctx: _Context) -> None:
    g, iri, doc = ctx.graph, ctx.iri, ctx.doc
    d = iri.document
    g.a(d, term("BudgetDocument"))
    g.add(d, DCT + "title", zh(doc.title))
    g.add(d, RDFS + "label", zh(doc.title))
    g.add(d, term("fiscalYear"), lit(doc.year, "gYear"))
    g.add(d, term("budgetPhase"), concept("budget-phase", doc.phase))
    g.add(d, term("organisation"), iri.org)
    g.add(d, DCT + "publisher", iri.org)
    if doc.issued:
        g.add(d, DCT + "issued", lit(doc.issued, "date"))
    g.add(d, term("documentScope"), lit(doc.scope))
    for guessed in doc.heading.guessed:
        g.add(d, term("guessed"), lit(guessed))
    for entry in doc.source.contents:
        g.add(d, term("contentsEntry"), zh(entry))
    g.a(iri.conversion, term("Conversion"))
    g.add(iri.conversion, term("converterVersion"), lit(__version__))
    for index, file in enumerate(doc.source.files):
        source = iri.source if index == 0 else f"{iri.source}/{index + 1}"
        g.a(source, term("SourceFile"))
        g.add(source, DCT + "identifier", lit(file.path.name))
        g.add(source, term("sha256"), lit(file.sha256))
        if len(doc.source.files) > 1:
            g.add(source, term("partNumber"), lit(index + 1))
        g.add(d, PROV + "wasDerivedFrom", source)
        g.add(iri.conversion, PROV + "used", source)
    g.add(d, PROV + "wasGeneratedBy", iri.conversion)
    for notice in doc.notices:
        g.add(d, term("readingNotice"), zh(str(notice)))


def _code_concept(ctx: _Context, scheme_name: str, code: str, name: str) -> str:
    """The concept of a printed code; a code absent from the lists is added, marked as seen here."""
    iri = concept(scheme_name, code)
    g = ctx.graph
    g.add(iri, term("seenIn"), ctx.iri.document)
    ctx.printed_codes.setdefault(scheme_name, {}).setdefault(code, name)
    if not codelists().knows(iri):
        _unlisted(ctx, scheme_name, code)
        if name:
            g.add(iri, SKOS + "prefLabel", zh(name))
    return iri


def _unlisted(ctx: _Context, scheme_name: str, code: str) -> None:
    """A concept for a code the lists do not know, under its parent (the code without its last
    part: 2060102 under 20601 under 206), each parent the lists lack added the same way; an
    unlisted 类 is a top concept of its scheme."""
    g = ctx.graph
    digits: list[int] = ctx.mappings.codes["part_digits"]
    top, step = digits[0], digits[1]
    listed = codelists()
    while True:
        iri = concept(scheme_name, code)
        g.a(iri, SKOS + "Concept")
        g.add(iri, SKOS + "inScheme", scheme(scheme_name))
        g.add(iri, SKOS + "notation", lit(code))
        g.add(iri, term("unlisted"), lit(True))
        if len(code) <= top:
            g.add(iri, SKOS + "topConceptOf", scheme(scheme_name))
            g.add(scheme(scheme_name), QB + "hierarchyRoot", iri)  # IC-20: reached from a root
            return
        code = code[:-step]
        parent = concept(scheme_name, code)
        g.add(iri, SKOS + "broader", parent)
        g.add(parent, SKOS + "narrower", iri)
        if listed.knows(parent):
            return


def _row_key(table: BudgetTable, row: Row, seen: Counter[str]) -> str:
    """A row's IRI key from its printed text (codes, names), not its position."""
    text = [row.cells[c.number - 1] for c in table.columns if c.role != "amount"]
    base = digest(table.kind, *text, size=10)
    seen[base] += 1
    return base if seen[base] == 1 else f"{base}-{seen[base]}"


_CODE_PROPERTY = {
    "function": "functionalClassification",
    "dept-economic": "deptEconomicClassification",
    "gov-economic": "govEconomicClassification",
}


@dataclass
class _RowMeaning:
    """(property, IRI) pairs a row gives its observations, per block (0: every block)."""

    block_terms: dict[int, list[tuple[str, str]]] = field(default_factory=dict)

    def add(self, block: int, prop: str, iri: str) -> None:
        self.block_terms.setdefault(block, []).append((prop, iri))

    def of(self, block: int) -> list[tuple[str, str]]:
        own = self.block_terms.get(block, []) if block else []
        return self.block_terms.get(0, []) + own


def _interpret_row(ctx: _Context, table: BudgetTable, row: Row, row_iri: str) -> _RowMeaning:
    """Codes, units, totals and terms a row stands for, recorded on the row resource."""
    g = ctx.graph
    codes = ctx.mappings.codes
    meaning = _RowMeaning()
    for column in table.columns:
        if column.role == "label" and row.cell(column):
            g.add(row_iri, RDFS + "label", zh(row.cell(column)))
    if not any(c.role == "label" for c in table.columns):  # 政府采购: its first text names it
        text = next((row.cell(c) for c in table.columns if c.role == "text" and row.cell(c)), "")
        if text:
            g.add(row_iri, RDFS + "label", zh(text))
    for code in row.codes:
        iri = _code_concept(ctx, code.scheme, code.code, code.name)
        prop = term(_CODE_PROPERTY[code.scheme])
        meaning.add(code.block, prop, iri)
        g.add(row_iri, prop, iri)
        g.add(row_iri, term("code"), lit(code.code))
    unit_code = row.unit
    if unit_code:
        if re.match(codes["organisations"]["department"], unit_code):
            unit = ctx.iri.org
        else:
            unit = ctx.unit_iris.get(unit_code) or ctx.iri.unit(unit_code)
        meaning.add(0, term("budgetUnit"), unit)
        g.add(row_iri, term("budgetUnit"), unit)
    for block, terms in row.terms:
        for prop, iri in _terms(terms):
            meaning.add(block, prop, iri)
    if row.total:
        g.add(row_iri, term("isTotal"), lit(True))
    placeholder = ctx.mappings.vocabulary.is_placeholder(row.label)
    groups = sorted({(c.block, c.scheme) for c in table.columns if c.role == "code"})
    for block, header_scheme in groups:
        labels = [c for c in table.columns if c.role == "label" and c.block == block]
        label = next((row.cell(c) for c in labels if c.scheme == header_scheme and row.cell(c)),
                     next((row.cell(c) for c in labels if row.cell(c)), ""))
        printed = next((c for c in row.codes if c.block == block and c.name == label), None)
        scheme_name = printed.scheme if printed else (header_scheme or _scheme_of_table(table))
        missing = (printed is None and bool(label) and not row.total and not unit_code
                   and not placeholder)
        if missing:
            g.add(row_iri, term("codeMissing"), lit(True))
        if scheme_name:
            ctx.classified.setdefault((ctx.table_iris[table.number], block, scheme_name),
                                      []).append(TableRow(row_iri, printed.code if printed
                                                          else "", label, missing))
    return meaning


def _scheme_of_table(table: BudgetTable) -> str:
    """The code list a table's rows are classified in: the one its printed codes belong to."""
    found = [c.scheme for row in table.rows for c in row.codes]
    return max(sorted(set(found)), key=found.count) if found else ""


_SCHEME_OF = {
    "fundingSource": "funding-source",
    "expenditureType": "expenditure-type",
    "operationCharacter": "operation",
    "deptEconomicClassification": "dept-economic",
    "govEconomicClassification": "gov-economic",
    "functionalClassification": "function",
    "budgetPhase": "budget-phase",
    "coverage": "coverage",
}


def _terms(pairs: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """(dimension, concept id) pairs of mappings/ as (property IRI, concept IRI)."""
    return [(term(d), concept(_SCHEME_OF[d], v)) for d, v in pairs]


def _table(ctx: _Context, table: BudgetTable, table_iri: str) -> None:
    g, iri = ctx.graph, ctx.iri
    g.a(table_iri, term("BudgetTable"), QB + "DataSet")
    g.add(table_iri, QB + "structure", structure(table.kind))
    g.add(table_iri, term("tableKind"), concept("table-kind", table.kind))
    g.add(table_iri, DCT + "title", zh(table.title))
    g.add(table_iri, RDFS + "label", zh(table.title or ctx.mappings.kind(table.kind).label_zh))
    g.add(table_iri, term("tableNumber"), lit(table.number))
    _where(g, table_iri, table.line, table.page, table.file)
    g.add(table_iri, term("document"), iri.document)
    g.add(iri.document, term("hasTable"), table_iri)
    g.add(table_iri, term("isEmpty"), lit(table.empty))
    if table.empty and (sentence := _emptiness_explained(ctx, table)):
        g.add(table_iri, term("emptinessExplained"), zh(sentence))
    if table.unit:
        g.add(table_iri, term("printedUnit"), concept("unit", table.unit))
    for note in table.notes:
        g.add(table_iri, term("note"), zh(note))
    for reading in table.readings:
        g.add(table_iri, term("reading"), zh(reading))
    for problem in table.problems:
        g.add(table_iri, term("readingNotice"), zh(problem))
    for dim, value in ctx.dims().items():
        g.add(table_iri, term(dim), value)
    table_terms = _terms(table.terms)
    columns: dict[int, str] = {}
    for column in table.columns:
        col = iri.column(table_iri, column.number)
        columns[column.number] = col
        g.a(col, term("TableColumn"))
        g.add(col, term("inTable"), table_iri)
        g.add(col, term("columnNumber"), lit(column.number))
        g.add(col, term("columnRole"), lit(column.role))
        if column.header:
            g.add(col, term("header"), zh(column.header_text))
        if column.total:
            g.add(col, term("isTotal"), lit(True))
        if column.of_which:
            g.add(col, term("ofWhich"), lit(True))
    form = ctx.mappings.forms.get(table.kind)
    projects = {p.row: p for p in table.projects}
    seen: Counter[str] = Counter()
    rows: dict[int, str] = {}
    for row in table.rows:
        key = _row_key(table, row, seen)
        row_iri = iri.row(table_iri, key)
        rows[row.number] = row_iri
        g.a(row_iri, term("TableRow"))
        g.add(row_iri, term("inTable"), table_iri)
        g.add(row_iri, term("rowNumber"), lit(row.number))
        _where(g, row_iri, row.line, row.page, row.file)
        meaning = _interpret_row(ctx, table, row, row_iri)
        project = projects.get(row.number)
        project_iri = _project(ctx, project, row_iri) if project else ""
        if project_iri:
            ctx.projects[(table.number, row.number)] = project_iri
        stated: list[_Statement] = []
        for column in table.columns:
            text, raw = row.cells[column.number - 1], row.raw[column.number - 1]
            amount = row.amount(column)
            if amount is None:
                if text:
                    cell = iri.cell(table_iri, key, column.number)
                    g.a(cell, term("TextCell"))
                    g.add(cell, term("row"), row_iri)
                    g.add(cell, term("column"), columns[column.number])
                    g.add(cell, term("text"), zh(text))
                    if raw.strip() != text:
                        g.add(cell, term("printedText"), zh(raw.strip()))
                continue
            obs = iri.observation(table_iri, key, column.number)
            g.a(obs, QB + "Observation")
            g.add(obs, QB + "dataSet", table_iri)
            g.add(obs, term("row"), row_iri)
            g.add(obs, term("column"), columns[column.number])
            terms = table_terms + _terms(column.terms) + meaning.of(column.block)
            if form is not None:
                terms += _form_terms(form, row, column)
            dims = ctx.dims()
            for prop, value_iri in terms:  # a column can state its phase: 预算数 beside 决算数
                if prop == term("budgetPhase"):
                    dims["budgetPhase"] = ox.NamedNode(value_iri)
            for dim, value in dims.items():
                g.add(obs, term(dim), value)
            if amount.yuan is not None:
                g.add(obs, term("amount"), lit(amount.yuan))
            g.add(obs, term("printedAmount"), lit(amount.value))
            g.add(obs, term("printedTolerance"), lit(_printed_tolerance(amount)))
            if amount.unit:
                g.add(obs, term("printedUnit"), concept("unit", amount.unit))
            g.add(obs, term("printedText"), lit(amount.printed))
            g.add(obs, term("currency"), CNY)
            if project_iri:
                terms.append((term("project"), project_iri))
            for prop, concept_iri in terms:
                if prop != term("budgetPhase"):
                    g.add(obs, prop, concept_iri)
            if amount.yuan is not None and _states_a_fact(ctx, table, row, column, terms,
                                                          table_terms):
                stated.append(_statement(ctx, obs, terms, dims, amount,
                                         (table.number, row.number, column.number)))
        _state(ctx, stated)
    _identities(ctx, table, table_iri, columns, rows)
    for indicator in table.indicators:
        _indicator(ctx, iri.document, indicator, table_iri, seen)
    for task in table.tasks:
        t = iri.task(digest(task.name, size=10))
        g.a(t, term("Task"))
        g.add(t, RDFS + "label", zh(task.name))
        g.add(t, DCT + "description", zh(task.content))
        g.add(t, term("document"), iri.document)
        g.add(iri.document, term("hasTask"), t)
    if table.annual_goal:
        g.add(iri.document, term("annualGoal"), zh(table.annual_goal))


def _emptiness_explained(ctx: _Context, table: BudgetTable) -> str:
    """The narrative sentence saying that the budget an empty table is about has nothing (本部门
    无政府性基金预算, 政府性基金支出预算支出0万元), if the document prints one."""
    vocabulary = ctx.mappings.vocabulary
    subject = {t for t in table.terms if t[0] == "fundingSource"} - {
        ("fundingSource", "fiscal-appropriation")}  # 财政拨款 alone names no budget
    if not subject:
        return ""
    absent = re.compile(ctx.mappings.narrative["absent"])
    for paragraph in ctx.doc.paragraphs:
        for sentence in re.split(ctx.mappings.narrative["sentence_split"], paragraph.text):
            if absent.search(sentence) and subject & set(vocabulary.terms_of(sentence)):
                return sentence.strip()
    return ""


def _states_a_fact(ctx: _Context, table: BudgetTable, row: Row, column: Column,
                   terms: list[tuple[str, str]], table_terms: list[tuple[str, str]]) -> bool:
    """A cell states a fiscal fact when its figure says income or expenditure, and its row is
    a total, or says what it is (a code, a unit, a project, words of the vocabulary), or is
    the only kind of row its table has (no label, no text beside the amounts): a named row the
    vocabulary does not know would otherwise pass for its table's total. In a table of a part
    of the budget (三公: `part` in kinds.yaml) whose title names no expenditure type (“三公”经费、
    会议费、培训费), the words of the cell's row or column must say which part: its bare 合计 is
    not the budget's total."""
    if not any(p == term("operationCharacter") for p, _ in terms):
        return False
    if ctx.mappings.kind(table.kind).part and not any(
            t[0] == term("expenditureType") for t in table_terms) and not any(
            t not in table_terms and t[0] != term("budgetPhase") for t in terms):
        return False
    named = column.block in row.named or (column.block == 0 and bool(row.named))
    unlabelled = not row.label and not any(c.role in ("label", "text") for c in table.columns)
    return row.total or unlabelled or bool(row.codes or row.unit or named)


@dataclass(frozen=True)
class _Statement:
    """A cell stating a fact: its observation, the fact's key, its amount and place."""

    obs: str
    key: tuple[tuple[str, str], ...]
    amount: Amount
    place: tuple[int, int, int]  # (table, row, column)


def _statement(ctx: _Context, obs: str, terms: list[tuple[str, str]], dims: dict[str, Value],
               amount: Amount, place: tuple[int, int, int]) -> _Statement:
    key = _fact_key(ctx, {(p, v) for p, v in terms if p != term("budgetPhase")}
                    | {(term(d), str(v.value)) for d, v in dims.items()})
    return _Statement(obs, key, amount, place)


def _totals(ctx: _Context) -> set[tuple[str, str]]:
    """(dimension, value) of each dimension not broken down: its total concept, the whole
    department for the budget unit."""
    return {(term(d), concept(*t.split("/"))) for d, t in FACT_TOTALS.items()} | {
        (term("budgetUnit"), ctx.iri.org)}


def _fact_key(ctx: _Context, pairs: set[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """A fact's dimensions, sorted: the ones its cell or words give, and the total of each
    dimension of its structure they do not give (so that a figure printed with and without
    a dimension's total, 合计 of every unit and the department's row, is one fact)."""
    given = {p for p, _ in pairs}
    return tuple(sorted(pairs | {(p, v) for p, v in _totals(ctx) if p not in given}))


def _state(ctx: _Context, stated: list[_Statement]) -> None:
    """The observations of one row state the facts their dimensions name (one per document and
    key); two cells of a row naming the same fact are told apart by nothing the vocabulary
    knows, so neither states it."""
    keys = Counter(s.key for s in stated)
    for s in stated:
        if keys[s.key] > 1:
            continue
        fact = ctx.iri.fact(digest(*(f"{p} {v}" for p, v in s.key), size=16))
        ctx.graph.add(s.obs, term("statesFact"), fact)
        amount = s.amount
        assert amount.yuan is not None
        tolerance = _half_digit(amount.printed) * (
            amount.yuan / amount.value if amount.value else codelists().yuan_factor[amount.unit])
        ctx.facts.setdefault(fact, _Fact(s.key)).cells.append((s.place, amount.yuan, tolerance,
                                                               s.obs))


def _printed_tolerance(amount: Amount) -> Decimal:
    """What the rounding of a printed figure hides, in its printed unit: half its last digit;
    none for a dash, which states an exact zero."""
    return Decimal(0) if amount.stated_zero and not amount.printed[-1:].isdigit() else (
        _half_digit(amount.printed))


def _half_digit(printed: str) -> Decimal:
    """Half the last printed digit: 7,454.80 -> 0.005, 25 -> 0.5."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return Decimal(5) / Decimal(10) ** (decimals + 1)


def _facts(ctx: _Context) -> None:
    """Each fact with its dimensions and its amount: the one most of its cells print (the
    first printed, on a tie); a cell printing another is a finding of validation. The facts of
    one operation are the observations of the document's fact set of that kind."""
    g = ctx.graph
    if not ctx.facts:
        return
    amounts: dict[str, tuple[Decimal, Decimal]] = {}
    for fact, state in sorted(ctx.facts.items()):
        counts = Counter(amount for _, amount, _, _ in state.cells)
        first = {amount: place for place, amount, _, _ in sorted(state.cells, reverse=True)}
        value = max(counts, key=lambda a: (counts[a], tuple(-p for p in first[a])))
        amounts[fact] = (value, min(t for _, a, t, _ in state.cells if a == value))
    levels = _aggregation(ctx, amounts)
    exact, listed = codelists().exact, codelists()
    classes = {term(p) for p in _CODE_PROPERTY.values()}
    for fact, state in sorted(ctx.facts.items()):
        dims = _dimensions(state.key)
        (operation,) = sorted(dims[term("operationCharacter")])[:1]
        kind = operation.rsplit("/", 1)[-1]
        dataset = f"{ctx.iri.facts}/{kind}"
        if kind in FACT_STRUCTURES:
            g.a(dataset, term("FactSet"))
            g.add(dataset, QB + "structure", term(FACT_STRUCTURES[kind]))
        g.add(dataset, term("document"), ctx.iri.document)
        g.a(fact, term("Fact"))
        g.add(fact, QB + "dataSet", dataset)
        for prop, dimension in state.key:
            if prop == term("fiscalYear"):
                g.add(fact, prop, lit(dimension, "gYear"))
                g.add(fact, term("fiscalPeriod"), FISCAL_YEAR_INTERVAL + dimension)
            else:
                g.add(fact, prop, dimension)
            if prop in classes and not listed.knows(dimension):
                # a class the words of a row name (其他商品和服务支出 -> 50299) that the lists
                # lack: a concept under its parent, as for a printed code
                _unlisted(ctx, *dimension.removeprefix(scheme("")).split("/", 1))
            if dimension in exact and prop in (term("budgetPhase"),
                                               term("operationCharacter")):
                # OpenBudgets.eu's own code (obeu-budgetphase:approved…) beside ours
                g.add(fact, OBEU_DIMENSION + prop.removeprefix(term("")), exact[dimension])
        value, tolerance = amounts[fact]
        g.add(fact, term("amount"), lit(value))
        g.add(fact, term("tolerance"), lit(tolerance))
        g.add(fact, term("currency"), CNY)
        g.add(fact, term("aggregation"), concept("aggregation", levels.get(fact, "detail")))
        g.add(fact, term("cellCount"), lit(len(state.cells)))
        _funding_sum(ctx, fact, state)


_CLASSIFIED = {term(p) for p in _CODE_PROPERTY.values()}


def _funding_sum(ctx: _Context, fact: str, state: _Fact) -> None:
    """A fact of a funding source that is the sum of others (财政拨款: codes.yaml funding_parts)
    gets the key of its sum (its dimensions but the funding source) as bk:fundingSumKey; a fact
    of one of its parts (一般公共预算, or 财政拨款 and 一般公共预算 where a row names both) the
    same key as bk:fundingPartKey, so that validation adds the parts of each sum. Only facts of
    a classification code: a total (支出合计) may count the carry-over in one table and not in
    another, a code's row is the year's (a classification's total, FACT_TOTALS, is no code)."""
    if not any(p in _CLASSIFIED for p, _ in set(state.key) - _totals(ctx)):
        return
    source = term("fundingSource")
    sources = {v for p, v in state.key if p == source}
    rest = [f"{p} {v}" for p, v in state.key if p != source]
    for total, parts in ctx.mappings.codes.get("funding_parts", {}).items():
        whole = concept("funding-source", total)
        named = sources - {whole}
        part_iris = {concept("funding-source", p) for p in parts}
        key = digest(whole, *rest, size=16)
        if sources == {whole}:
            ctx.graph.add(fact, term("fundingSumKey"), lit(key))
        elif len(named) == 1 and named <= part_iris:
            ctx.graph.add(fact, term("fundingPartKey"), lit(key))


_Dims = dict[str, frozenset[str]]


def _dimensions(key: tuple[tuple[str, str], ...]) -> _Dims:
    found: dict[str, set[str]] = {}
    for prop, value in key:
        found.setdefault(prop, set()).add(value)
    return {p: frozenset(v) for p, v in found.items()}


def _aggregation(ctx: _Context, amounts: dict[str, tuple[Decimal, Decimal]]) -> dict[str, str]:
    """The aggregation level of each fact (codelist aggregation.ttl): per operation and phase,
    the grand total, the leaves (the finest facts of the first breakdown, in BREAKDOWNS order,
    that add up to it) and the subtotals; every other fact is a detail."""
    dims = {f: _dimensions(s.key) for f, s in ctx.facts.items()}
    totals = {term(d): {concept(*t.split("/"))} for d, t in FACT_TOTALS.items()}
    totals[term("budgetUnit")] = {ctx.iri.org}
    breakdowns = [term(d) for d in BREAKDOWNS]
    levels: dict[str, str] = {}
    # facts alike but in one dimension: (dimension, the others) -> facts
    alike: dict[tuple[str, tuple[tuple[str, frozenset[str]], ...]], list[str]] = {}
    for fact in sorted(dims):
        for d in breakdowns:
            others = tuple(sorted((p, v) for p, v in dims[fact].items() if p != d))
            alike.setdefault((d, others), []).append(fact)
    for (d, _), group in alike.items():
        for fact in group:
            if any(_refines(d, dims[o][d], dims[fact][d], totals[d]) for o in group):
                levels[fact] = "subtotal"
    with_carry = concept("coverage", "with-carry-over")
    grand: dict[tuple[frozenset[str], frozenset[str]], dict[str, str]] = {}
    for fact in sorted(dims):
        values = dims[fact]
        if all(values.get(p) == frozenset(v) for p, v in totals.items()
               if p != term("coverage")):
            phase_op = (values[term("budgetPhase")], values[term("operationCharacter")])
            cover = "with" if with_carry in values[term("coverage")] else "plain"
            grand.setdefault(phase_op, {})[cover] = fact
    for found in grand.values():
        candidates = [found[c] for c in ("with", "plain") if c in found]
        whole = candidates[0]
        leaves: list[str] = []
        for total in candidates:
            leaves = _leaves(total, dims, amounts, alike, breakdowns, totals)
            if leaves and total != whole:
                # the year's own total is the whole less what was carried over: its leaves
                # and the carried part (上年结转, 结转下年), a fact breaking the whole down
                leaves = _with_carried(whole, total, leaves, dims, amounts, alike, breakdowns,
                                       totals)
            if leaves:
                break
        for total in candidates:
            levels[total] = "total"
        for fact in leaves or [whole]:
            levels[fact] = "leaf"
    return levels


def _leaves(total: str, dims: dict[str, _Dims], amounts: dict[str, tuple[Decimal, Decimal]],
            alike: dict[tuple[str, tuple[tuple[str, frozenset[str]], ...]], list[str]],
            breakdowns: list[str], totals: dict[str, set[str]]) -> list[str]:
    """The finest facts of the first breakdown of `total` whose finest facts add up to it; or
    else of a fact that is the same money named more narrowly (the whole expenditure is the
    general budget's, which the functional classes break down), nearest first."""
    seen, frontier = {total}, [total]
    while frontier:
        for fact in frontier:
            if found := _breakdown(fact, dims, amounts, alike, breakdowns, totals):
                return found
        same = []
        for fact in frontier:
            value, tolerance = amounts[fact]
            for d in breakdowns:
                others = tuple(sorted((p, v) for p, v in dims[fact].items() if p != d))
                same += [f for f in alike.get((d, others), []) if f not in seen
                         and _refines(d, dims[f][d], dims[fact][d], totals[d])
                         and abs(amounts[f][0] - value) <= tolerance + amounts[f][1]]
        seen.update(same)
        frontier = sorted(set(same))
    return []


def _breakdown(total: str, dims: dict[str, _Dims], amounts: dict[str, tuple[Decimal, Decimal]],
               alike: dict[tuple[str, tuple[tuple[str, frozenset[str]], ...]], list[str]],
               breakdowns: list[str], totals: dict[str, set[str]]) -> list[str]:
    """The finest facts of the first breakdown of `total` that add up to it."""
    value, tolerance = amounts[total]
    for d in breakdowns:
        others = tuple(sorted((p, v) for p, v in dims[total].items() if p != d))
        group = [f for f in alike.get((d, others), []) if not dims[f][d] <= totals[d]]
        finest = [f for f in group
                  if not any(_refines(d, dims[o][d], dims[f][d], totals[d]) for o in group)]
        if len(finest) < 2:
            continue
        found = sum((amounts[f][0] for f in finest), Decimal(0))
        slack = tolerance + sum((amounts[f][1] for f in finest), Decimal(0))
        if abs(found - value) <= slack:
            return sorted(finest)
    return []


def _with_carried(whole: str, own: str, leaves: list[str], dims: dict[str, _Dims],
                  amounts: dict[str, tuple[Decimal, Decimal]],
                  alike: dict[tuple[str, tuple[tuple[str, frozenset[str]], ...]], list[str]],
                  breakdowns: list[str], totals: dict[str, set[str]]) -> list[str]:
    """The leaves of the year's own total and the one fact of a breakdown of the whole with
    carry-over whose amount is the difference; none when no such fact is printed."""
    value, tolerance = amounts[whole]
    difference = value - amounts[own][0]
    slack = tolerance + amounts[own][1]
    if abs(difference) <= slack:
        return leaves
    for d in breakdowns:
        others = tuple(sorted((p, v) for p, v in dims[whole].items() if p != d))
        for fact in alike.get((d, others), []):
            if not dims[fact][d] <= totals[d] and (
                    abs(amounts[fact][0] - difference) <= slack + amounts[fact][1]):
                return sorted([*leaves, fact])
    return []


def _refines(d: str, finer: frozenset[str], coarser: frozenset[str], total: set[str]) -> bool:
    """Whether values `finer` of dimension `d` break down values `coarser`: the total, fewer
    values of the same, or a concept (a longer code) under one of them."""
    if finer == coarser:
        return False
    if coarser <= total:
        return True
    if finer > coarser:
        return True
    above = codelists().broader
    return any(c in above.get(f, ()) or (f != c and f.startswith(c) and f[len(c):].isdigit())
               for f in finer - coarser for c in coarser - finer)


def _identities(ctx: _Context, table: BudgetTable, table_iri: str, columns: dict[int, str],
                rows: dict[int, str]) -> None:
    """Each total the table's layout states (a column or a row) with its parts."""
    g = ctx.graph
    for identity in table.identities:
        if identity.axis == "column":
            node = f"{table_iri}/identity/column-{identity.total}"
            g.a(node, term("ColumnSum"))
            g.add(node, term("totalColumn"), columns[identity.total])
            for part in identity.parts:
                g.add(node, term("partColumn"), columns[part])
        else:
            node = f"{table_iri}/identity/row-{identity.total}-{identity.block}"
            g.a(node, term("RowSum"))
            g.add(node, term("totalRow"), rows[identity.total])
            for part in identity.parts:
                g.add(node, term("partRow"), rows[part])
            for column in table.columns:
                if column.role == "amount" and column.block == identity.block:
                    g.add(node, term("inColumn"), columns[column.number])
        g.add(table_iri, term("identity"), node)


def _where(g: _Graph, subject: str, line: int, page: int, file: int = 0) -> None:
    """Where a thing is printed: its PDF page, or its line in a text extraction (and which of
    the document's files, when it has several)."""
    if page:
        g.add(subject, term("sourcePage"), lit(page))
    else:
        g.add(subject, term("sourceLine"), lit(line))
    if file:
        g.add(subject, term("sourceFilePart"), lit(file + 1))


def _form_terms(form: Form, row: Row, column: Column) -> list[tuple[str, str]]:
    """Terms of an amount in a form's budget block: from the nearest label to its left."""
    label = next((c for c in reversed(row.cells[: column.number - 1]) if c), "")
    for rule in form.amounts:
        if rule.label.search(label):
            return _terms(rule.terms)
    return []


def _project(ctx: _Context, project: ProjectEntry, row_iri: str) -> str:
    g, iri = ctx.graph, ctx.iri
    p = iri.project(project.code or digest(project.unit_code, project.name, size=10))
    g.a(p, term("Project"))
    g.add(p, RDFS + "label", zh(project.name))
    g.add(p, term("document"), iri.document)
    g.add(p, term("row"), row_iri)
    g.add(row_iri, term("project"), p)
    if project.code:
        g.add(p, term("projectCode"), lit(project.code))
    if project.project_type:
        g.add(p, term("projectType"), concept("expenditure-type", project.project_type))
    if project.unit_code:
        unit = ctx.unit_iris.get(project.unit_code) or iri.unit(project.unit_code)
        g.add(p, term("budgetUnit"), unit)
    seen: Counter[str] = Counter()
    for indicator in project.indicators:
        _indicator(ctx, p, indicator, row_iri, seen)
    return p


def _indicator(ctx: _Context, owner: str, ind: Indicator, where: str, seen: Counter[str]) -> None:
    g = ctx.graph
    key = digest(ind.level1, ind.level2, ind.level3, ind.raw_value, size=10)
    seen[key] += 1
    i = ctx.iri.indicator(owner, key if seen[key] == 1 else f"{key}-{seen[key]}")
    g.a(i, term("PerformanceIndicator"))
    g.add(i, term("indicatorOf"), owner)
    for prop, value in (("level1Name", ind.level1), ("level2Name", ind.level2),
                        ("level3Name", ind.level3), ("rawValue", ind.raw_value),
                        ("comparator", ind.comparator), ("targetUnit", ind.unit),
                        ("valueNote", ind.note)):
        if value:
            g.add(i, term(prop), zh(value) if prop.endswith("Name") else lit(value))
    if ind.value is not None:
        g.add(i, term("targetValue"), lit(ind.value))
    g.add(i, term("sourceLine"), lit(ind.row))


def _statements(ctx: _Context) -> list[str]:
    """Each narrative statement; their IRIs in the order of Document.statements."""
    g, iri = ctx.graph, ctx.iri
    seen: Counter[str] = Counter()
    out = []
    yuan: dict[str, str] = ctx.mappings.document["units"]
    for st in ctx.doc.statements:
        key = digest(st.section, st.subject, st.measure, str(st.value), st.sentence, size=10)
        seen[key] += 1
        s = iri.statement(key if seen[key] == 1 else f"{key}-{seen[key]}")
        out.append(s)
        g.a(s, term("Statement"))
        g.add(s, term("document"), iri.document)
        g.add(s, term("section"), zh(st.section))
        g.add(s, term("subjectText"), zh(st.subject))
        if st.topic:
            g.add(s, term("statementTopic"), concept("statement-topic", st.topic))
        g.add(s, term("measureKind"), concept("measure-kind", st.measure))
        if st.phase:  # 年初预算为2993.92万元, 支出决算为2940.05万元
            g.add(s, term("budgetPhase"), concept("budget-phase", st.phase))
        g.add(s, term("value"), lit(st.value))
        g.add(s, term("unitText"), lit(st.unit))
        factor = codelists().yuan_factor[yuan[st.unit]] if st.unit in yuan else Decimal(1)
        if st.unit in yuan:
            g.add(s, term("valueInYuan"), lit(st.value * factor))
        g.add(s, term("tolerance"), lit(_half_digit(str(abs(st.value))) * factor))
        g.add(s, term("sentence"), zh(st.sentence))
        g.add(s, term("sourceLine"), lit(st.line))  # the paragraph, also for a PDF's text form
        if st.page:
            g.add(s, term("sourcePage"), lit(st.page))
        if st.file:
            g.add(s, term("sourceFilePart"), lit(st.file + 1))
        fact = None
        if st.measure == "amount" and st.unit in yuan:
            fact = _restated(ctx, st) or _class_restated(ctx, st)
        if fact is not None:
            g.add(s, term("restates"), fact)
        if st.whole:
            g.add(s, term("wholeText"), zh(st.whole))
            whole = _whole(ctx, st)
            if whole is not None:
                g.add(s, term("shareOf"), whole)
    return out


_OTHER_YEAR = re.compile(r"上年|去年|以前年度|(?:19|20)\d{2}年")


def _restated(ctx: _Context, st: Statement) -> str | None:
    """The fact a stated amount restates: the one whose dimensions are what the words of its
    section heading and its subject mean (vocabulary.yaml), when the document has it. The
    subject must name what it is (more than 收入 or 支出, or a total: 收入预算总计); a subject
    naming another year states no fact of this document."""
    vocabulary = ctx.mappings.vocabulary
    if _OTHER_YEAR.search(st.subject):
        return None
    own = [t for t in vocabulary.terms_of(st.subject) if t[0] != "operationCharacter"]
    if not own and not vocabulary.total.search(st.subject):
        return None  # a subject that names nothing (政府采购) or only 支出 restates no fact
    words = set(vocabulary.terms_of(f"{st.section} {st.subject}")) | _topic_terms(ctx, st.topic)
    return _fact_named(ctx, words, st.subject, st.phase)


def _topic_terms(ctx: _Context, topic: str) -> set[tuple[str, str]]:
    """What a figure of a narrative topic is beyond the words of its subject (narrative.yaml:
    公务接待费 of the 三公 paragraph is the 三公 figure)."""
    for t in ctx.mappings.narrative["topics"]:
        if t["id"] == topic:
            return {(d, v) for d, values in t.get("terms", {}).items() for v in values}
    return set()


_LEVEL = re.compile(r"([^（()）“”\"，,：:]+?)\s*[（(](类|款|项)[）)]")
_DIGITS = {"类": 3, "款": 5, "项": 7}
_NUMBERING = re.compile(
    r"^(?:[（(]?[一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十\d]+\s*[、.．])\s*")


def _bare(name: str) -> str:
    """A class name as the narrative and the tables both write it: no numbering, no spaces,
    no final 支出 (公共安全（类）支出 is the class 公共安全支出)."""
    name = _NUMBERING.sub("", re.sub(r"\s+", "", name))
    return name.removesuffix("支出")


def _class_levels(ctx: _Context, st: Statement) -> list[tuple[int, str]]:
    """(code digits, bare name) of each level the statement names: its subject's 类 / 款 / 项
    (a classified subject's names joined by " / ", or names each marked （类）…), and the 类 or
    款 of its section heading (（一）公共安全（类）) above them."""
    if st.topic == ctx.mappings.narrative["classified_topic"]:
        names = st.subject.split(" / ")
        return [(_DIGITS[level], _bare(n)) for level, n in zip("类款项", names, strict=False)]
    levels = [(_DIGITS[m[2]], _bare(m[1])) for m in _LEVEL.finditer(st.subject)]
    if not levels:
        return []
    above = [(_DIGITS[m[2]], _bare(m[1])) for m in _LEVEL.finditer(st.section)]
    return [lv for lv in above if lv[0] < levels[0][0]] + levels


def _class_code(ctx: _Context, st: Statement) -> tuple[str, str]:
    """(scheme, code) a statement names by its 类 / 款 / 项 names, as the document's tables
    print them: the one function code (else economic code: 离休费（款）) of the innermost level
    whose name and whose named parents' names agree; ("", "") when none or several do."""
    levels = _class_levels(ctx, st)
    if not levels:
        return "", ""
    digits, name = levels[-1]
    for scheme_name in ("function", "dept-economic"):
        printed = {c: _bare(n) for c, n in ctx.printed_codes.get(scheme_name, {}).items()}
        found = [c for c, n in printed.items() if len(c) == digits and n == name
                 and all(printed.get(c[:d]) == outer for d, outer in levels[:-1])]
        if found:
            return (scheme_name, found[0]) if len(found) == 1 else ("", "")
    return "", ""


def _class_restated(ctx: _Context, st: Statement) -> str | None:
    """The fact a class's amount restates (公共安全（类）支出13656.34万元, “一般公共服务支出
    （类）商贸事务（款）行政运行（项）”938.99万元): the expenditure of its function code, of
    the funding source the words of its heading, section and subject name. Where they name
    none, the figure is any fund's: linked only when the document prints it for all funds
    and every funding source's figure of that code agrees with it, so that whichever the text
    means, it is that amount."""
    scheme_name, code = _class_code(ctx, st)
    if not code or _OTHER_YEAR.search(st.subject):
        return None
    vocabulary = ctx.mappings.vocabulary
    words = vocabulary.terms_of(f"{st.outer} {st.section} {st.subject}")
    funding = {concept("funding-source", v) for d, v in words if d == "fundingSource"}
    kinds = {(term(d), concept("expenditure-type", v)) for d, v in words
             if d == "expenditureType"}  # 基本支出 of 财政拨款基本支出预算表情况说明
    of_document = ctx.dims()
    if st.phase:
        of_document["budgetPhase"] = ox.NamedNode(concept("budget-phase", st.phase))
    dims = {(term(d), str(v.value)) for d, v in of_document.items()}
    wanted = {(term(_CODE_PROPERTY[scheme_name]), concept(scheme_name, code)),
              (term("operationCharacter"), concept("operation", "expenditure"))} | dims | kinds
    allowed = {term("fundingSource"), term("coverage")}
    candidates: list[tuple[str, set[str], _Fact]] = []
    for iri, fact in sorted(ctx.facts.items()):
        key = set(fact.key) - _totals(ctx)  # the dimensions the fact is broken down by
        if not wanted <= key or any(p not in allowed for p, _ in key - wanted):
            continue
        candidates.append((iri, {v for p, v in key if p == term("fundingSource")}, fact))
    if funding:
        named = [iri for iri, sources, _ in candidates if sources == funding]
        return named[0] if len(named) == 1 else None
    whole = [iri for iri, sources, _ in candidates if not sources]
    amounts = [a for _, _, fact in candidates for _, a, _, _ in fact.cells]
    if not whole or max(amounts) - min(amounts) > 2 * max(
            t for _, _, fact in candidates for _, _, t, _ in fact.cells):
        return None
    return whole[0]


def _whole(ctx: _Context, st: Statement) -> str | None:
    """The fact a share names as its whole (占“三公”经费的…, 占本年支出合计的…): the words of
    the whole, with the operation of its part where it names none; a whole that is no total
    (“三公”经费) is of the section's funding source too, a total (本年支出合计) is the
    document's."""
    vocabulary = ctx.mappings.vocabulary
    words = set(vocabulary.terms_of(st.whole))
    context = vocabulary.terms_of(f"{st.section} {st.subject}")
    if not any(d == "operationCharacter" for d, _ in words):
        words |= {t for t in context if t[0] == "operationCharacter"}
    if not vocabulary.total.search(st.whole):
        words |= {t for t in context if t[0] == "fundingSource"}
    if len(words) < 2 and not vocabulary.total.search(st.whole):
        return None
    return _fact_named(ctx, words, st.whole, "")


def _fact_named(ctx: _Context, words: set[tuple[str, str]], subject: str,
                phase: str) -> str | None:
    """The document's fact with the dimensions the words give, if it has one."""
    vocabulary = ctx.mappings.vocabulary
    of_document = ctx.dims()
    if phase:  # 年初预算为2993.92万元 in a final account
        of_document["budgetPhase"] = ox.NamedNode(concept("budget-phase", phase))
    dims = {(term(d), str(v.value)) for d, v in of_document.items()}
    # a total of the narrative (收入总计) is the table's total with carry-over where the
    # document prints one, else its plain total; a total of the year (本年收入合计) is plain
    grand = bool(vocabulary.total.search(subject)) and not vocabulary.current_year.search(
        subject)
    for extra in ([{("coverage", "with-carry-over")}] if grand else []) + [set()]:
        key = _fact_key(ctx, {(p, v) for p, v in _terms(tuple(words | extra))
                              if p != term("budgetPhase")} | dims)
        fact = ctx.iri.fact(digest(*(f"{p} {v}" for p, v in key), size=16))
        if fact in ctx.facts:
            return fact
    return None


def minter(doc: Document, base: str) -> Minter:
    """The IRIs of a document's resources."""
    return Minter(base, doc.links.organisation or doc.organisation.name, doc.year, doc.phase,
                  doc.scope)


def to_graph(doc: Document, mappings: Mappings, base: str) -> tuple[str, list[ox.Triple]]:
    """(named graph IRI, sorted triples) of one document."""
    iri = minter(doc, base)
    ctx = _Context(_Graph(ox.NamedNode(iri.graph)), iri, doc, mappings)
    _organisation(ctx)
    _document(ctx)
    _structures(ctx.graph, [mappings.kind(k) for k in sorted({t.kind for t in doc.tables})])
    occurrences: Counter[str] = Counter()
    for table in doc.tables:
        occurrences[table.kind] += 1
        ctx.table_iris[table.number] = iri.table(table.kind, occurrences[table.kind])
    for table in doc.tables:
        _table(ctx, table, ctx.table_iris[table.number])
    _facts(ctx)
    statements = _statements(ctx)
    _regions(ctx)
    _project_links(ctx)
    _prior_figures(ctx, statements)
    _inferred_codes(ctx)
    _citations(ctx)  # last: every text of the graph is searched
    return iri.graph, ctx.graph.sorted()


def _regions(ctx: _Context) -> None:
    """The department's places, each within the one before it, with its division code."""
    g, last = ctx.graph, ""
    for place in ctx.doc.links.regions:
        region = ctx.iri.place(place.key)
        g.a(region, term("Region"), DCT + "Location")
        g.add(region, RDFS + "label", zh(place.name))
        g.add(region, SKOS + "prefLabel", zh(place.name))
        if place.code:
            g.add(region, term("divisionCode"), lit(place.code))
        if place.within:
            g.add(region, term("withinRegion"), ctx.iri.place(place.within))
        last = region
    if last:
        g.add(ctx.iri.org, term("region"), last)


def _project_links(ctx: _Context) -> None:
    """Project <-> performance entry both ways; an unmatched project's nearest candidate."""
    g, iris = ctx.graph, ctx.projects
    for match in ctx.doc.links.projects:
        project = iris[(match.project.table, match.project.row)]
        g.add(project, term("nameSimilarity"), lit(match.similarity))
        if match.entry is not None:
            entry = iris[(match.entry.table, match.entry.row)]
            g.add(project, term("goalEntry"), entry)
            g.add(entry, term("expenditureEntry"), project)
            g.add(entry, term("nameSimilarity"), lit(match.similarity))
        elif match.nearest is not None:
            g.add(project, term("nearestEntry"), iris[(match.nearest.table, match.nearest.row)])


def _prior_figures(ctx: _Context, statements: list[str]) -> None:
    """Each earlier-year figure the narrative implies, derived from its two statements."""
    g, doc = ctx.graph, ctx.doc
    factors = codelists().yuan_factor
    units: dict[str, str] = ctx.mappings.document["units"]
    for prior in doc.links.prior:
        amount, change = doc.statements[prior.amount], doc.statements[prior.change]
        figure = ctx.iri.prior(statements[prior.amount], prior.year)
        factor = factors[units[amount.unit]]
        g.a(figure, term("DerivedFigure"), PROV + "Entity")
        g.add(figure, term("document"), ctx.iri.document)
        g.add(figure, term("organisation"), ctx.iri.org)
        g.add(figure, term("fiscalYear"), lit(prior.year, "gYear"))
        if prior.phase:
            g.add(figure, term("budgetPhase"), concept("budget-phase", prior.phase))
        if amount.topic:
            g.add(figure, term("statementTopic"), concept("statement-topic", amount.topic))
        g.add(figure, term("subjectText"), zh(amount.subject))
        g.add(figure, term("section"), zh(amount.section))
        g.add(figure, term("value"), lit(prior.value))
        g.add(figure, term("unitText"), lit(amount.unit))
        g.add(figure, term("valueInYuan"), lit(prior.value * factor))
        g.add(figure, term("tolerance"), lit(prior.tolerance * factor))
        g.add(figure, term("derivation"), lit(_derivation(prior, amount, change)))
        g.add(figure, term("comparedWith"), zh(prior.comparison))
        g.add(figure, term("sentence"), zh(change.sentence))
        for source in (statements[prior.amount], statements[prior.change]):
            g.add(figure, PROV + "wasDerivedFrom", source)


def _derivation(prior: PriorFigure, amount: Statement, change: Statement) -> str:
    """The formula of a derived figure: 7454.80万元 − 4157.59万元 = 3297.21万元."""
    stated = f"{change.value}{change.unit}"
    stated = f"({stated})" if change.value < 0 else stated
    operator = "−" if prior.method == "change" else "÷ 1 +"
    return f"{amount.value}{amount.unit} {operator} {stated} = {prior.value}{amount.unit}"


def _inferred_codes(ctx: _Context) -> None:
    """A code for each row printed without one, from its name and place (link/codes.py)."""
    names = codelists().names
    floor = Decimal(str(ctx.mappings.links["code_inference"]["min_similarity"]))
    for (_, _, scheme_name), rows in sorted(ctx.classified.items()):
        listed = {iri.removeprefix(concept(scheme_name, "")): name for iri, name in names.items()
                  if iri.startswith(concept(scheme_name, ""))}
        for code, name in ctx.printed_codes.get(scheme_name, {}).items():
            listed.setdefault(code, name)
        for inference in infer(rows, listed, floor):
            g = ctx.graph
            g.add(inference.key, term("inferredCode"), concept(scheme_name, inference.code))
            g.add(inference.key, term("inferenceReason"), zh(inference.reason_zh))
            g.add(inference.key, term("inferenceReason"), ox.Literal(inference.reason_en,
                                                                     language="en"))


def _citations(ctx: _Context) -> None:
    """Every text of the graph (and each narrative paragraph citing one) links to the policy
    documents and standards it cites; the document cites them all."""
    g, document = ctx.graph, ctx.iri.document
    finder = Finder(ctx.mappings, tuple(p.name for p in ctx.doc.links.regions))
    texts = sorted({(t.subject.value, t.object.value) for t in g.triples
                    if isinstance(t.object, ox.Literal) and isinstance(t.subject, ox.NamedNode)
                    and _is_text(t.object)})
    texts += [(document, text) for text in ctx.doc.links.narrative]
    found: dict[str, Citations] = {}
    for subject, text in texts:
        if text not in found:
            found[text] = finder.find(text)
        cited = [_decision(ctx, d) for d in found[text].decisions]
        cited += [_standard(ctx, s) for s in found[text].standards]
        for iri in cited:
            g.add(subject, term("cites"), iri)
            g.add(document, term("cites"), iri)


def _is_text(literal: ox.Literal) -> bool:
    return bool(literal.language) or literal.datatype.value == XSD + "string"


def _decision(ctx: _Context, decision: Decision) -> str:
    """The one resource of a decision, whatever document cites it and however."""
    g = ctx.graph
    policy = ctx.iri.policy(decision.number)
    g.a(policy, term("PolicyDocument"))
    g.add(policy, RDFS + "label", zh(decision.number))
    g.add(policy, DCT + "identifier", lit(decision.number))
    g.add(policy, term("issuerCode"), lit(decision.issuer_code))
    g.add(policy, DCT + "issued", lit(decision.year, "gYear"))
    g.add(policy, term("documentNumber"), lit(decision.serial))
    if decision.title:
        g.add(policy, DCT + "title", zh(decision.title))
    if decision.printed != decision.number:
        g.add(policy, SKOS + "altLabel", zh(decision.printed))
    if decision.issuer is not None:
        issuer = ctx.iri.organisation_named(decision.issuer.name_zh)
        g.a(issuer, ORG + "FormalOrganization")
        g.add(issuer, RDFS + "label", zh(decision.issuer.name_zh))
        g.add(issuer, RDFS + "label", ox.Literal(decision.issuer.name_en, language="en"))
        g.add(policy, DCT + "publisher", issuer)
    return policy


def _standard(ctx: _Context, standard: Standard) -> str:
    """The one resource of a standard number, whatever edition or spelling is printed."""
    g = ctx.graph
    iri = ctx.iri.standard(standard.number)
    g.a(iri, term("Standard"), DCT + "Standard")
    g.add(iri, RDFS + "label", lit(standard.number))
    g.add(iri, DCT + "identifier", lit(standard.number))
    if standard.printed != standard.number:
        g.add(iri, SKOS + "altLabel", lit(standard.printed))
    return iri


def _sort_key(t: ox.Triple) -> tuple[str, str, str]:
    return (str(t.subject), t.predicate.value, str(t.object))
