"""Every real document of ../shared/docs and ../shared/corpus built: pages per second.

Usage: python benchmarks/bench_corpus.py [--jobs N] [--write]

Measured in one run, on the same machine and load:
- baselines: the plain text of every page with pypdfium2 (the floor of reading a PDF at all) and
  with pdfplumber's `extract_text` (the library the converter reads with, text only);
- `budgetkg build` of all documents at once (a new process, as a user runs it, --jobs N): read,
  recognise, map, validate and write every dump, the catalogue and the release files;
- `budgetkg build` of each document alone (a new process each): seconds and pages per second, the
  tables it recognised, its warnings and its findings. Documents of at least 30 pages are held
  to the target: under 3 s each.
With --write, the figures replace the "corpus" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from results import publish  # benchmarks/results.py

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TARGET_PAGES, TARGET_SECONDS = 30, 3.0


def pdfs() -> list[Path]:
    found = sorted((SHARED / "docs").glob("*.pdf")) + sorted((SHARED / "corpus").rglob("*.pdf"))
    if not found:
        sys.exit(f"error: no PDF under {SHARED}/docs or {SHARED}/corpus")
    return found


def timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def pages_of(paths: list[Path]) -> dict[Path, int]:
    import pypdfium2 as pdfium

    out = {}
    for path in paths:
        document = pdfium.PdfDocument(path)
        out[path] = len(document)
        document.close()
    return out


def pdfium_text(paths: list[Path]) -> None:
    import pypdfium2 as pdfium

    for path in paths:
        document = pdfium.PdfDocument(path)
        for page in document:
            page.get_textpage().get_text_range()
        document.close()


def pdfplumber_text(paths: list[Path]) -> None:
    import pdfplumber

    for path in paths:
        with pdfplumber.open(path) as document:
            for page in document.pages:
                page.extract_text()


def build(sources: list[Path], output: Path, jobs: int) -> tuple[float, str]:
    """Seconds of `budgetkg build` in a new process, and its stderr (warnings)."""
    command = [str(Path(sys.executable).with_name("budgetkg")), "build", *map(str, sources),
               "-o", str(output), "--jobs", str(jobs)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"error: {' '.join(command)} failed:\n{done.stderr}")
    return seconds, done.stderr


def documents(paths: list[Path]) -> list[tuple[Path, ...]]:
    """The PDFs grouped into documents as the converter groups them (-text / -tables parts)."""
    sys.path.insert(0, str(ROOT / "convert"))
    from budgetkg.batch import expand

    return expand(paths)


def summary(output: Path) -> dict[str, tuple[int, int]]:
    """Per document stem: tables in its graph and validation findings (from the manifest)."""
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    out = {}
    for entry in manifest["documents"]:
        quality = entry.get("quality", {})
        out[entry["stem"]] = (entry["counts"]["tables"],
                              quality.get("inconsistencies", quality.get("violations", 0))
                              + quality.get("warnings", 0))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()

    paths = pdfs()
    pages = pages_of(paths)
    total_pages = sum(pages.values())
    groups = documents(paths)
    load_before = os.getloadavg()[0]

    floor = timed(lambda: pdfium_text(paths))
    plumber = timed(lambda: pdfplumber_text(paths))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "all"
        folder.mkdir()
        for path in paths:
            shutil.copy(path, folder / path.name)
        whole, _ = build([folder], Path(tmp) / "out-all", args.jobs)
        rows = []
        for group in groups:
            out = Path(tmp) / f"out-{group[0].stem}"
            seconds, stderr = build(list(group), out, args.jobs)
            (stem, (tables, findings)), = summary(out).items()
            warnings = sum(1 for line in stderr.splitlines() if line.startswith("warning:"))
            rows.append((group, sum(pages[p] for p in group), seconds, tables, warnings, findings,
                         stem))
    load_after = os.getloadavg()[0]

    from importlib.metadata import version

    lines = [
        "## corpus: every document of docs + corpus built, pages per second", "",
        f"Machine: {platform.machine()}, {platform.system()}, Python {platform.python_version()},"
        f" {os.cpu_count()} cores (shared: 1-minute load average {load_before:.1f} before the "
        f"runs, {load_after:.1f} after). Date: {date.today()}. pdfplumber "
        f"{version('pdfplumber')}, pypdfium2 {version('pypdfium2')}. Script: "
        f"`python benchmarks/bench_corpus.py --jobs {args.jobs} --write`.", "",
        f"{len(paths)} PDFs, {len(groups)} documents, {total_pages} pages.", "",
        "| what | seconds | pages per second |", "|---|---|---|",
        f"| baseline: pypdfium2 plain text of every page | {floor:.2f} | "
        f"{total_pages / floor:.0f} |",
        f"| baseline: pdfplumber `extract_text` of every page | {plumber:.2f} | "
        f"{total_pages / plumber:.1f} |",
        f"| `budgetkg build` of all {len(groups)} documents at once (--jobs {args.jobs}) | "
        f"{whole:.2f} | {total_pages / whole:.1f} |", "",
        f"Each document alone (`budgetkg build FILES -o OUT --jobs {args.jobs}`, a new process; "
        "tables in the graph, warnings printed, validation findings):", "",
        "| document | pages | seconds | pages per second | tables | warnings | findings |",
        "|---|---|---|---|---|---|---|",
    ]
    for group, n, seconds, tables, warnings, findings, _ in rows:
        name = " + ".join(p.name for p in group)
        lines.append(f"| {name} | {n} | {seconds:.2f} | {n / seconds:.1f} | {tables} | "
                     f"{warnings} | {findings} |")
    long = [(g, n, s) for g, n, s, *_ in rows if n >= TARGET_PAGES]
    slowest = max(long, key=lambda r: r[2])
    met = all(s < TARGET_SECONDS for _, _, s in long)
    lines += ["", f"Target: a {TARGET_PAGES}-page PDF builds in under {TARGET_SECONDS:.0f} s: "
              f"{'met' if met else 'NOT met'} ({len(long)} documents of {TARGET_PAGES} pages or "
              f"more; the slowest, {' + '.join(p.name for p in slowest[0])}, {slowest[1]} pages "
              f"in {slowest[2]:.2f} s)."]
    publish("corpus", lines, args.write)


if __name__ == "__main__":
    main()
