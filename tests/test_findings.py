"""Every finding on the real documents adjudicated: validation reports exactly the findings
tests/findings.yaml lists for each document of ../shared/docs and ../shared/corpus, and each
listed finding says why the document really is inconsistent there."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from budgetkg import pipeline, report
from tests.conftest import EXAMPLE, RealDocuments

FIXTURE = Path(__file__).parent / "findings.yaml"
SHAPES = "https://w3id.org/budgetkg/shapes/"

Key = tuple[str, str, str]  # severity, shape, English message


def _adjudicated() -> dict[str, list[dict[str, str]]]:
    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{FIXTURE}: a mapping of document stems"
    return data


def _reported(output: Path, stem: str) -> Counter[Key]:
    found = report.read(output / f"{stem}.report.ttl", "fast")
    return Counter((f.severity, f.shape.removeprefix(SHAPES), f.message_en)
                   for f in found.findings)


@pytest.fixture(scope="module")
def reported(real_documents: RealDocuments,
             tmp_path_factory: pytest.TempPathFactory) -> dict[str, Counter[Key]]:
    """The findings of every real document's build, by stem: the PDFs of docs and corpus (built
    once per session) and the example's text form."""
    example = pipeline.build([EXAMPLE], tmp_path_factory.mktemp("example-findings"), jobs=1)
    assert example.ok, example.failures
    built = [(real_documents.result.output, d.stem) for d in real_documents.result.documents]
    built += [(example.output, d.stem) for d in example.documents]
    return {stem: _reported(output, stem) for output, stem in built}


def test_every_document_is_adjudicated_and_nothing_else(
        reported: dict[str, Counter[Key]]) -> None:
    assert sorted(_adjudicated()) == sorted(reported)


def test_every_adjudicated_finding_gives_its_reason() -> None:
    for stem, findings in _adjudicated().items():
        for finding in findings:
            assert set(finding) == {"severity", "shape", "message", "reason"}, (stem, finding)
            assert finding["reason"].strip(), (stem, finding)


@pytest.mark.parametrize("stem", sorted(_adjudicated()))
def test_validation_reports_exactly_the_adjudicated_findings(
        stem: str, reported: dict[str, Counter[Key]]) -> None:
    expected = Counter((f["severity"], f["shape"], f["message"]) for f in _adjudicated()[stem])
    found = reported[stem]
    unadjudicated = sorted((found - expected).elements())
    gone = sorted((expected - found).elements())
    assert not unadjudicated, "not adjudicated in tests/findings.yaml:\n" + "\n".join(
        f"  - severity: {s}\n    shape: {sh}\n    message: {m!r}" for s, sh, m in unadjudicated)
    assert not gone, f"adjudicated but no longer reported: {gone}"
