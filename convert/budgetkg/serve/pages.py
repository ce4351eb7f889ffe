"""Linked-data pages: the HTML page of a resource of the store, chosen by the resource's type.

A department, a dataset (budget document), a printed table, a project and a code concept each
have their own page; any other resource (observation, row, unit, report, policy document …) gets
the generic page: its properties and the resources linking to it. The data comes from the SPARQL
in queries/ (over the union of the named graphs) and from direct lookups of labels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup

from budgetkg import jsonld
from budgetkg.iris import DCAT, DCT, ONTOLOGY, QB, RDF, RDFS, SH, SKOS, VOCAB, XSD, concept
from budgetkg.serve import charts
from budgetkg.serve.site import EXTENSIONS, Site

HERE = Path(__file__).parent
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
    """An inline SVG chart (escaped by charts.py, so marked safe), its caption naming its unit,
    and for a treemap the legend of its tiles."""

    title: str
    unit: str
    svg: Markup
    legend: list[charts.LegendEntry] = field(default_factory=list)
    note: str = ""

    @property
    def caption(self) -> str:
        return charts.titled(self.title, self.unit)


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
def _site_labels() -> dict[str, list[tuple[str, str]]]:
    """Labels (language, text) the site gives terms of standard vocabularies (labels.ttl)."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for triple in ox.parse(path=str(HERE / "labels.ttl"), format=ox.RdfFormat.TURTLE):
        if isinstance(triple.object, ox.Literal) and isinstance(triple.subject, ox.NamedNode):
            found[triple.subject.value].append((triple.object.language or "", triple.object.value))
    return dict(found)


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


# Literal values the ontology documents but does not label (bk:documentScope).
_WORDS = {"department": "部门", "unit": "单位", "true": "是", "false": "否"}


def _readable(text: str, datatype: str) -> str:
    """A literal's value for people: decimals with thousands separators, yes/no, scope words."""
    if datatype == XSD + "decimal":
        try:
            number = Decimal(text)
        except ArithmeticError:
            return text
        exponent = number.as_tuple().exponent
        places = max(0, -exponent) if isinstance(exponent, int) else 0
        return f"{number:,.{max(places, 2)}f}"
    return _WORDS.get(text, text)


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
            for language, text in _site_labels().get(iri, []) if not ranked else []:
                order = LANGUAGES.index(language) if language in LANGUAGES else 3
                ranked.append((order, len(LABELS), text))
            self._labels[iri] = min(ranked)[2] if ranked else ""
        return self._labels[iri]

    def label(self, iri: str) -> str:
        return self.find_label(iri) or _compact(iri)

    def link(self, iri: str) -> Value:
        return Value(self.label(iri), self.site.href(iri), title=iri)

    def value(self, term: Any, raw: bool = False, unit: str = "") -> Value:
        """A term as shown: an IRI by its label (linked, the IRI on hover); a literal as text,
        a decimal with thousands separators and `unit`, its datatype on hover (or shown, raw)."""
        if isinstance(term, ox.NamedNode):
            return self.link(term.value)
        if isinstance(term, ox.BlankNode):
            return Value(f"_:{term.value}")
        if term.language:
            shown = "" if term.language.split("-")[0] == "zh" and not raw else f"@{term.language}"
            return Value(term.value, note=shown, title=f"@{term.language}")
        datatype = term.datatype.value
        kind = "" if datatype == XSD + "string" else _compact(datatype)
        if raw:
            return Value(term.value, note=kind)
        text = _readable(term.value, datatype)
        return Value(f"{text} {unit}".strip(), title=kind)

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

    def facts(self, resource: Resource, predicates: Iterable[str] | None = None,
              raw: bool = False) -> list[Fact]:
        """The values of the given properties of a resource (all of them by default): named in
        Chinese with the vocabulary on hover, or (raw, the data tab) by the vocabulary's own
        prefixed names with the label on hover."""
        units = {ONTOLOGY + "amount": "元",
                 ONTOLOGY + "printedAmount": next((self.label(u.value) for u in resource.objects(
                     ONTOLOGY + "printedUnit") if isinstance(u, ox.NamedNode)), "")}
        grouped: dict[str, list[Value]] = defaultdict(list)
        chinese = {p for p, term in resource.triples if isinstance(term, ox.Literal)
                   and (term.language or "").split("-")[0] == "zh"}
        for predicate, term in resource.triples:
            if not raw and predicate in chinese and isinstance(term, ox.Literal) and (
                    term.language or "zh").split("-")[0] != "zh":
                continue  # the Chinese text is shown; the others are on the data tab
            grouped[predicate].append(self.value(term, raw, units.get(predicate, "")))
        order = list(grouped) if predicates is None else [p for p in predicates if p in grouped]
        if raw:
            return [Fact(Value(_compact(p), self.site.href(p), title=self.find_label(p) or p),
                         grouped[p]) for p in order]
        return [Fact(Value(self.find_label(p) or _compact(p), self.site.href(p),
                           title=f"{_compact(p)} <{p}>"), grouped[p]) for p in order]

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
        facts=ctx.facts(resource, raw=True),
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


def unit_for(amounts: Iterable[Decimal]) -> tuple[str, Decimal]:
    """One unit for every amount of a page (given in 元): 万元 when the largest is 100,000 元 or
    more (7,454.80 万元 reads better than 74,548,000.00 元), else 元; and its size in 元."""
    largest = max((abs(a) for a in amounts), default=Decimal(0))
    return ("万元", WAN) if largest >= 10 * WAN else ("元", Decimal(1))


def _yuan(term: Any) -> Decimal:
    return Decimal(term.value)


def _first_block(rows: list[Row], keys: Sequence[str]) -> list[Row]:
    """The solutions sharing the first solution's numbers (table, column …): one block."""
    first = [_number(rows[0].get(k)) for k in keys] if rows else []
    return [r for r in rows if [_number(r.get(k)) for k in keys] == first]


def _function_items(ctx: _Context, document: str) -> list[charts.Item]:
    """Expenditure by 类 of the functional classification, in 元: each 类 at the shortest code
    level printed (a printed 类 row, else the sum of its 款, else of its 项)."""
    levels: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in ctx.select("chart-function", document):
        code = row["notation"].value
        levels[code[:CLASS_DIGITS]][len(code)] += _yuan(row["amount"])
    items = []
    for code, sums in sorted(levels.items()):
        iri = concept("function", code)
        name = ctx.find_label(iri) or "（类名未收录于代码表）"
        items.append(charts.Item(f"{code} {name}", sums[min(sums)], ctx.site.href(iri)))
    return items if any(i.value > 0 for i in items) else []


def _type_items(ctx: _Context, document: str) -> list[charts.Item]:
    return [charts.Item(ctx.label(r["type"].value), _yuan(r["total"]),
                        ctx.site.href(r["type"].value))
            for r in ctx.select("chart-expenditure-type", document)]


def _three_public_items(ctx: _Context, document: str) -> list[charts.Item]:
    return [charts.Item(ctx.label(r["item"].value), _yuan(r["amount"]),
                        ctx.site.href(r["obs"].value))
            for r in _first_block(ctx.select("chart-three-public", document), ("number",))]


def _in(items: list[charts.Item], size: Decimal) -> list[charts.Item]:
    return [charts.Item(i.label, i.value / size, i.href) for i in items]


CONVERTED = "金额由各表所印金额折算为{unit}（原表单位：{printed}）。"


def _dataset_charts(ctx: _Context, document: str) -> list[Chart]:
    """The dataset's charts, all in one unit (unit_for their amounts), each naming it."""
    function = _function_items(ctx, document)
    types = _type_items(ctx, document)
    three = _three_public_items(ctx, document)
    unit, size = unit_for(i.value for i in (*function, *types, *three))
    made = []
    if function:
        title = "支出功能分类（类）"
        shown = _in(function, size)
        made.append(Chart(title, unit, Markup(charts.treemap(title, shown, unit)),
                          charts.legend(shown)))
    if types:
        title = "基本支出与项目支出"
        made.append(Chart(title, unit, Markup(charts.bars(title, _in(types, size), unit))))
    if three:
        title = "“三公”经费"
        made.append(Chart(title, unit, Markup(charts.bars(title, _in(three, size), unit))))
    return made


# --- department -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetEntry:
    """A dataset about a department."""

    iri: str
    link: Value
    year: str
    phase: Value
    issued: str


MAIN_CLASSES = 6  # 功能分类 类 compared across years; the others are summed as 其他


@dataclass(frozen=True)
class Comparison:
    """A department's documents side by side, in one unit: each row (the total, its basic and
    project parts, its main 类) with one amount per year and phase ("" where none is printed)."""

    unit: str
    columns: list[Value]
    rows: list[tuple[str, list[str]]]
    chart: Chart | None


def _comparison(ctx: _Context, datasets: list[DatasetEntry]) -> Comparison | None:
    """The totals and main classes of every year and phase of a department, oldest first."""
    ordered = sorted(datasets, key=lambda d: (d.year, d.phase.text != "预算", d.phase.text))
    figures: list[dict[str, Decimal]] = []
    classes: dict[str, Decimal] = defaultdict(Decimal)  # 类 -> its largest amount, to rank them
    for entry in ordered:
        function = _function_items(ctx, entry.iri)
        found = {i.label: i.value for i in _type_items(ctx, entry.iri)}
        # the printed total is basic + project expenditure; the classes miss rows printed
        # without a code, so their sum is the total only when the types are not printed
        parts = [found[t] for t in ("基本支出", "项目支出") if t in found]
        if len(parts) == 2 or function:
            found["支出合计"] = sum(parts, Decimal(0)) if len(parts) == 2 else sum(
                (i.value for i in function), Decimal(0))
        for item in function:
            found[item.label] = item.value
            classes[item.label] = max(classes[item.label], item.value)
        figures.append(found)
    main = sorted(classes, key=lambda c: (-classes[c], c))[:MAIN_CLASSES]
    rest = [c for c in classes if c not in main]
    for found in figures:
        if rest and any(c in found for c in rest):
            found["其他类"] = sum((found[c] for c in rest if c in found), Decimal(0))
    names = [n for n in ("支出合计", "基本支出", "项目支出", *sorted(main), "其他类")
             if any(n in f for f in figures)]
    if not names:
        return None
    unit, size = unit_for(v for f in figures for v in f.values())
    columns = [Value(f"{d.year}年{d.phase.text}", d.link.href, title=d.link.text)
               for d in ordered]
    rows = [(name, [charts.amount(f[name] / size) if name in f else "" for f in figures])
            for name in names]
    series = [charts.Series(c.text, tuple(f[n] / size if n in f else None for n in names),
                            c.href) for c, f in zip(columns, figures, strict=True)]
    title = "各年度支出：合计、基本支出与项目支出、主要功能分类（类）"
    chart = Chart(title, unit, Markup(charts.grouped(title, names, series, unit)))
    return Comparison(unit, columns, rows, chart)


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
        comparison=_comparison(ctx, datasets),
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

    @property
    def anchor(self) -> str:
        return _anchor(self.result)


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
    """A body cell as printed; an amount links to its observation; `findings` are the anchors
    of the findings about the cell."""

    text: str
    href: str = ""
    amount: bool = False
    findings: tuple[str, ...] = ()


@dataclass(frozen=True)
class BodyRow:
    """A printed row: its number, its cells, and the findings about the row itself."""

    number: int
    cells: list[Cell]
    findings: tuple[str, ...] = ()
    severity: str = ""  # "violation" or "warning": the worst finding about the row or a cell


@dataclass(frozen=True)
class TableFinding:
    """A finding about the table, a row or a cell: its anchor on the page, the rows it marks."""

    anchor: str
    severity: Value
    rank: int
    zh: str
    en: str
    shape: Value | None
    link: Value  # the finding's own resource
    rows: tuple[int, ...]


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


def _anchor(result: str) -> str:
    return "finding-" + result.rstrip("/").rsplit("/", 1)[-1]


def _table_findings(ctx: _Context, table: str, rows: dict[str, int], cells: dict[str, tuple[
        int, int]]) -> tuple[list[TableFinding], dict[str, set[str]], dict[str, int]]:
    """The table's findings, and for each row or cell IRI the anchors of those about it."""
    about: dict[str, set[str]] = defaultdict(set)
    marked: dict[str, set[int]] = defaultdict(set)
    found: dict[str, Row] = {}
    for r in ctx.select("table-findings", table):
        result, node = r["result"].value, r["node"].value
        if node != table and node not in rows and node not in cells:
            continue  # about another table of the document
        found.setdefault(result, r)
        about[node].add(_anchor(result))
        number = rows.get(node) or cells.get(node, (0, 0))[0]
        if number:
            marked[result].add(number)
    findings = sorted((TableFinding(
        _anchor(result), ctx.link(r["severity"].value), SEVERITY.get(r["severity"].value, 3),
        _text(r, "zh"), _text(r, "en"), _optional_link(ctx, r, "shape"), ctx.link(result),
        tuple(sorted(marked[result]))) for result, r in found.items()),
        key=lambda f: (f.rank, f.rows or (0,), f.zh, f.anchor))
    ranks = {f.anchor: f.rank for f in findings}
    return findings, about, ranks


def _grid(ctx: _Context, table: str) -> tuple[list[list[HeaderCell]], list[BodyRow],
                                              list[TableFinding]]:
    """The table as printed: header rows, then every body row with its cells in column order;
    amounts link to their observation, a project row's name to the project; the rows and cells
    a finding is about carry its anchor."""
    columns = {_number(r["number"]): r for r in ctx.select("table-columns", table)}
    rows = {_number(r["rowNumber"]): r for r in ctx.select("table-rows", table)}
    texts, amounts = ctx.select("table-texts", table), ctx.select("table-amounts", table)
    positions = {r["cell"].value: (_number(r["rowNumber"]), _number(r["column"]))
                 for r in (*texts, *amounts) if "cell" in r}
    row_numbers = {r["row"].value: n for n, r in rows.items() if "row" in r}
    findings, about, ranks = _table_findings(ctx, table, row_numbers, positions)
    cells: dict[tuple[int, int], Cell] = {}
    for r in texts:
        key = (_number(r["rowNumber"]), _number(r["column"]))
        project = rows.get(key[0], {}).get("project")
        named = _text(columns.get(key[1], {}), "role") in ("label", "name")
        cells[key] = Cell(r["text"].value, ctx.site.href(project.value) if project and named
                          else "", findings=tuple(sorted(about.get(_text(r, "cell"), ()))))
    for r in amounts:
        key = (_number(r["rowNumber"]), _number(r["column"]))
        cells[key] = Cell(r["text"].value, ctx.site.href(r["cell"].value), True,
                          tuple(sorted(about.get(r["cell"].value, ()))))
    width = max([*columns, *(c for _, c in cells)], default=0)
    body = []
    for number in sorted(rows):
        line = [cells.get((number, n), Cell("")) for n in range(1, width + 1)]
        own = tuple(sorted(about.get(_text(rows[number], "row"), ())))
        worst = min((ranks[a] for a in (*own, *(f for c in line for f in c.findings))),
                    default=3)
        body.append(BodyRow(number, line, own, {0: "violation", 1: "warning"}.get(worst, "")))
    headers = [_text(columns.get(n, {}), "header") for n in range(1, width + 1)]
    return header_rows(headers), body, findings


def _table(ctx: _Context, resource: Resource) -> str:
    header, body, findings = _grid(ctx, resource.iri)
    unit = next((ctx.label(u.value) for u in resource.objects(ONTOLOGY + "printedUnit")), "")
    return _render(
        "table.html", _page(ctx, resource),
        facts=ctx.facts(resource, [ONTOLOGY + p for p in (
            "document", "tableNumber", "tableKind", "printedUnit", "sourcePage", "sourceLine",
            "isEmpty")]),
        notes=[o.value for o in resource.objects(ONTOLOGY + "note")],
        header=header, body=body, findings=findings, unit=unit,
        marked=sum(1 for row in body if row.severity),
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
    unit, size = unit_for(_yuan(r["amount"]) for r in rows)
    items = [charts.Item(a.header or a.table.text, _yuan(r["amount"]) / size, a.link.href)
             for a, r in zip(amounts, rows, strict=True)]
    title = "项目金额"
    chart = Chart(title, unit, Markup(charts.bars(title, items, unit))) if items else None
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
    header: str  # the column's header as printed ("本年收入 / 一般公共预算 / 小计"), or ""
    yuan: Decimal  # the amount in 元
    converted: str = ""  # in the page's unit


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
                    _number(r["rowNumber"]), _number(r["column"]), _text(r, "header"),
                    _yuan(r["amount"]))
            for r in ctx.select("concept-amounts", iri)]


def _concept(ctx: _Context, resource: Resource) -> str:
    bookings = _bookings(ctx, resource.iri)  # capped by the query
    unit, size = unit_for(b.yuan for b in bookings)
    bookings = [replace(b, converted=charts.amount(b.yuan / size)) for b in bookings]
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
        unit=unit,
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
                   graph_size=size, graph_documents=documents, facts=ctx.facts(resource))


@dataclass(frozen=True)
class Download:
    """A file of a dataset: its name, what it holds (its title), format and size."""

    name: str
    href: str
    title: str
    format: str
    size: str


@dataclass(frozen=True)
class CatalogEntry:
    """A dataset on the catalogue's landing page, with its downloads."""

    series: Value
    link: Value
    year: str
    phase: Value | None
    files: list[Download]


def _size(term: Any) -> str:
    size = _number(term)
    if size >= 2**20:
        return f"{size / 2**20:.1f} MB"
    return f"{size / 2**10:.0f} KB" if size >= 2**10 else f"{size} B"


def _catalog(ctx: _Context, resource: Resource) -> str:
    """The catalogue's landing page: its datasets by series, each with its download files named
    by file and by what they hold (a CSV table by the table's title)."""
    files: dict[str, list[Download]] = defaultdict(list)
    for row in ctx.select("catalog-distributions", resource.iri):
        download = row["download"].value
        name = unquote(download.rsplit("/", 1)[-1])
        kind = (ctx.find_label(row["format"].value) or row["format"].value.rsplit("/", 1)[-1]
                if "format" in row else name.rsplit(".", 1)[-1].upper())
        # a table's title without the dataset's name before it (the row names the dataset)
        title = _text(row, "title").split("：", 1)[-1]
        files[row["dataset"].value].append(Download(
            name, ctx.site.href(download), title, kind,
            _size(row["size"]) if "size" in row else ""))
    datasets = [CatalogEntry(ctx.link(r["series"].value), ctx.link(r["dataset"].value),
                             r["year"].value if "year" in r else "",
                             ctx.link(r["phase"].value) if "phase" in r else None,
                             files[r["dataset"].value])
                for r in ctx.select("catalog-datasets", resource.iri)]
    return _render("catalog.html", _page(ctx, resource), datasets=datasets,
                   facts=ctx.facts(resource, [DCT + p for p in (
                       "title", "description", "publisher", "license", "modified", "issued")]))


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
