"""The served store: every RDF file of a folder bulk-loaded into an on-disk pyoxigraph store,
one named graph per file (per document for a budgetkg build), reused while the files are
unchanged. The vocabulary (ontology, code lists, shapes) is loaded beside the data."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast
from urllib.parse import quote

import pyoxigraph as ox

from budgetkg import __version__, jsonld
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
    """The on-disk store for a folder (or one dump file): reused when its files are unchanged
    since the last load, else bulk-loaded afresh into a new directory that replaces the old one
    when complete."""
    if folder.is_file():
        if folder.suffix not in FORMATS:
            raise InputError(folder, "not a folder or an RDF file (.nt, .ttl, .jsonld, .nq, "
                                     ".trig, .rdf)")
        quads = FORMATS[folder.suffix] in _QUADS
        found = [Source(folder, None if quads else f"{base}file/{quote(folder.name)}")]
        target = store_dir or folder.with_name(f".{folder.name}{STORE_DIR}")
    elif folder.is_dir():
        found = sources(folder, base)
        target = store_dir or folder / STORE_DIR
    else:
        raise InputError(folder, "no such file or folder")
    all_sources = found + _vocabulary()
    stamp = _stamp(all_sources)
    stamp_file = target / _STAMP
    if stamp_file.is_file() and json.loads(stamp_file.read_text())["stamp"] == stamp:
        progress(f"store {target} is up to date")
        return target
    fresh = target.with_name(target.name + ".loading")
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        _load_all(fresh, all_sources, base, progress)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    (fresh / _STAMP).write_text(json.dumps({"stamp": stamp}))
    shutil.rmtree(target, ignore_errors=True)
    fresh.rename(target)
    return target


def _load_all(path: Path, all_sources: list[Source], base: str,
              progress: Callable[[str], None]) -> None:
    """One bulk_load of every source streamed as one TriG document (one call per file costs
    pyoxigraph half its speed), then flush and optimize."""
    store = ox.Store(str(path))
    stream = _TriG(all_sources, base, progress)
    try:
        store.bulk_load(cast(BinaryIO, stream), format=ox.RdfFormat.TRIG)  # it calls read
    except (SyntaxError, ValueError, OSError) as exc:
        raise stream.error(exc) from exc
    store.flush()
    store.optimize()


def _trig(source: Source, base: str) -> tuple[bytes, ...]:
    """A source as TriG. An N-Triples file (N-Triples is Turtle) goes in as it is, wrapped in its
    graph block, when it has no blank node (their labels would be shared by every file) and no
    "}" (that could end the block): a build's dumps. Any other file is parsed, its blank nodes
    renamed apart from every other file's, and serialized (quads formats keep their graphs); a
    compact JSON-LD dump is read with the context it names (jsonld.with_context)."""
    fmt = FORMATS[source.path.suffix]
    try:
        data = source.path.read_bytes()
        if fmt == ox.RdfFormat.JSON_LD:
            data = jsonld.with_context(data, source.path.parent, base)
        graph = ox.NamedNode(source.graph) if source.graph else None
        if fmt == ox.RdfFormat.N_TRIPLES and graph is not None and b"_:" not in data \
                and b"}" not in data:
            return f"{graph} {{\n".encode(), data, b"\n}\n"
        parsed = ox.parse(data, fmt, base_iri=source.path.resolve().as_uri(),
                          rename_blank_nodes=True)
        quads = parsed if graph is None else (
            ox.Quad(q.subject, q.predicate, q.object, graph) for q in parsed)
        return (ox.serialize(quads, format=ox.RdfFormat.TRIG) or b"",)
    except (SyntaxError, ValueError, OSError) as exc:
        raise _cannot_load(source.path, exc) from exc


def _cannot_load(path: Path, exc: Exception, lines: int = 0) -> InputError:
    """A load error as a one-line InputError naming the file; lines: where the file starts in the
    stream that was parsed, to make the error's line numbers the file's."""
    message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    if lines:
        message = re.sub(r"\bline (\d+)", lambda m: f"line {int(m[1]) - lines}", message)
    return InputError(path, f"cannot load: {message}".splitlines()[0])


class _TriG:
    """The sources as one TriG stream for bulk_load (it calls read), holding one file at a time;
    it reports progress as each file starts and knows which file a stream line came from."""

    def __init__(self, all_sources: list[Source], base: str,
                 progress: Callable[[str], None]) -> None:
        self._base = base
        self._pieces = self._serve(all_sources, progress)
        self._piece = b""
        self._at = 0
        self._lines = 0  # newlines in the pieces served so far
        self._starts: list[int] = []  # the stream line of each served source's first piece
        self._served: list[Source] = []

    def _serve(self, all_sources: list[Source], progress: Callable[[str], None]
               ) -> Iterator[bytes]:
        """Each source's pieces in turn, noting where in the stream each source starts."""
        for number, source in enumerate(all_sources, 1):
            progress(f"loading {number}/{len(all_sources)} {source.path.name}")
            self._starts.append(self._lines + 1)
            self._served.append(source)
            for piece in _trig(source, self._base):
                self._lines += piece.count(b"\n")
                yield piece

    def read(self, size: int = -1) -> bytes:
        """Up to size bytes of the stream (fewer at the end of a piece), b"" at its end."""
        while self._at >= len(self._piece):
            piece = next(self._pieces, None)
            if piece is None:
                return b""
            self._piece, self._at = piece, 0
        end = len(self._piece) if size < 0 else self._at + size
        chunk = self._piece[self._at:end]
        self._at += len(chunk)
        return chunk

    def error(self, exc: Exception) -> InputError:
        """A bulk_load error as the error of the file it comes from: the one its line is in (a file
        passed as it is, its first line after its graph's), else the one being served."""
        line = getattr(exc, "lineno", None)
        index = max(bisect_right(self._starts, line) - 1 if line else len(self._served) - 1, 0)
        return _cannot_load(self._served[index].path, exc, self._starts[index] if line else 0)
