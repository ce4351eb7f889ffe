"""Every term used by the mappings and the graph is defined in ontology/ or a standard."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml

from budgetkg import pipeline
from budgetkg.iris import CODELIST, ONTOLOGY
from budgetkg.mapping import load
from tests.conftest import ROOT, shared_path

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"


def _triples(*folders: Path) -> list[ox.Triple]:
    out: list[ox.Triple] = []
    for folder in folders:
        for path in sorted(folder.glob("*.ttl")):
            out.extend(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    return out


@pytest.fixture(scope="module")
def vocabulary() -> list[ox.Triple]:
    return _triples(ROOT / "ontology", ROOT / "ontology" / "codelists")


def _defined(triples: list[ox.Triple]) -> set[str]:
    return {t.subject.value for t in triples if t.predicate.value == RDF_TYPE}


def test_every_ontology_term_has_zh_and_en_labels_and_a_comment(
    vocabulary: list[ox.Triple],
) -> None:
    terms = {t.subject.value for t in vocabulary if t.subject.value.startswith(ONTOLOGY)}
    assert len(terms) > 60
    for term in sorted(terms):
        labels = {t.object.language for t in vocabulary if t.subject.value == term
                  and t.predicate.value == RDFS + "label" and isinstance(t.object, ox.Literal)}
        comments = [t for t in vocabulary if t.subject.value == term
                    and t.predicate.value == RDFS + "comment"]
        assert {"zh", "en"} <= labels, term
        assert comments, term


def test_every_term_named_in_mappings_is_a_code_list_concept(vocabulary: list[ox.Triple]) -> None:
    concepts = _defined(vocabulary)
    mappings = load()
    schemes = {
        "fundingSource": "funding-source", "expenditureType": "expenditure-type",
        "operationCharacter": "operation", "deptEconomicClassification": "dept-economic",
        "budgetPhase": "budget-phase",
    }
    used: set[tuple[str, str]] = set()
    for kind in mappings.kinds:
        used.update(kind.terms)
    for _, terms in mappings.vocabulary.words:
        used.update(terms)
    for form in mappings.forms.values():
        for amount in form.amounts:
            used.update(amount.terms)
    assert used
    for dimension, value in sorted(used):
        assert dimension in schemes, f"{dimension} is not a dimension of the ontology"
        iri = f"{CODELIST}{schemes[dimension]}/{value}"
        if schemes[dimension] != "dept-economic":  # economic codes may be met in documents
            assert iri in concepts, f"{dimension}: {value} not in ontology/codelists"
        assert f"{ONTOLOGY}{dimension}" in concepts
    for unit in mappings.document["units"].values():
        assert f"{CODELIST}unit/{unit}" in concepts
    for phase in mappings.document["heading"]["phases"].values():
        assert f"{CODELIST}budget-phase/{phase}" in concepts


def test_every_property_and_class_in_the_built_graph_is_defined(
    built: pipeline.BuildResult, vocabulary: list[ox.Triple]
) -> None:
    defined = _defined(vocabulary)
    path = built.output / f"{built.documents[0].stem}.nt"
    graph = list(ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))
    standard = ("http://purl.org/linked-data/cube#", SKOS, RDFS, "http://www.w3.org/ns/org#",
                "http://purl.org/dc/terms/", "http://www.w3.org/ns/prov#",
                "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/ns/dqv#",
                "http://data.openbudgets.eu/ontology/dsd/")
    local = _defined(graph)
    for t in graph:
        for iri in (t.predicate.value,) + ((t.object.value,) if t.predicate.value == RDF_TYPE
                                            else ()):
            if iri.startswith(ONTOLOGY):
                assert iri in defined, f"{iri} used but not defined in ontology/"
            else:
                assert iri.startswith(standard), f"{iri} is from no known vocabulary"
        if isinstance(t.object, ox.NamedNode) and t.object.value.startswith(CODELIST):
            assert t.object.value in defined | local, f"{t.object.value} is in no code list"


def test_generated_code_lists_are_in_sync_with_their_sources(tmp_path: Path) -> None:
    shared = shared_path("data", "classification").parents[1]
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_codelists.py"), "--shared", str(shared),
         "--out", str(tmp_path)],
        check=True, capture_output=True,
    )
    generated = sorted(tmp_path.glob("*.ttl"))
    assert [p.name for p in generated] == sorted(
        ["function.ttl", "dept-economic.ttl", "gov-economic.ttl", "table-kind.ttl",
         "statement-topic.ttl"])
    for path in generated:
        committed = ROOT / "ontology" / "codelists" / path.name
        assert committed.read_bytes() == path.read_bytes(), (
            f"{committed} is stale: run python scripts/build_codelists.py")


def test_mapping_files_each_declare_one_kind_with_labels() -> None:
    for path in sorted((ROOT / "mappings" / "tables").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert path.stem == data["kind"], path
        assert data["label"]["zh"] and data["label"]["en"], path
