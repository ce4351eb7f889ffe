"""`budgetkg serve` through an off-the-shelf client: SPARQLWrapper, in every result format it
knows, over GET, POST with a form and POST with the query as the body.

The truth the answers are checked against is the N-Triples dump of the example build. Amounts
are compared by value: the store keeps xsd:decimal values, not their lexical forms, so the
dump's "7000.00" is served as "7000" (the same number, still an xsd:decimal)."""

from __future__ import annotations

import csv
import io
import re
import warnings
from decimal import Decimal
from xml.dom.minidom import Document, Element

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper.Wrapper import QueryResult

from budgetkg import pipeline
from tests.conftest import Server

BK = "https://w3id.org/budgetkg/ontology#"
AMOUNT = URIRef(BK + "amount")
DECIMAL = str(XSD.decimal)
AMOUNTS = f"""PREFIX bk: <{BK}>
SELECT ?obs ?amount WHERE {{ ?obs bk:amount ?amount }} ORDER BY ?obs"""
CONSTRUCT = f"""PREFIX bk: <{BK}>
CONSTRUCT {{ ?obs bk:amount ?amount }} WHERE {{ ?obs bk:amount ?amount }}"""
SPARQL_RESULTS = "http://www.w3.org/2005/sparql-results#"
DEPRECATED_RDFLIB = r"(ConjunctiveGraph|Dataset\.default_context) is deprecated"

# How a request travels: (HTTP method, how a POST carries the query).
TRANSPORTS = {"GET": (GET, URLENCODED), "POST-form": (POST, URLENCODED),
              "POST-direct": (POST, POSTDIRECTLY)}
# The graph formats: (SPARQLWrapper return format, Accept override, media type, rdflib format).
GRAPH_FORMATS = {
    "turtle": (TURTLE, None, "text/turtle", "turtle"),
    # SPARQLWrapper has no N-Triples format: N3 (whose Accept lists N-Triples among others)
    # with an explicit Accept asks for it, and N3 answers are handed back as bytes.
    "n-triples": (N3, "application/n-triples", "application/n-triples", "nt"),
    "json-ld": (JSONLD, None, "application/ld+json", "json-ld"),
    "rdf/xml": (RDFXML, None, "application/rdf+xml", "xml"),
}

Amounts = set[tuple[str, Decimal]]


@pytest.fixture(scope="module")
def dump(built: pipeline.BuildResult) -> Graph:
    """The example document graph as built (its N-Triples file)."""
    graph = Graph()
    files = sorted(built.output.glob("*.nt"))
    assert files
    for path in files:
        graph.parse(path, format="nt")
    return graph


@pytest.fixture(scope="module")
def amounts(dump: Graph) -> Amounts:
    found = {(str(s), Decimal(str(o))) for s, o in dump.subject_objects(AMOUNT)}
    assert len(found) > 100, "the example has many amounts"
    return found


@pytest.fixture(params=list(TRANSPORTS))
def transport(request: pytest.FixtureRequest) -> tuple[str, str]:
    return TRANSPORTS[request.param]


def ask(server: Server, transport: tuple[str, str], query: str, form: str,
        accept: str | None = None) -> QueryResult:
    """Run a query with SPARQLWrapper the way `transport` says, asking for `form`."""
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery(query)
    client.setReturnFormat(form)
    method, encoding = transport
    client.setMethod(method)
    client.setRequestMethod(encoding)
    if accept:
        client.addCustomHttpHeader("Accept", accept)
    return client.query()


def media(result: QueryResult) -> str:
    return result.info()["content-type"].split(";")[0].strip()


def text(result: QueryResult) -> str:
    body = result.convert()
    assert isinstance(body, bytes)
    return body.decode("utf-8")


def children(parent: Document | Element, name: str) -> list[Element]:
    return list(parent.getElementsByTagNameNS(SPARQL_RESULTS, name))


def content(element: Element) -> str:
    return "".join(node.nodeValue or "" for node in element.childNodes)


def value(term: Node) -> object:
    """A term compared by value: decimals whatever their trailing zeros, the rest as they are."""
    if isinstance(term, Literal) and term.datatype == XSD.decimal:
        return Decimal(str(term))
    return term


def by_value(graph: Graph) -> set[tuple[object, object, object]]:
    return {(value(s), value(p), value(o)) for s, p, o in graph}


# --- SELECT ----------------------------------------------------------------------------------


def test_select_json_binds_every_amount_as_decimal(
        served: Server, transport: tuple[str, str], amounts: Amounts) -> None:
    result = ask(served, transport, AMOUNTS, JSON)
    assert media(result) == "application/sparql-results+json"
    data = result.convert()
    assert isinstance(data, dict)
    assert data["head"]["vars"] == ["obs", "amount"]
    bindings = data["results"]["bindings"]
    assert {b["amount"].get("datatype") for b in bindings} == {DECIMAL}
    assert {b["obs"]["type"] for b in bindings} == {"uri"}
    assert len(bindings) == len(amounts)
    assert {(b["obs"]["value"], Decimal(b["amount"]["value"])) for b in bindings} == amounts


def test_select_xml_binds_every_amount_as_decimal(
        served: Server, transport: tuple[str, str], amounts: Amounts) -> None:
    result = ask(served, transport, AMOUNTS, XML)
    assert media(result) == "application/sparql-results+xml"
    document = result.convert()
    assert isinstance(document, Document)
    names = [v.getAttribute("name") for v in children(document, "variable")]
    assert names == ["obs", "amount"]
    found: Amounts = set()
    results = children(document, "result")
    for solution in results:
        binding = {b.getAttribute("name"): b for b in children(solution, "binding")}
        literal = children(binding["amount"], "literal")[0]
        assert literal.getAttribute("datatype") == DECIMAL
        iri = children(binding["obs"], "uri")[0]
        found.add((content(iri), Decimal(content(literal))))
    assert len(results) == len(amounts)
    assert found == amounts


def test_select_csv_has_a_header_and_one_line_per_solution(
        served: Server, transport: tuple[str, str], amounts: Amounts) -> None:
    result = ask(served, transport, AMOUNTS, CSV)
    assert media(result) == "text/csv"
    header, *rows = csv.reader(io.StringIO(text(result), newline=""))
    assert header == ["obs", "amount"]
    assert len(rows) == len(amounts)
    assert {(obs, Decimal(amount)) for obs, amount in rows} == amounts


def test_select_tsv_writes_terms_in_turtle_syntax_with_decimal_datatype(
        served: Server, transport: tuple[str, str], amounts: Amounts) -> None:
    result = ask(served, transport, AMOUNTS, TSV)
    assert media(result) == "text/tab-separated-values"
    header, *lines = text(result).splitlines()
    assert header == "?obs\t?amount"
    found: Amounts = set()
    for line in lines:
        match = re.fullmatch(rf'<([^>]+)>\t"([-0-9.]+)"\^\^<{re.escape(DECIMAL)}>', line)
        assert match, line
        found.add((match[1], Decimal(match[2])))
    assert len(lines) == len(amounts)
    assert found == amounts


# --- ASK -------------------------------------------------------------------------------------

ASKS = {
    f"PREFIX bk: <{BK}> ASK {{ ?obs bk:amount ?a FILTER(DATATYPE(?a) = <{DECIMAL}>) }}": True,
    f'PREFIX bk: <{BK}> ASK {{ ?obs bk:amount "not an amount" }}': False,
}


@pytest.mark.parametrize(("query", "expected"), list(ASKS.items()), ids=["true", "false"])
def test_ask_json_answers_the_boolean(served: Server, transport: tuple[str, str], query: str,
                                      expected: bool) -> None:
    result = ask(served, transport, query, JSON)
    assert media(result) == "application/sparql-results+json"
    data = result.convert()
    assert isinstance(data, dict)
    assert data["boolean"] is expected
    assert "results" not in data


@pytest.mark.parametrize(("query", "expected"), list(ASKS.items()), ids=["true", "false"])
def test_ask_xml_answers_the_boolean(served: Server, transport: tuple[str, str], query: str,
                                     expected: bool) -> None:
    result = ask(served, transport, query, XML)
    assert media(result) == "application/sparql-results+xml"
    document = result.convert()
    assert isinstance(document, Document)
    (boolean,) = children(document, "boolean")
    assert content(boolean) == str(expected).lower()
    assert not children(document, "results")


# --- CONSTRUCT and DESCRIBE ------------------------------------------------------------------


def graph_answer(server: Server, transport: tuple[str, str], query: str, name: str) -> Graph:
    """A CONSTRUCT or DESCRIBE answer in one graph format, as SPARQLWrapper's convert() reads it
    (an rdflib graph for RDF/XML and JSON-LD, bytes parsed here by rdflib for the others)."""
    form, accept, expected_media, parser = GRAPH_FORMATS[name]
    result = ask(server, transport, query, form, accept)
    assert media(result) == expected_media
    with warnings.catch_warnings():
        # convert() builds an rdflib ConjunctiveGraph, and rdflib 7.6's JSON-LD parser goes
        # through that deprecated API itself (even into a plain Graph): only these warnings.
        warnings.filterwarnings("ignore", DEPRECATED_RDFLIB, DeprecationWarning)
        converted = result.convert()
    graph = Graph()
    if isinstance(converted, bytes):
        return graph.parse(data=converted, format=parser)
    assert isinstance(converted, Graph)
    for triple in converted.triples((None, None, None)):
        graph.add(triple)
    return graph


@pytest.mark.parametrize("name", list(GRAPH_FORMATS))
def test_construct_returns_every_amount_typed_decimal(
        served: Server, transport: tuple[str, str], amounts: Amounts, name: str) -> None:
    graph = graph_answer(served, transport, CONSTRUCT, name)
    objects = list(graph.objects(None, AMOUNT))
    assert objects and all(isinstance(o, Literal) for o in objects)
    assert {o.datatype for o in objects if isinstance(o, Literal)} == {XSD.decimal}
    assert len(graph) == len(amounts)
    assert {(str(s), Decimal(str(o))) for s, o in graph.subject_objects(AMOUNT)} == amounts


@pytest.mark.parametrize("name", list(GRAPH_FORMATS))
def test_describe_returns_what_the_dump_says_about_an_observation(
        served: Server, transport: tuple[str, str], amounts: Amounts, dump: Graph,
        name: str) -> None:
    obs = min(amounts)[0]
    graph = graph_answer(served, transport, f"DESCRIBE <{obs}>", name)
    expected = Graph()
    for triple in dump.triples((URIRef(obs), None, None)):
        expected.add(triple)
    assert len(graph) == len(expected) > 3
    assert by_value(graph) == by_value(expected)
    amount = graph.value(URIRef(obs), AMOUNT)
    assert isinstance(amount, Literal)
    assert amount.datatype == XSD.decimal
