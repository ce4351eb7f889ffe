"""Standards conformance of the dumps: W3C Data Cube integrity constraints, parse-back, determinism.

1. The built example, with the ontology and code lists, normalised (Data Cube §10.1) and checked
   against every integrity constraint IC-1 … IC-21 of the W3C Recommendation (../shared/standards).
2. Turtle, JSON-LD and N-Triples parse back (rdflib and pyoxigraph) to the same graph, with every
   amount an xsd:decimal, one per observation.
3. The same input gives byte-identical files, and observation IRIs do not depend on row order.
"""

from __future__ import annotations

import json
import re
import warnings
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import RDF, XSD

from budgetkg import pipeline
from tests.conftest import EXAMPLE, shared_path

ROOT = Path(__file__).resolve().parents[1]
QB_IC = ("standards", "qb-ic")
QB = rdflib.Namespace("http://purl.org/linked-data/cube#")
BK = rdflib.Namespace("https://w3id.org/budgetkg/ontology#")
OX_QB_OBSERVATION = ox.NamedNode(QB.Observation)
OX_RDF_TYPE = ox.NamedNode(RDF.type)
OX_AMOUNT = ox.NamedNode(BK.amount)
OX_FACT = ox.NamedNode(BK.Fact)

# The Recommendation's constraints, one ASK each (IC-19 is two ASKs), and the IC-20/21 templates.
ASK_ICS = (*(f"ic-{n:02d}" for n in range(1, 19)), "ic-19a", "ic-19b")
TEMPLATE_ICS = ("ic-20", "ic-21")
PREFIXES = """PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX bk: <https://w3id.org/budgetkg/ontology#>
"""

# Output formats: file extension -> (rdflib format, pyoxigraph format).
FORMATS = {
    "nt": ("nt", ox.RdfFormat.N_TRIPLES),
    "ttl": ("turtle", ox.RdfFormat.TURTLE),
    "jsonld": ("json-ld", ox.RdfFormat.JSON_LD),
}

# Table 3 of the example and the two body rows the row-order test swaps.
TABLE_3_TITLE = "2026年部门支出总体情况表"
SWAPPED = ("206\t01\t02\t", "206\t03\t02\t")
SWAPPED_CODES = ("2060102", "2060302")


# --- helpers -------------------------------------------------------------------------------


def _ic_text(name: str) -> str:
    return shared_path(*QB_IC, f"{name}.rq").read_text(encoding="utf-8")


def _title(text: str) -> str:
    return text.splitlines()[0].lstrip("# ").strip()


def _dump(built: pipeline.BuildResult, ext: str) -> Path:
    path = built.output / f"{built.documents[0].stem}.{ext}"
    assert path.is_file(), f"build wrote no {path.name}"
    return path


def _normalised_cube(nt: Path) -> ox.Store:
    """The document's triples, the ontology and code lists in one default graph, normalised."""
    vocabulary = sorted((ROOT / "ontology").glob("*.ttl"))
    vocabulary += sorted((ROOT / "ontology" / "codelists").glob("*.ttl"))
    assert vocabulary, f"no ontology/*.ttl under {ROOT}"
    store = ox.Store()
    store.load(path=nt, format=ox.RdfFormat.N_TRIPLES)
    for path in vocabulary:
        store.load(path=path, format=ox.RdfFormat.TURTLE)
    for phase in ("normalize-phase-1.ru", "normalize-phase-2.ru"):
        store.update(shared_path(*QB_IC, phase).read_text(encoding="utf-8"))
    return store


def _offenders(store: ox.Store, ask: str) -> list[dict[str, str]]:
    """The first bindings behind a true ASK: the same pattern run as SELECT * … LIMIT 5."""
    select = re.sub(r"^ASK\s*\{", "SELECT * WHERE {", ask, count=1, flags=re.MULTILINE)
    # IC-12's subquery projects only ?allEqual: project the pair of observations too.
    select = select.replace("SELECT (MIN(?equal) AS ?allEqual)",
                            "SELECT ?obs1 ?obs2 (MIN(?equal) AS ?allEqual)")
    try:
        solutions = store.query(select + "\nLIMIT 5\n")
    except SyntaxError as exc:
        return [{"(not listable)": str(exc)}]
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: str(s[n]) for n in names if s[n] is not None} for s in solutions]


def _assert_ask_false(store: ox.Store, name: str, ask: str) -> None:
    result = store.query(ask)
    assert isinstance(result, ox.QueryBoolean), f"{name} is not an ASK query"
    if bool(result):
        found = "\n  ".join(map(str, _offenders(store, ask)))
        pytest.fail(f"{name}.rq ({_title(ask)}) is violated (ASK returned true); "
                    f"first offending bindings:\n  {found}")


def _diff(a: rdflib.Graph, b: rdflib.Graph, name_a: str, name_b: str) -> str:
    _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
    first = {n: sorted(" ".join(t.n3() for t in triple) for triple in g)[:5]
             for n, g in ((name_a, only_a), (name_b, only_b))}
    return (f"{name_a}: {len(a)} triples, {name_b}: {len(b)} triples; "
            f"first only in {name_a}: {first[name_a]}; first only in {name_b}: {first[name_b]}")


def _inlined_jsonld(built: pipeline.BuildResult) -> str:
    """The JSON-LD dump with its @context URL (not reachable offline) replaced by context.jsonld."""
    doc = json.loads(_dump(built, "jsonld").read_text(encoding="utf-8"))
    context = json.loads((built.output / "context.jsonld").read_text(encoding="utf-8"))
    doc["@context"] = context["@context"]
    return json.dumps(doc, ensure_ascii=False)


def _jsonld_dataset(text: str) -> rdflib.Dataset:
    dataset = rdflib.Dataset()
    with warnings.catch_warnings():
        # rdflib 7.6's JSON-LD parser itself goes through the deprecated ConjunctiveGraph API.
        warnings.filterwarnings(
            "ignore", r"(ConjunctiveGraph|Dataset\.default_context) is deprecated",
            DeprecationWarning,
        )
        dataset.parse(data=text, format="json-ld")
    return dataset


def _amounts(nt: Path) -> dict[str, ox.Literal]:
    """Observation IRI -> its bk:amount, from an N-Triples dump."""
    triples = list(ox.parse(path=nt, format=ox.RdfFormat.N_TRIPLES))
    observations = {t.subject.value for t in triples
                    if t.predicate == OX_RDF_TYPE and t.object == OX_QB_OBSERVATION}
    facts = {t.subject.value for t in triples if t.predicate == OX_RDF_TYPE and t.object == OX_FACT}
    amounts = {t.subject.value: t.object for t in triples
               if t.predicate == OX_AMOUNT and t.subject.value not in facts}
    assert observations, f"no qb:Observation in {nt.name}"
    assert set(amounts) == observations, "an observation without bk:amount, or an amount elsewhere"
    return amounts


def _table3_row_numbers(nt: Path) -> dict[str, int]:
    """bk:code -> bk:rowNumber of the two swapped rows of table 3."""
    store = ox.Store()
    store.load(path=nt, format=ox.RdfFormat.N_TRIPLES)
    codes = ", ".join(f'"{code}"' for code in SWAPPED_CODES)
    solutions = store.query(PREFIXES + "SELECT ?code ?n WHERE { ?table bk:tableNumber 3 . "
                            "?row bk:inTable ?table ; bk:code ?code ; bk:rowNumber ?n . "
                            f"FILTER (STR(?code) IN ({codes})) }}")
    assert isinstance(solutions, ox.QuerySolutions)
    return {s["code"].value: int(s["n"].value) for s in solutions}


def _swap_table3_rows(text: str) -> str:
    """The example with two body rows of table 3 (部门支出总体情况表) swapped."""
    lines = text.splitlines(keepends=True)
    title = next(i for i, line in enumerate(lines) if line.strip() == TABLE_3_TITLE)
    start = next(i for i in range(title + 1, len(lines)) if "\t" in lines[i])
    end = next((i for i in range(start, len(lines)) if "\t" not in lines[i]), len(lines))
    body = range(start + 3, end)  # the first 3 tab-separated lines are the header
    a, b = ([i for i in body if lines[i].startswith(prefix)] for prefix in SWAPPED)
    assert len(a) == 1 and len(b) == 1, f"table 3 rows {SWAPPED} not found once each: {a}, {b}"
    lines[a[0]], lines[b[0]] = lines[b[0]], lines[a[0]]
    return "".join(lines)


# --- 1. W3C Data Cube integrity constraints ------------------------------------------------


@pytest.fixture(scope="module")
def cube(built: pipeline.BuildResult) -> ox.Store:
    """Built once per module; tests only query it."""
    return _normalised_cube(_dump(built, "nt"))


def test_qb_ic_folder_holds_exactly_the_recommendation_constraints() -> None:
    folder = shared_path(*QB_IC)
    expected = {f"{n}.rq" for n in ASK_ICS + TEMPLATE_ICS}
    expected |= {f"{n}-instantiation.rq" for n in TEMPLATE_ICS}
    assert {p.name for p in folder.glob("ic-*.rq")} == expected


def test_normalised_cube_has_observations_and_component_properties(
    cube: ox.Store, built: pipeline.BuildResult,
) -> None:
    """The ICs have something to check: every observation is there (the printed cells and the
    facts, which normalisation types qb:Observation by their qb:dataSet) and phase 1 linked
    components."""
    solutions = cube.query(PREFIXES + "SELECT (COUNT(DISTINCT ?o) AS ?n) "
                           "(COUNT(DISTINCT ?f) AS ?m) WHERE { ?o a qb:Observation "
                           "OPTIONAL { ?o a bk:Fact BIND (?o AS ?f) } }")
    assert isinstance(solutions, ox.QuerySolutions)
    counts = next(iter(solutions))
    observations, facts = int(counts["n"].value), int(counts["m"].value)
    assert observations - facts == built.documents[0].counts.observations > 0
    assert facts > 100
    unlinked = cube.query(PREFIXES + "ASK { ?cs a qb:ComponentSpecification . "
                          "FILTER NOT EXISTS { ?cs qb:componentProperty ?p } }")
    assert not bool(unlinked), "normalisation phase 1 left a component without componentProperty"
    dims = cube.query(PREFIXES + "SELECT DISTINCT ?d WHERE { ?dsd a qb:DataStructureDefinition ; "
                      "qb:component/qb:componentProperty ?d . ?d a qb:DimensionProperty }")
    assert isinstance(dims, ox.QuerySolutions)
    assert len(list(dims)) >= 5, "structures declare fewer dimensions than row/column/year/…"


@pytest.mark.parametrize("name", ASK_ICS)
def test_qb_integrity_constraint_holds(cube: ox.Store, name: str) -> None:
    """The IC's ASK returns false on the normalised cube (true means a violation)."""
    _assert_ask_false(cube, name, _ic_text(name))


@pytest.mark.parametrize("name", TEMPLATE_ICS)
def test_qb_hierarchy_constraint_holds_per_instantiation_or_no_hierarchy_is_declared(
    cube: ox.Store, name: str,
) -> None:
    """IC-20/21 are templates: run once per qb:parentChildProperty the instantiation binds.

    The code lists are qb:HierarchicalCodeLists whose parent-child property is an IRI
    (skos:narrower): IC-20 runs for it, IC-21 (a blank property, owl:inverseOf) finds none. That
    is asserted, not assumed: 0 rows must mean no hierarchy without an IRI property.
    """
    solutions = cube.query(_ic_text(f"{name}-instantiation"))
    assert isinstance(solutions, ox.QuerySolutions)
    properties = [s["p"] for s in solutions]
    template = _ic_text(name)
    assert "<$p>" in template, f"{name}.rq is not the $p template"
    if not properties:
        declared = cube.query(PREFIXES + "ASK { { ?h a qb:HierarchicalCodeList } "
                              "UNION { ?h qb:parentChildProperty ?x } "
                              "FILTER NOT EXISTS { ?h qb:parentChildProperty ?p . "
                              "FILTER (isIRI(?p)) } }")
        assert not bool(declared), (
            f"{name}-instantiation returned 0 rows, yet the cube declares a hierarchy "
            "(qb:HierarchicalCodeList or qb:parentChildProperty without an IRI property)")
    for prop in properties:
        assert isinstance(prop, ox.NamedNode)
        _assert_ask_false(cube, f"{name}[{prop.value}]", template.replace("$p", prop.value))


@pytest.mark.parametrize(
    ("name", "mutation", "shown"),
    [
        ("ic-01", "DELETE { ?o qb:dataSet ?d } WHERE { { SELECT ?o ?d WHERE "
                  "{ ?o a qb:Observation ; qb:dataSet ?d ; bk:row [] } ORDER BY ?o LIMIT 1 } }",
         "/obs/"),
        ("ic-12", "INSERT { <urn:test:twin> a qb:Observation ; ?p ?v } WHERE { "
                  "{ SELECT ?o WHERE { ?o a qb:Observation ; bk:row [] } ORDER BY ?o LIMIT 1 } "
                  "?o ?p ?v . FILTER (?p != bk:amount) }", "<urn:test:twin>"),
    ],
    ids=["observation-without-dataset", "duplicate-observation"],
)
def test_qb_integrity_check_reports_a_planted_violation(
    built: pipeline.BuildResult, name: str, mutation: str, shown: str,
) -> None:
    """The harness is not vacuous: a broken copy of the cube fails the IC, naming the resource."""
    store = _normalised_cube(_dump(built, "nt"))
    store.update(PREFIXES + mutation)
    ask = _ic_text(name)
    assert bool(store.query(ask)), f"{name} did not detect the planted violation"
    with pytest.raises(pytest.fail.Exception, match=re.escape(_title(ask))) as failure:
        _assert_ask_false(store, name, ask)
    assert shown in str(failure.value), "the failure message does not name the offending resource"


# --- 2. Parse-back ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def parsed(built: pipeline.BuildResult) -> dict[str, rdflib.Graph]:
    """Each dump parsed back with rdflib; JSON-LD with its context inlined, all graphs merged."""
    graphs = {ext: rdflib.Graph().parse(_dump(built, ext), format=fmt)
              for ext, (fmt, _) in FORMATS.items() if ext != "jsonld"}
    merged = rdflib.Graph()
    for s, p, o, _ in _jsonld_dataset(_inlined_jsonld(built)).quads((None, None, None, None)):
        merged.add((s, p, o))
    graphs["jsonld"] = merged
    return graphs


def test_jsonld_refers_to_published_context_and_names_the_document_graph(
    built: pipeline.BuildResult,
) -> None:
    doc = json.loads(_dump(built, "jsonld").read_text(encoding="utf-8"))
    assert doc["@context"].endswith("/context.jsonld")
    assert doc["@id"] == built.documents[0].graph
    names = {str(q[3]) for q in _jsonld_dataset(_inlined_jsonld(built)).quads((None,) * 4)}
    assert names == {built.documents[0].graph}


def test_every_dump_holds_the_manifest_triple_count(
    parsed: dict[str, rdflib.Graph], built: pipeline.BuildResult,
) -> None:
    counts = {ext: len(g) for ext, g in parsed.items()}
    assert counts == dict.fromkeys(FORMATS, built.documents[0].counts.triples)


@pytest.mark.parametrize("ext", ["ttl", "jsonld"])
def test_dump_parses_back_isomorphic_to_ntriples(
    parsed: dict[str, rdflib.Graph], ext: str,
) -> None:
    nt, other = parsed["nt"], parsed[ext]
    assert len(other) == len(nt), _diff(nt, other, "nt", ext)
    assert isomorphic(nt, other), _diff(nt, other, "nt", ext)


@pytest.mark.parametrize("prop", ["amount", "printedAmount"])
@pytest.mark.parametrize("ext", list(FORMATS))
def test_amounts_parse_back_as_one_decimal_per_observation(
    parsed: dict[str, rdflib.Graph], ext: str, prop: str,
) -> None:
    graph = parsed[ext]
    observations = set(graph.subjects(RDF.type, QB.Observation))
    assert observations
    if prop == "amount":  # a fact carries the figure its cells state
        observations |= set(graph.subjects(RDF.type, BK.Fact))
    values = list(graph.subject_objects(BK[prop]))
    wrong = [(str(s), o.n3()) for s, o in values if not (
        isinstance(o, rdflib.Literal) and o.datatype == XSD.decimal and not o.ill_typed
        and isinstance(o.toPython(), Decimal))]
    assert not wrong, f"bk:{prop} not a valid xsd:decimal in {ext}: {wrong[:5]}"
    per_subject = Counter(s for s, _ in values)
    assert set(per_subject) == observations, (
        f"bk:{prop} missing on {sorted(map(str, observations - set(per_subject)))[:5]}, "
        f"or on a non-observation: {sorted(map(str, set(per_subject) - observations))[:5]}")
    assert len(values) == len(observations), (
        f"observations with several bk:{prop}: "
        f"{[str(s) for s, n in per_subject.most_common(5) if n > 1]}")


@pytest.mark.parametrize("ext", list(FORMATS))
def test_pyoxigraph_parses_each_dump_to_the_same_triple_count(
    built: pipeline.BuildResult, ext: str,
) -> None:
    fmt = FORMATS[ext][1]
    if ext == "jsonld":
        quads = list(ox.parse(input=_inlined_jsonld(built).encode("utf-8"), format=fmt))
        assert {q.graph_name.value for q in quads} == {built.documents[0].graph}
        count = len({ox.Triple(q.subject, q.predicate, q.object) for q in quads})
    else:
        count = len(set(ox.parse(path=_dump(built, ext), format=fmt)))
    assert count == built.documents[0].counts.triples


# --- 3. Determinism --------------------------------------------------------------------------


def _files(folder: Path) -> dict[str, bytes]:
    """Every file a build wrote but build.log, its record of the run (times, statuses)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "build.log"}


def test_building_twice_gives_byte_identical_files(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        result = pipeline.build([EXAMPLE], folder)
        assert result.ok, result.failures
    a, b = _files(first), _files(second)
    stem = result.documents[0].stem
    expected = {f"{stem}.{ext}" for ext in (*FORMATS, "report.ttl")} | {
        "context.jsonld", "manifest.json", "catalog.ttl", "catalog.jsonld", "all.trig", "all.nq"}
    assert set(a) == expected, "unexpected or missing files (a leftover temporary file?)"
    assert set(b) == set(a)
    differing = [name for name in sorted(a) if a[name] != b[name]]
    assert not differing, f"files differ between two builds of the same input: {differing}"


def test_observation_iris_and_amounts_do_not_depend_on_row_order(
    built: pipeline.BuildResult, tmp_path: Path,
) -> None:
    source = tmp_path / "src" / EXAMPLE.name
    source.parent.mkdir()
    source.write_text(_swap_table3_rows(EXAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    result = pipeline.build([source], tmp_path / "out")
    assert result.ok, result.failures
    original, shuffled = _dump(built, "nt"), _dump(result, "nt")

    # The swap reached the graph: the two rows traded their row numbers.
    before, after = _table3_row_numbers(original), _table3_row_numbers(shuffled)
    assert set(before) == set(SWAPPED_CODES), before
    assert after == {SWAPPED_CODES[0]: before[SWAPPED_CODES[1]],
                     SWAPPED_CODES[1]: before[SWAPPED_CODES[0]]}

    amounts, shuffled_amounts = _amounts(original), _amounts(shuffled)
    assert set(shuffled_amounts) == set(amounts), (
        f"observation IRIs changed with row order: "
        f"gone {sorted(set(amounts) - set(shuffled_amounts))[:5]}, "
        f"new {sorted(set(shuffled_amounts) - set(amounts))[:5]}")
    moved = {iri: (str(amounts[iri]), str(shuffled_amounts[iri]))
             for iri in amounts if amounts[iri] != shuffled_amounts[iri]}
    assert not moved, f"bk:amount changed with row order: {list(moved.items())[:5]}"
