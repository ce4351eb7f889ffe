"""Building many documents: which sources a folder holds, which of them are unchanged since the
last build (by content hash and converter version), and running the builds in parallel worker
processes (or on a Dask cluster) while a journal makes an interrupted build resumable and a log
records every document's status."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from datetime import datetime
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import TextIO, TypeVar

from budgetkg import __version__, publish
from budgetkg.errors import InputError, OutputError
from budgetkg.mapping import load as load_mappings
from budgetkg.read import READERS, documents, fingerprint
from budgetkg.resources import home

T = TypeVar("T")
R = TypeVar("R")
JOURNAL = ".budgetkg-journal.jsonl"
LOG = "build.log"
_DECLARATIVE = ("mappings", "shapes", "ontology")
_TASKS_PER_WORKER = 25  # a worker process is replaced after this many documents (bounded memory)


@cache
def converter_version() -> str:
    """The version of the converter: the package version and a digest of its code and of every
    mapping, shape and ontology file, so that editing any of them rebuilds what it affects."""
    digest = hashlib.sha256()
    code = Path(__file__).resolve().parent
    for folder in (code, *(home() / name for name in _DECLARATIVE)):
        for path in sorted(folder.rglob("*")):
            if "__pycache__" in path.parts or not path.is_file() or path.name.startswith("."):
                continue
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def _is_csv_document(folder: Path) -> bool:
    """A folder of .csv tables: more .csv files than documents of other forms (a README.txt
    beside the tables is no document; an errors.csv beside the documents of a corpus is no
    table)."""
    suffixes = [p.suffix.lower() for p in folder.iterdir()
                if p.is_file() and not p.name.startswith(".")]
    return suffixes.count(".csv") > sum(s in READERS for s in suffixes)


def expand(sources: Iterable[Path]) -> list[tuple[Path, ...]]:
    """The documents named, each as its files: files as given; a folder of .csv tables as one
    document; any other folder as every document inside it (recursively, in path order, dot
    files left out). Files whose names differ only by a part ending (-text / -tables) are one
    document (read.documents). A folder with no document inside is given to the reader as it
    is, to be reported."""
    found: list[Path] = []
    for source in sources:
        inside = _inside(source) if source.is_dir() and not _is_csv_document(source) else []
        found += inside or [source]
    return documents(found, load_mappings().document["file_parts"])


def _inside(folder: Path) -> list[Path]:
    documents: list[Path] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_dir():
            documents += [path] if _is_csv_document(path) else _inside(path)
        elif path.suffix.lower() in READERS:
            documents.append(path)
    return documents


# publish.write_atomically stages `.<name>.<8 random characters>` beside each file it writes.
_STAGED = re.compile(r"^\.(.+)\.[a-z0-9_]{8}$")


def clean_staging(output: Path) -> list[Path]:
    """Remove the staging files a killed build left in the output folder."""
    if not output.is_dir():
        return []
    stale = [p for p in output.iterdir()
             if p.is_file() and (m := _STAGED.match(p.name)) and not m.group(1).startswith(".")]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


class Journal:
    """Documents finished by the current build, one JSON line each, flushed as they finish: an
    interrupted build resumes from it. It is removed once the manifest holds them."""

    def __init__(self, output: Path) -> None:
        self.path = output / JOURNAL
        self._handle: TextIO | None = None

    def entries(self) -> list[publish.Published]:
        if not self.path.is_file():
            return []
        entries = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entries.append(publish.from_entry(json.loads(line)))
            except (ValueError, KeyError, TypeError):
                break  # the line being written when the build was killed
        return entries

    def record(self, document: publish.Published) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("a", encoding="utf-8")
        self._handle.write(publish.entry_json(document) + "\n")
        self._handle.flush()

    def remove(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self.path.unlink(missing_ok=True)


class Log:
    """build.log: one status line per document, appended as documents finish. Nothing is
    written before the first document succeeds (its failures wait in memory), so that a build
    of bad input leaves no file behind; its errors are on stderr."""

    def __init__(self, output: Path) -> None:
        self.path = output / LOG
        self._handle: TextIO | None = None
        self._waiting: list[str] = []

    def line(self, status: str, source: Path | str, detail: str = "") -> None:
        stamp = datetime.now().isoformat(timespec="seconds")
        self._waiting.append(f"{stamp}\t{status}\t{source}" + (f"\t{detail}" if detail else "")
                             + "\n")
        if status == "failed" and self._handle is None:
            return
        if self._handle is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._handle = self.path.open("a", encoding="utf-8")
            except OSError as exc:
                raise OutputError(self.path, f"cannot write: {exc.strerror}") from exc
        self._handle.writelines(self._waiting)
        self._handle.flush()
        self._waiting.clear()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


def unchanged(sources: list[tuple[Path, ...]], known: Iterable[publish.Published],
              output: Path) -> dict[tuple[Path, ...], publish.Published]:
    """The documents built before from the same content by the same converter, whose files are
    all still there: they are not built again."""
    version = converter_version()
    by_hash = {d.sha256: d for d in known if d.converter == version}
    found = {}
    for source in sources:
        try:
            entry = by_hash.get(fingerprint(source))
        except InputError:
            continue  # the build reports it
        if entry is not None and all((output / f).is_file() for f in entry.files):
            found[source] = entry
    return found


def run(work: Callable[[T], R], items: list[T], jobs: int,
        scheduler: str | None = None) -> Iterator[tuple[T, R]]:
    """Each item's result as it finishes: in this process (jobs 1), in `jobs` worker processes,
    or on the Dask cluster whose scheduler is at `scheduler` (tcp://HOST:PORT)."""
    if scheduler:
        yield from _on_cluster(work, items, scheduler)
    elif jobs <= 1 or len(items) <= 1:
        for item in items:
            yield item, work(item)
    else:
        yield from _in_processes(work, items, jobs)


def _in_processes(work: Callable[[T], R], items: list[T], jobs: int) -> Iterator[tuple[T, R]]:
    """A pool of worker processes, at most 2 x jobs documents in flight (bounded memory)."""
    pending = iter(items)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"),
                             max_tasks_per_child=_TASKS_PER_WORKER) as pool:
        running: dict[Future[R], T] = {}
        while True:
            while len(running) < 2 * jobs and (item := next(pending, None)) is not None:
                running[pool.submit(work, item)] = item
            if not running:
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                yield running.pop(future), future.result()


def _on_cluster(work: Callable[[T], R], items: list[T], scheduler: str) -> Iterator[tuple[T, R]]:
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise InputError(None, "--scheduler needs Dask: pip install 'budgetkg[cluster]'") from exc
    try:
        client = Client(scheduler, timeout=30)  # type: ignore[no-untyped-call]
    except OSError as exc:
        raise InputError(None, f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    with client:
        futures = {client.submit(work, item, pure=False): item for item in items}
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            yield futures[future], future.result()



