"""The embedded store: a build folder (or one dump file) loaded into pyoxigraph, one named graph
per document, queried with the default graph as the union of all graphs."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from budgetkg import jsonld
from budgetkg.errors import InputError, OutputError
from budgetkg.iris import DEFAULT_BASE
from budgetkg.publish import read_manifest

_BY_SUFFIX = {
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
}


def load(source: Path, base: str = DEFAULT_BASE) -> ox.Store:
    """An in-memory store holding a build folder's documents, each with its validation report
    in its graph (as `budgetkg serve` and `push` hold them), or a single dump file (a compact
    JSON-LD dump read with the context it names, jsonld.with_context)."""
    store = ox.Store()
    if source.is_dir():
        for entry in read_manifest(source):
            path = source / f"{entry['stem']}.nt"
            if not path.is_file():
                raise OutputError(path, "listed in manifest.json but missing")
            document = ox.NamedNode(str(entry["graph"]))
            store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=document)
            report = source / f"{entry['stem']}.report.ttl"
            if report.is_file():
                store.bulk_load(path=str(report), format=ox.RdfFormat.TURTLE, to_graph=document)
        return store
    if not source.is_file():
        raise InputError(source, "no such file or folder")
    fmt = _BY_SUFFIX.get(source.suffix.lower())
    if fmt is None:
        raise InputError(source, f"not an RDF dump ({', '.join(_BY_SUFFIX)})")
    graph = None if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG) else ox.NamedNode(
        source.resolve().as_uri())
    try:
        if fmt == ox.RdfFormat.JSON_LD:
            data = jsonld.with_context(source.read_bytes(), source.parent, base)
            store.bulk_load(data, format=fmt, to_graph=graph, base_iri=source.resolve().as_uri())
        else:
            store.bulk_load(path=str(source), format=fmt, to_graph=graph,
                            base_iri=source.resolve().as_uri())
    except (SyntaxError, ValueError) as exc:
        raise InputError(source, f"cannot parse: {exc}") from exc
    return store


def query(store: ox.Store, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Run a SPARQL query over the union of every document graph."""
    try:
        return store.query(sparql, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise InputError(None, f"SPARQL syntax error: {exc}") from exc
