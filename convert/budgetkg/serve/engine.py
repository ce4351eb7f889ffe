"""What a worker process does with a job: SPARQL queries and updates on the on-disk store,
resource descriptions and pages. Runs outside the server's event loop, in a process the server
can kill when a job overruns its time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from typing import TypeVar

import pyoxigraph as ox

from budgetkg.serve import formats
from budgetkg.serve.site import Site


@dataclass(frozen=True)
class Dataset:
    """The protocol's dataset: None = the store's own (default graph = union of all graphs)."""

    default: tuple[str, ...] | None = None
    named: tuple[str, ...] | None = None

    @property
    def given(self) -> bool:
        return self.default is not None or self.named is not None


@dataclass(frozen=True)
class Query:
    text: str
    dataset: Dataset
    accept: str | None
    base_iri: str


@dataclass(frozen=True)
class Update:
    text: str
    base_iri: str


@dataclass(frozen=True)
class Resource:
    """The representation of one IRI in a media type already negotiated (HTML = its page)."""

    iri: str
    media: str


@dataclass(frozen=True)
class Index:
    """The home page."""


@dataclass(frozen=True)
class Statistics:
    """VoID figures per named graph."""


T = TypeVar("T")
Job = Query | Update | Resource | Index | Statistics


@dataclass(frozen=True)
class Answer:
    status: int
    media: str = "text/plain"
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    data: object = None  # Statistics: the figures


@dataclass(frozen=True)
class Limits:
    max_rows: int


def error(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message.strip() + "\n").encode())


def run(store: ox.Store, job: Job, site: Site, limits: Limits) -> Answer:
    """Carry out one job; every expected failure is an answer with a status, never an exception."""
    try:
        if isinstance(job, Query):
            return _query(store, job, limits)
        if isinstance(job, Update):
            return _update(store, job)
        if isinstance(job, Resource):
            return _resource(store, job, site)
        if isinstance(job, Index):
            from budgetkg.serve import pages

            return Answer(200, "text/html; charset=utf-8",
                          pages.render_index(store, site).encode())
        return Answer(200, data=statistics(store))
    except SyntaxError as exc:
        return error(400, f"SPARQL syntax error: {exc}")
    except OSError as exc:  # a SERVICE call that failed, or the store
        return error(502 if isinstance(job, Query) else 500, f"{type(exc).__name__}: {exc}")


def _update(store: ox.Store, job: Update) -> Answer:
    try:
        store.update(job.text, base_iri=job.base_iri)
    except RuntimeError as exc:  # e.g. CLEAR GRAPH of a graph that does not exist
        return error(400, f"update failed: {exc}")
    store.flush()
    return Answer(204)


def _nodes(iris: tuple[str, ...] | None) -> list[ox.NamedNode | ox.BlankNode]:
    return [ox.NamedNode(i) for i in iris or ()]


def _query(store: ox.Store, job: Query, limits: Limits) -> Answer:
    if job.dataset.given:
        default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
            *_nodes(job.dataset.default)]
        result = store.query(job.text, base_iri=job.base_iri, default_graph=default,
                             named_graphs=_nodes(job.dataset.named))
    else:
        result = store.query(job.text, base_iri=job.base_iri, use_default_graph_as_union=True)
    offers = (formats.BOOLEAN if isinstance(result, ox.QueryBoolean)
              else formats.SOLUTIONS if isinstance(result, ox.QuerySolutions) else formats.GRAPH)
    chosen = formats.negotiate(job.accept, offers)
    if chosen is None:
        return error(406, "none of the accepted media types can carry this result; offered: "
                     + ", ".join(offers))
    media = formats.canonical(chosen, graph=offers is formats.GRAPH)
    if isinstance(result, ox.QueryBoolean):
        return Answer(200, _typed(media), formats.boolean(result, media))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [[s[v] for v in result.variables] for s in islice(result, limits.max_rows + 1)]
        return _capped(media, rows, limits, lambda kept: formats.solutions(names, kept, media))
    triples = list(islice(result, limits.max_rows + 1))
    return _capped(media, triples, limits, lambda kept: formats.graph(kept, media))


def _capped(media: str, items: list[T], limits: Limits,
            write: Callable[[list[T]], bytes]) -> Answer:
    """The answer with at most max_rows results, flagged in headers when more were found."""
    headers = {}
    if len(items) > limits.max_rows:
        items = items[: limits.max_rows]
        headers = {"X-Result-Truncated": "true", "X-Result-Row-Cap": str(limits.max_rows)}
    return Answer(200, _typed(media), write(items), headers)


def _typed(media: str) -> str:
    return f"{media}; charset=utf-8"


def _resource(store: ox.Store, job: Resource, site: Site) -> Answer:
    if job.media == formats.HTML:
        from budgetkg.serve import pages

        page = pages.render(store, job.iri, site)
        if page is None:
            return error(404, f"nothing is known about <{job.iri}>")
        return Answer(200, "text/html; charset=utf-8", page.encode())
    node = ox.NamedNode(job.iri)
    if store.contains_named_graph(node):
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, node)]
    else:
        described = store.query(f"DESCRIBE <{job.iri}>", use_default_graph_as_union=True)
        assert isinstance(described, ox.QueryTriples)
        triples = list(described)
    if not triples:
        return error(404, f"nothing is known about <{job.iri}>")
    triples.sort(key=str)
    return Answer(200, _typed(job.media), formats.graph(triples, job.media))


_STATISTICS = """
SELECT ?g (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g
"""
_CLASSES = """
SELECT ?g (COUNT(DISTINCT ?c) AS ?classes) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?g
"""


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    return result


def statistics(store: ox.Store) -> dict[str, dict[str, int]]:
    """Triples, distinct subjects, properties, objects and classes of every named graph."""
    figures: dict[str, dict[str, int]] = {}
    for row in _select(store, _STATISTICS):
        figures[row["g"].value] = {k: int(row[k].value)
                                   for k in ("triples", "subjects", "properties", "objects")}
    for row in _select(store, _CLASSES):
        figures[row["g"].value]["classes"] = int(row["classes"].value)
    for graph in figures.values():
        graph.setdefault("classes", 0)
    return figures
