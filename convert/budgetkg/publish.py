"""Writes a document graph as Turtle, JSON-LD and N-Triples, plus the JSON-LD context and manifest.

Every file is written to a temporary name and moved into place, so a failure never leaves a
partial file; the same input gives byte-identical files, and a file that already holds them is
left alone (its modification time too).
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from budgetkg import jsonld
from budgetkg.errors import OutputError
from budgetkg.iris import slug

FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
MANIFEST = "manifest.json"
CONTEXT = jsonld.FILE


@dataclass(frozen=True)
class Counts:
    tables: int
    rows: int
    observations: int
    projects: int
    statements: int
    triples: int


@dataclass(frozen=True)
class Quality:
    """What validation found (the report itself is <stem>.report.ttl)."""

    inconsistencies: int  # findings of severity sh:Violation (不一致)
    warnings: int
    conforms: bool


@dataclass(frozen=True)
class Published:
    """One document's dumps."""

    source: str
    sha256: str
    graph: str
    stem: str
    files: tuple[str, ...]
    counts: Counts
    problems: tuple[str, ...] = field(default=())
    quality: Quality | None = None
    converter: str = ""  # batch.converter_version() of the build that wrote it


def _holds(path: Path, data: bytes) -> bool:
    """The file already holds exactly these bytes."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def write_atomically(files: dict[Path, bytes]) -> None:
    """Write every changed file to a temporary sibling, then move them all into place."""
    staged: list[tuple[Path, str]] = []
    try:
        for path, data in files.items():
            if _holds(path, data):
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o644)
            staged.append((path, tmp))
        for path, tmp in staged:
            os.replace(tmp, path)
    except OSError as exc:
        for _, tmp in staged:
            Path(tmp).unlink(missing_ok=True)
        where = exc.filename or next(iter(files), None)
        raise OutputError(where, f"cannot write: {exc.strerror}") from exc


def write_streamed(path: Path, writer: Callable[[BinaryIO], None]) -> None:
    """Let `writer` fill a temporary sibling of `path` (a file too large to hold in memory),
    then move it into place unless `path` already holds the same bytes."""
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        tmp = Path(name)
        with os.fdopen(fd, "wb") as handle:
            writer(handle)
        if path.is_file() and filecmp.cmp(tmp, path, shallow=False):
            tmp.unlink()
        else:
            tmp.chmod(0o644)
            os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(path, f"cannot write: {exc.strerror}") from exc
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


_STEM = re.compile(r"^(?P<organisation>.+)-(?P<year>\d{4})-(?P<phase>[a-z]+)(?:-(?P<scope>unit))?$")


def stem(organisation: str, year: int, phase: str, scope: str = "department") -> str:
    """The file stem of a document: <organisation>-<year>-<phase>, and -unit for a unit's own
    document (单位预算), so that a department's and a unit's document never overwrite each
    other."""
    own = "" if scope == "department" else f"-{scope}"
    return f"{slug(organisation)}-{year}-{phase}{own}"


def series_of(name: str) -> str:
    """What documents of one organisation and scope share in their stems (their years and
    phases differ): the stem without year and phase."""
    m = _STEM.match(name)
    return f"{m['organisation']}{'-' + m['scope'] if m['scope'] else ''}" if m else name


def dumps(triples: list[ox.Triple], graph: str, context_url: str) -> dict[str, bytes]:
    """The three serialisations of one named graph (triples already sorted)."""
    out: dict[str, bytes] = {}
    for ext, fmt in FORMATS.items():
        data = ox.serialize(triples, format=fmt, prefixes=jsonld.PREFIXES)
        assert data is not None  # serialize returns bytes when given no output
        out[ext] = data
    out["jsonld"] = jsonld.serialize(triples, graph, context_url)
    return out


def write_manifest(out: Path, documents: Iterable[Published]) -> None:
    """manifest.json: every document in the folder, merged with what was there before."""
    path = out / MANIFEST
    entries: dict[str, dict[str, object]] = {}
    if path.exists():
        for entry in json.loads(path.read_text(encoding="utf-8"))["documents"]:
            entries[entry["graph"]] = entry
    for doc in documents:
        entries[doc.graph] = asdict(doc)
    data = {"documents": [entries[k] for k in sorted(entries)]}
    write_atomically({
        path: (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode(),
        out / CONTEXT: jsonld.context_document(),
    })


def _quality(entry: dict[str, Any]) -> dict[str, Any]:
    """A manifest's quality entry; a folder built before issue 16 names its inconsistencies
    "violations"."""
    return {("inconsistencies" if k == "violations" else k): v for k, v in entry.items()}


def published(out: Path) -> list[Published]:
    """The documents of a build folder's manifest, as typed records."""
    try:
        return [from_entry(entry) for entry in read_manifest(out)]
    except (KeyError, TypeError) as exc:
        raise OutputError(out / MANIFEST, f"unreadable manifest entry: {exc!r}") from exc


def entry_json(document: Published) -> str:
    """A manifest entry as one line of JSON."""
    return json.dumps(asdict(document), ensure_ascii=False, sort_keys=True)


def from_entry(entry: dict[str, Any]) -> Published:
    """A manifest entry as a typed record."""
    quality = entry.get("quality")
    return Published(
        source=entry["source"], sha256=entry["sha256"], graph=entry["graph"],
        stem=entry["stem"], files=tuple(entry["files"]), counts=Counts(**entry["counts"]),
        problems=tuple(entry.get("problems", ())),
        quality=Quality(**_quality(quality)) if quality is not None else None,
        converter=entry.get("converter", ""),
    )


def read_manifest(out: Path) -> list[dict[str, object]]:
    path = out / MANIFEST
    if not path.is_file():
        raise OutputError(out, f"no {MANIFEST} here: not a budgetkg build folder "
                               "(run `budgetkg build DOC -o FOLDER` first)")
    try:
        documents: list[dict[str, object]] = json.loads(path.read_text("utf-8"))["documents"]
    except (ValueError, KeyError) as exc:
        raise OutputError(path, f"unreadable manifest: {exc}") from exc
    return documents
