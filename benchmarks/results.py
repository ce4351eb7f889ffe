"""benchmarks/RESULTS.md: each script owns one `## name` section and replaces only that one."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEAD = "# Benchmark results\n\nWritten by the scripts in benchmarks/; each owns one section.\n"


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    """Wall-clock seconds of each of `runs` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def write_section(name: str, section: str, results: Path = RESULTS) -> None:
    """Replace the `## <name>` section (up to the next `## `), or append it."""
    current = results.read_text(encoding="utf-8") if results.exists() else HEAD
    match = re.search(rf"^## {re.escape(name)}\b.*?(?=^## |\Z)", current, flags=re.M | re.S)
    if match:
        current = current[: match.start()] + section.rstrip("\n") + "\n\n" + current[match.end():]
    else:
        current = current.rstrip("\n") + "\n\n" + section
    results.write_text(current.rstrip("\n") + "\n", encoding="utf-8")


def publish(name: str, lines: list[str], write: bool) -> None:
    """Print a section and, with --write, put it into RESULTS.md."""
    text = "\n".join(lines)
    print(text)
    if write:
        write_section(name, text)
