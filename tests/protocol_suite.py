"""W3C SPARQL 1.1 Protocol conformance harness (no pytest in here: importable and runnable).

The protocol manifest (../shared/standards/sparql-protocol/protocol/manifest.ttl) models each test
as HTTP requests in RDF (``ht:``) with expectations on the response: a status class or code
(``mf:expectedStatus``), a result format (``mf:expectedFormat``: boolean, tabular or RDF) and an
ASK answer (``mf:expectedBoolean``). :func:`load_manifest` turns it into :class:`ProtocolTest`
values whose requests are replayed byte for byte (UTF-16 bodies, missing Content-Type, repeated
parameters) by :func:`run_test` against one endpoint URL; the manifest's ``/sparql/`` path prefix
is replaced by the endpoint's path. When a token is given, every request carries
``Authorization: Bearer TOKEN``.

A test passes only for the right reason:

* the named graphs a test declares (``ut:graphData``) are (re)loaded through the endpoint with
  SPARQL Update just before it runs, so no test depends on the order (several ``update_*`` tests
  run ``CLEAR ALL``/``DROP ALL``, which also wipes whatever else the served store holds);
* a negative test (every expected status 4xx) first checks that the endpoint answers a valid
  query and accepts a no-op update, so a 404 from a wrong path or a 401 from a rejected token
  cannot make it pass;
* a result must come with the media type its format allows, parse, and give the expected boolean.

:func:`check_service_description` runs the three Service Description checks.
``python -m tests.protocol_suite ENDPOINT_URL MANIFEST [--token T]`` runs everything.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, Namespace
from rdflib.term import Literal, Node, URIRef

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SRX_NS = "{http://www.w3.org/2005/sparql-results#}"

MANIFEST_PREFIX = "/sparql/"
TIMEOUT_S = 30.0
MAX_REDIRECTS = 3

# Media types each mf:expectedFormat allows (README: boolean -> SPARQL XML/JSON results,
# tabular -> those or CSV/TSV, RDF -> an RDF syntax, here by its rdflib parser name). JSON-LD
# is left out: parsing it may fetch a remote @context, and the harness never leaves loopback.
SRJ_TYPE = "application/sparql-results+json"
SRX_TYPE = "application/sparql-results+xml"
BOOLEAN_TYPES = frozenset({SRJ_TYPE, SRX_TYPE})
TABULAR_TYPES = BOOLEAN_TYPES | {"text/csv", "text/tab-separated-values"}
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "text/n3": "n3",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}
ACCEPT_RDF = ", ".join(f"{media};q={1 - rank / 10:.1f}" for rank, media in enumerate(RDF_TYPES))
LANGUAGES = frozenset({SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update})
SD_CHECKS = ("returns-rdf", "has-endpoint-triple", "conforms-to-schema")
SPARQL_UPDATE = (("Content-Type", "application/sparql-update"),)


class CheckFailed(Exception):
    """A response, or the endpoint's set-up, did not meet an expectation."""


@dataclass(frozen=True)
class Expectation:
    """What one response must show: a status label ("2xx" or "404"), a format, an ASK answer."""

    statuses: tuple[str, ...]
    result_format: str | None = None
    boolean: bool | None = None

    def accepts(self, status: int) -> bool:
        """Whether ``status`` matches one of the expected classes or codes."""
        return f"{status // 100}xx" in self.statuses or str(status) in self.statuses

    @property
    def negative(self) -> bool:
        """Whether only client errors are expected."""
        return all(label.startswith("4") for label in self.statuses)


@dataclass(frozen=True)
class HttpRequest:
    """One request; ``target`` is what follows the endpoint path: "" or "?query string"."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    expect: Expectation


@dataclass(frozen=True)
class GraphData:
    """A fixture file to load into a named graph (``ut:graphData``)."""

    graph: str
    source: Path


@dataclass(frozen=True)
class ProtocolTest:
    """One manifest entry: ``name`` is its local name, ``title`` its ``mf:name``."""

    name: str
    title: str
    requests: tuple[HttpRequest, ...]
    graph_data: tuple[GraphData, ...]

    @property
    def negative(self) -> bool:
        """Whether every request of the test expects a 4xx."""
        return all(request.expect.negative for request in self.requests)


@dataclass(frozen=True)
class Result:
    """The outcome of one test or check; ``reason`` says what was seen."""

    name: str
    passed: bool
    reason: str


@dataclass(frozen=True)
class Endpoint:
    """The SPARQL endpoint under test, e.g. ``http://127.0.0.1:8765/sparql``."""

    url: str
    token: str | None = None

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme != "http" or not parts.hostname or parts.query:
            raise ValueError(f"not a plain http:// endpoint URL: {self.url!r}")

    @property
    def host(self) -> str:
        """Host name of the endpoint URL."""
        return str(urlsplit(self.url).hostname)

    @property
    def port(self) -> int:
        """Port of the endpoint URL (80 when absent)."""
        return urlsplit(self.url).port or 80

    @property
    def path(self) -> str:
        """Path of the endpoint, which replaces the manifest's ``/sparql/``."""
        return urlsplit(self.url).path or "/"


@dataclass(frozen=True)
class HttpResponse:
    """What came back: status, bare media type (lower case), body and ``Location``."""

    status: int
    media_type: str
    body: bytes
    location: str | None

    def summary(self) -> str:
        """Status and media type, for messages."""
        return f"{self.status} {self.media_type or '(no Content-Type)'}"

    def excerpt(self) -> str:
        """The start of the body, for messages."""
        return self.body[:200].decode("utf-8", "replace").strip() or "(empty body)"


# --- reading the manifest ------------------------------------------------------------------


def load_manifest(path: Path) -> list[ProtocolTest]:
    """The manifest's tests in ``mf:entries`` order."""
    graph = rdflib.Graph().parse(path, format="turtle")
    return [_parse_test(graph, entry) for entry in _entries(graph)]


def load_entry_names(path: Path) -> list[str]:
    """Local names of a manifest's entries (the Service Description manifest has no requests)."""
    return [_local_name(entry) for entry in _entries(rdflib.Graph().parse(path, format="turtle"))]


def _entries(graph: rdflib.Graph) -> list[Node]:
    manifest = graph.value(predicate=RDF.type, object=MF.Manifest, any=False)
    if manifest is None:
        raise ValueError("no mf:Manifest in the file")
    return list(Collection(graph, _required(graph, manifest, MF.entries)))


def _local_name(term: Node) -> str:
    return str(term).rpartition("#")[2]


def _required(graph: rdflib.Graph, subject: Node, predicate: URIRef) -> Node:
    """The one object of ``subject predicate``; a malformed manifest raises ValueError."""
    value = graph.value(subject, predicate)
    if value is None:
        raise ValueError(f"{subject} has no {predicate}")
    return value


def _parse_test(graph: rdflib.Graph, entry: Node) -> ProtocolTest:
    action = _required(graph, entry, MF.action)
    requests = Collection(graph, _required(graph, action, HT.requests))
    return ProtocolTest(
        name=_local_name(entry),
        title=str(_required(graph, entry, MF.name)),
        requests=tuple(_parse_request(graph, node) for node in requests),
        graph_data=tuple(
            _parse_graph_data(graph, node) for node in graph.objects(entry, UT.graphData)
        ),
    )


def _parse_graph_data(graph: rdflib.Graph, node: Node) -> GraphData:
    source = urlsplit(str(_required(graph, node, UT.graph)))
    return GraphData(str(_required(graph, node, RDFS.label)), Path(url2pathname(source.path)))


def _parse_request(graph: rdflib.Graph, node: Node) -> HttpRequest:
    path = str(_required(graph, node, HT.absolutePath))
    target = path.removeprefix(MANIFEST_PREFIX)
    if target == path or target[:1] not in ("", "?"):
        raise ValueError(f"request path {path!r} is not {MANIFEST_PREFIX} plus a query string")
    headers_list = graph.value(node, HT.headers)
    headers: Iterable[Node] = () if headers_list is None else Collection(graph, headers_list)
    return HttpRequest(
        method=str(_required(graph, node, HT.methodName)),
        target=target,
        headers=tuple(
            (str(_required(graph, h, HT.fieldName)), str(_required(graph, h, HT.fieldValue)))
            for h in headers
        ),
        body=_parse_body(graph, graph.value(node, HT.body)),
        expect=_parse_expectation(graph, _required(graph, node, HT.resp)),
    )


def _parse_body(graph: rdflib.Graph, node: Node | None) -> bytes | None:
    """``cnt:chars`` encoded as ``cnt:characterEncoding`` says (Python's UTF-16 writes a BOM)."""
    if node is None:
        return None
    encoding = str(graph.value(node, CNT.characterEncoding) or "UTF-8")
    return str(_required(graph, node, CNT.chars)).encode(encoding)


def _parse_expectation(graph: rdflib.Graph, node: Node) -> Expectation:
    statuses = tuple(sorted(_status_label(s) for s in graph.objects(node, MF.expectedStatus)))
    if not statuses:
        raise ValueError(f"response {node} has no mf:expectedStatus")
    result_format = graph.value(node, MF.expectedFormat)
    boolean = graph.value(node, MF.expectedBoolean)
    return Expectation(
        statuses=statuses,
        result_format=None if result_format is None else str(result_format),
        boolean=boolean.toPython() if isinstance(boolean, Literal) else None,
    )


def _status_label(term: Node) -> str:
    """``hts:StatusCode2xx`` -> "2xx"; a named code such as ``hts:NoContent`` -> "204"."""
    local = str(term).removeprefix(str(HTS))
    if match := re.fullmatch(r"StatusCode([1-5])xx", local):
        return f"{match[1]}xx"
    return str(HTTPStatus[re.sub(r"(?<=[a-z])(?=[A-Z])", "_", local).upper()].value)


# --- HTTP ----------------------------------------------------------------------------------


def send(
    endpoint: Endpoint,
    method: str,
    path: str,
    headers: Sequence[tuple[str, str]],
    body: bytes | None,
) -> HttpResponse:
    """One request to the endpoint's host, with the bearer token when there is one."""
    sent = dict(headers)
    if endpoint.token:
        sent["Authorization"] = f"Bearer {endpoint.token}"
    connection = http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=TIMEOUT_S)
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    media_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
    return HttpResponse(response.status, media_type, data, response.getheader("Location"))


def check_request(endpoint: Endpoint, request: HttpRequest) -> str:
    """Replay ``request`` and check its response; what was seen, or :class:`CheckFailed`.

    The status is that of the first response; after an accepted 3xx the redirect is followed
    (same origin only) and must lead to a 2xx, whose body is then checked.
    """
    path = endpoint.path + request.target
    first = send(endpoint, request.method, path, request.headers, request.body)
    if not request.expect.accepts(first.status):
        expected = "/".join(request.expect.statuses)
        raise CheckFailed(f"{first.summary()}, expected {expected}: {first.excerpt()}")
    final = _follow_redirects(endpoint, request, first)
    if final is not first and final.status // 100 != 2:
        raise CheckFailed(f"{first.summary()} led to {final.summary()}: {final.excerpt()}")
    return first.summary() + _check_body(final, request.expect)


def _follow_redirects(
    endpoint: Endpoint, request: HttpRequest, response: HttpResponse
) -> HttpResponse:
    """A 303 (or 301/302) turns into a GET without body; 307 and 308 repeat the request."""
    url, method, headers, body = (
        endpoint.url + request.target,
        request.method,
        request.headers,
        request.body,
    )
    for _ in range(MAX_REDIRECTS):
        if response.status // 100 != 3 or response.location is None:
            break
        url = urljoin(url, response.location)
        location = urlsplit(url)
        if (location.hostname, location.port or 80) != (endpoint.host, endpoint.port):
            raise CheckFailed(f"redirect off the endpoint's origin: {response.location}")
        if response.status not in (307, 308):
            method, headers, body = "GET", (), None
        target = location.path + (f"?{location.query}" if location.query else "")
        response = send(endpoint, method, target, headers, body)
    return response


# --- checking responses --------------------------------------------------------------------


def _check_body(response: HttpResponse, expect: Expectation) -> str:
    if expect.result_format == "boolean" or expect.boolean is not None:
        return _check_boolean(response, expect.boolean)
    if expect.result_format == "tabular":
        return _check_tabular(response)
    if expect.result_format == "RDF":
        return _check_rdf(response)
    return ""


def _require_type(response: HttpResponse, allowed: Iterable[str], what: str) -> None:
    if response.media_type not in allowed:
        raise CheckFailed(f"{response.summary()} is not {what} ({', '.join(sorted(allowed))})")


def _check_boolean(response: HttpResponse, expected: bool | None) -> str:
    _require_type(response, BOOLEAN_TYPES, "a boolean result")
    try:
        value = _boolean_of(response)
    except (ValueError, KeyError, TypeError, ET.ParseError) as exc:
        raise CheckFailed(f"{response.summary()}: no boolean result ({exc})") from exc
    if expected is not None and value is not expected:
        raise CheckFailed(f"ASK answered {value}, expected {expected}")
    return f" boolean={str(value).lower()}"


def _boolean_of(response: HttpResponse) -> bool:
    if response.media_type == SRJ_TYPE:
        value = json.loads(response.body)["boolean"]
    else:
        element = ET.fromstring(response.body).find(f"{SRX_NS}boolean")
        text = "" if element is None or element.text is None else element.text.strip()
        value = {"true": True, "false": False}.get(text, text)
    if not isinstance(value, bool):
        raise ValueError(f"boolean is {value!r}")
    return value


def _check_tabular(response: HttpResponse) -> str:
    _require_type(response, TABULAR_TYPES, "a tabular result")
    try:
        variables = _variables_of(response)
    except (ValueError, LookupError, TypeError, ET.ParseError) as exc:
        raise CheckFailed(f"{response.summary()}: no variable bindings ({exc})") from exc
    return f" variables={variables}"


def _variables_of(response: HttpResponse) -> list[str]:
    """The result's variable names; raises when the body is not a bindings result."""
    if response.media_type == SRJ_TYPE:
        data = json.loads(response.body)
        if not isinstance(data["results"]["bindings"], list):
            raise ValueError("results.bindings is not a list")
        return [str(name) for name in data["head"]["vars"]]
    if response.media_type == SRX_TYPE:
        root = ET.fromstring(response.body)
        if root.find(f"{SRX_NS}results") is None:
            raise ValueError("no <results> element")
        return [str(v.get("name")) for v in root.iterfind(f"{SRX_NS}head/{SRX_NS}variable")]
    separator = "," if response.media_type == "text/csv" else "\t"
    header = response.body.decode("utf-8").splitlines()[0]
    return [name.strip().lstrip("?") for name in header.split(separator)]


def _check_rdf(response: HttpResponse) -> str:
    return f" triples={len(parse_rdf(response))}"


def parse_rdf(response: HttpResponse, base: str | None = None) -> rdflib.Graph:
    """The response body as RDF, all its graphs merged into one, or :class:`CheckFailed`."""
    _require_type(response, RDF_TYPES, "an RDF syntax")
    dataset = rdflib.Dataset()
    try:
        with warnings.catch_warnings():
            # rdflib 7.6's own parsers still go through its deprecated ConjunctiveGraph API.
            warnings.filterwarnings(
                "ignore",
                r"(ConjunctiveGraph|Dataset\.default_context) is deprecated",
                DeprecationWarning,
            )
            dataset.parse(data=response.body, format=RDF_TYPES[response.media_type], publicID=base)
    except Exception as exc:  # rdflib's parsers raise many unrelated types
        raise CheckFailed(f"{response.summary()} does not parse: {exc}") from exc
    merged = rdflib.Graph()
    for subject, predicate, value, _ in dataset.quads((None, None, None, None)):
        merged.add((subject, predicate, value))
    return merged


# --- running tests -------------------------------------------------------------------------


def load_fixture_data(endpoint: Endpoint, tests: Iterable[ProtocolTest]) -> None:
    """Replace the named graphs the tests declare (``ut:graphData``) by their files' triples.

    One SPARQL Update through the endpoint itself (with the token): ``DROP SILENT GRAPH`` and
    ``INSERT DATA`` for each graph; :class:`CheckFailed` when the endpoint refuses it.
    """
    graphs = {data.graph: data.source for test in tests for data in test.graph_data}
    if not graphs:
        return
    drops = "".join(f"DROP SILENT GRAPH <{iri}> ;\n" for iri in graphs)
    blocks = "".join(
        f"GRAPH <{iri}> {{\n{rdflib.Graph().parse(source, format='nt').serialize(format='nt')}}}\n"
        for iri, source in graphs.items()
    )
    update = f"{drops}INSERT DATA {{\n{blocks}}}".encode()
    load = HttpRequest("POST", "", SPARQL_UPDATE, update, Expectation(("2xx",)))
    try:
        check_request(endpoint, load)
    except CheckFailed as exc:
        raise CheckFailed(f"loading fixture graphs {sorted(graphs)} failed: {exc}") from exc


# Requests a working endpoint must accept before a 4xx can mean anything.
CONTROLS = (
    HttpRequest(
        "GET", "?query=ASK%20%7B%7D", (), None, Expectation(("2xx", "3xx"), "boolean", True)
    ),
    HttpRequest("POST", "", SPARQL_UPDATE, b"INSERT DATA { }", Expectation(("2xx",))),
)


def _check_controls(endpoint: Endpoint) -> None:
    for control in CONTROLS:
        try:
            check_request(endpoint, control)
        except CheckFailed as exc:
            raise CheckFailed(
                f"control {control.method} {control.target or control.body!r} failed ({exc}):"
                " a 4xx from this endpoint proves nothing"
            ) from exc


def run_test(endpoint: Endpoint, test: ProtocolTest) -> Result:
    """Load the test's graphs, replay its requests in order and check every response."""
    seen: list[str] = []
    try:
        load_fixture_data(endpoint, [test])
        if test.negative:
            _check_controls(endpoint)
        for request in test.requests:
            step = f"{request.method} {request.target or '(no query string)'}"
            seen.append(f"{step[:60]} -> {check_request(endpoint, request)}")
    except (CheckFailed, OSError, http.client.HTTPException) as exc:
        seen.append(f"FAILED: {type(exc).__name__}: {exc}")
        return Result(test.name, False, "; ".join(seen))
    return Result(test.name, True, "; ".join(seen))


def run_suite(endpoint: Endpoint, tests: Iterable[ProtocolTest]) -> list[Result]:
    """Every test, in manifest order (query tests come before the ``CLEAR ALL`` ones)."""
    return [run_test(endpoint, test) for test in tests]


# --- service description -------------------------------------------------------------------


def check_service_description(endpoint: Endpoint) -> list[Result]:
    """The three Service Description checks, named as in its manifest (:data:`SD_CHECKS`).

    A GET on the endpoint without a query string, asking for RDF, must give RDF that parses
    (relative IRIs resolve against the endpoint URL); it must hold ``?s sd:endpoint <URL>`` for
    exactly the endpoint URL; and that service must fit the SD vocabulary (see
    :func:`_schema_problems`).
    """
    try:
        response = send(endpoint, "GET", endpoint.path, (("Accept", ACCEPT_RDF),), None)
        if response.status // 100 != 2:
            raise CheckFailed(f"GET {endpoint.path} answered {response.summary()}")
        description = parse_rdf(response, endpoint.url)
    except (CheckFailed, OSError, http.client.HTTPException) as exc:
        return [Result(name, False, f"no service description: {exc}") for name in SD_CHECKS]
    services = sorted(description.subjects(SD.endpoint, URIRef(endpoint.url)), key=str)
    given = ", ".join(sorted(str(o) for o in description.objects(None, SD.endpoint))) or "none"
    problems = _schema_problems(description, services)
    return [
        Result(SD_CHECKS[0], True, f"{response.summary()}, {len(description)} triples"),
        Result(SD_CHECKS[1], bool(services), f"sd:endpoint values: {given}"),
        Result(
            SD_CHECKS[2],
            not problems,
            "; ".join(problems) or "sd:Service as the SD vocabulary says",
        ),
    ]


def _schema_problems(description: rdflib.Graph, services: Sequence[Node]) -> list[str]:
    """Where the description breaks the SD vocabulary.

    The service with the endpoint triple is typed ``sd:Service``, names its languages (only the
    three ``sd:Language`` instances the vocabulary defines, ``sd:SPARQL11Query`` among them) and
    at least one ``sd:resultFormat``; no ``sd:`` property has a literal object (none has a
    literal range: ``sd:endpoint`` and ``sd:name`` are IRIs, the others classes of resources).
    """
    problems = [
        problem for service in services for problem in _service_problems(description, service)
    ]
    if not services:
        problems.append("no sd:Service has the endpoint triple")
    problems += [
        f"sd:{_local_name(predicate)} has the literal {value!r}"
        for _, predicate, value in description.triples((None, None, None))
        if str(predicate).startswith(str(SD)) and isinstance(value, Literal)
    ]
    return problems


def _service_problems(description: rdflib.Graph, service: Node) -> list[str]:
    languages = set(description.objects(service, SD.supportedLanguage))
    problems = [
        f"unknown sd:supportedLanguage <{lang}>" for lang in sorted(languages - LANGUAGES, key=str)
    ]
    if (service, RDF.type, SD.Service) not in description:
        problems.append("the endpoint's subject is not typed sd:Service")
    if SD.SPARQL11Query not in languages:
        problems.append("no sd:supportedLanguage sd:SPARQL11Query")
    if description.value(service, SD.resultFormat) is None:
        problems.append("no sd:resultFormat")
    return problems


# --- command line --------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite and the SD checks against ENDPOINT_URL; exit 1 when anything fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("endpoint", help="endpoint URL, e.g. http://127.0.0.1:7878/sparql")
    parser.add_argument("manifest", type=Path, help="protocol/manifest.ttl")
    parser.add_argument("--token", help="bearer token for updates")
    args = parser.parse_args(argv)
    endpoint = Endpoint(args.endpoint, args.token)
    results = run_suite(endpoint, load_manifest(args.manifest))
    results += check_service_description(endpoint)
    for result in results:
        print(f"{'PASS' if result.passed else 'FAIL'} {result.name}: {result.reason}")
    failed = sum(not result.passed for result in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
