"""The organisation, the document and its printed tables: every printed amount is one
qb:Observation (row x column of its table) with the value as printed, its unit and the value
in 元; every other printed cell is a bk:TextCell, so the tables can be rebuilt from the graph
alone. Classifications come from column, block and row terms."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox

from budgetkg import __version__
from budgetkg.cells import compact
from budgetkg.iris import DCT, ORG, PROV, QB, RDFS, SKOS, concept, digest, structure, term
from budgetkg.link.codes import TableRow
from budgetkg.map import facts
from budgetkg.map.graph import (
    CNY,
    CODE_PROPERTY,
    Context,
    Graph,
    half_digit,
    iri_pairs,
    lit,
    unlisted,
    zh,
)
from budgetkg.mapping import Form, Kind
from budgetkg.tables import Amount, BudgetTable, Column, Indicator, ProjectEntry, Row
from budgetkg.vocab import codelists

# Data Cube components of every table's structure: the printed grid is the key of an
# observation; the document-level dimensions are repeated on each observation (normalised form).
DIMENSIONS = ("row", "column", "fiscalYear", "budgetPhase", "organisation")
MEASURE = "amount"
ATTRIBUTES = ("printedAmount", "printedTolerance", "printedUnit", "printedText", "currency")
# every attribute but the unit (a table may print none) and the currency
REQUIRED_ATTRIBUTES = ("printedAmount", "printedTolerance", "printedText")


def structures(g: Graph, kinds: list[Kind]) -> None:
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


def organisation(ctx: Context) -> None:
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


def document(ctx: Context) -> None:
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


def _code_concept(ctx: Context, scheme_name: str, code: str, name: str) -> str:
    """The concept of a printed code; a code absent from the lists is added, marked as seen here."""
    iri = concept(scheme_name, code)
    g = ctx.graph
    g.add(iri, term("seenIn"), ctx.iri.document)
    ctx.printed_codes.setdefault(scheme_name, {}).setdefault(code, name)
    if not codelists().knows(iri):
        unlisted(ctx, scheme_name, code)
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
    """(property, IRI) pairs a row gives its observations, per block (0: every block)."""

    block_terms: dict[int, list[tuple[str, str]]] = field(default_factory=dict)

    def add(self, block: int, prop: str, iri: str) -> None:
        self.block_terms.setdefault(block, []).append((prop, iri))

    def of(self, block: int) -> list[tuple[str, str]]:
        own = self.block_terms.get(block, []) if block else []
        return self.block_terms.get(0, []) + own


def _interpret_row(ctx: Context, table: BudgetTable, row: Row, row_iri: str) -> _RowMeaning:
    """Codes, units, totals and terms a row stands for, recorded on the row resource."""
    g = ctx.graph
    codes = ctx.mappings.codes
    meaning = _RowMeaning()
    for column in table.columns:
        if column.role == "label" and row.cell(column):
            g.add(row_iri, RDFS + "label", zh(row.cell(column)))
    merged = [row.cell(c) for c in table.columns if c.role == "code" and row.cell(c)
              and not compact(row.cell(c)).isdigit()]
    if merged and not row.codes and not any(  # 人员经费合计 over 科目编码 and 科目名称
            row.cell(c) for c in table.columns if c.role == "label"):
        g.add(row_iri, RDFS + "label", zh(" / ".join(dict.fromkeys(merged))))
    if not any(c.role == "label" for c in table.columns):  # 政府采购: its first text names it
        text = next((row.cell(c) for c in table.columns if c.role == "text" and row.cell(c)), "")
        if text:
            g.add(row_iri, RDFS + "label", zh(text))
    for index, code in enumerate(row.codes, start=1):
        iri = _code_concept(ctx, code.scheme, code.code, code.name)
        prop = term(CODE_PROPERTY[code.scheme])
        meaning.add(code.block, prop, iri)
        g.add(row_iri, prop, iri)
        g.add(row_iri, term("code"), lit(code.code))
        if len(row.codes) > 1 and code.name:  # 30108 基本养老保险缴费 | 50501 工资福利支出
            pair = f"{row_iri}/code/{index}"
            g.add(row_iri, term("printedCode"), pair)
            g.add(pair, prop, iri)
            g.add(pair, RDFS + "label", zh(code.name))
    unit_code = row.unit
    if unit_code:
        if re.match(codes["organisations"]["department"], unit_code):
            unit = ctx.iri.org
        else:
            unit = ctx.unit_iris.get(unit_code) or ctx.iri.unit(unit_code)
        meaning.add(0, term("budgetUnit"), unit)
        g.add(row_iri, term("budgetUnit"), unit)
    for block, terms in row.terms:
        for prop, iri in iri_pairs(terms):
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


def table(ctx: Context, table: BudgetTable, table_iri: str) -> None:
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
    table_terms = iri_pairs(table.terms)
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
        stated: list[facts.CellStatement] = []
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
            terms = table_terms + iri_pairs(column.terms) + meaning.of(column.block)
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
            if amount.yuan is not None and facts.states_a_fact(ctx, table, row, column, terms,
                                                          table_terms):
                stated.append(facts.cell_statement(ctx, obs, terms, dims, amount,
                                         (table.number, row.number, column.number)))
        facts.state(ctx, stated)
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


def _emptiness_explained(ctx: Context, table: BudgetTable) -> str:
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


def _printed_tolerance(amount: Amount) -> Decimal:
    """What the rounding of a printed figure hides, in its printed unit: half its last digit;
    none for a dash, which states an exact zero."""
    return Decimal(0) if amount.stated_zero and not amount.printed[-1:].isdigit() else (
        half_digit(amount.printed))


def _identities(ctx: Context, table: BudgetTable, table_iri: str, columns: dict[int, str],
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
            if identity.label:
                g.add(node, RDFS + "label", zh(identity.label))
            if identity.total_column:
                g.add(node, term("totalInColumn"), columns[identity.total_column])
        g.add(table_iri, term("identity"), node)


def _where(g: Graph, subject: str, line: int, page: int, file: int = 0) -> None:
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
            return iri_pairs(rule.terms)
    return []


def _project(ctx: Context, project: ProjectEntry, row_iri: str) -> str:
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


def _indicator(ctx: Context, owner: str, ind: Indicator, where: str, seen: Counter[str]) -> None:
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
