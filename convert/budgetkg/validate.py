"""Document graph -> ValidationReport, with the SHACL shapes of shapes/ as the one definition of
"consistent".

Two engines run the same shapes. `pyshacl` is the reference. `fast` runs each SHACL-SPARQL
constraint once per shape on pyoxigraph (`$this` becomes a variable bound by the shape's target
class) and compiles the core constraints the shapes use (sh:minCount, sh:maxCount, sh:datatype on
a property path IRI) into SPARQL; it gives the same results, many times faster.
The code lists are background data loaded beside the document; the identities a table states
(its totals) are in its own graph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH, XSD

from budgetkg.errors import BudgetKGError
from budgetkg.resources import home

ENGINES = ("fast", "pyshacl")
SEVERITIES = ("Violation", "Warning", "Info")
# What people read for each severity: a finding is an inconsistency of the document (不一致), not
# a breach of rules; sh:Violation stays the severity's IRI.
WORDS = {"Violation": ("inconsistency", "inconsistencies", "不一致"),
         "Warning": ("warning", "warnings", "警告"), "Info": ("note", "notes", "提示")}
# Shapes that compare a document with the other documents of its organisation (other years and
# phases); alone, a document gives them nothing to compare. prefixes.ttl declares their prefixes.
ACROSS_DOCUMENTS = ("shapes/across-years.ttl",)
_ACROSS_SCOPE = (*ACROSS_DOCUMENTS, "shapes/prefixes.ttl")


@dataclass(frozen=True)
class Finding:
    """One validation result: the shape that found it (a stable code), where, and why."""

    severity: str
    shape: str
    focus: str
    value: str
    message_zh: str
    message_en: str
    table: str = ""  # where, as printed: the table title ("说明" for the narrative)
    row: str = ""  # the row as printed (its text cells), or the sentence
    order: tuple[int, int] = (0, 0)  # table and row number, for sorting
    column: int = 0  # the column number of the cell it is about, when it is about one cell

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What both engines must agree on (a decimal value in its canonical form: the engines
        may print 10.00 as 10)."""
        return (self.severity, self.shape, self.focus, _canonical(self.value))


@dataclass
class ValidationReport:
    engine: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not any(f.severity == "Violation" for f in self.findings)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def summary(self) -> str:
        parts = [f"{self.count(s)} {WORDS[s][0 if self.count(s) == 1 else 1]}"
                 for s in SEVERITIES if self.count(s)]
        return ", ".join(parts) if parts else "no findings"


@dataclass(frozen=True)
class _Constraint:
    shape: str
    target: str
    severity: str
    query: str
    message_zh: str
    message_en: str
    sparql: bool = True  # a SHACL-SPARQL constraint: sh:value defaults to the focus node


def _shape_files(across: bool = False) -> list[Path]:
    """The shapes files that check one document, or those that compare documents (`across`);
    a document alone gives the latter nothing to compare, so validate() leaves them to
    compare()."""
    folder = home() / "shapes"
    names = [f"shapes/{p.name}" for p in sorted(folder.glob("*.ttl"))]
    return [home() / n for n in names
            if (n in _ACROSS_SCOPE if across else n not in ACROSS_DOCUMENTS)]


def _background_files() -> list[Path]:
    root = home()
    return sorted((root / "ontology" / "codelists").glob("*.ttl"))


@cache
def shapes_graph(across: bool = False) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in _shape_files(across):
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises many kinds on a broken file
            raise BudgetKGError(path, f"cannot read the shapes: {exc}") from exc
    return graph


def _messages(graph: rdflib.Graph, node: rdflib.term.Node) -> tuple[str, str]:
    by_lang = {getattr(m, "language", None): str(m) for m in graph.objects(node, SH.message)}
    return by_lang.get("zh", ""), by_lang.get("en", "")


def _severity(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    value = graph.value(node, SH.severity)
    return str(value).removeprefix(str(SH)) if value is not None else "Violation"


def _prefixes(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    lines = []
    for source in graph.objects(node, SH.prefixes):
        for decl in graph.objects(source, SH.declare):
            prefix, namespace = graph.value(decl, SH.prefix), graph.value(decl, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(lines)) + "\n"


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def _bind_target(select: str, target: str) -> str:
    """$this becomes ?this, bound to every focus node of the shape's target (a graph pattern)."""
    text = select.replace("$this", "?this")
    match = _WHERE.search(text)
    if match is None:
        raise BudgetKGError(None, f"a SPARQL constraint has no WHERE clause: {select[:60]}")
    return f"{text[: match.end()]} {target} {text[match.end():]}"


def _targets(graph: rdflib.Graph, shape: rdflib.term.Node) -> list[str]:
    """A shape's focus nodes as patterns on ?this (sh:targetClass, sh:targetSubjectsOf)."""
    patterns = [f"?this a <{c}> ." for c in graph.objects(shape, SH.targetClass)]
    patterns += [f"FILTER EXISTS {{ ?this <{p}> ?target }}"
                 for p in graph.objects(shape, SH.targetSubjectsOf)]
    return patterns


@cache
def _compiled(across: bool = False) -> tuple[_Constraint, ...]:
    """Every constraint of the shapes as one SPARQL query over all its focus nodes."""
    graph = shapes_graph(across)
    out: list[_Constraint] = []
    shapes = set(graph.subjects(SH.targetClass, None)) | set(
        graph.subjects(SH.targetSubjectsOf, None))
    for shape in sorted(shapes, key=str):
        severity = _severity(graph, shape)
        for target in _targets(graph, shape):
            for constraint in graph.objects(shape, SH.sparql):
                select = str(graph.value(constraint, SH.select))
                query = _prefixes(graph, constraint) + _bind_target(select, target)
                out.append(_Constraint(str(shape), str(target), severity, query,
                                       *_messages(graph, constraint)))
            for prop in graph.objects(shape, SH.property):
                out.extend(_property_queries(graph, prop, target))
    return tuple(out)


def _property_queries(
    graph: rdflib.Graph, prop: rdflib.term.Node, target: str
) -> list[_Constraint]:
    path = graph.value(prop, SH.path)
    if not isinstance(path, rdflib.URIRef):
        raise BudgetKGError(None, f"{prop}: the fast engine needs sh:path to be one IRI")
    severity = _severity(graph, prop)
    zh, en = _messages(graph, prop)
    queries = []
    head = f"SELECT ?this ?value WHERE {{ {target} "
    if (low := graph.value(prop, SH.minCount)) is not None:
        queries.append(f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this <{path}> "
                       f"?v }} }} GROUP BY ?this HAVING (COUNT(?v) < {int(str(low))})")
    if (high := graph.value(prop, SH.maxCount)) is not None:
        queries.append(f"SELECT ?this WHERE {{ {target} ?this <{path}> ?v }} "
                       f"GROUP BY ?this HAVING (COUNT(?v) > {int(str(high))})")
    if (datatype := graph.value(prop, SH.datatype)) is not None:
        queries.append(head + f"?this <{path}> ?value . FILTER (!isLiteral(?value) || "
                              f"DATATYPE(?value) != <{datatype}>) }}")
    return [_Constraint(str(prop), target, severity, q, zh, en, sparql=False) for q in queries]


def _canonical(value: str) -> str:
    try:
        return format(Decimal(value).normalize(), "f")
    except InvalidOperation:
        return value


def _lexical(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode):
        return term.value
    return str(term)


_DECIMAL = re.compile(r"-?\d+\.\d+")
_VARIABLE = re.compile(r"\{[?$](\w+)\}")


_DECIMAL_TYPES = {str(XSD.decimal), str(XSD.integer)}


def _value(term: object) -> str:
    """A finding's value: an IRI, or a literal's lexical form (a decimal in its shortest form,
    as the two engines write the same number differently: 10.00 and 10)."""
    if term is None:
        return ""
    datatype = getattr(term, "datatype", None)
    text = _lexical(term)
    if datatype is not None and str(getattr(datatype, "value", datatype)) in _DECIMAL_TYPES:
        return _canonical(text)
    return text


def _fill(template: str, binding: dict[str, str]) -> str:
    """sh:message templates: {?var} and {$this} become the bound values, a decimal in its
    shortest form (the engines compute 10.50 - 0.40 as 10.1 or 10.10)."""
    def value(match: re.Match[str]) -> str:
        text = binding.get(match.group(1), "")
        return _canonical(text) if _DECIMAL.fullmatch(text) else text
    return _VARIABLE.sub(value, template)


@cache
def _background_triples() -> tuple[ox.Triple, ...]:
    out: list[ox.Triple] = []
    for path in _background_files():
        out.extend(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    return tuple(out)


def _store(triples: Iterable[ox.Triple]) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in _background_triples())
    return store


def _fast(store: ox.Store, across: bool = False) -> ValidationReport:
    report = ValidationReport("fast")
    for constraint in _compiled(across):
        try:
            solutions = store.query(constraint.query)
        except SyntaxError as exc:  # broken shapes are broken tooling: one line, not a trace
            raise BudgetKGError(None, f"shape {constraint.shape}: bad SPARQL: {exc}") from exc
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            binding = {name: _lexical(solution[name]) for name in names}
            value = (_value(solution["value"]) if "value" in names else "") or (
                binding["this"] if constraint.sparql else "")
            report.findings.append(Finding(
                constraint.severity, constraint.shape, binding.get("this", ""),
                value, _fill(constraint.message_zh, binding),
                _fill(constraint.message_en, binding)))
    report.findings = sorted(set(report.findings), key=lambda f: f.key)
    return report


# pyshacl fills a message template but drops its language tag, and prints each value as its
# Python str (10.50 where pyoxigraph gives 10.5); so the shapes it runs carry, in place of each
# SPARQL constraint's messages, one template listing the bindings, and both engines fill the
# messages of the shapes from the bindings with the one function _fill.
_SEPARATOR, _EQUALS = "\x1f", "\x1e"


def _binding_template(messages: Iterable[str]) -> str:
    names = sorted({"this", "value"} | {m.group(1) for text in messages
                                        for m in _VARIABLE.finditer(text)})
    return _SEPARATOR.join(f"{name}{_EQUALS}{{?{name}}}" for name in names)


def _bindings(message: str) -> dict[str, str]:
    """The values a binding template was filled with; a variable left unbound stays "{?name}"
    in pyshacl's output and is "" here, as in the fast engine."""
    out = {}
    for part in message.split(_SEPARATOR):
        name, _, value = part.partition(_EQUALS)
        out[name] = "" if value == f"{{?{name}}}" else value
    return out


@cache
def _reference_shapes(across: bool = False) -> tuple[rdflib.Graph, dict[str, tuple[str, str]]]:
    """The shapes for pyshacl (binding templates as messages) and the messages of each SPARQL
    constraint (zh, en) by the constraint's IRI."""
    graph = rdflib.Graph()
    for triple in shapes_graph(across):
        graph.add(triple)
    messages = {}
    for constraint in set(graph.subjects(RDF.type, SH.SPARQLConstraint)):
        zh, en = _messages(graph, constraint)
        messages[str(constraint)] = (zh, en)
        graph.remove((constraint, SH.message, None))
        graph.add((constraint, SH.message, rdflib.Literal(_binding_template((zh, en)))))
    return graph, messages


def shape_names(across: bool = False) -> tuple[str, ...]:
    """The IRIs of the node shapes (those with a target) that validate() runs, or compare()
    (`across`), in the order the pyshacl engine runs them."""
    graph = shapes_graph(across)
    shapes = set(graph.subjects(SH.targetClass, None)) | set(
        graph.subjects(SH.targetSubjectsOf, None))
    return tuple(sorted(str(s) for s in shapes))


def _pyshacl(triples: list[ox.Triple], across: bool = False,
             progress: Callable[[str], None] | None = None) -> ValidationReport:
    """The reference engine, one shape at a time (`progress` is told of each shape done)."""
    import pyshacl

    data = rdflib.Graph()
    data.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    for path in _background_files():
        data.parse(path, format="turtle")
    shapes, templates = _reference_shapes(across)
    report = ValidationReport("pyshacl")
    for shape in shape_names(across):
        # use_shapes runs only the shapes it lists: a node shape's property shapes too
        properties = [str(p) for p in shapes.objects(rdflib.URIRef(shape), SH.property)]
        _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                         use_shapes=[shape, *properties], inplace=True,
                                         allow_warnings=True, abort_on_first=False)
        if not isinstance(results, rdflib.Graph):
            raise BudgetKGError(None, f"pyshacl returned no report graph for {shape}: "
                                      f"{type(results).__name__}")
        report.findings.extend(_reference_findings(results, templates))
        if progress is not None:
            progress(shape)
    report.findings = sorted(set(report.findings), key=lambda f: f.key)
    return report


def _reference_findings(results: rdflib.Graph,
                        templates: dict[str, tuple[str, str]]) -> list[Finding]:
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        value = results.value(result, SH.value)
        messages = {getattr(m, "language", None): str(m)
                    for m in results.objects(result, SH.resultMessage)}
        zh, en = messages.get("zh", ""), messages.get("en", "")
        source = str(results.value(result, SH.sourceConstraint))
        if source in templates:  # a SPARQL constraint: filled from its bindings, as by _fast
            binding = _bindings(str(next(iter(results.objects(result, SH.resultMessage)), "")))
            zh, en = (_fill(t, binding) for t in templates[source])
        found.append(Finding(
            str(results.value(result, SH.resultSeverity)).removeprefix(str(SH)),
            str(results.value(result, SH.sourceShape)),
            str(results.value(result, SH.focusNode)),
            _value(value), zh, en))
    return found


_PLACES = """
PREFIX bk: <https://w3id.org/budgetkg/ontology#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?node ?table ?title ?tn ?row ?rn ?cn WHERE {
  { ?node bk:inTable ?table . ?node a bk:TableRow . BIND (?node AS ?row) }
  UNION { ?node a qb:Observation ; bk:row ?row ; bk:column/bk:columnNumber ?cn .
          ?row bk:inTable ?table }
  UNION { ?node a bk:BudgetTable . BIND (?node AS ?table) }
  UNION { ?node a bk:Project ; bk:row ?row . ?row bk:inTable ?table }
  ?table rdfs:label ?title ; bk:tableNumber ?tn .
  OPTIONAL { ?row bk:rowNumber ?rn }
}"""
_CELLS = """
PREFIX bk: <https://w3id.org/budgetkg/ontology#>
SELECT ?row ?col ?text WHERE {
  { ?cell bk:row ?row ; bk:column/bk:columnNumber ?col ; bk:text ?text }
  UNION { ?cell bk:row ?row ; bk:column/bk:columnNumber ?col ; bk:printedAmount ?a ;
            bk:printedText ?text }
}"""
_SENTENCES = """
PREFIX bk: <https://w3id.org/budgetkg/ontology#>
SELECT ?node ?sentence WHERE {
  { ?node a bk:Statement } UNION { ?node a bk:DerivedFigure }  # the sentence implying it
  ?node bk:sentence ?sentence
}"""


def _select(store: ox.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: _lexical(s[n]) for n in names} for s in solutions]


def _located(report: ValidationReport, store: ox.Store) -> ValidationReport:
    """Each finding with its table and row as printed, sorted by severity then place."""
    cells: dict[str, dict[int, str]] = {}
    for c in _select(store, _CELLS):
        cells.setdefault(c["row"], {})[int(c["col"])] = c["text"]
    places = {}
    for p in _select(store, _PLACES):
        printed = cells.get(p["row"], {})
        text = " | ".join(printed[k] for k in sorted(printed))
        places[p["node"]] = (p["title"], text, (int(p["tn"]), int(p["rn"] or 0)),
                             int(p["cn"] or 0))
    for s in _select(store, _SENTENCES):
        places[s["node"]] = ("说明", s["sentence"], (0, 0), 0)
    located = []
    for f in report.findings:
        title, row, order, column = (places.get(f.value) or places.get(f.focus)
                                     or ("", "", (0, 0), 0))
        located.append(Finding(f.severity, f.shape, f.focus, f.value, f.message_zh,
                               f.message_en, title, row, order, column))
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    report.findings = sorted(located, key=lambda f: (rank.get(f.severity, 9), f.order, f.shape,
                                                     f.focus, f.value, f.message_en))
    return report


def compare(graphs: list[list[ox.Triple]], engine: str = "fast") -> list[list[Finding]]:
    """The findings of the shapes of ACROSS_DOCUMENTS on documents side by side (the documents
    of one organisation: other years and phases), run once on all of them: for each document,
    those about its own nodes."""
    union = [t for triples in graphs for t in triples]
    across = _fast(_store(union), True) if engine == "fast" else _pyshacl(union, True)
    owned = [{t.subject.value for t in triples if not isinstance(t.subject, ox.Triple)}
             for triples in graphs]
    return [[f for f in across.findings if f.focus in own] for own in owned]


def finding_shapes(across: bool = False) -> frozenset[str]:
    """The shapes a finding of validate() (of compare(): `across`) can name: each node shape
    with a SPARQL constraint, each property shape."""
    return frozenset(c.shape for c in _compiled(across))


def across_shapes() -> frozenset[str]:
    """The IRIs of the shapes that compare documents."""
    return frozenset(c.shape for c in _compiled(True))


def validate(triples: list[ox.Triple], engine: str = "fast",
             compared: list[Finding] | None = None,
             progress: Callable[[str], None] | None = None) -> ValidationReport:
    """Check one document graph against the shapes; the report lists every finding, with the
    document's findings of compare() (`compared`) when it was compared with others. The pyshacl
    engine tells `progress` of each shape it has run (shape_names(): minutes on a large
    document); the fast engine runs them all in about a second."""
    if engine not in ENGINES:
        raise BudgetKGError(None, f"unknown engine {engine!r}; expected {' or '.join(ENGINES)}")
    store = _store(triples)
    report = _fast(store) if engine == "fast" else _pyshacl(triples, progress=progress)
    if compared:
        report.findings = sorted(set(report.findings) | set(compared), key=lambda f: f.key)
    return _located(report, store)
