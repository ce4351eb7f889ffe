"""Time and peak memory of building the example document in-process (after imports).

Usage: python benchmarks/bench_build.py [--runs N] [--write]
Compares, in the same run, our JSON-LD writer with rdflib's JSON-LD serialiser as a baseline.
With --write, the figures replace the "build" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

from results import publish, timed  # benchmarks/results.py

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "000_d2b944fced3ace59.txt"


_timed = timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()

    t0 = time.perf_counter()
    import rdflib

    from budgetkg import jsonld, pipeline
    imports = time.perf_counter() - t0

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        first = _timed(lambda: pipeline.build([EXAMPLE], out), 1)[0]
        build = _timed(lambda: pipeline.build([EXAMPLE], out), args.runs)
        tracemalloc.start()
        pipeline.build([EXAMPLE], out)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        _, graph, triples = pipeline.convert(EXAMPLE, "https://data.budgetkg.org/")
        convert = _timed(lambda: pipeline.convert(EXAMPLE, "https://data.budgetkg.org/"),
                         args.runs)
        ours = _timed(lambda: jsonld.serialize(triples, graph, "context.jsonld"), args.runs)
        nt = out.joinpath(next(p.name for p in out.glob("*.nt")))
        g = rdflib.Graph().parse(nt, format="nt")
        context = jsonld.context()["@context"]
        baseline = _timed(lambda: g.serialize(format="json-ld", context=context),
                          max(3, args.runs // 5))

    med = statistics.median
    rows = [
        ("imports (budgetkg + rdflib)", imports),
        ("first build (mappings and code lists loaded)", first),
        ("build: read + map + validate + write ttl/jsonld/nt + report (median)", med(build)),
        ("convert only: read + map (median)", med(convert)),
        ("JSON-LD, budgetkg writer (median)", med(ours)),
        ("JSON-LD, rdflib serialiser with the same context (median, baseline)", med(baseline)),
    ]
    lines = [
        "## build: the example document, in-process",
        "",
        f"Machine: {platform.machine()}, {platform.system()}, Python {platform.python_version()},"
        f" {__import__('os').cpu_count()} cores. Date: {date.today().isoformat()}. "
        f"Runs: {args.runs}. Triples: {len(triples)}.",
        "",
        "| step | seconds |",
        "|---|---|",
        *(f"| {name} | {value:.3f} |" for name, value in rows),
        f"| peak traced memory of one build | {peak / 2**20:.1f} MiB |",
        "",
        f"Target (issue 2, before validation was part of build): read + map + write under 0.3 s "
        f"after imports; read + map alone: {med(convert):.3f} s.",
        "",
    ]
    publish("build", lines, args.write)


if __name__ == "__main__":
    main()
