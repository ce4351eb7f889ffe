"""The graph of one document being built: its triples, the context every stage of the mapping
shares, and the terms, codes and fact keys they all mint with."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

import pyoxigraph as ox

from budgetkg.iris import QB, RDF, SKOS, XSD, Minter, concept, scheme, term
from budgetkg.link.codes import TableRow
from budgetkg.mapping import Mappings
from budgetkg.tables import Document
from budgetkg.vocab import codelists

CNY = "http://publications.europa.eu/resource/authority/currency/CNY"

# A fact not broken down by a dimension has the dimension's total (the budget unit's is the
# department itself).
FACT_TOTALS = {
    "functionalClassification": "function/total",
    "deptEconomicClassification": "dept-economic/total",
    "govEconomicClassification": "gov-economic/total",
    "fundingSource": "funding-source/total",
    "expenditureType": "expenditure-type/total",
    "project": "project/total",
    "coverage": "coverage/current-year",
}

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
class Graph:
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
class Fact:
    """A fiscal fact of the document (its dimensions) and the printed cells stating it."""

    key: tuple[tuple[str, str], ...]  # (property IRI, value IRI or literal) pairs, sorted
    cells: list[tuple[tuple[int, int, int], Decimal, Decimal, str]] = field(default_factory=list)

    # ((table, row, column), amount in 元, its rounding tolerance in 元, observation IRI)


@dataclass
class Context:
    graph: Graph
    iri: Minter
    doc: Document
    mappings: Mappings
    unit_iris: dict[str, str] = field(default_factory=dict)
    projects: dict[tuple[int, int], str] = field(default_factory=dict)  # (table, row) -> IRI
    printed_codes: dict[str, dict[str, str]] = field(default_factory=dict)  # scheme: code -> name
    # (table IRI, block, code list) -> its rows in order, for code inference
    classified: dict[tuple[str, int, str], list[TableRow]] = field(default_factory=dict)
    table_iris: dict[int, str] = field(default_factory=dict)  # table number -> IRI
    facts: dict[str, Fact] = field(default_factory=dict)  # fact IRI -> what states it
    # fact IRI -> (amount, tolerance) in 元 of each narrative statement restating it
    restated: dict[str, list[tuple[Decimal, Decimal]]] = field(default_factory=dict)

    @cached_property
    def totals(self) -> frozenset[tuple[str, str]]:
        """(dimension, value) of each dimension not broken down: its total concept, the whole
        department for the budget unit (made once: every fact key asks for it)."""
        return frozenset({(term(d), concept(*t.split("/"))) for d, t in FACT_TOTALS.items()}
                         | {(term("budgetUnit"), self.iri.org)})

    @cached_property
    def broken_down(self) -> dict[tuple[str, str], list[tuple[str, frozenset[tuple[str, str]],
                                                               Fact]]]:
        """For each (dimension, value) a fact is broken down by (not a total): the facts so
        broken down, by IRI, each with all the (dimension, value) it is broken down by. Made on
        first use, which must come after the facts are made (the narrative's linking)."""
        out: dict[tuple[str, str], list[tuple[str, frozenset[tuple[str, str]], Fact]]] = {}
        for iri, fact in sorted(self.facts.items()):
            key = frozenset(fact.key) - self.totals
            for pair in key:
                out.setdefault(pair, []).append((iri, key, fact))
        return out

    def dims(self) -> dict[str, Value]:
        return {
            "fiscalYear": lit(self.doc.year, "gYear"),
            "budgetPhase": ox.NamedNode(concept("budget-phase", self.doc.phase)),
            "organisation": ox.NamedNode(self.iri.org),
        }


def unlisted(ctx: Context, scheme_name: str, code: str) -> None:
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


CODE_PROPERTY = {
    "function": "functionalClassification",
    "dept-economic": "deptEconomicClassification",
    "gov-economic": "govEconomicClassification",
}

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


def iri_pairs(pairs: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """(dimension, concept id) pairs of mappings/ as (property IRI, concept IRI)."""
    return [(term(d), concept(_SCHEME_OF[d], v)) for d, v in pairs]


def fact_key(ctx: Context, pairs: set[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """A fact's dimensions, sorted: the ones its cell or words give, and the total of each
    dimension of its structure they do not give (so that a figure printed with and without
    a dimension's total, 合计 of every unit and the department's row, is one fact)."""
    given = {p for p, _ in pairs}
    return tuple(sorted(pairs | {(p, v) for p, v in ctx.totals if p not in given}))


def half_digit(printed: str) -> Decimal:
    """Half the last printed digit: 7,454.80 -> 0.005, 25 -> 0.5."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return Decimal(5) / Decimal(10) ** (decimals + 1)


def _sort_key(t: ox.Triple) -> tuple[str, str, str]:
    return (str(t.subject), t.predicate.value, str(t.object))
