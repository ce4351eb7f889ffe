"""Content negotiation (Accept with q-values) and the result serialisations of the endpoint."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from budgetkg.iris import XSD
from budgetkg.jsonld import PREFIXES

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"
HTML = "text/html"

# Offered types in order of preference; a media type listed twice is an alias.
SOLUTIONS = (SPARQL_JSON, SPARQL_XML, CSV, TSV, "application/json", "application/xml")
BOOLEAN = (SPARQL_JSON, SPARQL_XML, "application/json", "application/xml", "text/plain")
GRAPH = (TURTLE, NTRIPLES, JSONLD, RDFXML, "application/json", "application/xml", "text/plain")
RESOURCE = (TURTLE, HTML, NTRIPLES, JSONLD, RDFXML, "application/xhtml+xml", "application/json")

_CANONICAL = {
    "application/json": SPARQL_JSON,
    "application/xml": SPARQL_XML,
    "text/plain": NTRIPLES,
    "application/xhtml+xml": HTML,
}
_GRAPH_CANONICAL = {"application/json": JSONLD, "application/xml": RDFXML, "text/plain": NTRIPLES}
RDF_FORMATS = {
    TURTLE: ox.RdfFormat.TURTLE,
    NTRIPLES: ox.RdfFormat.N_TRIPLES,
    JSONLD: ox.RdfFormat.JSON_LD,
    RDFXML: ox.RdfFormat.RDF_XML,
}
_PREFIXES = {**PREFIXES, "sd": "http://www.w3.org/ns/sparql-service-description#",
             "void": "http://rdfs.org/ns/void#", "sh": "http://www.w3.org/ns/shacl#"}
_BOOLEAN_FORMATS = {SPARQL_JSON: ox.QueryResultsFormat.JSON, SPARQL_XML: ox.QueryResultsFormat.XML}


def _ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((fields[0].lower(), q))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    """The q of the most specific range matching an offered type (0 when none matches)."""
    kind = offer.split("/")[0]
    best, specificity = 0.0, -1
    for media, q in ranges:
        level = 2 if media == offer else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
        if level > specificity:
            best, specificity = q, level
    return best if specificity >= 0 else 0.0


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offered media type the client prefers (first offer on ties or without Accept), or None
    when the client accepts none of them (answer 406)."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = _ranges(accept)
    scored = [(_quality(offer, ranges), -i, offer) for i, offer in enumerate(offers)]
    q, _, offer = max(scored)
    return offer if q > 0 else None


def canonical(media: str, graph: bool = False) -> str:
    """The serialisation an alias stands for (application/json -> SPARQL JSON or JSON-LD)."""
    return (_GRAPH_CANONICAL if graph else _CANONICAL).get(media, media)


def _json_term(term: object) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD + "string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {
            "subject": _json_term(term.subject), "predicate": _json_term(term.predicate),
            "object": _json_term(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            attr = f" xml:lang={quoteattr(term.language)}"
        elif term.datatype.value != XSD + "string":
            attr = f" datatype={quoteattr(term.datatype.value)}"
        else:
            attr = ""
        return f"<literal{attr}>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>"
                f"{_xml_term(term.predicate)}</predicate><object>{_xml_term(term.object)}"
                "</object></triple>")
    raise TypeError(f"not an RDF term: {term!r}")


def _csv_value(term: object) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


Row = Sequence[object | None]


def solutions(variables: Sequence[str], rows: Iterable[Row], media: str) -> bytes:
    """SELECT results in SPARQL JSON, SPARQL XML, CSV or TSV."""
    if media == SPARQL_JSON:
        bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True)
                     if t is not None} for row in rows]
        body = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    if media == SPARQL_XML:
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n'
               '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out.append("</head><results>")
        for row in rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                    for v, t in zip(variables, row, strict=True) if t is not None]
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "".join(out).encode()
    if media == CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([["" if t is None else _csv_value(t) for t in row] for row in rows])
        return buffer.getvalue().encode()
    if media == TSV:
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join("" if t is None else str(t).replace("\t", "\\t") for t in row)
                  for row in rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(f"not a results format: {media}")


def boolean(result: ox.QueryBoolean, media: str) -> bytes:
    """ASK results in SPARQL JSON or XML."""
    data = result.serialize(format=_BOOLEAN_FORMATS[media])
    return data if isinstance(data, bytes) else b""


def graph(triples: Iterable[ox.Triple], media: str) -> bytes:
    """Triples in Turtle (with the budgetkg prefixes), N-Triples, JSON-LD or RDF/XML."""
    prefixes = _PREFIXES if media in (TURTLE, RDFXML) else None
    data = ox.serialize(triples, format=RDF_FORMATS[media], prefixes=prefixes)
    return data if isinstance(data, bytes) else b""
