"""The served store: every RDF file of a folder bulk-loaded into an on-disk pyoxigraph store,
one named graph per file (per document for a budgetkg build), reused while the files are
unchanged. The vocabulary (ontology, code lists, shapes) is loaded beside the data."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from budgetkg import __version__
from budgetkg.errors import InputError
from budgetkg.iris import CODELIST, VOCAB
from budgetkg.publish import read_manifest
from budgetkg.resources import home, ontology_dir

# The same data is often dumped in several syntaxes: load one file per stem, the fastest to parse.
FORMATS = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}
_QUADS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
STORE_DIR = ".budgetkg-store"
_RELEASES = {"all"}  # all.nq / all.trig of a build: every document graph in one file
_STAMP = "loaded.json"


@dataclass(frozen=True)
class Source:
    """One RDF file and the named graph it is loaded into (None: its own named graphs)."""

    path: Path
    graph: str | None


def _vocabulary() -> list[Source]:
    onto = ontology_dir()
    sources = [Source(onto / "budgetkg.ttl", VOCAB + "ontology")]
    sources += [Source(p, CODELIST + p.stem) for p in sorted((onto / "codelists").glob("*.ttl"))]
    sources += [Source(p, VOCAB + "shapes/" + p.stem)
                for p in sorted((home() / "shapes").glob("*.ttl"))]
    return sources


def _is_context(path: Path) -> bool:
    """A JSON-LD context (context.jsonld) is no data; it only has an @context."""
    return path.suffix == ".jsonld" and path.stat().st_size < 1_000_000 and set(
        json.loads(path.read_bytes() or b"{}")) <= {"@context"}


def sources(folder: Path, base: str) -> list[Source]:
    """The files to load from a folder: one per stem, in the documents' graphs where the build's
    manifest names them (reports join their document's graph), else a graph named after the file."""
    graphs: dict[str, str] = {}
    if (folder / "manifest.json").is_file():
        graphs = {str(e["stem"]): str(e["graph"]) for e in read_manifest(folder)}
    chosen: dict[Path, Path] = {}
    rank = list(FORMATS)
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.suffix not in FORMATS or any(p.startswith(".") for p in relative.parts):
            continue
        key = path.with_suffix("")
        if key not in chosen or rank.index(path.suffix) < rank.index(chosen[key].suffix):
            chosen[key] = path
    found = []
    for key, path in sorted(chosen.items()):
        if _is_context(path) or (graphs and key.parent == folder and key.name in _RELEASES):
            continue  # the release files repeat the document graphs already loaded
        stem = key.name.removesuffix(".report")
        graph = graphs.get(stem) if key.parent == folder else None
        if graph is None and FORMATS[path.suffix] not in _QUADS:
            graph = f"{base}file/{quote(path.relative_to(folder).as_posix())}"
        found.append(Source(path, graph))
    if not found:
        raise InputError(folder, "no RDF files to serve (.nt, .ttl, .jsonld, .nq, .trig, .rdf)")
    return found


def _stamp(all_sources: list[Source]) -> str:
    items = [[str(s.path), s.graph, s.path.stat().st_size, s.path.stat().st_mtime_ns]
             for s in all_sources]
    return hashlib.sha256(json.dumps([__version__, items]).encode()).hexdigest()


def prepare(folder: Path, base: str, store_dir: Path | None = None,
            progress: Callable[[str], None] = lambda _: None) -> Path:
    """The on-disk store for a folder: reused when its files are unchanged since the last load,
    else bulk-loaded afresh into a new directory that replaces the old one when complete."""
    if not folder.is_dir():
        raise InputError(folder, "not a folder (serve a build output folder)")
    target = store_dir or folder / STORE_DIR
    all_sources = sources(folder, base) + _vocabulary()
    stamp = _stamp(all_sources)
    stamp_file = target / _STAMP
    if stamp_file.is_file() and json.loads(stamp_file.read_text())["stamp"] == stamp:
        progress(f"store {target} is up to date")
        return target
    fresh = target.with_name(target.name + ".loading")
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        _load_all(fresh, all_sources, progress)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    (fresh / _STAMP).write_text(json.dumps({"stamp": stamp}))
    shutil.rmtree(target, ignore_errors=True)
    fresh.rename(target)
    return target


def _load_all(path: Path, all_sources: list[Source], progress: Callable[[str], None]) -> None:
    store = ox.Store(str(path))
    for number, source in enumerate(all_sources, 1):
        progress(f"loading {number}/{len(all_sources)} {source.path.name}")
        _load(store, source)
    store.flush()
    store.optimize()


def _load(store: ox.Store, source: Source) -> None:
    fmt = FORMATS[source.path.suffix]
    graph = ox.NamedNode(source.graph) if source.graph else None
    try:
        store.bulk_load(path=str(source.path), format=fmt, to_graph=graph,
                        base_iri=source.path.resolve().as_uri())
    except (SyntaxError, ValueError, OSError) as exc:
        raise InputError(source.path, f"cannot load: {exc}".splitlines()[0]) from exc
