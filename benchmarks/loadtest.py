"""A load generator for `budgetkg serve` (standard library only): N clients, each on its own
keep-alive connection, for D seconds, cycling through a fixed mix of SPARQL queries (the named
queries of queries/ and small SELECT, ASK and CONSTRUCT queries), HTML pages (home, a dataset, a
table, a project, a code) and Turtle dereferences of the same resources. Every request's latency
and status is kept; the report gives errors (non-2xx or exceptions), p50/p99 per kind and
overall, and requests per second.

Usage: python benchmarks/loadtest.py URL [--clients 16] [--seconds 60] [--queries DIR]
Send it only to a server of yours on this machine (127.0.0.1).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain, zip_longest
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

DATA = "https://data.budgetkg.org/"
VOCAB = "https://w3id.org/budgetkg/"
JSON_RESULTS = "application/sparql-results+json"
TURTLE = "text/turtle"
HTML = "text/html"
PREFIXES = """PREFIX bk: <https://w3id.org/budgetkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
SMALL = {
    "select": (PREFIXES + "SELECT ?obs ?amount WHERE { ?obs bk:amount ?amount } "
               "ORDER BY ?obs LIMIT 20", JSON_RESULTS),
    "ask": (PREFIXES + "ASK { ?table a bk:BudgetTable ; bk:tableNumber 1 }", JSON_RESULTS),
    "construct": (PREFIXES + "CONSTRUCT { ?table dcterms:title ?title } WHERE { ?table a "
                  "bk:BudgetTable ; dcterms:title ?title } ORDER BY ?table LIMIT 20", TURTLE),
}
# One resource of each kind that has a page, the first by IRI; the code is a functional
# classification code that amounts are booked on.
FIND = PREFIXES + """SELECT ?kind (MIN(STR(?x)) AS ?iri) WHERE {
  { ?x a bk:BudgetDocument BIND("dataset" AS ?kind) }
  UNION { ?x a bk:BudgetTable BIND("table" AS ?kind) }
  UNION { ?x a bk:Project BIND("project" AS ?kind) }
  UNION { ?obs a qb:Observation ; ?dimension ?x . ?x skos:inScheme ?scheme
          FILTER(STRSTARTS(STR(?x), "https://w3id.org/budgetkg/codelist/function/"))
          BIND("code" AS ?kind) }
} GROUP BY ?kind"""
RESOURCES = ("dataset", "table", "project", "code")


@dataclass(frozen=True)
class Call:
    """One request of the mix: the kind it is reported under and what is sent."""

    kind: str
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None = None


@dataclass(frozen=True)
class Sample:
    """The outcome of one request: status 0 when it raised (`error` says what)."""

    kind: str
    status: int
    seconds: float
    error: str = ""

    @property
    def failed(self) -> bool:
        return not 200 <= self.status < 300


def local_path(iri: str, base: str = DATA) -> str:
    """The server path of an IRI: data under `base` at /, the vocabulary at /vocab/."""
    for prefix, path in ((base, "/"), (VOCAB, "/vocab/")):
        if iri.startswith(prefix):
            return path + quote(iri[len(prefix):], safe="/")
    raise ValueError(f"{iri} is served neither under {base} nor under {VOCAB}")


def query_call(kind: str, text: str, accept: str, *, post: bool = False,
               endpoint: str = "/sparql") -> Call:
    """A SPARQL query by GET, or by POST as application/sparql-query."""
    if post:
        headers = (("Accept", accept), ("Content-Type", "application/sparql-query"))
        return Call(kind, "POST", endpoint, headers, text.encode("utf-8"))
    return Call(kind, "GET", endpoint + "?" + urlencode({"query": text}), (("Accept", accept),))


def connect(url: str, timeout: float = 120.0) -> http.client.HTTPConnection:
    """A connection to the server at `url` (http://host:port)."""
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)


def exchange(conn: http.client.HTTPConnection, call: Call) -> tuple[int, bytes]:
    """Send one call on a connection and read the whole answer."""
    conn.request(call.method, call.path, call.body, dict(call.headers))
    response = conn.getresponse()
    return response.status, response.read()


def find_resources(url: str, base: str = DATA) -> dict[str, str]:
    """The IRI of one dataset, table, project and code in the served data."""
    conn = connect(url)
    try:
        status, body = exchange(conn, query_call("find", FIND, JSON_RESULTS))
    finally:
        conn.close()
    if status != 200:
        raise RuntimeError(f"finding resources failed with {status}: {body[:300]!r}")
    rows = json.loads(body)["results"]["bindings"]
    found = {row["kind"]["value"]: row["iri"]["value"] for row in rows if "iri" in row}
    missing = [kind for kind in RESOURCES if kind not in found]
    if missing:
        raise LookupError(f"the served data has no {', '.join(missing)} to request pages of")
    return found


def mix(url: str, queries: Path, base: str = DATA) -> list[Call]:
    """The deterministic cycle of requests: pages, Turtle, small and named queries interleaved."""
    resources = find_resources(url, base)
    pages = [Call("page:home", "GET", "/", (("Accept", HTML),))]
    pages += [Call(f"page:{kind}", "GET", local_path(iri, base), (("Accept", HTML),))
              for kind, iri in resources.items()]
    turtle = [Call(f"turtle:{kind}", "GET", local_path(iri, base), (("Accept", TURTLE),))
              for kind, iri in resources.items()]
    small = [query_call(kind, text, accept) for kind, (text, accept) in SMALL.items()]
    named = [query_call(f"query:{path.stem}", path.read_text(encoding="utf-8"), JSON_RESULTS,
                        post=True) for path in sorted(queries.glob("*.rq"))]
    groups = (sorted(pages, key=lambda c: c.kind), sorted(turtle, key=lambda c: c.kind),
              small, named)
    return [call for call in chain.from_iterable(zip_longest(*groups)) if call is not None]


def send(conn: http.client.HTTPConnection, call: Call) -> Sample:
    """One timed request; an exception is a failed sample (the caller then reconnects)."""
    start = time.perf_counter()
    try:
        status, body = exchange(conn, call)
    except (OSError, http.client.HTTPException) as exc:
        return Sample(call.kind, 0, time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - start
    error = "" if 200 <= status < 300 else body[:200].decode("utf-8", "replace").strip()
    return Sample(call.kind, status, seconds, error)


def client(url: str, calls: list[Call], offset: int, deadline: float,
           limit: int) -> list[Sample]:
    """One client: the cycle from `offset` on, until the deadline or `limit` requests."""
    samples: list[Sample] = []
    conn = connect(url)
    try:
        while time.monotonic() < deadline and len(samples) < limit:
            sample = send(conn, calls[(offset + len(samples)) % len(calls)])
            samples.append(sample)
            if sample.status == 0:
                conn.close()
                conn = connect(url)
    finally:
        conn.close()
    return samples


def percentile(values: Iterable[float], q: float) -> float:
    """The nearest-rank percentile (q in 0..100) of a non-empty collection."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


@dataclass(frozen=True)
class Report:
    """All samples of a run and its wall-clock length."""

    samples: tuple[Sample, ...]
    seconds: float
    clients: int

    def kinds(self) -> list[str]:
        return sorted({s.kind for s in self.samples})

    def errors(self) -> list[Sample]:
        return [s for s in self.samples if s.failed]

    @property
    def throughput(self) -> float:
        return len(self.samples) / self.seconds

    def row(self, kind: str | None = None) -> tuple[str, int, int, float, float]:
        """kind, requests, errors, p50 and p99 in milliseconds (kind None: all requests)."""
        chosen = [s for s in self.samples if kind is None or s.kind == kind]
        latencies = [s.seconds * 1000 for s in chosen]
        return (kind or "all", len(chosen), sum(s.failed for s in chosen),
                percentile(latencies, 50), percentile(latencies, 99))

    def table(self) -> list[str]:
        """The figures as a Markdown table, one row per kind and one for all requests."""
        rows = [self.row(kind) for kind in self.kinds()] + [self.row()]
        return ["| kind | requests | errors | p50 ms | p99 ms |", "|---|---|---|---|---|",
                *(f"| {k} | {n} | {e} | {p50:.0f} | {p99:.0f} |" for k, n, e, p50, p99 in rows)]

    def error_lines(self, most: int = 10) -> list[str]:
        """The commonest errors, counted: kind, status and the start of the answer or the
        exception."""
        counts = Counter((s.kind, s.status, s.error) for s in self.errors())
        return [f"{n} x {kind}: {status or 'exception'} {error}"
                for (kind, status, error), n in counts.most_common(most)]


def run(url: str, calls: list[Call], clients: int = 16, seconds: float = 60.0,
        limit: int = 100_000) -> Report:
    """`clients` threads cycling through `calls` for `seconds` (at most `limit` requests each),
    client i starting at the i-th call of the cycle."""
    deadline = time.monotonic() + seconds
    results: list[list[Sample]] = [[] for _ in range(clients)]

    def work(i: int) -> None:
        results[i] = client(url, calls, i, deadline, limit)

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Report(tuple(chain.from_iterable(results)), time.perf_counter() - start, clients)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("url", help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--queries", type=Path,
                        default=Path(__file__).resolve().parents[1] / "convert" / "budgetkg"
                        / "queries")
    args = parser.parse_args()
    url = args.url.rstrip("/")
    report = run(url, mix(url, args.queries), args.clients, args.seconds)
    print(f"{len(report.samples)} requests in {report.seconds:.1f} s by {report.clients} clients:"
          f" {report.throughput:.1f} requests/s, {len(report.errors())} errors")
    print("\n".join(report.table() + report.error_lines()))


if __name__ == "__main__":
    main()
