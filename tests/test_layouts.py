"""Golden layout families: each folder of tests/layouts/ holds a small document of one family of
layouts (its text form: document.txt, or the parts of a document published as several files)
and what budgetkg must make of it: expected.nt, its graph (sorted N-Triples: literals keep
their printed form; compared by isomorphism, without the converter's version), and
expected-warnings.txt, the warnings its build reports (one a line). One parametrised test runs
them all.

After a deliberate change, `python tests/layouts/regenerate.py` rewrites the expected files;
review their diff before committing it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.compare import graph_diff, to_isomorphic

from budgetkg import iris, pipeline
from budgetkg.mapping import load
from budgetkg.read import documents

LAYOUTS = Path(__file__).parent / "layouts"
FAMILIES = sorted(p for p in LAYOUTS.iterdir() if p.is_dir())
VOLATILE = rdflib.URIRef(iris.term("converterVersion"))  # changes with every code change


def parts(family: Path) -> tuple[Path, ...]:
    """The family's document: its files, as a build would group them."""
    files = sorted(family.glob("document*.txt"))
    (document,) = documents(files, load().document["file_parts"])
    return document


def build(family: Path) -> tuple[rdflib.Graph, list[str]]:
    """The family document's graph (without volatile statements) and its build warnings."""
    doc, _, triples = pipeline.convert(parts(family), iris.DEFAULT_BASE)
    graph = rdflib.Graph()
    nt = "\n".join(str(t) + " ." for t in triples)
    graph.parse(data=nt, format="nt")
    graph.remove((None, VOLATILE, None))
    warnings = [str(n) for n in doc.notices]
    warnings += [f"table {t.title}, {p}" for t in doc.tables for p in t.problems]
    return graph, warnings


@pytest.mark.parametrize("family", FAMILIES, ids=[f.name for f in FAMILIES])
def test_layout_family_gives_its_expected_graph_and_warnings(family: Path) -> None:
    graph, warnings = build(family)
    expected = rdflib.Graph().parse(family / "expected.nt", format="nt")
    got, want = to_isomorphic(graph), to_isomorphic(expected)
    if got != want:
        _, missing, extra = graph_diff(want, got)
        shown = sorted(f"- {t}" for t in missing)[:10] + sorted(f"+ {t}" for t in extra)[:10]
        pytest.fail(f"{family.name}: the graph differs from expected.nt "
                    f"({len(missing)} missing, {len(extra)} extra):\n" + "\n".join(shown))
    expected_warnings = (family / "expected-warnings.txt").read_text(encoding="utf-8")
    assert warnings == [w for w in expected_warnings.splitlines() if w]


def test_every_family_holds_a_document_and_its_expectations() -> None:
    assert len(FAMILIES) >= 8
    for family in FAMILIES:
        assert parts(family), family
        assert (family / "expected.nt").is_file(), family
        assert (family / "expected-warnings.txt").is_file(), family
