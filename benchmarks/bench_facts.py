"""Facts: the named queries over facts against the same answers over printed cells, and the size
the fact layer adds, on the synthetic corpus (benchmarks/make_corpus.py).

Usage: python benchmarks/bench_facts.py [--sizes 100,1000] [--runs 5] [--jobs 2]
           [--workdir DIR] [--write]

For each size: the corpus (make_corpus.generate, seed 0) is built with `budgetkg build --jobs J`
into WORKDIR/facts-N and loaded into the embedded store (budgetkg.serve.load.prepare); each pair
of queries (benchmarks/cell-queries/NAME.rq asks the question of queries/NAME.rq over the printed
cells, knowing the table layouts) is run --runs times, read-only, in this process: the median
wall time of each, and whether both give the same rows. The size of the fact layer is what a
build writes for it: the triples whose subject is a fact or a fact set, and the cells' links to
their facts (bk:statesFact). Corpora and builds stay in WORKDIR and are reused. The section
"facts" of benchmarks/RESULTS.md is printed, and written with --write.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from results import publish, timed  # benchmarks/results.py

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402
from make_corpus import generate  # noqa: E402  (benchmarks/make_corpus.py)

from budgetkg import __version__  # noqa: E402
from budgetkg.iris import DEFAULT_BASE  # noqa: E402
from budgetkg.serve.load import prepare  # noqa: E402

QUERIES = ROOT / "convert" / "budgetkg" / "queries"
CELL_QUERIES = Path(__file__).resolve().parent / "cell-queries"

SIZE = """
PREFIX bk: <https://w3id.org/budgetkg/ontology#>
SELECT (COUNT(*) AS ?facts) WHERE {
  GRAPH ?g { ?s ?p ?o { ?s a bk:Fact } UNION { ?s a bk:FactSet } }
}
"""
LINKS = """
PREFIX bk: <https://w3id.org/budgetkg/ontology#>
SELECT (COUNT(*) AS ?links) WHERE { GRAPH ?g { ?s bk:statesFact ?o } }
"""


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def build(size: int, workdir: Path, jobs: int) -> Path:
    """The corpus of `size` documents built once (reused when its manifest is there)."""
    corpus, out = workdir / f"corpus-{size}", workdir / f"facts-{size}"
    if not any(corpus.glob("*.txt")):
        say(f"generating {size} documents")
        generate(size, corpus)
    if not (out / "manifest.json").exists():
        say(f"building {size} documents (--jobs {jobs})")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "budgetkg", "build", str(corpus), "-o", str(out),
                        "--jobs", str(jobs)], check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "convert")})
        say(f"built in {time.perf_counter() - start:.0f} s")
    return out


def rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    return [tuple("" if v is None else str(v.value) for v in s) for s in solutions]


def count(store: ox.Store, query: str) -> int:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return int(next(iter(solutions))[0].value)  # type: ignore[union-attr]


def measure(size: int, store: ox.Store, runs: int) -> list[str]:
    lines = []
    for cells in sorted(CELL_QUERIES.glob("*.rq")):
        over_facts = (QUERIES / cells.name).read_text(encoding="utf-8")
        over_cells = cells.read_text(encoding="utf-8")
        same = rows(store, over_facts) == rows(store, over_cells)
        answers = len(rows(store, over_facts))
        facts_ms = statistics.median(timed(lambda q=over_facts: rows(store, q), runs)) * 1000
        cells_ms = statistics.median(timed(lambda q=over_cells: rows(store, q), runs)) * 1000
        say(f"{size} documents, {cells.stem}: facts {facts_ms:.0f} ms, cells {cells_ms:.0f} ms")
        lines.append(f"| {size} | {cells.stem} | {answers} | {facts_ms:.0f} | {cells_ms:.0f} | "
                     f"{cells_ms / facts_ms:.1f} | {'yes' if same else 'NO'} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench-facts"))
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    timing: list[str] = []
    sizing: list[str] = []
    ratios: list[float] = []
    for size in sizes:
        out = build(size, args.workdir, args.jobs)
        say(f"loading {size} documents")
        folder = prepare(out, DEFAULT_BASE, args.workdir / f"store-{size}")
        store = ox.Store.read_only(str(folder))
        total = len(store)
        facts, links = count(store, SIZE), count(store, LINKS)
        sizing.append(f"| {size} | {total} | {facts} | {links} | "
                      f"{(facts + links) / total:.1%} |")
        measured = measure(size, store, args.runs)
        timing += measured
        ratios += [float(line.split("|")[6]) for line in measured]
        del store
    lines = [
        f"## facts: named queries over facts vs over printed cells, and the fact layer's size "
        f"({date.today()})", "",
        f"budgetkg {__version__}, Python {platform.python_version()}, pyoxigraph "
        f"{ox.__version__ if hasattr(ox, '__version__') else ''}, {os.cpu_count()} cores, load "
        f"{'/'.join(f'{x:.1f}' for x in os.getloadavg())} at the end (a test suite ran beside "
        "it). Synthetic corpus (make_corpus.py, seed 0) built with "
        f"`budgetkg build --jobs {args.jobs}`, loaded with `budgetkg serve`'s bulk load; each "
        f"query run {args.runs} times, read-only, in one process (median). The query over facts "
        "is the named query (queries/NAME.rq); the one over cells (benchmarks/cell-queries/) "
        "asks the same of the printed tables, knowing their layouts; same: both give the same "
        "rows.", "",
        "| documents | query | rows | facts p50 ms | cells p50 ms | cells / facts | same |",
        "|---:|---|---:|---:|---:|---:|---|", *timing, "",
        f"Over facts these queries take {1 / max(ratios):.1f} to {1 / min(ratios):.1f} times as "
        "long as over cells in pyoxigraph: every dimension a fact is not broken down by holds "
        "its total, one more unselective pattern to join (function/total, funding-source/total "
        "… match most facts). What the facts save is the knowledge of table layouts (which "
        "table, row and column print a total), not time.", "",
        "Size of the fact layer: the triples about facts and fact sets (dimensions with their "
        "totals, amount, tolerance, currency, aggregation level, OBEU codes, cell count) and "
        "the cells' bk:statesFact links, against every quad of the store.", "",
        "| documents | quads | fact triples | statesFact links | share |",
        "|---:|---:|---:|---:|---:|", *sizing, ""]
    publish("facts", lines, args.write)


if __name__ == "__main__":
    main()
