"""`budgetkg serve`: protocol details, safety limits and dereferencing, through real HTTP."""

from __future__ import annotations

import hashlib
import http.client
import json
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from budgetkg import jsonld, pipeline, publish, store
from budgetkg.iris import DEFAULT_BASE
from budgetkg.serve import load
from tests.conftest import Server, start_server

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def request(
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            return response.status, headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def get_query(server: Server, query: str, accept: str = "") -> tuple[int, dict[str, str], bytes]:
    url = f"{server.url}/sparql?{urllib.parse.urlencode({'query': query})}"
    return request(url, headers={"Accept": accept} if accept else {})


def test_select_answers_json_by_default_with_decimal_amounts(served: Server) -> None:
    status, headers, body = get_query(
        served,
        "PREFIX bk: <https://w3id.org/budgetkg/ontology#> "
        "SELECT ?a WHERE { ?o bk:amount ?a } LIMIT 1",
    )
    assert status == 200
    assert headers["content-type"].startswith("application/sparql-results+json")
    binding = json.loads(body)["results"]["bindings"][0]["a"]
    assert binding["datatype"] == "http://www.w3.org/2001/XMLSchema#decimal"
    assert headers["vary"] == "Accept"


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/*;q=0.3, */*;q=0.1", "text/csv"),
    ],
)
def test_select_negotiates_by_q_values(served: Server, accept: str, media: str) -> None:
    status, headers, _ = get_query(served, "SELECT (1 AS ?x) {}", accept)
    assert status == 200
    assert headers["content-type"].split(";")[0] == media


def test_construct_keeps_decimals_in_json_ld(served: Server) -> None:
    status, headers, body = get_query(
        served,
        "PREFIX bk: <https://w3id.org/budgetkg/ontology#> "
        "CONSTRUCT { ?o bk:amount ?a } WHERE { ?o bk:amount ?a } LIMIT 3",
        "application/ld+json",
    )
    assert status == 200
    assert headers["content-type"].startswith("application/ld+json")
    values = [
        v for node in json.loads(body) for k, vs in node.items() if k.endswith("amount") for v in vs
    ]
    assert values and {v["@type"] for v in values} == {"http://www.w3.org/2001/XMLSchema#decimal"}


def test_unacceptable_media_type_is_406(served: Server) -> None:
    status, _, _ = get_query(served, "SELECT (1 AS ?x) {}", "image/png")
    assert status == 406


def test_bad_query_is_400_with_the_parser_message(served: Server) -> None:
    status, _, body = get_query(served, "SELECT ?x WHERE { ?x ")
    assert status == 400
    assert b"syntax error" in body and b"1:" in body


def test_wrong_method_is_405_and_wrong_media_type_415(served: Server) -> None:
    status, headers, _ = request(f"{served.url}/sparql", method="PUT", data=b"x")
    assert status == 405 and "POST" in headers["allow"]
    status, _, _ = request(
        f"{served.url}/sparql", data=b"ASK {}", headers={"Content-Type": "text/plain"}
    )
    assert status == 415


def test_updates_are_refused_on_a_read_only_server(served: Server) -> None:
    status, _, body = request(
        f"{served.url}/sparql",
        data=b"CLEAR ALL",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert status == 403 and b"read-only" in body
    status, _, body = get_query(served, "ASK { ?s ?p ?o }")
    assert json.loads(body)["boolean"] is True


def test_service_is_refused_unless_allow_listed(served: Server) -> None:
    status, _, body = get_query(
        served, "SELECT * { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    )
    assert status == 403 and b"http://127.0.0.1:1/sparql" in body


def test_row_cap_truncates_with_an_explicit_signal(
    built: pipeline.BuildResult, tmp_path: Path
) -> None:
    for server in start_server(
        built.output, "--store", str(tmp_path / "s"), "--max-rows", "5", "--max-body", "1000"
    ):
        status, headers, body = get_query(server, "SELECT ?s WHERE { ?s ?p ?o }")
        assert status == 200 and headers["x-result-truncated"] == "true"
        assert len(json.loads(body)["results"]["bindings"]) == 5
        status, headers, _ = get_query(server, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5")
        assert "x-result-truncated" not in headers
        status, _, _ = request(
            f"{server.url}/sparql",
            data=b"query=" + b"A" * 2000,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 413


def _children(pid: int) -> set[int]:
    """Live child processes of a process (from /proc: any of its threads may have forked them)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


@pytest.fixture(scope="module")
def short_timeout(
    built: pipeline.BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    store = tmp_path_factory.mktemp("timeout") / "s"
    yield from start_server(built.output, "--store", str(store), "--timeout", "4", "--jobs", "2")


def test_timeout_stops_the_query_while_others_are_answered(short_timeout: Server) -> None:
    heavy: dict[str, object] = {}

    def run_heavy() -> None:
        started = time.monotonic()
        heavy["status"], _, heavy["body"] = get_query(short_timeout, HEAVY)
        heavy["seconds"] = time.monotonic() - started

    get_query(short_timeout, "ASK {}")  # both workers warm
    thread = threading.Thread(target=run_heavy)
    thread.start()
    time.sleep(1.0)
    latencies = []
    for _ in range(10):
        started = time.monotonic()
        status, _, body = get_query(short_timeout, "ASK {}")
        latencies.append(time.monotonic() - started)
        assert status == 200 and json.loads(body)["boolean"] is True
    thread.join(timeout=60)
    assert heavy["status"] == 503 and b"time limit" in heavy["body"]  # type: ignore[operator]
    assert 3.5 < heavy["seconds"] < 20  # type: ignore[operator]
    assert statistics.median(latencies) < 0.1


def test_a_timed_out_worker_process_is_killed_and_replaced(short_timeout: Server) -> None:
    before = _children(short_timeout.pid)
    status, _, _ = get_query(short_timeout, HEAVY)
    assert status == 503
    time.sleep(1.0)
    after = _children(short_timeout.pid)
    assert len(before) >= 2 and len(after) == len(before) and before - after, (before, after)
    assert all(not Path(f"/proc/{pid}").exists() for pid in before - after)


def test_repeated_reads_are_answered_from_the_cache(served: Server) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } # cache test"
    first = get_query(served, query)
    second = get_query(served, query)
    assert first[0] == second[0] == 200 and first[2] == second[2]
    assert "x-cache" not in first[1] and second[1]["x-cache"] == "hit"
    other = get_query(served, query, "text/csv")  # another representation is another entry
    assert "x-cache" not in other[1]


def test_cors_allows_any_origin_without_credentials(served: Server) -> None:
    status, headers, _ = request(
        f"{served.url}/sparql",
        method="OPTIONS",
        headers={"Origin": "https://portal.example", "Access-Control-Request-Method": "POST"},
    )
    assert status == 204 and headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in headers
    _, headers, _ = get_query(served, "ASK {}")
    assert headers["access-control-allow-origin"] == "*"
    assert "X-Result-Truncated" in headers["access-control-expose-headers"]


def test_a_browser_asking_the_endpoint_itself_is_sent_to_the_query_page(served: Server) -> None:
    connection = http.client.HTTPConnection(served.url.removeprefix("http://"), timeout=30)
    connection.request("GET", "/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    response = connection.getresponse()
    assert response.status == 303 and response.getheader("location") == "/query"
    connection.close()


def test_service_description_names_this_endpoint(served: Server) -> None:
    status, headers, body = request(f"{served.url}/sparql", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    graph = ox.Store()
    graph.load(body, format=ox.RdfFormat.TURTLE)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert bool(graph.query(f"ASK {{ ?s <{sd}endpoint> <{served.url}/sparql> }}"))


def test_void_counts_triples_classes_and_properties_per_graph(
    served: Server, built: pipeline.BuildResult
) -> None:
    status, _, body = request(f"{served.url}/void", headers={"Accept": "application/n-triples"})
    assert status == 200
    graph = ox.Store()
    graph.load(body, format=ox.RdfFormat.N_TRIPLES)
    void = "http://rdfs.org/ns/void#"
    document = built.documents[0]
    rows = list(
        graph.query(
            "SELECT ?t ?c ?p WHERE { ?d <http://www.w3.org/ns/sparql-service-description#name> "
            f"<{document.graph}> ; <{void}triples> ?t ; <{void}classes> ?c ; "
            f"<{void}properties> ?p }}"
        )
    )
    assert len(rows) == 1
    triples, classes, properties = (int(rows[0][v].value) for v in ("t", "c", "p"))
    assert triples >= document.counts.triples and classes > 5 and properties > 10


def test_iris_dereference_by_accept_and_by_extension(
    served: Server, built: pipeline.BuildResult
) -> None:
    path = urllib.parse.quote(
        built.documents[0].graph.removeprefix("https://data.budgetkg.org/").removesuffix("/graph")
    )
    status, headers, body = request(f"{served.url}/{path}", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    assert headers["vary"] == "Accept" and b"dcat" in body.lower()
    status, headers, _ = request(f"{served.url}/{path}.nt")
    assert status == 200 and headers["content-type"].startswith("application/n-triples")
    status, headers, _ = request(f"{served.url}/{path}", headers={"Accept": "text/html"})
    assert status == 200 and headers["content-type"].startswith("text/html")
    status, _, _ = request(f"{served.url}/doc/nothing-here", headers={"Accept": "text/turtle"})
    assert status == 404


def test_store_is_reused_when_the_files_are_unchanged(
    built: pipeline.BuildResult, tmp_path: Path
) -> None:
    messages: list[str] = []
    base = "https://data.budgetkg.org/"
    first = load.prepare(built.output, base, tmp_path / "s", messages.append)
    assert any(m.startswith("loading") for m in messages)
    messages.clear()
    assert load.prepare(built.output, base, tmp_path / "s", messages.append) == first
    assert messages == [f"store {first} is up to date"]


def test_serving_a_folder_without_rdf_fails_with_one_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "budgetkg", "serve", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "no RDF files" in done.stderr


def test_the_catalogue_has_a_landing_page_with_working_downloads(
        served: Server, built: pipeline.BuildResult) -> None:
    status, _, body = request(f"{served.url}/catalog", headers={"Accept": "text/html"})
    assert status == 200
    page = body.decode()
    stem = built.documents[0].stem
    link = f"/dumps/{urllib.parse.quote(stem)}.nt"
    assert link in page
    status, headers, data = request(served.url + link)
    assert status == 200 and headers["content-type"].startswith("application/n-triples")
    assert data == (built.output / f"{stem}.nt").read_bytes()
    checksum = hashlib.sha256(data).hexdigest()
    assert checksum in (built.output / "catalog.ttl").read_text(encoding="utf-8")


def test_the_catalogue_iri_in_rdf_is_the_published_catalogue(
        served: Server, built: pipeline.BuildResult) -> None:
    for accept, name in (("text/turtle", "catalog.ttl"), ("application/ld+json",
                                                          "catalog.jsonld")):
        status, headers, body = request(f"{served.url}/catalog", headers={"Accept": accept})
        assert status == 200 and headers["content-type"].startswith(accept)
        assert body == (built.output / name).read_bytes()


@pytest.mark.parametrize("path", ["/dumps/..%2Fetc%2Fpasswd", "/dumps/.budgetkg-store/LOCK",
                                  "/dumps/missing.nt", "/dumps/manifest.py"])
def test_downloads_serve_only_the_folder_data_files(served: Server, path: str) -> None:
    status, _, _ = request(served.url + path)
    assert status == 404


def test_release_files_are_not_loaded_twice(served: Server, built: pipeline.BuildResult) -> None:
    assert (built.output / "all.nq").is_file()
    _, _, body = get_query(served, "SELECT ?g WHERE { GRAPH ?g { } }")
    graphs = {b["g"]["value"] for b in json.loads(body)["results"]["bindings"]}
    assert not any(g.endswith(("all.nq", "all.trig")) for g in graphs)
    assert {d.graph for d in built.documents} <= graphs


def test_any_rdf_folder_is_served_with_its_named_graphs_kept(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "two.trig").write_text(
        "<http://ex/g1> { <http://ex/a> <http://ex/p> 1 . }\n"
        "<http://ex/g2> { <http://ex/b> <http://ex/p> 2 . }\n", encoding="utf-8")
    (folder / "quads.nq").write_text("<http://ex/c> <http://ex/p> \"3\" <http://ex/g3> .\n",
                                     encoding="utf-8")
    (folder / "doc.jsonld").write_text(
        '{"@id": "http://ex/d", "http://ex/p": [{"@value": "4"}]}', encoding="utf-8")
    (folder / "plain.ttl").write_text("<http://ex/e> <http://ex/p> 5 .\n", encoding="utf-8")
    store = ox.Store.read_only(str(load.prepare(folder, "https://data.example/")))
    graphs = {q.graph_name.value for q in store.quads_for_pattern(
        None, ox.NamedNode("http://ex/p"), None)}
    assert graphs == {"http://ex/g1", "http://ex/g2", "http://ex/g3",
                      "https://data.example/file/doc.jsonld",
                      "https://data.example/file/plain.ttl"}


def test_an_allow_listed_service_is_called(served: Server, built: pipeline.BuildResult,
                                           tmp_path: Path) -> None:
    remote_endpoint = f"{served.url}/sparql"
    for federating in start_server(built.output, "--store", str(tmp_path / "s"),
                                   "--allow-service", remote_endpoint):
        status, _, body = get_query(
            federating, f"ASK {{ SERVICE <{remote_endpoint}> {{ ?s a ?type }} }}")
        assert status == 200 and json.loads(body)["boolean"] is True
        status, _, _ = get_query(
            federating, "ASK { SERVICE <http://127.0.0.1:9/other> { ?s ?p ?o } }")
        assert status == 403


def _published_jsonld(folder: Path) -> list[Path]:
    """The compact JSON-LD dumps of a build folder (not the context, not the catalogue)."""
    return [p for p in sorted(folder.glob("*.jsonld"))
            if p.name not in {publish.CONTEXT, "catalog.jsonld"}]


def test_jsonld_dumps_read_with_the_context_served_at_its_iri_are_the_ntriples_graphs(
        served: Server) -> None:
    dumps = _published_jsonld(served.folder)
    assert dumps
    for dump in dumps:
        data = json.loads(dump.read_bytes())
        named = data["@context"]
        assert named == DEFAULT_BASE + publish.CONTEXT  # the IRI the dump names ...
        here = served.url + "/" + named.removeprefix(DEFAULT_BASE)  # ... on this server
        status, headers, body = request(here)
        assert status == 200 and headers["content-type"].startswith("application/ld+json")
        assert body == (served.folder / publish.CONTEXT).read_bytes()  # static copy: the same
        data["@context"] = here  # fetched by the JSON-LD parser over HTTP
        with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated API
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset = rdflib.Dataset().parse(data=json.dumps(data), format="json-ld")
            graph = rdflib.Graph()
            for triple in dataset.graph(rdflib.URIRef(data["@id"])):
                graph.add(triple)
        expected = rdflib.Graph().parse(dump.with_suffix(".nt"), format="nt")
        assert len(graph) == len(expected) > 0, dump.name
        assert isomorphic(graph, expected), dump.name


def test_every_namespace_of_the_data_is_a_prefix_of_the_context(served: Server) -> None:
    context = json.loads((served.folder / publish.CONTEXT).read_bytes())["@context"]
    prefixes = {v for v in context.values() if isinstance(v, str)}
    outside = set()
    for dump in _published_jsonld(served.folder):
        for t in ox.parse(path=dump.with_suffix(".nt"), format=ox.RdfFormat.N_TRIPLES):
            vocabulary = [t.predicate.value]
            if isinstance(t.object, ox.Literal):
                if not t.object.language:
                    vocabulary.append(t.object.datatype.value)
            elif isinstance(t.object, ox.NamedNode) and not t.object.value.startswith(
                    DEFAULT_BASE):
                vocabulary.append(t.object.value)
            outside |= {iri for iri in vocabulary if not any(
                iri.startswith(ns) and iri != ns for ns in prefixes)}
    assert outside == set()


def test_a_json_ld_dump_alone_is_read_offline_and_served_with_the_context_it_names(
        built: pipeline.BuildResult, tmp_path: Path) -> None:
    published = _published_jsonld(built.output)[0]
    dump = tmp_path / "one.jsonld"
    dump.write_bytes(published.read_bytes())  # no context beside it
    alone, expected = ({(q.subject, q.predicate, q.object) for q in store.load(path)}
                       for path in (dump, published.with_suffix(".nt")))  # stored alike
    assert alone == expected
    servers = start_server(dump, "--store", str(tmp_path / "store"))
    server = next(servers)
    try:
        named = json.loads(dump.read_bytes())["@context"]
        status, headers, body = request(server.url + "/" + named.removeprefix(DEFAULT_BASE))
        assert status == 200 and headers["content-type"].startswith("application/ld+json")
        assert json.loads(body) == jsonld.context()  # the one this version writes
    finally:
        servers.close()
