"""Push throughput into Virtuoso Open Source 7: a build folder replaced graph by graph through
the Graph Store Protocol and through the SPARQL Update fallback.

Usage: python benchmarks/bench_push.py BUILD_FOLDER [--runs R] [--write]

BUILD_FOLDER is a `budgetkg build` output, e.g. of the synthetic corpus:
    python benchmarks/make_corpus.py 1000 /tmp/corpus/docs
    budgetkg build /tmp/corpus/docs/*.txt -o /tmp/corpus/out
Virtuoso is started privately on loopback ports (installed from Debian when missing, as the
tests do). Each push replaces every graph, so repeated runs measure the same work. Writes the
"push" section of RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path

from results import publish, timed  # benchmarks/results.py

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from budgetkg import push  # noqa: E402
from tests.virtuoso import Virtuoso, run  # noqa: E402


def _measure(folder: Path, target: push.Target, runs: int) -> tuple[float, int]:
    """Median seconds of a whole push, and the triples it writes."""
    written: list[int] = []

    def once() -> None:
        result = push.push(folder, target)
        if result.failed:
            raise SystemExit(f"push failed: {result.failed[:3]}")
        written.append(result.triples)

    return statistics.median(timed(once, runs)), written[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    documents = len(push.graphs(args.folder))
    with tempfile.TemporaryDirectory() as tmp:
        server = run(Path(tmp))
        store: Virtuoso = next(server)
        rows = []
        for name, graph_store in (("Graph Store Protocol (PUT)", store.graph_store),
                                  ("SPARQL Update (fallback)", None)):
            target = push.Target(store.sparql_auth, graph_store, store.user, store.password)
            seconds, triples = _measure(args.folder, target, args.runs)
            rows.append(f"| {name} | {documents} | {triples:,} | {seconds:.1f} | "
                        f"{triples / seconds:,.0f} |")
        server.close()
    publish("push", [
        "## push",
        "",
        f"`python benchmarks/bench_push.py BUILD --runs {args.runs}` on {date.today()}, "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        "Virtuoso Open Source 7 (Debian) on loopback, default buffers (20,000). Median of "
        f"{args.runs} full pushes; each replaces every document graph.",
        "",
        "| method | documents | triples | seconds | triples/s |",
        "|---|---:|---:|---:|---:|",
        *rows,
    ], args.write)


if __name__ == "__main__":
    main()
