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
from budgetkg.iris import Minter, concept, digest, scheme, structure, term
from budgetkg.link.codes import TableRow, infer
from budgetkg.link.policy import Citations, Decision, Finder, Standard
from budgetkg.mapping import Mappings, TableMapping
from budgetkg.normalise import compact, join_code, parse_amount
from budgetkg.tables import (
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

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
QB = "http://purl.org/linked-data/cube#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
CNY = "http://publications.europa.eu/resource/authority/currency/CNY"

# Data Cube components of every table's structure: the printed grid is the key of an
# observation; the document-level dimensions are repeated on each observation (normalised form).
DIMENSIONS = ("row", "column", "fiscalYear", "budgetPhase", "organisation")
MEASURE = "amount"
ATTRIBUTES = ("printedAmount", "printedUnit", "printedText", "currency")

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
class _Context:
    graph: _Graph
    iri: Minter
    doc: Document
    mappings: Mappings
    unit_iris: dict[str, str] = field(default_factory=dict)
    projects: dict[tuple[int, int], str] = field(default_factory=dict)  # (table, row) -> IRI
    printed_codes: dict[str, dict[str, str]] = field(default_factory=dict)  # scheme: code -> name
    # (table IRI, block, code list) -> its rows in order, for code inference
    classified: dict[tuple[str, str, str], list[TableRow]] = field(default_factory=dict)

    def dims(self) -> dict[str, Value]:
        return {
            "fiscalYear": lit(self.doc.year, "gYear"),
            "budgetPhase": ox.NamedNode(concept("budget-phase", self.doc.phase)),
            "organisation": ox.NamedNode(self.iri.org),
        }


def _structures(g: _Graph, kinds: list[TableMapping]) -> None:
    """One qb:DataStructureDefinition per table kind met in the document."""
    for mapping in kinds:
        dsd = structure(mapping.kind)
        g.a(dsd, QB + "DataStructureDefinition")
        g.add(dsd, RDFS + "label", zh(mapping.label_zh))
        g.add(dsd, RDFS + "label", ox.Literal(mapping.label_en, language="en"))
        order = 0
        for kind, names in (("dimension", DIMENSIONS), ("measure", (MEASURE,)),
                            ("attribute", ATTRIBUTES)):
            for name in names:
                order += 1
                spec = f"{dsd}/component/{name}"
                g.add(dsd, QB + "component", spec)
                g.a(spec, QB + "ComponentSpecification")
                g.add(spec, QB + kind, term(name))
                g.add(spec, QB + "order", lit(order))
                if kind == "attribute":
                    g.add(spec, QB + "componentRequired", lit(name != "currency"))


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
    named = {name: code for code, name in org.units.items() if code != org.code}
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
    g.a(iri.source, term("SourceFile"))
    g.add(iri.source, DCT + "identifier", lit(doc.path.name))
    g.add(iri.source, term("sha256"), lit(doc.sha256))
    g.add(d, PROV + "wasDerivedFrom", iri.source)
    g.a(iri.conversion, term("Conversion"))
    g.add(iri.conversion, term("converterVersion"), lit(__version__))
    g.add(iri.conversion, PROV + "used", iri.source)
    g.add(d, PROV + "wasGeneratedBy", iri.conversion)


def _code_concept(ctx: _Context, scheme_name: str, code: str, name: str) -> str:
    """The concept of a printed code; a code absent from the lists is added, marked as seen here."""
    iri = concept(scheme_name, code)
    g = ctx.graph
    g.add(iri, term("seenIn"), ctx.iri.document)
    ctx.printed_codes.setdefault(scheme_name, {}).setdefault(code, name)
    if not codelists().knows(iri):
        g.a(iri, SKOS + "Concept")
        g.add(iri, SKOS + "inScheme", scheme(scheme_name))
        g.add(iri, SKOS + "notation", lit(code))
        g.add(iri, term("unlisted"), lit(True))
        if name:
            g.add(iri, SKOS + "prefLabel", zh(name))
    return iri


def _row_key(table: BudgetTable, row: Row, seen: Counter[str]) -> str:
    """A row's IRI key from its printed text (codes, names), not its position."""
    text = [row.cells[c.number - 1] for c in table.columns if c.role != "amount"]
    base = digest(table.kind, *text, size=10)
    seen[base] += 1
    return base if seen[base] == 1 else f"{base}-{seen[base]}"


@dataclass
class _RowMeaning:
    """(property, IRI) pairs a row gives its observations: per block ("" = the whole row); and
    per (block, code list) the code and name it prints, for code inference."""

    block_terms: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    codes: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    code_missing: bool = False

    def add(self, block: str, prop: str, iri: str) -> None:
        self.block_terms.setdefault(block, []).append((prop, iri))

    def of(self, block: str) -> list[tuple[str, str]]:
        return self.block_terms.get("", []) + (self.block_terms.get(block, []) if block else [])


_CODE_PROPERTY = {
    "function": "functionalClassification",
    "dept-economic": "deptEconomicClassification",
    "gov-economic": "govEconomicClassification",
}


def _interpret_row(ctx: _Context, table: BudgetTable, mapping: TableMapping, row: Row,
                   row_iri: str) -> _RowMeaning:
    """Codes, units, totals and projects a row stands for, recorded on the row resource."""
    g = ctx.graph
    codes = ctx.mappings.codes
    cells = {c.number: row.cells[c.number - 1] for c in table.columns}
    meaning = _RowMeaning()
    labels = [cells[c.number] for c in table.columns
              if c.role in ("label", "name") and cells[c.number]]
    for label in labels:
        g.add(row_iri, RDFS + "label", zh(label))
    total = re.compile(codes["total"])
    is_total = any(total.search(compact(v)) for c, v in cells.items()
                   if v and table.columns[c - 1].role != "amount")
    code_cols: dict[tuple[str, str], list[Column]] = {}
    for column in table.columns:
        if column.role == "code":
            code_cols.setdefault((column.block, column.scheme), []).append(column)
    found_code = False
    unit_code = next((cells[c.number] for c in table.columns
                      if c.role == "unit-code" and cells[c.number]), "")
    for (block, scheme_name), cols in sorted(code_cols.items()):
        code = join_code([(c.part, cells[c.number]) for c in sorted(cols, key=lambda c: c.part)],
                         codes["part_digits"])
        name = next((cells[c.number] for c in table.columns
                     if c.role in ("name", "label") and c.scheme == scheme_name
                     and c.block == block and cells[c.number]), "")
        in_scheme = bool(code) and re.match(codes["schemes"][scheme_name], code) is not None
        meaning.codes[(block, scheme_name)] = (code if in_scheme else "", name)
        if not code or total.search(code):
            continue
        if in_scheme:
            iri = _code_concept(ctx, scheme_name, code, name)
            prop = term(_CODE_PROPERTY[scheme_name])
            meaning.add(block, prop, iri)
            g.add(row_iri, prop, iri)
            g.add(row_iri, term("code"), lit(code))
            found_code = True
        elif any(re.match(p, code) for p in codes["organisations"].values()):
            unit_code = unit_code or code
        else:
            g.add(row_iri, term("code"), lit(code))
    if unit_code and not re.match(codes["project"], unit_code):
        if re.match(codes["organisations"]["department"], unit_code):
            unit = ctx.iri.org
        else:
            unit = ctx.unit_iris.get(unit_code) or ctx.iri.unit(unit_code)
        meaning.add("", term("budgetUnit"), unit)
        g.add(row_iri, term("budgetUnit"), unit)
    if code_cols and not found_code and not is_total and not unit_code:
        g.add(row_iri, term("codeMissing"), lit(True))
        meaning.code_missing = True
    for block, rules in mapping.row_terms.items():
        label = next((cells[c.number] for c in table.columns
                      if c.role == "label" and c.block == block and cells[c.number]), "")
        for rule in rules:
            if label and rule.label.search(label):
                for prop, iri in _terms(rule.terms):
                    meaning.add(block, prop, iri)
                break
    return meaning


_SCHEME_OF = {
    "fundingSource": "funding-source",
    "expenditureType": "expenditure-type",
    "operationCharacter": "operation",
    "deptEconomicClassification": "dept-economic",
    "govEconomicClassification": "gov-economic",
    "functionalClassification": "function",
    "budgetPhase": "budget-phase",
}


def _terms(pairs: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """(dimension, concept id) pairs of mappings/ as (property IRI, concept IRI)."""
    return [(term(d), concept(_SCHEME_OF[d], v)) for d, v in pairs]


def _table(ctx: _Context, table: BudgetTable, table_iri: str) -> None:
    g, iri = ctx.graph, ctx.iri
    mapping = ctx.mappings.table(table.kind)
    unit_id = table.unit or "wan-yuan"
    factor = codelists().yuan_factor[unit_id]
    zero_marks = tuple(ctx.mappings.document["zero_marks"])
    g.a(table_iri, term("BudgetTable"), QB + "DataSet")
    g.add(table_iri, QB + "structure", structure(table.kind))
    g.add(table_iri, term("tableKind"), concept("table-kind", table.kind))
    g.add(table_iri, DCT + "title", zh(table.title))
    g.add(table_iri, RDFS + "label", zh(table.title))
    g.add(table_iri, term("tableNumber"), lit(table.number))
    _where(g, table_iri, table.line, table.page)
    g.add(table_iri, term("document"), iri.document)
    g.add(iri.document, term("hasTable"), table_iri)
    g.add(table_iri, term("isEmpty"), lit(table.empty))
    if table.unit:
        g.add(table_iri, term("printedUnit"), concept("unit", table.unit))
    for note in table.notes:
        g.add(table_iri, term("note"), zh(note))
    for dim, value in ctx.dims().items():
        g.add(table_iri, term(dim), value)
    table_terms = _terms(mapping.terms)
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
    projects = {p.row: p for p in table.projects}
    seen: Counter[str] = Counter()
    for row in table.rows:
        key = _row_key(table, row, seen)
        row_iri = iri.row(table_iri, key)
        g.a(row_iri, term("TableRow"))
        g.add(row_iri, term("inTable"), table_iri)
        g.add(row_iri, term("rowNumber"), lit(row.number))
        _where(g, row_iri, row.line, row.page)
        meaning = _interpret_row(ctx, table, mapping, row, row_iri)
        for (block, scheme_name), (code, name) in meaning.codes.items():
            ctx.classified.setdefault((table_iri, block, scheme_name), []).append(
                TableRow(row_iri, code, name, meaning.code_missing))
        project = projects.get(row.number)
        project_iri = _project(ctx, project, row_iri) if project else ""
        if project_iri:
            ctx.projects[(table.number, row.number)] = project_iri
        for column in table.columns:
            text, raw = row.cells[column.number - 1], row.raw[column.number - 1]
            amount = parse_amount(text, zero_marks) if column.role == "amount" or (
                mapping.layout == "performance-goals") else None
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
            terms: list[tuple[str, str]] = table_terms + _terms(column.terms) + meaning.of(
                column.block)
            dims = ctx.dims()
            for prop, value_iri in terms:  # a column can state its phase: 预算数 beside 决算数
                if prop == term("budgetPhase"):
                    dims["budgetPhase"] = ox.NamedNode(value_iri)
            for dim, value in dims.items():
                g.add(obs, term(dim), value)
            g.add(obs, term("amount"), lit(amount.value * factor))
            g.add(obs, term("printedAmount"), lit(amount.value))
            g.add(obs, term("printedUnit"), concept("unit", unit_id))
            g.add(obs, term("printedText"), lit(amount.printed))
            g.add(obs, term("currency"), CNY)
            if column.block:
                terms += _terms(mapping.blocks.get(column.block, ()))
            if mapping.layout == "performance-goals":
                terms += _label_terms(mapping, row, column)
            if project_iri:
                terms.append((term("project"), project_iri))
            for prop, concept_iri in terms:
                if prop != term("budgetPhase"):
                    g.add(obs, prop, concept_iri)
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


def _where(g: _Graph, subject: str, line: int, page: int) -> None:
    """Where a thing is printed: its PDF page, or its line in a text extraction."""
    if page:
        g.add(subject, term("sourcePage"), lit(page))
    else:
        g.add(subject, term("sourceLine"), lit(line))


def _label_terms(mapping: TableMapping, row: Row, column: Column) -> list[tuple[str, str]]:
    """Terms of an amount in a key-value block: from the nearest label to its left."""
    label = next((c for c in reversed(row.cells[: column.number - 1]) if c), "")
    for rule in mapping.options.get("amount_rows", []):
        if re.search(rule["label"], label):
            return _terms(tuple(sorted((k, v) for k, v in (rule.get("terms") or {}).items())))
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
        g.add(s, term("value"), lit(st.value))
        g.add(s, term("unitText"), lit(st.unit))
        if st.unit in yuan:
            g.add(s, term("valueInYuan"), lit(st.value * codelists().yuan_factor[yuan[st.unit]]))
        g.add(s, term("sentence"), zh(st.sentence))
        g.add(s, term("sourceLine"), lit(st.line))  # the paragraph, also for a PDF's text form
        if st.page:
            g.add(s, term("sourcePage"), lit(st.page))
    return out


def to_graph(doc: Document, mappings: Mappings, base: str) -> tuple[str, list[ox.Triple]]:
    """(named graph IRI, sorted triples) of one document."""
    iri = Minter(base, doc.organisation.name, doc.year, doc.phase)
    ctx = _Context(_Graph(ox.NamedNode(iri.graph)), iri, doc, mappings)
    _organisation(ctx)
    _document(ctx)
    _structures(ctx.graph, [mappings.table(k) for k in sorted({t.kind for t in doc.tables})])
    occurrences: Counter[str] = Counter()
    for table in doc.tables:
        occurrences[table.kind] += 1
        _table(ctx, table, iri.table(table.kind, occurrences[table.kind]))
    statements = _statements(ctx)
    _regions(ctx)
    _project_links(ctx)
    _prior_figures(ctx, statements)
    _inferred_codes(ctx)
    _citations(ctx)  # last: every text of the graph is searched
    return iri.graph, ctx.graph.sorted()


def _regions(ctx: _Context) -> None:
    """The department's region, each level within the one before it."""
    g, parent = ctx.graph, ""
    for name in ctx.doc.links.regions:
        region = ctx.iri.region(name)
        g.a(region, term("Region"), DCT + "Location")
        g.add(region, RDFS + "label", zh(name))
        g.add(region, SKOS + "prefLabel", zh(name))
        if parent:
            g.add(region, term("withinRegion"), parent)
        parent = region
    if parent:
        g.add(ctx.iri.org, term("region"), parent)


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
    finder = Finder(ctx.mappings, ctx.doc.links.regions)
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
