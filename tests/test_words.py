"""Words (issue 16): a finding is an inconsistency of the document (不一致), not a breach of
rules. No 违规 and no "violation" is shown to people: in what the CLI prints, in the reports and
catalogue written by a build, on the site's pages of the built example, on the query page. The
severity's IRI (sh:Violation) and HTML class names are no words shown and are left out."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner  # noqa: TID251

from budgetkg import pipeline, report, validate
from budgetkg.cli import app
from budgetkg.serve import pages
from budgetkg.serve.site import Site
from tests.conftest import EXAMPLE
from tests.test_pages import load

RULE_WORDS = re.compile(r"违规|violat", re.IGNORECASE)
IRI = re.compile(r"<?https?://[^\s\"'<>]+>?|\bsh:Violation\b|\bshacl#Violation\b")
STATIC = Path(pages.__file__).parent / "static"


def _shown(text: str) -> list[str]:
    """The rule words of a text as people read it: IRIs and prefixed names left out."""
    return [line.strip()[:160] for line in IRI.sub(" ", text).splitlines()
            if RULE_WORDS.search(line)]


def _page_text(html: str) -> str:
    """What a page shows: its text and its tooltips (title attributes), without markup."""
    titles = " ".join(re.findall(r'\btitle="([^"]*)"', html))
    return re.sub(r"<[^>]*>", " ", html) + "\n" + titles


def test_the_cli_says_inconsistency(tmp_path: Path) -> None:
    runner = CliRunner()
    said = []
    for args in (["validate", str(EXAMPLE)], ["validate", str(EXAMPLE), "--format", "json"],
                 ["build", str(EXAMPLE), "-o", str(tmp_path / "out")],
                 ["build", str(EXAMPLE), "-o", str(tmp_path / "out"), "--strict", "--json"],
                 ["validate", "--help"], ["build", "--help"], ["query", "--list"]):
        result = runner.invoke(app, args)
        said += _shown(result.stdout + result.stderr)
    assert said == []
    text = runner.invoke(app, ["validate", str(EXAMPLE)]).stdout
    assert text.count("INCONSISTENCY 不一致 «") == 4
    assert "does not conform (4 inconsistencies, 5 warnings" in text


def test_the_reports_and_catalogue_of_a_build_say_inconsistency(
        built: pipeline.BuildResult) -> None:
    checked = pipeline.check(EXAMPLE)[EXAMPLE.name]
    written = [report.text(checked, EXAMPLE.name), report.json_text({EXAMPLE.name: checked})]
    written += [p.read_text(encoding="utf-8") for p in sorted(built.output.iterdir())
                if p.suffix in (".ttl", ".jsonld", ".nt", ".trig", ".nq", ".json")]
    assert [line for text in written for line in _shown(text)] == []
    assert checked.summary == "4 inconsistencies, 5 warnings"
    assert validate.ValidationReport("fast", checked.findings[:1]).summary == "1 inconsistency"


@pytest.fixture(scope="module")
def site_pages(built: pipeline.BuildResult) -> dict[str, str]:
    """Every page of the built example the site serves from its graph, and the query page."""
    store = load(built.output)
    site = Site()
    shown = {"/": pages.render_index(store, site),
             "/query": (STATIC / "query.html").read_text(encoding="utf-8")}
    subjects = {q.subject.value for q in store.quads_for_pattern(None, None, None)
                if isinstance(q.subject, ox.NamedNode)
                and q.subject.value.startswith("https://data.budgetkg.org/")}
    for iri in sorted(subjects):
        if "/obs/" in iri or "/cell/" in iri or "/result/" in iri:
            continue  # one page per cell and per finding: the table and dataset pages show them
        html = pages.render(store, iri, site)
        if html is not None:
            shown[iri] = html
    return shown


def test_the_site_says_inconsistency(site_pages: dict[str, str]) -> None:
    said = {iri: found for iri, html in site_pages.items()
            if (found := _shown(_page_text(html)))}
    assert said == {}
    dataset = next(html for iri, html in site_pages.items() if iri.endswith("/2026/budget"))
    assert "不一致" in _page_text(dataset)
    assert len(site_pages) > 20
