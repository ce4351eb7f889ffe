"""Compact JSON-LD with a published @context, so the JSON reads naturally (`"amount": "74548000"`).

pyoxigraph writes expanded JSON-LD only and rdflib's compaction is slow; the context here is
derived from the ontology (each property's range decides its coercion), so it is the same file
for every document. Output is deterministic: nodes sorted by @id, keys and values sorted.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from budgetkg.iris import (
    CODELIST,
    DCAT,
    DCT,
    DQV,
    ONTOLOGY,
    ORG,
    PROV,
    QB,
    RDF,
    RDF_TYPE,
    RDFS,
    SKOS,
    STRUCTURE,
    XSD,
)
from budgetkg.resources import ontology_dir

PREFIXES = {
    "bk": ONTOLOGY,
    "bkc": CODELIST,
    "bks": STRUCTURE,
    "qb": QB,
    "skos": SKOS,
    "org": ORG,
    "dcterms": DCT,
    "prov": PROV,
    "rdfs": RDFS,
    "xsd": XSD,
    "dcat": DCAT,
    "dqv": DQV,
    "rdf": RDF,
    "owl": "http://www.w3.org/2002/07/owl#",
    "obeu-dimension": "http://data.openbudgets.eu/ontology/dsd/dimension/",
    "obeu-measure": "http://data.openbudgets.eu/ontology/dsd/measure/",
    "obeu-attribute": "http://data.openbudgets.eu/ontology/dsd/attribute/",
    "obeu-bp": "http://data.openbudgets.eu/resource/codelist/budget-phase/",
    "obeu-oc": "http://data.openbudgets.eu/resource/codelist/operation-character/",
    "eu-currency": "http://publications.europa.eu/resource/authority/currency/",
    "year": "http://reference.data.gov.uk/id/year/",  # OBEU's fiscal periods: year/2026
}
FILE = "context.jsonld"  # the context's file name, in a build folder and under the base IRI
_LITERAL_RANGES = {XSD + n for n in ("decimal", "integer", "boolean", "gYear", "date")}


@cache
def context() -> dict[str, Any]:
    """The @context: prefixes plus one term per ontology property, coerced by its range."""
    ranges: dict[str, set[str]] = defaultdict(set)
    kinds: dict[str, set[str]] = defaultdict(set)
    for t in ox.parse(path=str(ontology_dir() / "budgetkg.ttl"), format=ox.RdfFormat.TURTLE):
        s = t.subject.value if isinstance(t.subject, ox.NamedNode) else ""
        if not s.startswith(ONTOLOGY):
            continue
        if t.predicate.value == "http://www.w3.org/2000/01/rdf-schema#range" and isinstance(
            t.object, ox.NamedNode
        ):
            ranges[s].add(t.object.value)
        elif t.predicate.value == RDF_TYPE:
            kinds[s].add(t.object.value)
    terms: dict[str, Any] = dict(sorted(PREFIXES.items()))
    for prop in sorted(set(ranges) | set(kinds)):
        local = prop.removeprefix(ONTOLOGY)
        if not local[:1].islower():
            continue
        rng = ranges.get(prop, set())
        definition: dict[str, str] = {"@id": f"bk:{local}"}
        if len(rng) == 1 and (r := next(iter(rng))) in _LITERAL_RANGES:
            definition["@type"] = "xsd:" + r.removeprefix(XSD)
        elif rng and not any(r.startswith(XSD) for r in rng) and (
            "http://www.w3.org/2002/07/owl#DatatypeProperty" not in kinds.get(prop, set())
        ):
            definition["@type"] = "@id"
        terms[local] = definition
    return {"@context": terms}


@lru_cache(maxsize=65536)
def _compact_iri(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and iri != ns:
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _key_and_coercion(predicate: str, terms: dict[str, Any]) -> tuple[str, str]:
    if predicate.startswith(ONTOLOGY):
        local = predicate.removeprefix(ONTOLOGY)
        definition = terms.get(local)
        if isinstance(definition, dict):
            return local, definition.get("@type", "")
    return _compact_iri(predicate), ""


def _value(obj: ox.NamedNode | ox.Literal | ox.BlankNode, coercion: str) -> Any:
    if isinstance(obj, ox.NamedNode):
        return _compact_iri(obj.value) if coercion == "@id" else {"@id": _compact_iri(obj.value)}
    if isinstance(obj, ox.BlankNode):
        return {"@id": f"_:{obj.value}"}
    if obj.language:
        return {"@value": obj.value, "@language": obj.language}
    datatype = _compact_iri(obj.datatype.value)
    if datatype == "xsd:string":
        return obj.value
    if coercion == datatype:
        return obj.value
    return {"@value": obj.value, "@type": datatype}


def _sort_value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def serialize(triples: list[ox.Triple], graph: str, context_url: str) -> bytes:
    """A named graph as compact JSON-LD referring to the published context by URL."""
    terms = context()["@context"]
    nodes: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        subject, obj = t.subject, t.object
        assert isinstance(subject, ox.NamedNode | ox.BlankNode)
        assert not isinstance(obj, ox.Triple)
        properties = nodes[_compact_iri(subject.value)]
        if t.predicate.value == RDF_TYPE and isinstance(obj, ox.NamedNode):
            properties["@type"].append(_compact_iri(obj.value))
            continue
        key, coercion = _key_and_coercion(t.predicate.value, terms)
        properties[key].append(_value(obj, coercion))
    out_nodes = []
    for subject_id in sorted(nodes):
        node: dict[str, Any] = {"@id": subject_id}
        for key in sorted(nodes[subject_id]):
            values = nodes[subject_id][key]
            node[key] = values[0] if len(values) == 1 else sorted(values, key=_sort_value)
        out_nodes.append(node)
    head = json.dumps({"@context": context_url, "@id": graph}, ensure_ascii=False)[:-1]
    body = ",\n".join(json.dumps(n, ensure_ascii=False) for n in out_nodes)  # one node a line
    return f'{head}, "@graph": [\n{body}\n]}}\n'.encode()


def context_document() -> bytes:
    return (json.dumps(context(), ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def with_context(data: bytes, folder: Path, base: str) -> bytes:
    """A compact JSON-LD dump with the context it names (BASE/context.jsonld) put in its place,
    so that it parses offline: the context file beside it when there is one, else the one this
    version writes (a context named under `base` only). Any other document is returned as it
    is."""
    try:
        document = json.loads(data)
    except ValueError:
        return data  # the parser reports what is wrong with it
    named = document.get("@context") if isinstance(document, dict) else None
    if not isinstance(named, str) or not named.endswith("/" + FILE):
        return data
    beside = folder / FILE
    if beside.is_file():
        document["@context"] = json.loads(beside.read_bytes())["@context"]
    elif named == base + FILE:
        document["@context"] = context()["@context"]
    else:
        return data
    return json.dumps(document, ensure_ascii=False).encode()
