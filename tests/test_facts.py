"""The fact layer as a generic consumer sees it (issue 15): for every document of ../shared/docs
and ../shared/corpus, a query written only with Data Cube, OpenBudgets.eu and SKOS terms, over
the graph with the ontology's sub-property and sub-class axioms materialised, sums the leaf
expenditure and income facts of the document's phase and gets the totals the document prints
(支出总计, 收入总计 of its 收支总表); the Data Cube integrity constraints hold on the fact sets
with the ontology loaded, and fail when a fact loses a dimension of its structure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from budgetkg import pipeline
from budgetkg.map.facts import FACT_STRUCTURES
from budgetkg.map.graph import FACT_TOTALS
from tests.conftest import ROOT, RealDocuments, shared_path

QB_IC = ("standards", "qb-ic")
ASK_ICS = (*(f"ic-{n:02d}" for n in range(1, 19)), "ic-19a", "ic-19b")
BK = "https://w3id.org/budgetkg/ontology#"
QB = "http://purl.org/linked-data/cube#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

# The generic consumer: Data Cube, OpenBudgets.eu and SKOS terms only, as the README shows it
# (the block after "tests/test_facts.py runs this query"). The leaves are the facts whose
# aggregation level (an attribute of their structure) has the notation "leaf".
GENERIC_TOTALS = re.search(r"tests/test_facts.py` runs this query.*?```sparql\n(.*?)```",
                           (ROOT / "README.md").read_text(encoding="utf-8"), re.S)[1]  # type: ignore[index]

# The document's own printed totals, in budgetkg terms: the largest amount of each operation in
# its 收支总表 (the 总计 row) in the document's phase.
PRINTED_TOTALS = """
PREFIX bk: <https://w3id.org/budgetkg/ontology#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?phase ?operation (MAX(?amount) AS ?total) WHERE {
  ?document a bk:BudgetDocument ; bk:budgetPhase ?ours .
  ?ours skos:exactMatch ?phase .
  ?table bk:document ?document ;
    bk:tableKind <https://w3id.org/budgetkg/codelist/table-kind/overview> .
  ?cell qb:dataSet ?table ; bk:budgetPhase ?ours ; bk:amount ?amount ;
    bk:operationCharacter/skos:exactMatch ?operation .
}
GROUP BY ?phase ?operation
"""

MATERIALISE = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT { ?s ?super ?o } WHERE { ?p rdfs:subPropertyOf+ ?super . ?s ?p ?o } ;
INSERT { ?s a ?super } WHERE { ?class rdfs:subClassOf+ ?super . ?s a ?class }
"""


def _vocabulary() -> list[Path]:
    return [*sorted((ROOT / "ontology").glob("*.ttl")),
            *sorted((ROOT / "ontology" / "codelists").glob("*.ttl"))]


def _store(triples: Iterable[ox.Triple]) -> ox.Store:
    """The triples with the ontology and code lists, in one default graph."""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    for path in _vocabulary():
        store.load(path=path, format=ox.RdfFormat.TURTLE)
    return store


def _triples(nt: Path) -> list[ox.Triple]:
    return list(ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES))


def _totals(store: ox.Store, query: str) -> dict[tuple[str, str], Decimal]:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return {(str(s["phase"]), str(s["operation"])): Decimal(s["total"].value)
            for s in solutions if s["total"] is not None}


def test_the_readme_shows_the_generic_query_in_standard_terms_only() -> None:
    prefixes = set(re.findall(r"PREFIX ([\w-]*):", GENERIC_TOTALS))
    assert prefixes == {"qb", "skos", "obeu-dimension", "obeu-measure", "obeu-budgetphase",
                        "obeu-operation"}
    assert "budgetkg" not in GENERIC_TOTALS and "bk:" not in GENERIC_TOTALS


def _documents(built: pipeline.BuildResult, real: RealDocuments) -> list[Path]:
    return [r.output / f"{d.stem}.nt" for r in (built, real.result) for d in r.documents]


def _all_documents(built: pipeline.BuildResult, real: RealDocuments) -> dict[str, Path]:
    found = {p.stem: p for p in _documents(built, real)}
    assert len(found) == 20, sorted(found)  # the example and the 19 documents of the PDFs
    return found


@pytest.fixture(scope="module")
def documents(built: pipeline.BuildResult, real_documents: RealDocuments) -> dict[str, Path]:
    shared_path("docs")
    shared_path("corpus")
    return _all_documents(built, real_documents)


def test_a_generic_consumer_sums_leaf_facts_to_every_documents_printed_totals(
        documents: dict[str, Path]) -> None:
    wrong = {}
    for stem, nt in sorted(documents.items()):
        store = _store(_triples(nt))
        printed = _totals(store, PRINTED_TOTALS)
        store.update(MATERIALISE)
        summed = _totals(store, GENERIC_TOTALS)
        assert len(printed) == 2, f"{stem}: printed totals {printed}"
        for key, total in printed.items():
            if summed.get(key) != total:
                wrong[stem, key] = (summed.get(key), total)
    assert not wrong, f"leaf sums that are not the printed totals (summed, printed): {wrong}"


def _facts_only(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The document's graph without its printed tables (the tables, their cells and text cells
    are left out): the fact sets, their facts, and the concepts minted for unlisted codes."""
    printed = {t.subject for t in triples
               if t.predicate == ox.NamedNode(BK + "row") or (t.predicate == RDF_TYPE
               and t.object == ox.NamedNode(BK + "BudgetTable"))}
    return [t for t in triples if t.subject not in printed]


def _violated(triples: list[ox.Triple]) -> list[str]:
    store = _store(triples)
    for phase in ("normalize-phase-1.ru", "normalize-phase-2.ru"):
        store.update(shared_path(*QB_IC, phase).read_text(encoding="utf-8"))
    out = []
    for name in ASK_ICS:
        result = store.query(shared_path(*QB_IC, f"{name}.rq").read_text(encoding="utf-8"))
        assert isinstance(result, ox.QueryBoolean)
        if bool(result):
            out.append(name)
    # IC-20 for the one parent-child property of the code lists (test_standards instantiates it)
    template = shared_path(*QB_IC, "ic-20.rq").read_text(encoding="utf-8")
    if bool(store.query(template.replace("$p", "http://www.w3.org/2004/02/skos/core#narrower"))):
        out.append("ic-20")
    return out


def test_qb_integrity_constraints_hold_on_every_fact_set(documents: dict[str, Path]) -> None:
    failed = {}
    for stem, nt in sorted(documents.items()):
        facts = _facts_only(_triples(nt))
        assert any(t.object == ox.NamedNode(BK + "Fact") for t in facts), f"{stem}: no facts"
        if violated := _violated(facts):
            failed[stem] = violated
    assert not failed, failed


def test_a_fact_without_a_dimension_of_its_structure_breaks_ic_11(
        built: pipeline.BuildResult) -> None:
    facts = _facts_only(_triples(built.output / f"{built.documents[0].stem}.nt"))
    assert _violated(facts) == []
    dropped = next(t for t in sorted(facts, key=str)
                   if t.predicate == ox.NamedNode(BK + "functionalClassification"))
    assert _violated([t for t in facts if t != dropped]) == ["ic-11"]


def test_every_fact_carries_every_dimension_of_its_structure_and_obeus_codes(
        built: pipeline.BuildResult) -> None:
    store = _store(_triples(built.output / f"{built.documents[0].stem}.nt"))
    missing = store.query("""
        PREFIX qb: <http://purl.org/linked-data/cube#>
        PREFIX bk: <https://w3id.org/budgetkg/ontology#>
        SELECT ?fact ?component WHERE {
          ?fact a bk:Fact ; qb:dataSet/qb:structure/qb:component/qb:componentProperty ?component .
          FILTER NOT EXISTS { ?fact ?component [] }
        } LIMIT 5""")
    assert isinstance(missing, ox.QuerySolutions)
    assert [str(s["component"]) for s in missing] == []
    counts = store.query("""
        PREFIX bk: <https://w3id.org/budgetkg/ontology#>
        PREFIX obeu-dimension: <http://data.openbudgets.eu/ontology/dsd/dimension/>
        SELECT (COUNT(?fact) AS ?facts) (COUNT(?phase) AS ?phases) (COUNT(?operation) AS ?ops)
        WHERE { ?fact a bk:Fact .
          OPTIONAL { ?fact obeu-dimension:budgetPhase ?phase
                     FILTER STRSTARTS(STR(?phase), "http://data.openbudgets.eu/") }
          OPTIONAL { ?fact obeu-dimension:operationCharacter ?operation
                     FILTER STRSTARTS(STR(?operation), "http://data.openbudgets.eu/") } }""")
    assert isinstance(counts, ox.QuerySolutions)
    (row,) = list(counts)
    assert int(row["facts"].value) > 100
    assert row["facts"] == row["phases"] == row["ops"]


def test_the_converters_fact_structures_are_the_ontologys() -> None:
    store = _store([])
    for kind, local in FACT_STRUCTURES.items():
        solutions = store.query(f"""
            PREFIX qb: <http://purl.org/linked-data/cube#>
            SELECT ?p WHERE {{
              <{BK}{local}> qb:component/(qb:dimension|qb:measure|qb:attribute) ?p }}""")
        assert isinstance(solutions, ox.QuerySolutions)
        components = {s["p"].value.removeprefix(BK) for s in solutions}
        assert set(FACT_TOTALS) | {"budgetUnit"} <= components, kind
        assert {"amount", "currency", "fiscalPeriod", "operationCharacter", "organisation",
                "budgetPhase", "aggregation"} <= components, kind


def test_two_cells_printing_one_fact_differently_are_decided_by_the_narrative() -> None:
    # 人大 2017: 单位预留机动经费 128.43 is printed by the 收支预算总表 (first) and by table 3,
    # and stated by the narrative. Changed in the first table, the two cells tie; the narrative
    # sides with the second, so the fact keeps 128.43 and the changed cell is the one named.
    from dataclasses import replace

    from budgetkg import validate

    doc = pipeline.normalised((shared_path(
        "corpus", "jiangsu-provincial", "js-renda-2017-dept-budget.pdf"),))
    table = next(t for t in doc.tables if t.number == 1)
    row = next(r for r in table.rows if r.number == 3)
    old = row.amounts[5]
    assert old is not None and old.printed == "128.43"
    new = replace(old, value=Decimal("115.73"), printed="115.73", yuan=Decimal("1157300.00"))
    changed_row = replace(row, amounts=(*row.amounts[:5], new, *row.amounts[6:]))
    changed = replace(doc, tables=tuple(
        replace(t, rows=tuple(changed_row if r is row else r for r in t.rows)) if t is table
        else t for t in doc.tables))
    found = validate.validate(pipeline.convert_document(changed, "https://data.budgetkg.org/")[2])
    named = [(f.order, f.column) for f in found.findings
             if f.shape.endswith("/SameFigure")]
    assert named == [((1, 3), 6)]
