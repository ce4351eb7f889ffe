"""Linked-data pages: the HTML page of a resource of the store, chosen by the resource's type.

A department, a dataset (budget document), a printed table, a project and a code concept each
have their own page; any other resource (observation, row, unit, report, policy document …) gets
the generic page: its properties and the resources linking to it. The data comes from the SPARQL
in queries/ (over the union of the named graphs) and from direct lookups of labels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup

from budgetkg import jsonld
from budgetkg.iris import ONTOLOGY, VOCAB, concept
from budgetkg.serve import charts
from budgetkg.serve.site import EXTENSIONS, Site

HERE = Path(__file__).parent
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCAT = "http://www.w3.org/ns/dcat#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
QB = "http://purl.org/linked-data/cube#"
SH = "http://www.w3.org/ns/shacl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIXES = {**jsonld.PREFIXES, "rdf": RDF, "sh": SH, "dqv": "http://www.w3.org/ns/dqv#",
            "owl": "http://www.w3.org/2002/07/owl#", "shape": VOCAB + "shapes/"}

LABELS = (SKOS + "prefLabel", RDFS + "label", DCT + "title")  # in order of preference
LANGUAGES = ("zh", "en", "")  # a label in Chinese, else English, else one without language
RAW = (".ttl", ".jsonld", ".nt")  # the machine-readable twins linked from every page
PROPERTY_CAP = 500  # property values shown on a page
INCOMING_CAP = 200  # "referenced by" rows on the generic page
CLASS_DIGITS = 3  # a functional code's 类 is its first three digits (款 5, 项 7)
WAN = Decimal(10000)  # charts show 万元
SEVERITY = {SH + "Violation": 0, SH + "Warning": 1, SH + "Info": 2}

Row = dict[str, Any]  # one SPARQL solution: variable name -> term (unbound ones left out)


@dataclass(frozen=True)
class Value:
    """An RDF term as shown: its text, a link for an IRI, the language or datatype of a literal."""

    text: str
    href: str = ""
    note: str = ""
    title: str = ""


@dataclass(frozen=True)
class Fact:
    """One property of a resource and its values."""

    name: Value
    values: list[Value]


@dataclass(frozen=True)
class Chart:
    """An inline SVG chart (escaped by charts.py, so marked safe) and its caption."""

    title: str
    svg: Markup


@dataclass(frozen=True)
class Raw:
    """A link to a machine-readable twin of the page."""

    name: str
    href: str
    media: str


@dataclass(frozen=True)
class Page:
    """What every page shows around its own content."""

    title: str
    site: str
    iri: str = ""
    types: list[Value] = field(default_factory=list)
    trail: list[Value] = field(default_factory=list)
    raw: list[Raw] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)  # every property, in a <details>
    capped: bool = False  # more properties than PROPERTY_CAP


@dataclass(frozen=True)
class Resource:
    """The triples with an IRI as subject (from every graph) and the graphs holding them."""

    iri: str
    triples: list[tuple[str, Any]]  # (predicate, object), distinct, sorted
    graphs: list[str]
    capped: bool

    def objects(self, predicate: str) -> list[Any]:
        return [o for p, o in self.triples if p == predicate]

    def first(self, predicate: str) -> str:
        return next((o.value for o in self.objects(predicate)), "")

    @property
    def types(self) -> set[str]:
        return {o.value for o in self.objects(RDF + "type")}


@cache
def _query(name: str) -> str:
    return (HERE / "queries" / f"{name}.rq").read_text(encoding="utf-8")


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _template(name: str) -> Template:
    return _environment().get_template(name)


def _compact(iri: str) -> str:
    """A CURIE for an IRI in a known namespace (bk:amount), else the IRI itself."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda p: -len(p[1])):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _number(term: Any) -> int:
    return int(term.value) if term is not None else 0


class _Context:
    """The store, the site and the labels found so far, for the building of one page."""

    def __init__(self, store: ox.Store, site: Site) -> None:
        self.store = store
        self.site = site
        self._labels: dict[str, str] = {}

    def select(self, name: str, this: str | None = None, limit: int | None = None) -> list[Row]:
        """The solutions of queries/<name>.rq with ?this bound to an IRI."""
        text = _query(name) + (f"\nLIMIT {limit}" if limit is not None else "")
        bound: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] | None = (
            {ox.Variable("this"): ox.NamedNode(this)} if this else None)
        solutions = self.store.query(text, use_default_graph_as_union=True, substitutions=bound)
        assert isinstance(solutions, ox.QuerySolutions)  # every page query is a SELECT
        names = [v.value for v in solutions.variables]
        return [{n: v for n in names if (v := s[n]) is not None} for s in solutions]

    def objects(self, subject: str, predicate: str) -> list[Any]:
        quads = self.store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate),
                                             None)
        return sorted({q.object for q in quads}, key=str)

    def find_label(self, iri: str) -> str:
        """The label of an IRI in Chinese, else English, else without language ("" if none)."""
        if iri not in self._labels:
            ranked = []
            for rank, predicate in enumerate(LABELS):
                for label in self.objects(iri, predicate):
                    if isinstance(label, ox.Literal):
                        language = (label.language or "").split("-")[0]
                        order = LANGUAGES.index(language) if language in LANGUAGES else 3
                        ranked.append((order, rank, label.value))
            self._labels[iri] = min(ranked)[2] if ranked else ""
        return self._labels[iri]

    def label(self, iri: str) -> str:
        return self.find_label(iri) or _compact(iri)

    def link(self, iri: str) -> Value:
        return Value(self.label(iri), self.site.href(iri), title=iri)

    def value(self, term: Any) -> Value:
        if isinstance(term, ox.NamedNode):
            return self.link(term.value)
        if isinstance(term, ox.BlankNode):
            return Value(f"_:{term.value}")
        if term.language:
            return Value(term.value, note=f"@{term.language}")
        datatype = term.datatype.value
        return Value(term.value, note="" if datatype == XSD + "string" else _compact(datatype))

    def describe(self, iri: str) -> Resource | None:
        """The resource named by an IRI, None when the store holds nothing about it."""
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return None
        quads = list(islice(self.store.quads_for_pattern(node, None, None, None),
                            PROPERTY_CAP + 1))
        triples = sorted({(q.predicate.value, q.object) for q in quads[:PROPERTY_CAP]},
                         key=lambda t: (t[0] != RDF + "type", t[0], str(t[1])))
        graphs = sorted({q.graph_name.value for q in quads
                         if isinstance(q.graph_name, ox.NamedNode)})
        if not triples and not self.store.contains_named_graph(node):
            return None
        return Resource(iri, triples, graphs, len(quads) > PROPERTY_CAP)

    def facts(self, resource: Resource, predicates: Iterable[str] | None = None) -> list[Fact]:
        """The values of the given properties of a resource (all of them by default)."""
        grouped: dict[str, list[Value]] = defaultdict(list)
        for predicate, term in resource.triples:
            grouped[predicate].append(self.value(term))
        order = list(grouped) if predicates is None else [p for p in predicates if p in grouped]
        return [Fact(self.link(p), grouped[p]) for p in order]

    def documents_in(self, graph: str) -> list[str]:
        """The datasets (budget documents) a named graph holds."""
        quads = self.store.quads_for_pattern(None, ox.NamedNode(RDF + "type"),
                                             ox.NamedNode(ONTOLOGY + "BudgetDocument"),
                                             ox.NamedNode(graph))
        return sorted({q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)})

    def document_of(self, resource: Resource) -> str:
        """The dataset whose named graph holds the resource ("" when none does)."""
        return next((d for g in resource.graphs for d in self.documents_in(g)), "")


def _page(ctx: _Context, resource: Resource, trail: list[Value] | None = None) -> Page:
    href = ctx.site.href(resource.iri).split("#")[0]
    return Page(
        title=ctx.label(resource.iri),
        site=ctx.site.title,
        iri=resource.iri,
        types=[ctx.link(t) for t in sorted(resource.types)],
        trail=_trail(ctx, resource) if trail is None else trail,
        raw=[Raw(ext.lstrip("."), href + ext, EXTENSIONS[ext]) for ext in RAW],
        facts=ctx.facts(resource),
        capped=resource.capped,
    )


def _trail(ctx: _Context, resource: Resource) -> list[Value]:
    """Where a resource sits: department, dataset, table, code list (each linked)."""
    steps = []
    # vocabulary (a code seen in a document) belongs to no dataset, data to the one holding it
    document = ctx.document_of(resource) if resource.iri.startswith(ctx.site.base) else ""
    if document:
        steps += [ctx.link(o.value) for o in ctx.objects(document, ONTOLOGY + "organisation")]
        steps.append(ctx.link(document))
    rows = resource.objects(ONTOLOGY + "row")
    tables = (resource.objects(ONTOLOGY + "inTable") or resource.objects(QB + "dataSet")
              or [t for r in rows[:1] for t in ctx.objects(r.value, ONTOLOGY + "inTable")])
    steps += [ctx.link(t.value) for t in tables[:1]]
    steps += [ctx.link(s.value) for s in resource.objects(SKOS + "inScheme")[:1]]
    return [_home()] + [s for s in steps if s.title != resource.iri]


def _home() -> Value:
    return Value("首页", "/")


def _render(name: str, page: Page, **data: object) -> str:
    return _template(name).render(page=page, **data)


# --- charts -----------------------------------------------------------------------------------


def _wan(term: Any) -> Decimal:
    return Decimal(term.value) / WAN


def _first_block(rows: list[Row], keys: Sequence[str]) -> list[Row]:
    """The solutions sharing the first solution's numbers (table, column …): one block."""
    first = [_number(rows[0].get(k)) for k in keys] if rows else []
    return [r for r in rows if [_number(r.get(k)) for k in keys] == first]


def _function_chart(ctx: _Context, document: str) -> Chart | None:
    """Expenditure by 类 of the functional classification: each 类 at the shortest code level
    printed (a printed 类 row, else the sum of its 款, else of its 项)."""
    levels: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in _first_block(ctx.select("chart-function", document), ("number", "column")):
        code = row["notation"].value
        levels[code[:CLASS_DIGITS]][len(code)] += _wan(row["amount"])
    items = []
    for code, sums in sorted(levels.items()):
        iri = concept("function", code)
        name = ctx.find_label(iri)
        items.append(charts.Item(f"{code} {name}".strip(), sums[min(sums)], ctx.site.href(iri)))
    if not any(i.value > 0 for i in items):
        return None
    title = "支出功能分类（类）"
    return Chart(title, Markup(charts.treemap(title, items, "万元")))


def _type_chart(ctx: _Context, document: str) -> Chart | None:
    items = [charts.Item(ctx.label(r["type"].value), _wan(r["total"]),
                         ctx.site.href(r["type"].value))
             for r in ctx.select("chart-expenditure-type", document)]
    if not items:
        return None
    title = "基本支出与项目支出"
    return Chart(title, Markup(charts.bars(title, items, "万元")))


def _three_public_chart(ctx: _Context, document: str) -> Chart | None:
    items = [charts.Item(ctx.label(r["item"].value), _wan(r["amount"]),
                         ctx.site.href(r["obs"].value))
             for r in _first_block(ctx.select("chart-three-public", document), ("number",))]
    if not items:
        return None
    title = "“三公”经费"
    return Chart(title, Markup(charts.bars(title, items, "万元")))


def _dataset_charts(ctx: _Context, document: str) -> list[Chart]:
    made = (_function_chart(ctx, document), _type_chart(ctx, document),
            _three_public_chart(ctx, document))
    return [c for c in made if c is not None]


# --- department -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetEntry:
    """A dataset about a department."""

    iri: str
    link: Value
    year: str
    phase: Value
    issued: str


def _department(ctx: _Context, resource: Resource) -> str:
    datasets = [DatasetEntry(r["doc"].value, ctx.link(r["doc"].value), r["year"].value,
                             ctx.link(r["phase"].value), r["issued"].value if "issued" in r else "")
                for r in ctx.select("department-datasets", resource.iri)]
    units: dict[str, list[tuple[Value, str]]] = defaultdict(list)
    for r in ctx.select("department-units", resource.iri):
        units[r["kind"].value.removeprefix(ONTOLOGY)].append(
            (ctx.link(r["unit"].value), r["code"].value if "code" in r else ""))
    latest = datasets[0] if datasets else None
    return _render(
        "department.html", _page(ctx, resource, [_home()]),
        codes=[o.value for o in resource.objects(ONTOLOGY + "orgCode")],
        responsibilities=[o.value for o in resource.objects(ONTOLOGY + "responsibility")],
        datasets=datasets, units=units.get("BudgetUnit", []),
        divisions=units.get("InternalDivision", []), latest=latest,
        charts=_dataset_charts(ctx, latest.iri) if latest else [],
    )


# --- dataset ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableEntry:
    """A table of a dataset, with its size."""

    number: int
    link: Value
    kind: Value | None
    unit: Value | None
    empty: bool
    rows: int
    observations: int


@dataclass(frozen=True)
class Finding:
    """A validation result of a dataset's report (rank 0 = violation, 1 = warning)."""

    severity: Value
    rank: int
    zh: str
    en: str
    focus: Value
    value: Value | None
    shape: Value | None
    result: str


@dataclass(frozen=True)
class ProjectEntry:
    """A project of a dataset and the table and row listing it."""

    link: Value
    code: str
    type: Value | None
    table: int
    row: int


@dataclass(frozen=True)
class Indicator:
    """A performance indicator as printed: its three levels and its target."""

    link: Value
    level1: str
    level2: str
    level3: str
    comparator: str
    value: str
    unit: str
    raw: str
    note: str


@dataclass(frozen=True)
class StatementEntry:
    """A figure stated in the narrative, with the line it starts on."""

    link: Value
    section: str
    subject: str
    value: str
    unit: str
    line: str


def _text(row: Row, name: str) -> str:
    return str(row[name].value) if name in row else ""


def _optional_link(ctx: _Context, row: Row, name: str) -> Value | None:
    return ctx.value(row[name]) if name in row else None


def _tables(ctx: _Context, document: str) -> list[TableEntry]:
    return [TableEntry(_number(r["number"]), ctx.link(r["table"].value),
                       _optional_link(ctx, r, "kind"), _optional_link(ctx, r, "unit"),
                       _text(r, "empty") == "true", _number(r.get("rows")),
                       _number(r.get("observations")))
            for r in ctx.select("dataset-tables", document)]


def _findings(ctx: _Context, document: str) -> list[Finding]:
    found = [Finding(ctx.link(r["severity"].value), SEVERITY.get(r["severity"].value, 3),
                     _text(r, "zh"), _text(r, "en"), ctx.value(r["focus"]),
                     _optional_link(ctx, r, "value"), _optional_link(ctx, r, "shape"),
                     r["result"].value)
             for r in ctx.select("dataset-findings", document)]
    return sorted(found, key=lambda f: (f.rank, f.shape.title if f.shape else "", f.zh, f.result))


def _projects(ctx: _Context, document: str) -> list[ProjectEntry]:
    return [ProjectEntry(ctx.link(r["project"].value), _text(r, "code"),
                         _optional_link(ctx, r, "type"), _number(r.get("number")),
                         _number(r.get("row")))
            for r in ctx.select("dataset-projects", document)]


def _indicators(ctx: _Context, owner: str) -> list[Indicator]:
    return [Indicator(ctx.link(r["indicator"].value), *(_text(r, n) for n in (
        "level1", "level2", "level3", "comparator", "value", "unit", "raw", "note")))
            for r in ctx.select("indicators", owner)]


def _statements(ctx: _Context, document: str) -> list[StatementEntry]:
    return [StatementEntry(ctx.link(r["statement"].value), *(_text(r, n) for n in (
        "section", "subject", "value", "unit", "line")))
            for r in ctx.select("dataset-statements", document)]


def _counts(ctx: _Context, document: str) -> list[tuple[Value, int]]:
    return [(ctx.link(r["type"].value), _number(r["count"]))
            for r in ctx.select("dataset-counts", document)]


def _dataset(ctx: _Context, resource: Resource) -> str:
    findings = _findings(ctx, resource.iri)
    reports = resource.objects("http://www.w3.org/ns/dqv#hasQualityAnnotation")
    conforms = [o.value for r in reports for o in ctx.objects(r.value, SH + "conforms")]
    return _render(
        "dataset.html", _page(ctx, resource),
        facts=ctx.facts(resource, [ONTOLOGY + p for p in (
            "organisation", "fiscalYear", "budgetPhase", "documentScope")] + [
            DCT + "issued", "http://www.w3.org/ns/prov#wasDerivedFrom",
            "http://www.w3.org/ns/prov#wasGeneratedBy"]),
        goal=resource.first(ONTOLOGY + "annualGoal"),
        tables=_tables(ctx, resource.iri), counts=_counts(ctx, resource.iri),
        findings=findings, reports=[ctx.link(r.value) for r in reports],
        conforms=conforms[0] if conforms else "",
        violations=sum(1 for f in findings if f.rank == 0),
        warnings=sum(1 for f in findings if f.rank == 1),
        projects=_projects(ctx, resource.iri), indicators=_indicators(ctx, resource.iri),
        statements=_statements(ctx, resource.iri), charts=_dataset_charts(ctx, resource.iri),
    )


# --- table ------------------------------------------------------------------------------------


@dataclass
class HeaderCell:
    """A cell of the printed header: spans several columns when they share a heading."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    path: tuple[str, ...] = ()
    leaf: bool = True


@dataclass(frozen=True)
class Cell:
    """A body cell as printed; an amount links to its observation."""

    text: str
    href: str = ""
    amount: bool = False


def header_rows(headers: Sequence[str]) -> list[list[HeaderCell]]:
    """The printed header rows from each column's header path ("基本支出 / 人员经费 / …"):
    a heading shared by adjacent columns spans them, a path shorter than others spans down."""
    paths = [h.split(" / ") if h else [] for h in headers]
    depth = max((len(p) for p in paths), default=0)
    rows: list[list[HeaderCell]] = []
    for level in range(depth):
        cells: list[HeaderCell] = []
        previous = -1  # the column the last cell of this row ends at
        for number, path in enumerate(paths):
            if len(path) <= level and (path or level):
                continue  # under a cell spanning down from above
            here = tuple(path[: level + 1])
            leaf = level >= len(path) - 1
            last = cells[-1] if cells else None
            if last and not leaf and not last.leaf and last.path == here and (
                    previous == number - 1):
                last.colspan += 1
            else:
                text = path[level] if path else ""
                cells.append(HeaderCell(text, depth - level if leaf else 1, 1, here, leaf))
            previous = number
        rows.append(cells)
    return rows


def _grid(ctx: _Context, table: str) -> tuple[list[list[HeaderCell]], list[list[Cell]]]:
    """The table as printed: header rows, then every body row with its cells in column order;
    amounts link to their observation, a project row's name to the project."""
    columns = {_number(r["number"]): r for r in ctx.select("table-columns", table)}
    rows = {_number(r["rowNumber"]): r for r in ctx.select("table-rows", table)}
    cells: dict[tuple[int, int], Cell] = {}
    for r in ctx.select("table-texts", table):
        key = (_number(r["rowNumber"]), _number(r["column"]))
        project = rows.get(key[0], {}).get("project")
        named = _text(columns.get(key[1], {}), "role") in ("label", "name")
        cells[key] = Cell(r["text"].value, ctx.site.href(project.value) if project and named
                          else "")
    for r in ctx.select("table-amounts", table):
        key = (_number(r["rowNumber"]), _number(r["column"]))
        cells[key] = Cell(r["text"].value, ctx.site.href(r["cell"].value), True)
    width = max([*columns, *(c for _, c in cells)], default=0)
    body = [[cells.get((row, n), Cell("")) for n in range(1, width + 1)] for row in sorted(rows)]
    headers = [_text(columns.get(n, {}), "header") for n in range(1, width + 1)]
    return header_rows(headers), body


def _table(ctx: _Context, resource: Resource) -> str:
    header, body = _grid(ctx, resource.iri)
    return _render(
        "table.html", _page(ctx, resource),
        facts=ctx.facts(resource, [ONTOLOGY + p for p in (
            "document", "tableNumber", "tableKind", "printedUnit", "sourcePage", "sourceLine",
            "isEmpty")]),
        notes=[o.value for o in resource.objects(ONTOLOGY + "note")],
        header=header, body=body,
    )


# --- project ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Amount:
    """An amount of a project: the observation, its table and column header, its unit."""

    link: Value  # the observation
    table: Value
    header: str
    unit: str


def _project(ctx: _Context, resource: Resource) -> str:
    rows = ctx.select("project-amounts", resource.iri)
    amounts = [Amount(Value(r["printed"].value, ctx.site.href(r["obs"].value)),
                      ctx.link(r["table"].value), _text(r, "header"),
                      ctx.label(r["unit"].value) if "unit" in r else "") for r in rows]
    items = [charts.Item(a.header or a.table.text, Decimal(r["value"].value), a.link.href)
             for a, r in zip(amounts, rows, strict=True)]
    unit = amounts[0].unit if amounts else ""
    title = "项目金额"
    chart = Chart(title, Markup(charts.bars(title, items, unit))) if items else None
    return _render(
        "project.html", _page(ctx, resource),
        facts=ctx.facts(resource, [ONTOLOGY + p for p in (
            "projectCode", "projectType", "budgetUnit", "document", "row")]),
        amounts=amounts, indicators=_indicators(ctx, resource.iri),
        policies=[ctx.value(o) for o in resource.objects(DCT + "references")],
        chart=chart,
    )


# --- code concept -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Booking:
    """An amount booked on a code: where it is printed and as what."""

    link: Value  # the observation, with the amount as printed
    unit: str
    department: Value
    year: str
    phase: Value
    document: Value
    number: int  # of the table
    table: Value
    row: int
    column: int


def _chain(ctx: _Context, iri: str) -> list[Value]:
    """The broader concepts of a concept, from the top of its scheme down to its parent."""
    up: dict[str, list[str]] = defaultdict(list)
    for r in ctx.select("concept-broader", iri):
        up[r["concept"].value].append(r["broader"].value)
    chain, seen, current = [], {iri}, iri
    while up[current] and min(up[current]) not in seen:
        current = min(up[current])
        seen.add(current)
        chain.append(ctx.link(current))
    return chain[::-1]


def _bookings(ctx: _Context, iri: str) -> list[Booking]:
    return [Booking(Value(r["printed"].value, ctx.site.href(r["obs"].value)),
                    ctx.label(r["unit"].value) if "unit" in r else "",
                    ctx.link(r["org"].value), r["year"].value, ctx.link(r["phase"].value),
                    ctx.link(r["doc"].value), _number(r["number"]), ctx.link(r["table"].value),
                    _number(r["rowNumber"]), _number(r["column"]))
            for r in ctx.select("concept-amounts", iri)]


def _concept(ctx: _Context, resource: Resource) -> str:
    bookings = _bookings(ctx, resource.iri)  # capped by the query
    counted = ctx.select("concept-amount-count", resource.iri)
    total = _number(counted[0].get("count")) if counted else 0
    narrower = [(ctx.link(r["narrower"].value), _text(r, "notation"))
                for r in ctx.select("concept-narrower", resource.iri)]
    return _render(
        "concept.html", _page(ctx, resource),
        facts=ctx.facts(resource, [SKOS + p for p in (
            "notation", "prefLabel", "altLabel", "inScheme", "definition", "exactMatch")]
            + [ONTOLOGY + "unlisted"]),
        chain=_chain(ctx, resource.iri), narrower=narrower, bookings=bookings, total=total,
    )


# --- generic ----------------------------------------------------------------------------------


def _incoming(ctx: _Context, iri: str) -> tuple[list[tuple[Value, Value]], int]:
    """Who links to a resource, by which property (capped), and how many links there are."""
    rows = ctx.select("incoming", iri, limit=INCOMING_CAP + 1)
    total = len(rows)
    if total > INCOMING_CAP:
        total = _number(ctx.select("incoming-count", iri)[0]["count"])
    return [(ctx.link(r["property"].value), ctx.link(r["subject"].value))
            for r in rows[:INCOMING_CAP]], total


def _generic(ctx: _Context, resource: Resource) -> str:
    incoming, total = _incoming(ctx, resource.iri)
    graph = ox.NamedNode(resource.iri)
    size, documents = 0, []
    if ctx.store.contains_named_graph(graph):
        size = sum(1 for _ in ctx.store.quads_for_pattern(None, None, None, graph))
        documents = [ctx.link(d) for d in ctx.documents_in(resource.iri)]
    return _render("resource.html", _page(ctx, resource), incoming=incoming, total=total,
                   graph_size=size, graph_documents=documents)


@dataclass(frozen=True)
class CatalogEntry:
    """A dataset on the catalogue's landing page, with its downloads."""

    series: Value
    link: Value
    year: str
    phase: Value | None
    files: list[Value]


def _size(term: Any) -> str:
    size = _number(term)
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 2**10:.0f} KB"


def _catalog(ctx: _Context, resource: Resource) -> str:
    """The catalogue's landing page: its datasets by series, each with its download files."""
    files: dict[str, list[Value]] = defaultdict(list)
    for row in ctx.select("catalog-distributions", resource.iri):
        download = row["download"].value
        name = download.rsplit("/", 1)[-1]
        kind = (ctx.find_label(row["format"].value) or row["format"].value.rsplit("/", 1)[-1]
                if "format" in row else name.rsplit(".", 1)[-1])
        files[row["dataset"].value].append(Value(kind, ctx.site.href(download), title=name,
                                                 note=_size(row["size"]) if "size" in row
                                                 else ""))
    datasets = [CatalogEntry(ctx.link(r["series"].value), ctx.link(r["dataset"].value),
                             r["year"].value if "year" in r else "",
                             ctx.link(r["phase"].value) if "phase" in r else None,
                             files[r["dataset"].value])
                for r in ctx.select("catalog-datasets", resource.iri)]
    return _render("catalog.html", _page(ctx, resource), datasets=datasets)


_PAGES: tuple[tuple[str, Callable[[_Context, Resource], str]], ...] = (
    (DCAT + "Catalog", _catalog),
    (ONTOLOGY + "Department", _department),
    (ONTOLOGY + "BudgetDocument", _dataset),
    (ONTOLOGY + "BudgetTable", _table),
    (ONTOLOGY + "Project", _project),
    (SKOS + "Concept", _concept),
)


def render(store: ox.Store, iri: str, site: Site) -> str | None:
    """The HTML page of a resource, chosen by its type; None when the store holds no triple
    about the IRI and no graph of that name."""
    ctx = _Context(store, site)
    resource = ctx.describe(iri)
    if resource is None:
        return None
    for kind, page in _PAGES:
        if kind in resource.types:
            return page(ctx, resource)
    return _generic(ctx, resource)


@dataclass(frozen=True)
class IndexEntry:
    """A dataset on the home page, with its department and findings counts."""

    department: Value
    link: Value
    year: str
    phase: Value
    violations: int
    warnings: int


def render_index(store: ox.Store, site: Site) -> str:
    """The home page: departments and their datasets, code lists, and the query pages."""
    ctx = _Context(store, site)
    datasets = [IndexEntry(ctx.link(r["org"].value), ctx.link(r["doc"].value), r["year"].value,
                           ctx.link(r["phase"].value), _number(r.get("violations")),
                           _number(r.get("warnings")))
                for r in ctx.select("index-datasets")]
    departments: dict[str, tuple[Value, int]] = {}
    for d in datasets:
        link, count = departments.get(d.department.title, (d.department, 0))
        departments[d.department.title] = (link, count + 1)
    return _render("index.html", Page(site.title, site.title),
                   departments=list(departments.values()), datasets=datasets,
                   catalog=ctx.link(site.base + "catalog")
                   if ctx.describe(site.base + "catalog") else None,
                   schemes=[ctx.link(r["scheme"].value) for r in ctx.select("index-schemes")])
