"""Validation: the fast engine against pyshacl (the reference), and mutation detection rates.

Usage: python benchmarks/bench_validate.py [--corpus N] [--pyshacl-sample K] [--pyshacl-jobs J]
                                          [--write]

Measured in one run: both engines on the example document; the fast engine on every document of
a synthetic corpus (benchmarks/make_corpus.py), and on the corpus as one graph with --union;
pyshacl on K of those documents, in J worker processes (pyshacl takes a minute or more per
document; the table says when it ran on fewer than all), and whether both engines find the same
on each; the share of mutated copies of the example in which the validator
finds a new contradiction, per mutation class. Writes the "validate" section of RESULTS.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from results import publish, timed  # benchmarks/results.py

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "000_d2b944fced3ace59.txt"
sys.path.insert(0, str(ROOT))

from budgetkg import map as mapper  # noqa: E402
from budgetkg import validate  # noqa: E402
from budgetkg.mapping import load  # noqa: E402
from budgetkg.read import read  # noqa: E402
from tests.mutations import CLASSES, mutants  # noqa: E402

BASE = "https://data.budgetkg.org/"
TARGET_RATIO = 20  # issue 4


def _graph(path: Path) -> list:  # type: ignore[type-arg]
    mappings = load()
    return mapper.to_graph(read(path, mappings), mappings, BASE)[1]


def _seconds(fn: Callable[[], object], runs: int) -> float:
    return statistics.median(timed(fn, runs))


def _detection(per_class: int) -> dict[str, float]:
    baseline = {(f.key, f.message_en) for f in validate.validate(_graph(EXAMPLE)).findings}
    rates = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in CLASSES:
            found = 0
            for i, mutant in enumerate(mutants(EXAMPLE.read_text("utf-8"), kind, per_class, 11)):
                path = Path(tmp) / f"{kind}-{i}" / EXAMPLE.name
                path.parent.mkdir()
                path.write_text(mutant.text, encoding="utf-8")
                new = {(f.key, f.message_en) for f in validate.validate(_graph(path)).findings}
                found += bool(new - baseline)
            rates[kind] = found / per_class
    return rates


def _reference(path: Path) -> tuple[float, bool]:
    """pyshacl's seconds on one document, and whether the fast engine finds the same; runs in
    a worker process."""
    triples = _graph(path)
    start = time.perf_counter()
    reference = validate.validate(triples, "pyshacl")
    seconds = time.perf_counter() - start
    fast = validate.validate(triples, "fast")
    return seconds, {f.key for f in reference.findings} == {f.key for f in fast.findings}


def _target(example: float, corpus: float, whole: bool, size: int) -> str:
    """The issue's target: the fast engine at least 20x faster than pyshacl on the example and
    on the corpus."""
    met = example >= TARGET_RATIO and whole and corpus >= TARGET_RATIO
    return (f"Target: the fast engine at least {TARGET_RATIO}x faster than pyshacl on the example "
            f"document and on {size} synthetic documents: {'met' if met else 'NOT met'} "
            f"({example:.0f}x on the example, "
            + (f"{corpus:.0f}x on the {size} documents)." if whole else
               f"pyshacl run on a sample only, not on all {size} documents).")
            + " Each document is validated alone, as `budgetkg build` and `budgetkg validate` "
              "do (with the other years of its department for the shapes that compare years).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=int, default=100)
    parser.add_argument("--pyshacl-sample", type=int, default=1)
    parser.add_argument("--pyshacl-jobs", type=int, default=1,
                        help="worker processes for the pyshacl sample (one document each at a "
                             "time; the figure is the sum of their per-document times)")
    parser.add_argument("--mutants", type=int, default=10, help="per mutation class")
    parser.add_argument("--union", action="store_true",
                        help="also validate the whole corpus as one graph (fast engine only)")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    example = _graph(EXAMPLE)
    fast_example = _seconds(lambda: validate.validate(example, "fast"), 5)
    reference_example = _seconds(lambda: validate.validate(example, "pyshacl"), 1)

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"),
                        str(args.corpus), str(corpus)], check=True, capture_output=True)
        docs = sorted(corpus.glob("*.txt"))
        graphs = [_graph(p) for p in docs]
        start = time.perf_counter()
        for triples in graphs:
            validate.validate(triples, "fast")
        fast_each = time.perf_counter() - start
        union = [t for triples in graphs for t in triples] if args.union else []
        fast_union = _seconds(lambda: validate.validate(union, "fast"), 1) if union else 0.0
        sample = docs[: args.pyshacl_sample]
        reference_total, agree = 0.0, 0
        with multiprocessing.get_context("fork").Pool(args.pyshacl_jobs) as pool:
            for number, (seconds, same) in enumerate(pool.imap(_reference, sample), 1):
                reference_total += seconds
                agree += same
                print(f"pyshacl {number}/{len(sample)}: {reference_total:.0f} s",
                      file=sys.stderr, flush=True)
        reference_each = reference_total / max(len(sample), 1)

    rates = _detection(args.mutants)
    lines = [
        "## validate: fast engine vs pyshacl, mutation detection",
        "",
        f"Machine: {platform.machine()}, {platform.system()}, Python "
        f"{platform.python_version()}, {os.cpu_count()} cores. Date: {date.today().isoformat()}.",
        "",
        "| what | fast | pyshacl | ratio |",
        "|---|---|---|---|",
        f"| example document ({len(example)} triples) | {fast_example:.2f} s | "
        f"{reference_example:.1f} s | {reference_example / fast_example:.0f}x |",
        f"| synthetic document, mean of {len(docs)} (pyshacl: {len(sample)} of them) | "
        f"{fast_each / len(docs):.2f} s | {reference_each:.1f} s | "
        f"{reference_each / (fast_each / len(docs)):.0f}x |",
        (f"| {len(docs)} synthetic documents, one by one | {fast_each:.1f} s | "
         f"{reference_total / 60:.1f} min (per-document times summed, {args.pyshacl_jobs} "
         f"worker process{'es' if args.pyshacl_jobs > 1 else ''}; same findings on {agree} of "
         f"{len(sample)}) | "
         f"{reference_total / fast_each:.0f}x |" if len(sample) == len(docs) else
         f"| {len(docs)} synthetic documents, one by one | {fast_each:.1f} s | "
         f"~{reference_each * len(docs) / 60:.0f} min (estimated from {len(sample)}, not run; "
         f"same findings on {agree} of them) | |"),
        *([f"| {len(docs)} synthetic documents as one graph | {fast_union:.1f} s "
           f"({len(union)} triples) | not run | |"] if union else []),
        "",
        _target(reference_example / fast_example, reference_total / fast_each,
                len(sample) == len(docs), len(docs)),
        "",
        f"Mutation detection ({args.mutants} mutated copies of the example per class; a "
        "mutant is detected when validation reports a finding the original does not have):",
        "",
        "| class | detected |",
        "|---|---|",
        *(f"| {kind} | {rate:.0%} |" for kind, rate in rates.items()),
        "",
    ]
    publish("validate", lines, args.write)


if __name__ == "__main__":
    main()
