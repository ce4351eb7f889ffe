"""Mutations that must be named (issue 16): one printed thing changed at a time in each real
document, and counted as caught only when a finding names the changed place.

Usage: python benchmarks/bench_mutations.py [--per-class N] [--seed S] [--jobs J] [--alone]
                                            [--write] [DOCUMENT-or-FOLDER ...]

Each document (default: ../shared/docs and ../shared/corpus, a document of two files read as
one) is read once (pipeline.normalised); then, for each class of tests/printed_mutations.py (an
amount in any table, a figure of the narrative, a classification code, a class name), N
mutations drawn with a fixed seed are made on the normalised document, each linked, mapped and
validated as `budgetkg build` validates it: with the other years of its organisation among the
documents (validate.compare), or, with --alone, by itself. A mutation is caught when a finding
that the unchanged document does not have names
its place: the cell's row and column (an amount), the row (a code or a name), the sentence (a
narrative figure). A mutation that is not caught is "seen elsewhere" when it gives new findings
that name other places, else "unseen". Prints the tables and, with --write, puts them in the
"mutations" section of RESULTS.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox
from results import publish  # benchmarks/results.py

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BUDGETKG_SHARED", ROOT.parent / "shared"))
sys.path.insert(0, str(ROOT))

from budgetkg import batch, pipeline, validate  # noqa: E402
from budgetkg.publish import series_of, stem  # noqa: E402
from budgetkg.tables import Document  # noqa: E402
from tests.printed_mutations import CLASSES, finding_key, mutations, naming  # noqa: E402

BASE = "https://data.budgetkg.org/"
TARGET = {"amount": 0.95, "narrative": 0.95, "code": 0.95}  # issue 16: the rate to reach


@dataclass
class Outcome:
    """One document's mutations: per class, made / caught / seen elsewhere; the shapes that
    named them; one line per mutation not caught."""

    document: str
    made: Counter[str] = field(default_factory=Counter)
    caught: Counter[str] = field(default_factory=Counter)
    elsewhere: Counter[str] = field(default_factory=Counter)
    naming: Counter[tuple[str, str]] = field(default_factory=Counter)
    missed: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _short(shape: str) -> str:
    return shape.rsplit("/", 1)[-1]


@dataclass
class Job:
    """One document to mutate, the other years of its organisation, and the draw."""

    name: str
    document: Document
    others: list[Document]
    per_class: int
    seed: int


def _findings(doc: Document, others: list[list[ox.Triple]]) -> list[validate.Finding]:
    """The document's findings as a build reports them: with those of the comparison with the
    other years of its organisation."""
    triples = pipeline.convert_document(doc, BASE)[2]
    compared = validate.compare([triples, *others])[0] if others else None
    return validate.validate(triples, compared=compared).findings


def _series(doc: Document) -> str:
    return series_of(stem(doc.organisation.name, doc.year, doc.phase, doc.scope))


def run_document(job: Job) -> Outcome:
    started = time.perf_counter()
    outcome = Outcome(job.name)
    doc, per_class, seed = job.document, job.per_class, job.seed
    others = [pipeline.convert_document(other, BASE)[2] for other in job.others]
    baseline = {finding_key(f) for f in _findings(doc, others)}
    for kind in CLASSES:
        for mutation in mutations(doc, kind, per_class, seed):
            found = _findings(mutation.document, others)
            named = naming(mutation, found, baseline)
            outcome.made[kind] += 1
            if named:
                outcome.caught[kind] += 1
                outcome.naming.update((kind, _short(s)) for s in {f.shape for f in named})
                continue
            new = sorted({_short(f.shape) for f in found if finding_key(f) not in baseline})
            outcome.elsewhere[kind] += bool(new)
            outcome.missed.append(f"{kind}: {outcome.document}: {mutation.what}"
                                  + (f" (found elsewhere: {', '.join(new)})" if new
                                     else " (no new finding)"))
    outcome.seconds = time.perf_counter() - started
    return outcome


def _documents(sources: list[Path]) -> list[tuple[Path, ...]]:
    return batch.expand(sources or [SHARED / "docs", SHARED / "corpus"])


def _rate(caught: int, made: int) -> str:
    return f"{caught / made:.1%}" if made else "–"


def report(outcomes: list[Outcome], per_class: int, seed: int, seconds: float,
           alone: bool) -> list[str]:
    made, caught, elsewhere = Counter[str](), Counter[str](), Counter[str]()
    naming_shapes: Counter[tuple[str, str]] = Counter()
    for o in outcomes:
        made += o.made
        caught += o.caught
        elsewhere += o.elsewhere
        naming_shapes += o.naming
    lines = [
        "## mutations: changes that a finding must name", "",
        f"Machine: {platform.machine()}, {platform.system()}, Python "
        f"{platform.python_version()}, {os.cpu_count()} cores. Date: {date.today()}. "
        f"Documents: {len(outcomes)} (../shared/docs and ../shared/corpus). Up to {per_class} "
        f"mutations per class and document, seed {seed}. {seconds:.0f} s. Script: "
        f"`python benchmarks/bench_mutations.py{' --alone' if alone else ''} --write`.", "",
        "Each document is validated by itself." if alone else
        "Each document is validated as `budgetkg build` validates it: with the other years of "
        "its organisation among the documents (the shapes comparing years: a change against "
        "last year's document).", "",
        "A mutation changes one printed thing of the normalised document (the frozen value "
        "linked and mapped next): an amount of any table, a figure of the narrative, a "
        "classification code (its last digit), a class name (the name of another class of the "
        "same code list). It is caught only when a new finding names its place: the cell's row "
        "and column (a finding about the cell, or about its row quoting its column's header), "
        "the row of the code or name, the sentence of the figure. Not caught but seen "
        "elsewhere: new findings name other places (a total, a parent code, another sentence).",
        "",
        "| class | mutations | caught | rate | target | not caught, seen elsewhere | not caught, "
        "unseen |", "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in CLASSES:
        target = f"{TARGET[kind]:.0%}" if kind in TARGET else "–"
        lines.append(f"| {kind} | {made[kind]} | {caught[kind]} | "
                     f"{_rate(caught[kind], made[kind])} | {target} | {elsewhere[kind]} | "
                     f"{made[kind] - caught[kind] - elsewhere[kind]} |")
    lines += ["", "Shapes whose findings named the caught mutations (a mutation may be named by "
              "several):", "", "| class | shapes (mutations named) |", "|---|---|"]
    for kind in CLASSES:
        shapes = sorted(((n, s) for (k, s), n in naming_shapes.items() if k == kind),
                        reverse=True)
        lines.append(f"| {kind} | {', '.join(f'{s} {n}' for n, s in shapes)} |")
    lines += ["", "Per document:", "",
              "| document | " + " | ".join(f"{k} caught/made" for k in CLASSES) + " | seconds |",
              "|---|" + "---:|" * (len(CLASSES) + 1)]
    for o in outcomes:
        lines.append(f"| {o.document} | " + " | ".join(
            f"{o.caught[k]}/{o.made[k]}" for k in CLASSES) + f" | {o.seconds:.0f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="*", type=Path)
    parser.add_argument("--per-class", type=int, default=10)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--missed", action="store_true", help="list every mutation not caught")
    parser.add_argument("--alone", action="store_true",
                        help="validate each document by itself, not with its other years")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    sources = _documents(args.sources)
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
        docs = pool.map(pipeline.normalised, sources)
        series = [_series(doc) for doc in docs]
        jobs = [Job(" + ".join(p.name for p in files), doc,
                    [] if args.alone else [other for other, s in zip(docs, series, strict=True)
                                           if s == series[i] and other is not doc],
                    args.per_class, args.seed)
                for i, (files, doc) in enumerate(zip(sources, docs, strict=True))]
        outcomes = []
        for outcome in pool.imap(run_document, jobs):
            print(f"{outcome.document}: " + ", ".join(
                f"{k} {outcome.caught[k]}/{outcome.made[k]}" for k in CLASSES)
                + f" ({outcome.seconds:.0f} s)", file=sys.stderr, flush=True)
            outcomes.append(outcome)
    publish("mutations", report(outcomes, args.per_class, args.seed,
                                time.perf_counter() - started, args.alone), args.write)
    if args.missed:
        print("\n".join(line for o in outcomes for line in o.missed))


if __name__ == "__main__":
    main()
