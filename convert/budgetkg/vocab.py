"""The code lists of ontology/codelists, read once: which codes are known, their names, unit
factors."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import pyoxigraph as ox

from budgetkg.iris import CODELIST, ONTOLOGY, SKOS
from budgetkg.resources import ontology_dir


@dataclass(frozen=True)
class CodeLists:
    concepts: frozenset[str]  # every concept IRI in ontology/codelists
    yuan_factor: dict[str, Decimal]  # unit concept id -> 元 per unit
    names: dict[str, str]  # concept IRI -> its Chinese preferred label
    broader: dict[str, frozenset[str]]  # concept IRI -> every concept above it (transitive)
    exact: dict[str, str]  # concept IRI -> the concept of another scheme it exactly matches

    def knows(self, iri: str) -> bool:
        return iri in self.concepts


@cache
def codelists() -> CodeLists:
    concepts: set[str] = set()
    factors: dict[str, Decimal] = {}
    names: dict[str, str] = {}
    in_scheme = ox.NamedNode(SKOS + "inScheme")
    factor = ox.NamedNode(ONTOLOGY + "yuanFactor")
    label = ox.NamedNode(SKOS + "prefLabel")
    broader_of = ox.NamedNode(SKOS + "broader")
    exact_match = ox.NamedNode(SKOS + "exactMatch")
    parents: dict[str, set[str]] = {}
    exact: dict[str, str] = {}
    for path in sorted((ontology_dir() / "codelists").glob("*.ttl")):
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if triple.predicate == in_scheme:
                concepts.add(triple.subject.value)
            elif triple.predicate == factor:
                unit_id = triple.subject.value.removeprefix(CODELIST + "unit/")
                factors[unit_id] = Decimal(triple.object.value)
            elif triple.predicate == label and getattr(triple.object, "language", "") == "zh":
                names[triple.subject.value] = triple.object.value
            elif triple.predicate == broader_of:
                parents.setdefault(triple.subject.value, set()).add(triple.object.value)
            elif triple.predicate == exact_match:
                exact[triple.subject.value] = triple.object.value
    return CodeLists(frozenset(concepts), factors, names, _closure(parents), exact)


def _closure(parents: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    """Every concept above each concept (the lists have no broader cycle: test_codelists)."""
    above: dict[str, frozenset[str]] = {}

    def up(node: str) -> frozenset[str]:
        if node not in above:
            found: set[str] = set()
            for parent in parents.get(node, ()):
                found |= {parent} | up(parent)
            above[node] = frozenset(found)
        return above[node]

    for node in parents:
        up(node)
    return above
