"""Scale: batch build over corpus sizes, validation, bulk load, the named queries against rdflib
and Virtuoso, and the peak memory of each step, all measured in one run on this machine.

Usage: python benchmarks/bench_scale.py [--sizes 10,100,1000] [--runs R] [--parts PARTS]
           [--jobs 2] [--workdir DIR] [--corpus DIR] [--compare-size N] [--write]

Parts (--parts, comma-separated; default all):
  build     `budgetkg build DOCS -o OUT --jobs J` in a new process for each size (a fresh OUT each
            run): documents/s, triples/s, seconds per document, the curve, peak RSS of the tree;
  validate  the fast engine against pyshacl on a sample of documents (pyshacl takes minutes per
            document), and the fast engine over every document of the largest corpus;
  load      our bulk load (budgetkg.serve.load.prepare) against pyoxigraph's raw bulk_load of the
            build's all.nq, into fresh store folders, interleaved (and, to explain the gap, raw
            bulk_load of the documents' .nt files one call per file);
  queries   every named query of queries/ on the largest store (pyoxigraph, read-only; also each
            narrowed to one document, `@one`), and on the comparison store (the largest with at
            most --rdflib-max-quads) in rdflib (in-memory Dataset, in a child process), in a
            private Virtuoso on loopback after `budgetkg push` (started and stopped here) and,
            to explain the gap, in an in-memory pyoxigraph store.
The corpus (benchmarks/make_corpus.py max(SIZES), or the .txt files of --corpus), each size's
build output and store stay in --workdir (default /tmp/bench-scale) and are reused by later
parts and later runs; nothing is left running. Repeated measurements stop early when one more
would pass --budget seconds (the tables give the runs). Progress goes to stderr; the section
"scale" of benchmarks/RESULTS.md is printed, and written with --write.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from importlib.metadata import version
from itertools import pairwise
from multiprocessing import get_context
from pathlib import Path

from results import publish, write_section  # benchmarks/results.py

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from budgetkg import __version__, push, remote, validate  # noqa: E402
from budgetkg.iris import DEFAULT_BASE  # noqa: E402
from budgetkg.publish import Published, published  # noqa: E402
from budgetkg.serve.load import prepare  # noqa: E402
from tests.virtuoso import run as run_virtuoso  # noqa: E402

PARTS = ("build", "validate", "load", "queries")
QUERIES = ROOT / "convert" / "budgetkg" / "queries"
GIB = 2**30
TARGET_SECONDS = 120  # issue 8: build + validate + load of 1000 documents on 2 cores
TARGET_DOCUMENTS = 1000
LOAD_SHARE, QUERY_MS, QUERY_RATIO, RSS_LIMIT = 0.70, 200.0, 20.0, 2 * 10**9
NATIONAL_BASIS = ("the issue's \"a province publishes tens of thousands of department documents "
                  "a year\": 31 provincial-level divisions x ~10,000")


def say(message: str) -> None:
    """A progress line on stderr."""
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def loadavg() -> str:
    """The 1-, 5- and 15-minute load averages."""
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


# ---------------------------------------------------------------------------------------------
# Measuring: peak memory of a process tree, repeated timings within a budget
# ---------------------------------------------------------------------------------------------

def _children() -> dict[int, list[int]]:
    """Every process's children, from /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    return children


def _status(pid: int) -> tuple[str, int, int]:
    """A process's name, resident set and peak resident set (bytes; 0 when it has gone)."""
    values = {"Name": "", "VmRSS": "0 kB", "VmHWM": "0 kB"}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in values:
                values[key] = value.strip()
    except OSError:
        pass
    return (values["Name"], int(values["VmRSS"].split()[0]) * 1024,
            int(values["VmHWM"].split()[0]) * 1024)


class Peak(threading.Thread):
    """Polls a process tree every 0.2 s: the peak of the sum of its resident sets (`tree`), and
    each process name's largest resident set (`by_name`; VmHWM for processes other than this
    one, whose own peak may predate the step)."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root, self.tree, self.start_rss = root, 0, _status(root)[1]
        self.by_name: dict[str, int] = {}
        self._done = threading.Event()

    def run(self) -> None:
        while True:
            self.sample()
            if self._done.wait(0.2):
                return

    def sample(self) -> None:
        """One poll of the tree."""
        children, pids, total = _children(), [self.root], 0
        while pids:
            pid = pids.pop()
            pids += children.get(pid, [])
            name, rss, hwm = _status(pid)
            total += rss
            own = rss if pid == os.getpid() else max(rss, hwm)
            self.by_name[name] = max(self.by_name.get(name, 0), own)
        self.tree = max(self.tree, total)

    def finish(self) -> None:
        self._done.set()
        self.join()
        self.sample()

    @property
    def single(self) -> int:
        """The largest resident set of one process of the tree."""
        return max(self.by_name.values(), default=0)


@contextmanager
def sampled(root: int | None = None) -> Iterator[Peak]:
    """Peak memory of the tree under `root` (default: this process) while the block runs."""
    peak = Peak(root or os.getpid())
    peak.start()
    try:
        yield peak
    finally:
        peak.finish()


def repeat(fn: Callable[[], object], runs: int, budget: float) -> list[float]:
    """Seconds of up to `runs` calls, stopping when one more would likely pass `budget` seconds
    in all (at least one call)."""
    times: list[float] = []
    while len(times) < runs:
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        if sum(times) + times[-1] > budget:
            break
    return times


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def gib(n: float) -> str:
    return f"{n / GIB:.2f} GiB"


def du(path: Path) -> int:
    """Bytes of the files under a folder."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ---------------------------------------------------------------------------------------------
# The run's context: options, folders, and the results of each part
# ---------------------------------------------------------------------------------------------

@dataclass
class BuildResult:
    """One corpus size built `len(seconds)` times."""

    size: int
    seconds: list[float]
    triples: int
    tree_peak: int
    single_peak: int
    tail: float | None  # seconds after the last document (catalogue, release files)
    halves: tuple[float, float] | None  # steady seconds per document, first and second half

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass
class LoadResult:
    """Ours and raw bulk_load of one size."""

    size: int
    ours: list[float]
    raw: list[float]
    ours_quads: int
    raw_quads: int
    ours_bytes: int
    raw_bytes: int
    ours_peak: int
    raw_peak: int
    files: int  # the files prepare() loaded
    tail: float  # seconds from the last file's start to the end (median)
    per_file: list[float]  # raw bulk_load of the documents' .nt files, one call each

    def rates(self) -> tuple[float, float]:
        return (self.ours_quads / statistics.median(self.ours),
                self.raw_quads / statistics.median(self.raw))


@dataclass
class Side:
    """One engine's named-query timings: rows, first (cold) run, repeated runs (seconds)."""

    name: str
    rows: dict[str, int] = field(default_factory=dict)
    first: dict[str, float] = field(default_factory=dict)
    runs: dict[str, list[float]] = field(default_factory=dict)
    setup: str = ""  # how it was loaded, with its time
    peak: str = ""

    def p(self, query: str, q: float) -> float:
        return percentile(self.runs[query] or [self.first[query]], q) * 1000


@dataclass
class Context:
    args: argparse.Namespace
    work: Path
    sizes: list[int]
    loads_before: dict[str, str] = field(default_factory=dict)
    builds: dict[int, BuildResult] = field(default_factory=dict)
    loads: dict[int, LoadResult] = field(default_factory=dict)
    sides: list[tuple[int, Side]] = field(default_factory=list)
    push_rate: float | None = None
    lines: dict[str, list[str]] = field(default_factory=dict)

    @property
    def largest(self) -> int:
        return max(self.sizes)

    def out(self, size: int) -> Path:
        return self.work / f"out-{size}"

    def store(self, size: int) -> Path:
        return self.work / f"store-{size}"


# ---------------------------------------------------------------------------------------------
# Corpus and build
# ---------------------------------------------------------------------------------------------

def master_corpus(ctx: Context) -> list[Path]:
    """The documents every size draws its first N from: --corpus's .txt files, or
    make_corpus.py max(SIZES) under the workdir (reused when it is there)."""
    if ctx.args.corpus:
        docs = sorted(ctx.args.corpus.glob("*.txt"))
    else:
        folder = ctx.work / "corpus"
        docs = sorted(folder.glob("*.txt"))
        if len(docs) < ctx.largest:
            say(f"making a synthetic corpus of {ctx.largest} documents in {folder}")
            shutil.rmtree(folder, ignore_errors=True)
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"),
                            str(ctx.largest), str(folder)], check=True, capture_output=True)
            docs = sorted(folder.glob("*.txt"))
    if len(docs) < ctx.largest:
        raise SystemExit(f"the corpus holds {len(docs)} documents, fewer than {ctx.largest}")
    return docs


def corpus(ctx: Context, size: int) -> Path:
    """A folder holding the first `size` documents of the corpus (hard links)."""
    folder = ctx.work / f"docs-{size}"
    wanted = master_corpus(ctx)[:size]
    if sorted(p.name for p in folder.glob("*.txt")) == [p.name for p in wanted]:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in wanted:
        try:
            os.link(path, folder / path.name)
        except OSError:
            shutil.copy2(path, folder / path.name)
    return folder


def build_once(ctx: Context, size: int) -> tuple[float, Peak, datetime]:
    """One `budgetkg build` of a size into a fresh output folder: wall seconds, the peak memory
    of its process tree, and when it ended."""
    docs, out = corpus(ctx, size), ctx.out(size)
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "budgetkg", "build", str(docs), "-o", str(out),
               "--jobs", str(ctx.args.jobs)]
    with (ctx.work / f"build-{size}.log").open("wb") as sink:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
        try:
            with sampled(process.pid) as peak:
                code = process.wait()
        finally:
            stop(process)
        seconds = time.perf_counter() - start
    if code != 0 or len(documents(out)) != size:
        raise SystemExit(f"build of {size} documents failed ({code}): see "
                         f"{ctx.work / f'build-{size}.log'} and {out / 'build.log'}")
    return seconds, peak, datetime.now()


def stop(process: subprocess.Popen[bytes]) -> None:
    """End a child that is still running (this script was interrupted)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def documents(out: Path) -> list[Published]:
    """The documents of a build folder's manifest (none when there is no manifest)."""
    return published(out) if (out / "manifest.json").is_file() else []


def ensure_built(ctx: Context, size: int) -> Path:
    """The build output of a size, built once when absent (when the build part did not run)."""
    if len(documents(ctx.out(size))) != size:
        say(f"build {size}: no build output yet, building once")
        build_once(ctx, size)
    return ctx.out(size)


def log_stamps(out: Path) -> list[datetime]:
    """When each document was built, from OUT/build.log (1 s resolution)."""
    stamps = []
    for line in (out / "build.log").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[1] == "built":
            stamps.append(datetime.fromisoformat(parts[0]))
    return sorted(stamps)


def steady_halves(stamps: list[datetime]) -> tuple[float, float] | None:
    """Seconds per document in the first and second half of a build (from 20 documents)."""
    n = len(stamps)
    if n < 20:
        return None
    half = n // 2
    first = (stamps[half - 1] - stamps[0]).total_seconds() / (half - 1)
    second = (stamps[-1] - stamps[half]).total_seconds() / (n - half - 1)
    return first, second


def build_size(ctx: Context, size: int) -> BuildResult:
    """Build one size up to --runs times within the budget; the last output is kept."""
    times: list[float] = []
    peaks: list[Peak] = []
    ended = datetime.now()
    while len(times) < ctx.args.runs:
        say(f"build {size}: run {len(times) + 1} (load {loadavg()})")
        seconds, peak, ended = build_once(ctx, size)
        times.append(seconds)
        peaks.append(peak)
        say(f"build {size}: {seconds:.1f} s, tree peak {gib(peak.tree)}")
        if sum(times) + seconds > ctx.args.budget:
            break
    out = ctx.out(size)
    stamps = log_stamps(out)
    tail = (ended - stamps[-1]).total_seconds() if stamps else None
    return BuildResult(size, times, sum(d.counts.triples for d in documents(out)),
                       max(p.tree for p in peaks), max(p.single for p in peaks), tail,
                       steady_halves(stamps))


def build_part(ctx: Context) -> list[str]:
    """Build throughput for every size, and the curve."""
    for size in sorted(ctx.sizes):
        ctx.builds[size] = build_size(ctx, size)
    return build_lines(ctx)


def build_lines(ctx: Context) -> list[str]:
    """The table of the build part."""
    jobs = ctx.args.jobs
    lines = [f"### Build: `budgetkg build DOCS -o OUT --jobs {jobs}` (new process, fresh OUT; "
             "read, map, fast validation, Turtle/JSON-LD/N-Triples/report per document, then "
             "manifest, catalogue, all.trig, all.nq)", "",
             "| documents | runs | seconds (median) | documents/s | triples | triples/s | "
             f"s/document | s/document/core (x{jobs}) | marginal s/document | steady s/document "
             "(1st / 2nd half) | after last document | peak RSS, tree sum | largest process |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
    previous: BuildResult | None = None
    for size in sorted(ctx.builds):
        b = ctx.builds[size]
        marginal = (f"{(b.median - previous.median) / (size - previous.size):.2f}"
                    if previous else "")
        halves = f"{b.halves[0]:.2f} / {b.halves[1]:.2f}" if b.halves else ""
        tail = f"~{b.tail:.0f} s" if b.tail is not None else ""
        lines.append(f"| {size} | {len(b.seconds)} | {b.median:.1f} | {size / b.median:.2f} | "
                     f"{b.triples:,} | {b.triples / b.median:,.0f} | {b.median / size:.2f} | "
                     f"{b.median * jobs / size:.2f} | {marginal} | {halves} | {tail} | "
                     f"{gib(b.tree_peak)} | {gib(b.single_peak)} |")
        previous = b
    lines += ["", "Marginal: the extra seconds per extra document from the previous size (the "
              "fixed start-up and end-of-build costs cancel out). Steady: from the per-document "
              "stamps of OUT/build.log (1 s resolution), seconds between documents finishing in "
              "the first and in the second half of the build. After last document: from the "
              "last document's stamp to the process's end (catalogue and release files, ±1 s). "
              "Peak RSS: polled every 0.2 s, the sum over the build's process tree (the CLI and "
              "its worker processes) and the largest single process (its VmHWM).", ""]
    return lines


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------

def parse_nt(path: Path) -> list[ox.Triple]:
    """A document's N-Triples dump as triples."""
    return [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)]


def engines_on(path: Path, runs: int) -> tuple[int, float, float, str]:
    """Triples, fast (median of runs) and pyshacl (one run) seconds on one document, and
    whether both report the same findings."""
    triples = parse_nt(path)
    fast = statistics.median(repeat(lambda: validate.validate(triples, "fast"), runs, 1e9))
    start = time.perf_counter()
    reference = validate.validate(triples, "pyshacl")
    seconds = time.perf_counter() - start
    ours = validate.validate(triples, "fast")
    same = sorted(f.key for f in ours.findings) == sorted(f.key for f in reference.findings)
    verdict = (f"{'yes' if same else 'NO'} ({ours.count('Violation')} / "
               f"{reference.count('Violation')} violations)")
    return len(triples), fast, seconds, verdict


def fast_corpus(paths: list[Path], budget: float) -> tuple[int, float, float]:
    """The fast engine over documents one by one until done or past the budget: documents
    validated, seconds validating, seconds parsing."""
    validating = parsing = 0.0
    done = 0
    for path in paths:
        start = time.perf_counter()
        triples = parse_nt(path)
        middle = time.perf_counter()
        validate.validate(triples, "fast")
        parsing += middle - start
        validating += time.perf_counter() - middle
        done += 1
        if done % 25 == 0:
            say(f"validate: {done}/{len(paths)} documents, {validating:.0f} s")
        if validating + parsing > budget:
            break
    return done, validating, parsing


def validate_part(ctx: Context) -> list[str]:
    """Fast engine against pyshacl on a sample; the fast engine over the largest corpus."""
    out = ensure_built(ctx, ctx.largest)
    paths = [out / f"{d.stem}.nt" for d in documents(out)]
    rows = []
    with sampled() as peak:
        for path in paths[: ctx.args.pyshacl_sample]:
            say(f"validate: fast and pyshacl on {path.name} (pyshacl takes minutes)")
            triples, fast, reference, same = engines_on(path, 3)
            rows.append(f"| {path.name} | {triples:,} | {fast:.2f} | {reference:.1f} | "
                        f"{reference / fast:.0f}x | {same} |")
        say(f"validate: fast engine over the {len(paths)} documents of the largest corpus")
        done, validating, parsing = fast_corpus(paths, ctx.args.validate_budget)
    whole = (f"{validating:.1f} s validating ({validating / done:.2f} s per document) + "
             f"{parsing:.1f} s parsing the .nt dumps")
    if done < len(paths):
        whole += (f"; stopped after {done} of {len(paths)} documents (budget "
                  f"{ctx.args.validate_budget:.0f} s): the whole corpus would take "
                  f"~{(validating + parsing) / done * len(paths):.0f} s")
    return ["### Validation: fast engine vs pyshacl (the reference), in this process", "",
            f"pyshacl takes minutes per document here, so it runs on a sample of "
            f"{len(rows)} documents of the {ctx.largest}-document corpus (one run each; fast: "
            "median of 3). Same findings: the same (shape, focus, value) keys from both.", "",
            "| document | triples | fast s | pyshacl s | ratio | same findings (violations "
            "fast / pyshacl) |", "|---|---:|---:|---:|---:|---|", *rows, "",
            f"Fast engine over every document of the {ctx.largest}-document corpus, one by one "
            f"in one process (the build runs the same per document, in its workers): {done} "
            f"documents, {whole}. Peak RSS of this process during the validation part: "
            f"{gib(peak.tree)} (at its start {gib(peak.start_rss)}).", ""]


# ---------------------------------------------------------------------------------------------
# Load
# ---------------------------------------------------------------------------------------------

def load_ours(out: Path, store: Path) -> tuple[float, Peak, int, float]:
    """prepare() into a fresh store folder: seconds, peak memory, the files it loaded and the
    seconds from the start of the last file's load to the end (that file, flush, optimize)."""
    for path in (store, store.with_name(store.name + ".loading")):
        shutil.rmtree(path, ignore_errors=True)
    starts: list[float] = []
    with sampled() as peak:
        start = time.perf_counter()
        prepare(out, DEFAULT_BASE, store, lambda _: starts.append(time.perf_counter()))
        end = time.perf_counter()
    return end - start, peak, len(starts), end - (starts[-1] if starts else start)


def load_raw(nq: Path, store: Path) -> tuple[float, Peak, int]:
    """pyoxigraph's Store(path).bulk_load of the N-Quads, then flush: seconds, peak memory and
    the quads the store holds."""
    shutil.rmtree(store, ignore_errors=True)
    with sampled() as peak:
        start = time.perf_counter()
        db = ox.Store(str(store))
        db.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        db.flush()
        seconds = time.perf_counter() - start
    quads = len(db)
    del db
    gc.collect()
    return seconds, peak, quads


def load_per_file(out: Path, store: Path) -> float:
    """Diagnostic: raw bulk_load of each document's .nt into its graph, one call per file, then
    flush (the same quads as all.nq): what loading file by file costs by itself."""
    shutil.rmtree(store, ignore_errors=True)
    start = time.perf_counter()
    db = ox.Store(str(store))
    for document in documents(out):
        db.bulk_load(path=str(out / f"{document.stem}.nt"), format=ox.RdfFormat.N_TRIPLES,
                     to_graph=ox.NamedNode(document.graph))
    db.flush()
    seconds = time.perf_counter() - start
    del db
    gc.collect()
    shutil.rmtree(store, ignore_errors=True)
    return seconds


def load_size(ctx: Context, size: int) -> LoadResult:
    """Ours and raw, interleaved, up to --runs times each within the budget."""
    out = ensure_built(ctx, size)
    raw_store = ctx.work / f"raw-store-{size}"
    ours: list[float] = []
    raw: list[float] = []
    per_file: list[float] = []
    ours_peak = raw_peak = raw_quads = files = 0
    tails: list[float] = []
    while len(ours) < ctx.args.runs:
        say(f"load {size}: run {len(ours) + 1} (load {loadavg()})")
        seconds, peak, files, tail = load_ours(out, ctx.store(size))
        ours.append(seconds)
        tails.append(tail)
        ours_peak = max(ours_peak, peak.tree)
        seconds, peak, raw_quads = load_raw(out / "all.nq", raw_store)
        raw.append(seconds)
        raw_peak = max(raw_peak, peak.tree)
        per_file.append(load_per_file(out, ctx.work / f"file-store-{size}"))
        say(f"load {size}: ours {ours[-1]:.1f} s, raw {raw[-1]:.1f} s, raw file by file "
            f"{per_file[-1]:.1f} s")
        spent = sum(ours) + sum(raw) + sum(per_file)
        if spent + spent / len(ours) > ctx.args.budget:
            break
    raw_bytes = du(raw_store)
    shutil.rmtree(raw_store, ignore_errors=True)
    ours_quads = len(ox.Store.read_only(str(ctx.store(size))))
    return LoadResult(size, ours, raw, ours_quads, raw_quads, du(ctx.store(size)), raw_bytes,
                      ours_peak, raw_peak, files, statistics.median(tails), per_file)


def marginal_rates(before: LoadResult | None, after: LoadResult) -> str:
    """Extra quads per extra second from one size to the next, ours and raw (the fixed costs
    of a load, such as the vocabulary, cancel out)."""
    if before is None:
        return ""
    median = statistics.median
    ours = (after.ours_quads - before.ours_quads) / (median(after.ours) - median(before.ours))
    raw = (after.raw_quads - before.raw_quads) / (median(after.raw) - median(before.raw))
    return f"{ours:,.0f}, {raw:,.0f} ({ours / raw:.0%})"


def load_part(ctx: Context) -> list[str]:
    """Our bulk load against the raw bulk_load for every size."""
    for size in sorted(ctx.sizes):
        ctx.loads[size] = load_size(ctx, size)
    lines = ["### Load: our bulk load into the embedded store vs pyoxigraph's raw bulk_load", "",
             "Ours: `budgetkg.serve.load.prepare(OUT, base, fresh_dir)` (every document's .nt in "
             "its graph, each report with its document, the catalogue, plus the ontology, code "
             "lists and shapes; then flush and optimize). Raw: `Store(fresh_dir).bulk_load(path="
             "OUT/all.nq, format=N_QUADS)` then flush (the document graphs only; the physical "
             "limit). Interleaved, median seconds; quads counted in each store afterwards.", "",
             "| documents | runs | ours s | ours quads | ours quads/s | raw s | raw quads | "
             "raw quads/s | ours / raw speed | raw, one call per .nt: s, quads/s | ours: files "
             "loaded, last file + flush + optimize s | marginal quads/s from the previous size "
             "(ours, raw) | store bytes/quad (ours, raw) | peak RSS (ours, raw) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|---|"]
    previous: LoadResult | None = None
    for size in sorted(ctx.loads):
        r = ctx.loads[size]
        ours_rate, raw_rate = r.rates()
        lines.append(f"| {size} | {len(r.ours)} | {statistics.median(r.ours):.1f} | "
                     f"{r.ours_quads:,} | {ours_rate:,.0f} | {statistics.median(r.raw):.1f} | "
                     f"{r.raw_quads:,} | {raw_rate:,.0f} | {ours_rate / raw_rate:.0%} | "
                     f"{statistics.median(r.per_file):.1f}, "
                     f"{r.raw_quads / statistics.median(r.per_file):,.0f} | "
                     f"{r.files:,}, {r.tail:.1f} | {marginal_rates(previous, r)} | "
                     f"{r.ours_bytes / r.ours_quads:.0f}, {r.raw_bytes / r.raw_quads:.0f} | "
                     f"{gib(r.ours_peak)}, {gib(r.raw_peak)} |")
        previous = r
    return [*lines, "", "Peak RSS: of this process (and its children) while loading.", ""]


# ---------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------

def named_queries() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(QUERIES.glob("*.rq"))}


def measure(side: Side, ask: Callable[[str], int], runs: int, budget: float,
            queries: dict[str, str] | None = None) -> Side:
    """Every (named) query on one side: a first (cold) run, then up to `runs` within the budget
    per query (none when the first run alone took half the budget: then p50 = p99 = first)."""
    for name, text in (queries or named_queries()).items():
        start = time.perf_counter()
        side.rows[name] = ask(text)
        side.first[name] = time.perf_counter() - start
        left = budget - side.first[name]
        side.runs[name] = (repeat(partial(ask, text), runs, left)
                           if side.first[name] < budget / 2 else [])
        say(f"queries {side.name}: {name} {side.rows[name]} rows, first "
            f"{side.first[name]:.2f} s, p50 {side.p(name, 50):.0f} ms")
    return side


def embedded_ask(store: ox.Store) -> Callable[[str], int]:
    """A query on the pyoxigraph store, every solution's terms materialised."""
    def ask(text: str) -> int:
        result = store.query(text, use_default_graph_as_union=True)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("the named queries are SELECT queries")
        return len([tuple(solution) for solution in result])

    return ask


def one_document(graph: str) -> dict[str, str]:
    """Each named query that names its document graph (GRAPH ?graph) narrowed to one document
    graph (`@one`): the same joins, one document's answer. The cross-document queries span all
    documents by design and are not narrowed."""
    return {f"{name}@one": text.replace("GRAPH ?graph {", f"VALUES ?graph {{ <{graph}> }}\n"
                                        "  GRAPH ?graph {", 1)
            for name, text in named_queries().items() if "GRAPH ?graph {" in text}


def embedded_side(ctx: Context, size: int, narrowed: bool = False) -> Side:
    """The named queries on the read-only on-disk store of a size (prepared when missing),
    and with `narrowed` also each narrowed to the corpus's first document."""
    out = ensure_built(ctx, size)
    store = prepare(out, DEFAULT_BASE, ctx.store(size))
    side = Side(f"embedded {size}")
    queries = named_queries()
    if narrowed:
        queries |= one_document(documents(out)[0].graph)
    with sampled() as peak:
        db = ox.Store.read_only(str(store))
        measure(side, embedded_ask(db), ctx.args.query_runs, ctx.args.query_budget, queries)
        del db
    side.setup = f"pyoxigraph {version('pyoxigraph')} read-only Store on the prepared store"
    side.peak = f"{gib(peak.tree)} (this process; at start {gib(peak.start_rss)})"
    return side


def memory_side(ctx: Context, size: int) -> Side:
    """Diagnostic: the named queries on an in-memory pyoxigraph Store of a size's all.nq (the
    same engine without the on-disk store)."""
    nq = ensure_built(ctx, size) / "all.nq"
    with sampled() as peak:
        start = time.perf_counter()
        db = ox.Store()
        db.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        seconds = time.perf_counter() - start
        side = measure(Side(f"in-memory {size}"), embedded_ask(db), ctx.args.query_runs,
                       ctx.args.query_budget)
        del db
    gc.collect()
    side.setup = (f"diagnostic: pyoxigraph in-memory Store, all.nq bulk-loaded in {seconds:.0f} "
                  "s")
    side.peak = f"{gib(peak.tree)} (this process; at start {gib(peak.start_rss)})"
    return side


def rdflib_child(nq: str, runs: int, budget: float) -> tuple[Side, float, int]:
    """In a child process: load the N-Quads into an rdflib Dataset, run the named queries;
    the side, the load seconds and the child's peak RSS."""
    import rdflib

    start = time.perf_counter()
    dataset = rdflib.Dataset(default_union=True)  # as the other stores: the union of the graphs
    dataset.parse(nq, format="nquads")
    seconds = time.perf_counter() - start
    side = measure(Side("rdflib"), lambda text: len(list(dataset.query(text))), runs, budget)
    return side, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def rdflib_side(ctx: Context, size: int) -> Side:
    """rdflib's in-memory Dataset of a size's all.nq, in a child process (its memory is its
    own and freed at the end)."""
    nq = ensure_built(ctx, size) / "all.nq"
    say(f"queries rdflib {size}: loading {nq} ({gib(nq.stat().st_size)}) into a Dataset")
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        side, seconds, peak = pool.submit(rdflib_child, str(nq), ctx.args.query_runs,
                                          ctx.args.query_budget).result()
    side.name = f"rdflib {size}"
    side.setup = (f"rdflib {version('rdflib')} Dataset, all.nq parsed in {seconds:.0f} s "
                  f"({quads(ctx, size) / seconds:,.0f} quads/s)")
    side.peak = f"{gib(peak)} (the child process)"
    return side


def virtuoso_rows(endpoint: str, text: str) -> int:
    """A named query through budgetkg.remote (SPARQLWrapper, JSON results)."""
    answer = remote.query(endpoint, text)
    if not isinstance(answer, remote.Solutions):
        raise TypeError("the named queries are SELECT queries")
    return len(answer.rows)


def virtuoso_side(ctx: Context, size: int) -> Side:
    """A private Virtuoso on loopback: `budgetkg push` of a size, then the named queries;
    stopped at the end whatever happens."""
    out = ensure_built(ctx, size)
    folder = ctx.work / "virtuoso"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    side = Side(f"Virtuoso {size}")
    try:
        with contextmanager(run_virtuoso)(folder) as server, sampled() as peak:
            say(f"queries Virtuoso {size}: push (load {loadavg()})")
            target = push.Target(server.sparql_auth, server.graph_store, server.user,
                                 server.password)
            start = time.perf_counter()
            pushed = push.push(out, target)
            seconds = time.perf_counter() - start
            if pushed.failed:
                raise SystemExit(f"push failed: {pushed.failed[:3]}")
            ctx.push_rate = pushed.triples / seconds
            measure(side, lambda text: virtuoso_rows(server.sparql, text), ctx.args.query_runs,
                    ctx.args.query_budget)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    side.setup = (f"{virtuoso_version()} on loopback (tests/virtuoso.py), `budgetkg push` "
                  f"(Graph Store PUT) of {pushed.triples:,} triples in {seconds:.0f} s "
                  f"({ctx.push_rate:,.0f} triples/s); queries by budgetkg.remote (HTTP, JSON)")
    side.peak = (f"virtuoso-t {gib(peak.by_name.get('virtuoso-t', 0))}, this process "
                 f"{gib(peak.by_name.get('python', 0))}")
    return side


def virtuoso_version() -> str:
    """Virtuoso's version line, or "Virtuoso" when the program is not installed yet."""
    if not shutil.which("virtuoso-t"):
        return "Virtuoso Open Source 7"
    text = subprocess.run(["virtuoso-t", "+version"], capture_output=True, text=True).stderr
    found = [line.split(" as of")[0] for line in text.splitlines() if line.startswith("Version")]
    return f"Virtuoso Open Source {found[0].removeprefix('Version ')}" if found else "Virtuoso"


def quads(ctx: Context, size: int) -> int:
    """The triples of a size's document graphs (= the quads of its all.nq)."""
    return sum(d.counts.triples for d in documents(ensure_built(ctx, size)))


def compare_size(ctx: Context) -> int:
    """The size rdflib and Virtuoso run on: --compare-size, else the largest whose all.nq has
    at most --rdflib-max-quads quads."""
    if ctx.args.compare_size:
        return int(ctx.args.compare_size)
    fitting = [s for s in ctx.sizes if quads(ctx, s) <= ctx.args.rdflib_max_quads]
    return max(fitting) if fitting else min(ctx.sizes)


def queries_part(ctx: Context) -> list[str]:
    """The named queries: embedded on the largest store and on the comparison store, rdflib and
    Virtuoso on the comparison store."""
    compare = compare_size(ctx)
    ctx.sides = [(ctx.largest, embedded_side(ctx, ctx.largest, narrowed=True))]
    if compare != ctx.largest:
        ctx.sides.append((compare, embedded_side(ctx, compare)))
    ctx.sides.append((compare, memory_side(ctx, compare)))
    ctx.sides.append((compare, virtuoso_side(ctx, compare)))
    ctx.sides.append((compare, rdflib_side(ctx, compare)))
    return query_lines(ctx, compare)


def query_lines(ctx: Context, compare: int) -> list[str]:
    """The tables of the queries part."""
    lines = ["### Named queries (queries/*.rq): p50 / p99 in ms", "",
             f"Each query once cold (first), then up to {ctx.args.query_runs} runs within "
             f"{ctx.args.query_budget:.0f} s per query and engine (runs column; none when the "
             "first run took half the budget: p50 = p99 = first); p99 by nearest rank (with "
             "few runs, about the slowest). In-process engines materialise every solution; "
             "Virtuoso's times include HTTP and JSON.", ""]
    if compare != ctx.largest:
        lines += [f"rdflib and Virtuoso run on the {compare}-document store, not the "
                  f"{ctx.largest}-document one: rdflib's load of the {ctx.largest}-document "
                  f"all.nq ({quads(ctx, ctx.largest):,} quads) would not fit the time and "
                  "memory of this run (above --rdflib-max-quads "
                  f"{ctx.args.rdflib_max_quads:,}), and the embedded store is measured on both "
                  "sizes so that each ratio compares the same data.", ""]
    lines += ["| engine | documents | query | rows | first ms | runs | p50 ms | p99 ms |",
              "|---|---:|---|---:|---:|---:|---:|---:|"]
    for size, side in ctx.sides:
        for name in side.rows:
            lines.append(f"| {side.name.split()[0]} | {size} | {name} | {side.rows[name]:,} | "
                         f"{side.first[name] * 1000:.0f} | {len(side.runs[name])} | "
                         f"{side.p(name, 50):.0f} | {side.p(name, 99):.0f} |")
    lines += ["", *(f"- {side.name}: {side.setup}; peak RSS {side.peak}." for _, side in
                    ctx.sides), ""]
    return lines


# ---------------------------------------------------------------------------------------------
# Targets, national scale, the section
# ---------------------------------------------------------------------------------------------

def per_document(ctx: Context) -> tuple[float, float]:
    """Fixed seconds and marginal seconds per document of a build, from the two largest sizes
    built (one size: no fixed part)."""
    sizes = sorted(ctx.builds)
    last = ctx.builds[sizes[-1]]
    if len(sizes) < 2:
        return 0.0, last.median / last.size
    before = ctx.builds[sizes[-2]]
    marginal = (last.median - before.median) / (last.size - before.size)
    return last.median - marginal * last.size, marginal


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def target_budget(ctx: Context) -> str:
    """Build + validate + load of 1000 documents under 2 minutes."""
    fixed, marginal = per_document(ctx)
    measured = TARGET_DOCUMENTS in ctx.builds
    build = (ctx.builds[TARGET_DOCUMENTS].median if measured
             else fixed + marginal * TARGET_DOCUMENTS)
    load = 0.0
    if TARGET_DOCUMENTS in ctx.loads:
        load = statistics.median(ctx.loads[TARGET_DOCUMENTS].ours)
    elif ctx.loads:
        r = ctx.loads[max(ctx.loads)]
        load = r.ours_quads / r.size * TARGET_DOCUMENTS / r.rates()[0]
    total = build + load
    jobs = ctx.args.jobs
    how = "measured" if measured else (f"extrapolated from {max(ctx.builds)} documents: "
                                       f"{max(fixed, 0):.0f} s fixed + {marginal:.2f} s per "
                                       "document")
    return (f"- Build + validate + load of {TARGET_DOCUMENTS} documents on {jobs} cores under "
            f"{TARGET_SECONDS} s: {met(total < TARGET_SECONDS)}: {total:.0f} s (build with its "
            f"validation {build:.0f} s, {how}; load {load:.0f} s at the measured quads/s). "
            f"{jobs} cores at {marginal * jobs:.2f} s per document per core make "
            f"{TARGET_DOCUMENTS} documents take ~{marginal * TARGET_DOCUMENTS:.0f} s; "
            f"{TARGET_SECONDS} s needs {TARGET_DOCUMENTS / TARGET_SECONDS:.1f} documents/s "
            f"({TARGET_SECONDS * jobs / TARGET_DOCUMENTS:.2f} s per document per core, "
            f"{marginal * jobs / (TARGET_SECONDS * jobs / TARGET_DOCUMENTS):.0f}x faster than "
            f"measured), against {1 / marginal:.2f} documents/s measured.")


def target_load(ctx: Context) -> str:
    """Our load at least 70% of raw bulk_load."""
    parts = []
    for size, r in sorted(ctx.loads.items()):
        ours, raw = r.rates()
        parts.append(f"{size} documents {ours / raw:.0%} ({ours:,.0f} vs {raw:,.0f} quads/s)")
    ok = all(r.rates()[0] >= LOAD_SHARE * r.rates()[1] for r in ctx.loads.values())
    r = ctx.loads[max(ctx.loads)]
    per_file = r.raw_quads / statistics.median(r.per_file)
    why = ("" if ok else f" Ours makes one bulk_load call per file ({r.files:,} files at "
           f"{r.size} documents: each document's .nt and its Turtle report, the catalogue, the "
           "vocabulary), then flush and optimize (the last file's load, flush and optimize took "
           f"{r.tail:.1f} s); raw makes one call on one N-Quads file and no optimize. Raw "
           f"bulk_load of the same documents' .nt one call per file goes at {per_file:,.0f} "
           f"quads/s ({per_file / r.rates()[1]:.0%} of one call): loading file by file alone "
           f"costs raw bulk_load {1 - per_file / r.rates()[1]:.0%} of its speed.")
    return (f"- Load at least {LOAD_SHARE:.0%} of raw bulk_load: {met(ok)}: "
            + "; ".join(parts) + "." + why)


def target_queries(ctx: Context) -> list[str]:
    """Every named query p50 under 200 ms on the largest store, 20x faster than rdflib."""
    sides = {side.name: side for _, side in ctx.sides}
    largest = sides[f"embedded {ctx.largest}"]
    rdflib = next(side for side in sides.values() if side.name.startswith("rdflib"))
    ours = sides[f"embedded {rdflib.name.split()[1]}"]
    names = list(named_queries())
    p50 = {name: largest.p(name, 50) for name in names}
    ratios = {name: rdflib.p(name, 50) / ours.p(name, 50) for name in names}
    slow = [n for n in names if p50[n] >= QUERY_MS]
    why = ""
    if slow:
        narrowed = [n for n in names if f"{n}@one" in largest.first]
        why = (" Every named query spans all the documents of the store (each aggregates or lists "
               "across the corpus; the table-* ones return every printed cell, row or column), "
               "so its cost grows with the store: at "
               f"{ctx.largest} documents "
               + ", ".join(f"{n} {largest.rows[n]:,} rows" for n in slow) + "."
               + (" The queries that name their document graph, narrowed to one document: "
                  + ", ".join(f"{n} {largest.p(n + '@one', 50):,.0f} ms" for n in narrowed)
                  + "." if narrowed else ""))
    return [
        f"- Every named query p50 under {QUERY_MS:.0f} ms on the {ctx.largest}-document "
        f"embedded store: {met(not slow)}: "
        + ", ".join(f"{n} {p50[n]:,.0f} ms" for n in names) + "." + why,
        f"- At least {QUERY_RATIO:.0f}x faster than rdflib (p50, {rdflib.name.split()[1]} "
        f"documents, same data): {met(all(r >= QUERY_RATIO for r in ratios.values()))}: "
        + ", ".join(f"{n} {r:.1f}x" for n, r in ratios.items()) + "." + in_memory(sides, names),
    ]


def in_memory(sides: dict[str, Side], names: list[str]) -> str:
    """What the diagnostic in-memory store says about the query targets."""
    memory = next((side for side in sides.values() if side.name.startswith("in-memory")), None)
    rdflib = next(side for side in sides.values() if side.name.startswith("rdflib"))
    if memory is None:
        return ""
    size = memory.name.split()[1]
    disk = sides[f"embedded {size}"]
    slower = statistics.median(disk.p(n, 50) / memory.p(n, 50) for n in names)
    return (f" The same engine on an in-memory pyoxigraph store of the same {size} documents "
            "(diagnostic): " + ", ".join(
                f"{n} {memory.p(n, 50):,.0f} ms ({rdflib.p(n, 50) / memory.p(n, 50):.0f}x "
                f"rdflib, {disk.p(n, 50) / memory.p(n, 50):.1f}x faster than on disk)"
                for n in names) + (": most of the gap is the on-disk store's reads, not the "
                                   "query engine." if slower >= 2 else "."))


def target_memory_and_curve(ctx: Context) -> list[str]:
    """Peak RSS under 2 GB; cost per document flat."""
    lines = []
    if ctx.builds:
        peaks = ", ".join(f"{s}: {gib(b.tree_peak)}" for s, b in sorted(ctx.builds.items()))
        worst = max(b.tree_peak for b in ctx.builds.values())
        lines.append(f"- Build peak RSS (process tree) under 2 GB: {met(worst < RSS_LIMIT)}: "
                     f"{peaks}.")
    if len(ctx.builds) >= 2:
        lines.append(curve_verdict(ctx))
    return lines


def curve_verdict(ctx: Context) -> str:
    """Cost per document flat from the smallest to the largest size."""
    sizes = sorted(ctx.builds)
    marginals = [(ctx.builds[b].median - ctx.builds[a].median) / (b - a)
                 for a, b in pairwise(sizes)]
    halves = [b.halves for b in ctx.builds.values() if b.halves]
    flat = all(m <= 1.25 * marginals[0] for m in marginals) and all(
        second <= 1.25 * first for first, second in halves)
    steady = (f"; steady s/document first/second half "
              f"{', '.join(f'{a:.2f}/{b:.2f}' for a, b in halves)}" if halves else "")
    return (f"- Cost per document flat ({sizes[0]} to {sizes[-1]} documents): {met(flat)}: "
            f"marginal s/document {', '.join(f'{m:.2f}' for m in marginals)}{steady} "
            "(flat: within 25%)."
            + ("" if len(sizes) > 2 else " Two sizes give one marginal cost; the halves of each "
               "build show whether a document costs more as the output folder grows."))


def targets_lines(ctx: Context) -> list[str]:
    """The "Targets" paragraph from whatever parts ran."""
    lines = ["### Targets (issue 8)", ""]
    if ctx.builds:
        lines.append(target_budget(ctx))
    if ctx.loads:
        lines.append(target_load(ctx))
    if ctx.sides:
        lines += target_queries(ctx)
    lines += target_memory_and_curve(ctx)
    return [*lines, ""]


def national_lines(ctx: Context) -> list[str]:
    """The national-scale arithmetic from the measured numbers."""
    if not ctx.builds:
        return []
    docs, size = ctx.args.national_docs, max(ctx.builds)
    per_doc_core = per_document(ctx)[1] * ctx.args.jobs
    per_doc_triples = ctx.builds[size].triples / size
    triples = per_doc_triples * docs
    hours = ", ".join(f"{n} workers {per_doc_core * docs / n / 3600:,.1f} h"
                      for n in (2, 16, 64, 256))
    text = (f"National scale: assuming ~{docs:,} department and unit documents a year ("
            f"{NATIONAL_BASIS}), at the measured {per_doc_triples:,.0f} triples per document "
            f"({size}-document corpus) the national graph holds ~{triples / 1e9:.1f} billion "
            f"triples a year. At the measured {per_doc_core:.2f} s per document per core (build "
            f"with validation, {size} documents on {ctx.args.jobs} cores) a year's documents "
            f"take {per_doc_core * docs / 3600:,.0f} core-hours: {hours} (`--jobs` or a Dask "
            "cluster, assuming the per-core rate holds on each worker and storage keeps up).")
    if ctx.loads:
        load = ctx.loads[max(ctx.loads)]
        per_quad = load.ours_bytes / load.ours_quads
        text += (f" The on-disk store takes {per_quad:.0f} bytes per quad (measured, "
                 f"{load.size} documents): ~{per_quad * triples / 1e12:.1f} TB for a year, "
                 f"loaded at {load.rates()[0]:,.0f} quads/s in "
                 f"~{triples / load.rates()[0] / 3600:,.1f} h on one process.")
    if ctx.push_rate:
        text += (f" `budgetkg push` into Virtuoso went at {ctx.push_rate:,.0f} triples/s: "
                 f"~{triples / ctx.push_rate / 3600:,.0f} h for a year through one HTTP stream "
                 "(Virtuoso's own bulk loader is the faster path at that size).")
    return ["### National scale", "", text, ""]


def header_lines(ctx: Context, started: str, ended: str) -> list[str]:
    """Machine, date, versions, load averages, the command."""
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    loads = "; ".join(f"{part} {value}" for part, value in ctx.loads_before.items())
    title = ("10 to 1000 documents, build, validation, load, queries, memory"
             if ctx.args.section == "scale" else
             f"{', '.join(map(str, ctx.sizes))} documents, {', '.join(ctx.args.parts)}")
    return [f"## {ctx.args.section}: {title}", "",
            f"Machine: {cpu}, {os.cpu_count()} cores, {gib(memory)} RAM, {platform.system()} "
            f"{platform.release()}; shared and noisy: load average (1/5/15 min) {started} "
            f"before, {ended} after; at the start of each part: {loads}. Date: "
            f"{date.today().isoformat()}. Python {platform.python_version()}, budgetkg "
            f"{__version__}, pyoxigraph {version('pyoxigraph')}, rdflib {version('rdflib')}, "
            f"pyshacl {version('pyshacl')}.", "",
            f"Command: `python benchmarks/bench_scale.py --sizes "
            f"{','.join(map(str, ctx.sizes))} --runs {ctx.args.runs} --parts "
            f"{','.join(ctx.args.parts)}"
            + (f" --section {ctx.args.section}" if ctx.args.section != "scale" else "")
            + f"` (budget {ctx.args.budget:.0f} s per repeated "
            "measurement; synthetic corpus of benchmarks/make_corpus.py, each size the first N "
            "documents of one corpus).", ""]


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------

def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="corpus sizes (documents)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each build and load")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"subset of {','.join(PARTS)}")
    parser.add_argument("--jobs", type=int, default=2, help="build worker processes")
    parser.add_argument("--budget", type=float, default=600.0,
                        help="seconds a repeated build or load measurement may take in all")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench-scale"))
    parser.add_argument("--corpus", type=Path, help="a folder of .txt documents to draw from")
    parser.add_argument("--pyshacl-sample", type=int, default=2)
    parser.add_argument("--validate-budget", type=float, default=900.0,
                        help="seconds for the fast engine over the largest corpus")
    parser.add_argument("--query-runs", type=int, default=20)
    parser.add_argument("--query-budget", type=float, default=60.0,
                        help="seconds per named query and engine")
    parser.add_argument("--compare-size", type=int, help="the size rdflib and Virtuoso run on")
    parser.add_argument("--rdflib-max-quads", type=int, default=2_000_000)
    parser.add_argument("--national-docs", type=int, default=300_000)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--section", default="scale",
                        help="the section of RESULTS.md to write (another name keeps 'scale')")
    args = parser.parse_args()
    args.parts = [p for p in args.parts.split(",") if p]
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    return args


def main() -> None:
    args = arguments()
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    args.workdir.mkdir(parents=True, exist_ok=True)
    ctx = Context(args, args.workdir, sizes)
    started = loadavg()
    runners: dict[str, Callable[[Context], list[str]]] = {
        "build": build_part, "validate": validate_part, "load": load_part,
        "queries": queries_part}

    def section() -> list[str]:
        return [*header_lines(ctx, started, loadavg()),
                *(line for part in PARTS for line in ctx.lines.get(part, [])),
                *targets_lines(ctx), *national_lines(ctx)]

    for part in PARTS:
        if part in args.parts:
            ctx.loads_before[part] = loadavg()
            say(f"part {part} (load {ctx.loads_before[part]})")
            ctx.lines[part] = runners[part](ctx)
            if args.write:  # each part's results kept as soon as they exist (a run is long)
                write_section(args.section, "\n".join(section()))
    publish(args.section, section(), args.write)


if __name__ == "__main__":
    main()
