"""The endpoint describing itself: a SPARQL 1.1 Service Description and VoID per named graph."""

from __future__ import annotations

import pyoxigraph as ox

from budgetkg.iris import SD, VOID, digest
from budgetkg.serve import formats

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_RESULT_FORMATS = {
    "SPARQL_Results_JSON": formats.SPARQL_JSON,
    "SPARQL_Results_XML": formats.SPARQL_XML,
    "SPARQL_Results_CSV": formats.CSV,
    "SPARQL_Results_TSV": formats.TSV,
    "Turtle": formats.TURTLE,
    "N-Triples": formats.NTRIPLES,
    "JSON-LD": formats.JSONLD,
    "RDF_XML": formats.RDFXML,
}
_FIGURES = {"triples": "triples", "classes": "classes", "properties": "properties",
            "subjects": "distinctSubjects", "objects": "distinctObjects"}


def _n(local: str, ns: str) -> ox.NamedNode:
    return ox.NamedNode(ns + local)


def _count(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_INTEGER)


def service(endpoint: str, statistics: dict[str, dict[str, int]],
            updates: bool) -> list[ox.Triple]:
    """The service description served on a GET of the endpoint without a query."""
    me = ox.BlankNode("service")
    dataset = ox.BlankNode("dataset")
    default = ox.BlankNode("default")
    triples = [
        ox.Triple(me, RDF_TYPE, _n("Service", SD)),
        ox.Triple(me, _n("endpoint", SD), ox.NamedNode(endpoint)),
        ox.Triple(me, _n("supportedLanguage", SD), _n("SPARQL11Query", SD)),
        ox.Triple(me, _n("feature", SD), _n("UnionDefaultGraph", SD)),
        ox.Triple(me, _n("feature", SD), _n("BasicFederatedQuery", SD)),
        ox.Triple(me, _n("defaultDataset", SD), dataset),
        ox.Triple(dataset, RDF_TYPE, _n("Dataset", SD)),
        ox.Triple(dataset, _n("defaultGraph", SD), default),
        ox.Triple(default, RDF_TYPE, _n("Graph", SD)),
    ]
    if updates:
        triples.append(ox.Triple(me, _n("supportedLanguage", SD), _n("SPARQL11Update", SD)))
    triples += [ox.Triple(me, _n("resultFormat", SD), ox.NamedNode(f"http://www.w3.org/ns/formats/{name}"))
                for name in _RESULT_FORMATS]
    for number, (graph, figures) in enumerate(sorted(statistics.items())):
        named, described = ox.BlankNode(f"g{number}"), ox.BlankNode(f"d{number}")
        triples += [
            ox.Triple(dataset, _n("namedGraph", SD), named),
            ox.Triple(named, RDF_TYPE, _n("NamedGraph", SD)),
            ox.Triple(named, _n("name", SD), ox.NamedNode(graph)),
            ox.Triple(named, _n("graph", SD), described),
            ox.Triple(described, RDF_TYPE, _n("Graph", SD)),
            ox.Triple(described, _n("triples", VOID), _count(figures["triples"])),
        ]
    return triples


def void(endpoint: str, iri: str, statistics: dict[str, dict[str, int]]) -> list[ox.Triple]:
    """VoID: the whole store as one dataset with one subset per named graph."""
    me = ox.NamedNode(iri)
    triples = [
        ox.Triple(me, RDF_TYPE, _n("Dataset", VOID)),
        ox.Triple(me, _n("sparqlEndpoint", VOID), ox.NamedNode(endpoint)),
        ox.Triple(me, _n("triples", VOID),
                  _count(sum(f["triples"] for f in statistics.values()))),
    ]
    for graph, figures in sorted(statistics.items()):
        subset = ox.NamedNode(f"{iri}#{digest(graph)}")
        triples += [
            ox.Triple(me, _n("subset", VOID), subset),
            ox.Triple(subset, RDF_TYPE, _n("Dataset", VOID)),
            ox.Triple(subset, ox.NamedNode(SD + "name"), ox.NamedNode(graph)),
            ox.Triple(subset, _n("sparqlEndpoint", VOID), ox.NamedNode(endpoint)),
        ]
        triples += [ox.Triple(subset, _n(term, VOID), _count(figures[key]))
                    for key, term in _FIGURES.items()]
    return triples
