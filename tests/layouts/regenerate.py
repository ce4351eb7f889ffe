"""Rewrite the expected files of every golden layout family (tests/test_layouts.py) from what
budgetkg makes of its document now. Review the diff before committing it.

Usage: python tests/layouts/regenerate.py [FAMILY...]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.test_layouts import FAMILIES, build


def main() -> None:
    wanted = set(sys.argv[1:])
    for family in FAMILIES:
        if wanted and family.name not in wanted:
            continue
        graph, warnings = build(family)
        lines = sorted(line for line in graph.serialize(format="nt").splitlines() if line)
        (family / "expected.nt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (family / "expected-warnings.txt").write_text(
            "".join(f"{w}\n" for w in warnings), encoding="utf-8")
        print(f"{family.name}: {len(graph)} statements, {len(warnings)} warnings")


if __name__ == "__main__":
    main()
