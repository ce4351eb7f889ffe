"""The DCAT-AP catalogue and the release files of a build folder (`build`, `publish`).

1. The catalogue of every shared document (with their tables as CSV) conforms to DCAT-AP 3.0.1:
   the Base shapes, the range shapes and the full profile (dcat-ap-SHACL.ttl with ranges.ttl),
   with the background knowledge of tests/data/dcat-ap-background.ttl; every recommended
   property is there except an explicit list, each with its reason.
2. It agrees with the data: each document is a dcat:Dataset under the IRI its graph gives it,
   each distribution's size and checksum are those of its file; catalog.jsonld is the same graph.
3. all.trig and all.nq hold every document graph.
4. Building the same documents again changes no file; building a changed document rewrites its
   own files, the catalogue and the release files, and nothing else.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF, SH, SKOS
from typer.testing import CliRunner  # noqa: TID251  (tests drive the CLI in-process)

from budgetkg import batch, catalog, pipeline, publish
from budgetkg.cli import app
from tests.conftest import EXAMPLE, shared_path

DCAT_AP = ("standards", "dcat-ap", "3.0.1")
BACKGROUND = Path(__file__).parent / "data" / "dcat-ap-background.ttl"
BK = rdflib.Namespace("https://w3id.org/budgetkg/ontology#")
BASE = "https://data.budgetkg.org/"
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")  # DCAT 3 (rdflib's DCAT is DCAT 2)
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
DCATAP = rdflib.Namespace("http://data.europa.eu/r5r/")
RELEASE_FORMATS = {"all.trig": ox.RdfFormat.TRIG, "all.nq": ox.RdfFormat.N_QUADS}

# The three validation profiles (files under ../shared/standards/dcat-ap/3.0.1).
PROFILES = {
    "base": [("html-shacl", "shapes.ttl")],
    "ranges": [("html-shacl", "range.ttl")],
    "full": [("dcat-ap-SHACL.ttl",), ("ranges.ttl",)],
}

# Recommended properties the catalogue leaves out: (target class, property) -> why.
EXPECTED_ABSENT = {
    ("dcat:Catalog", "dct:issued"):
        "when the catalogue was first published is not in the documents, and the build date "
        "would make the output depend on the day",
    ("dcat:Dataset", "dcat:contactPoint"):
        "the documents print no contact address (a dataset series is a dcat:Dataset too)",
    ("dcat:DatasetSeries", "dcat:contactPoint"): "the documents print no contact address",
    ("dcat:DataService", "dcat:contactPoint"): "no contact address is configured",
    ("dcat:Dataset", "dcat:distribution"):
        "only the series (datasets by DCAT 3): they are published through their members",
    ("dcat:Distribution", "dcatap:availability"):
        "how long the files stay online depends on the host, which the converter does not know",
    ("dct:Location", "dcat:bbox"):
        "the division list gives each place its code, not its geometry",
    ("dct:Location", "dcat:centroid"):
        "the division list gives each place its code, not its geometry",
    ("foaf:Agent", "dct:type"):
        "the administrative level (national, regional, local) of a department is not printed",
}

# The 三公 row of table 8 in the example; the changed copy prints another total.
SANGONG_ROW = "\n7.50\t\t5.00\t\t5.00\t2.50\n"
CHANGED_ROW = "\n7.60\t\t5.00\t\t5.00\t2.50\n"


# --- fixtures --------------------------------------------------------------------------------


def _documents() -> list[Path]:
    """Every document of ../shared/docs plus the example (a shared copy of it built once)."""
    example = EXAMPLE.read_bytes()
    shared = [p for p in sorted(shared_path("docs").iterdir()) if p.read_bytes() != example]
    assert len(shared) >= 3, f"expected the three PDFs in ../shared/docs, found {shared}"
    return [EXAMPLE, *shared]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> pipeline.BuildResult:
    """The documents built once, their tables written as CSV and the catalogue re-published."""
    out = tmp_path_factory.mktemp("catalogue") / "out"
    result = pipeline.build(_documents(), out)
    assert result.ok, result.failures
    pipeline.tables(out, out / catalog.TABLES)
    pipeline.publish_catalogue(out)
    return result


@pytest.fixture(scope="module")
def graph(built: pipeline.BuildResult) -> rdflib.Graph:
    """The catalogue with the DCAT-AP background knowledge."""
    data = rdflib.Graph()
    data.parse(built.output / "catalog.ttl")
    data.parse(BACKGROUND)
    data.bind("dcatap", DCATAP)
    return data


def _shapes(files: list[tuple[str, ...]]) -> rdflib.Graph:
    """Shapes files as one graph, without their sh:property references to shapes they do not
    define: dcat-ap-SHACL.ttl and ranges.ttl 3.0.1 point to five property shapes missing from
    both (pyshacl rightly refuses them as ill-formed)."""
    shapes = rdflib.Graph()
    for parts in files:
        shapes.parse(shared_path(*DCAT_AP, *parts))
    for node, shape in list(shapes.subject_objects(SH.property)):
        if (shape, None, None) not in shapes:
            shapes.remove((node, SH.property, shape))
    return shapes


def _validate(data: rdflib.Graph, shapes: rdflib.Graph) -> tuple[bool, rdflib.Graph, str]:
    # RDFS: the full profile's ranges include rdfs:Resource, and a series is a dcat:Dataset.
    conforms, report, text = pyshacl.validate(data, shacl_graph=shapes, inference="rdfs")
    assert isinstance(report, rdflib.Graph)
    return bool(conforms), report, str(text)


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every published file below folder: (SHA-256, modification time in ns); build.log, the
    record of each run, is no publication."""
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                              p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != batch.LOG}


def _copy(built: pipeline.BuildResult, target: Path) -> Path:
    shutil.copytree(built.output, target)  # copy2: modification times kept
    return target


# --- 1. DCAT-AP conformance ------------------------------------------------------------------


@pytest.mark.parametrize("profile", list(PROFILES))
def test_catalogue_conforms_to_dcat_ap(graph: rdflib.Graph, profile: str) -> None:
    conforms, _, text = _validate(graph, _shapes(PROFILES[profile]))
    assert conforms, text


def test_recommended_properties_are_present_except_the_listed_ones(graph: rdflib.Graph) -> None:
    shapes = _shapes([("html-shacl", "shapes_recommended.ttl")])
    _, report, text = _validate(graph, shapes)
    absent: dict[tuple[str, str], set[str]] = {}
    for result in report.subjects(RDF.type, SH.ValidationResult):
        source = report.value(result, SH.sourceShape)
        target = shapes.value(shapes.value(predicate=SH.property, object=source), SH.targetClass)
        path = report.value(result, SH.resultPath)
        assert target is not None and path is not None, text
        key = (graph.namespace_manager.normalizeUri(target),
               graph.namespace_manager.normalizeUri(path))
        absent.setdefault(key, set()).add(str(report.value(result, SH.focusNode)))
    assert set(absent) == set(EXPECTED_ABSENT), text
    series = {str(s) for s in graph.subjects(RDF.type, DCAT.DatasetSeries)}
    assert absent["dcat:Dataset", "dcat:distribution"] == series


# --- 2. The catalogue agrees with the data ---------------------------------------------------


def test_every_document_is_a_dataset_under_the_iri_of_its_graph(
        built: pipeline.BuildResult, graph: rdflib.Graph) -> None:
    entries = publish.published(built.output)
    assert len(entries) == len(_documents())
    datasets = {str(d) for d in graph.subjects(RDF.type, DCAT.Dataset)} - {
        str(s) for s in graph.subjects(RDF.type, DCAT.DatasetSeries)}
    assert datasets == {e.graph.removesuffix("/graph") for e in entries}
    for entry in entries:
        document = rdflib.URIRef(entry.graph.removesuffix("/graph"))
        data = rdflib.Graph().parse(built.output / f"{entry.stem}.nt")
        assert (document, RDF.type, BK.BudgetDocument) in data
        assert graph.value(document, DCTERMS.publisher) == data.value(document, DCTERMS.publisher)
        assert graph.value(document, DCAT.inSeries) in set(graph.objects(None, DCAT.dataset))
        assert graph.value(document, DCTERMS.issued) == data.value(document, DCTERMS.issued)


def test_each_distribution_gives_the_size_and_checksum_of_its_file(
        built: pipeline.BuildResult, graph: rdflib.Graph) -> None:
    urls: dict[str, int] = {}
    for distribution in graph.subjects(RDF.type, DCAT.Distribution):
        url = str(graph.value(distribution, DCAT.downloadURL))
        assert url.startswith("https://data.budgetkg.org/dumps/"), url
        assert graph.value(distribution, DCAT.accessURL) == rdflib.URIRef(url)
        path = built.output / url.removeprefix("https://data.budgetkg.org/dumps/")
        checksum = graph.value(distribution, SPDX.checksum)
        assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha256(
            path.read_bytes()).hexdigest()
        assert graph.value(distribution, DCAT.byteSize).toPython() == path.stat().st_size
        urls[path.suffix] = urls.get(path.suffix, 0) + 1
    documents = len(built.documents)
    csvs = len(list((built.output / catalog.TABLES).rglob("*.csv")))
    assert urls == {".ttl": documents, ".jsonld": documents, ".nt": documents, ".csv": csvs}


def test_catalogue_jsonld_is_the_same_graph_as_the_turtle(built: pipeline.BuildResult) -> None:
    # No blank nodes in the catalogue: the same graph is the same set of triples.
    turtle, jsonld = (set(ox.parse(path=built.output / name, format=fmt)) for name, fmt in (
        ("catalog.ttl", ox.RdfFormat.TURTLE), ("catalog.jsonld", ox.RdfFormat.JSON_LD)))
    assert not any(isinstance(q.subject, ox.BlankNode) for q in turtle)
    assert jsonld == turtle


# --- 3. Release files ------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(RELEASE_FORMATS))
def test_release_file_holds_every_document_graph(built: pipeline.BuildResult, name: str) -> None:
    quads = list(ox.parse(path=built.output / name, format=RELEASE_FORMATS[name]))
    entries = publish.published(built.output)
    assert len(quads) == sum(e.counts.triples for e in entries)
    assert {q.graph_name.value for q in quads} == {e.graph for e in entries}


# --- 4. Determinism and incremental rebuilds -------------------------------------------------


def test_building_the_same_documents_again_changes_no_file(
        built: pipeline.BuildResult, tmp_path: Path) -> None:
    out = _copy(built, tmp_path / "out")
    before = _snapshot(out)
    result = pipeline.build(_documents(), out)
    assert result.ok, result.failures
    after = _snapshot(out)
    changed = sorted(name for name in before if before[name] != after.get(name))
    assert not changed, f"rewritten by an identical build: {changed}"
    assert set(after) == set(before)


def test_a_changed_document_rewrites_only_its_files_and_the_catalogue(
        built: pipeline.BuildResult, tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.count(SANGONG_ROW) == 1
    changed = tmp_path / "changed" / EXAMPLE.name
    changed.parent.mkdir()
    changed.write_text(text.replace(SANGONG_ROW, CHANGED_ROW), encoding="utf-8")
    out = _copy(built, tmp_path / "out")
    before = _snapshot(out)
    result = pipeline.build([changed], out)
    assert result.ok, result.failures
    after = _snapshot(out)
    stem = result.documents[0].stem
    rewritten = {name for name in before if before[name] != after[name]}
    assert rewritten == {f"{stem}.{ext}" for ext in ("ttl", "jsonld", "nt", "report.ttl")} | {
        "manifest.json", "catalog.ttl", "catalog.jsonld", *RELEASE_FORMATS}
    catalogue = rdflib.Graph().parse(out / "catalog.ttl")
    sums = {str(v) for v in catalogue.objects(None, SPDX.checksumValue)}
    assert after[f"{stem}.nt"][0] in sums and before[f"{stem}.nt"][0] not in sums
    assert hashlib.sha256(changed.read_bytes()).hexdigest() in sums


# --- the publish command, and the places departments are in ----------------------


def test_publish_writes_the_given_licence_and_endpoint(
        built: pipeline.BuildResult, tmp_path: Path) -> None:
    out = _copy(built, tmp_path / "out")
    licence = "http://publications.europa.eu/resource/authority/licence/CC0"
    endpoint = "https://sparql.example.org/budgets"
    result = CliRunner().invoke(app, ["publish", str(out), "--licence", licence,
                                      "--endpoint", endpoint])
    assert result.exit_code == 0, result.output
    catalogue = rdflib.Graph().parse(out / "catalog.ttl")
    assert set(catalogue.objects(None, DCTERMS.license)) == {rdflib.URIRef(licence)}
    assert set(catalogue.objects(None, DCAT.endpointURL)) == {rdflib.URIRef(endpoint)}
    assert _snapshot(out)["all.nq"] == _snapshot(built.output)["all.nq"]


def test_publish_with_another_base_is_refused_in_one_line(
        built: pipeline.BuildResult, tmp_path: Path) -> None:
    out = _copy(built, tmp_path / "out")
    result = CliRunner().invoke(app, ["publish", str(out), "--base", "https://example.org/"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "another --base" in lines[0], lines


def test_each_place_of_the_catalogue_is_the_region_its_data_gives_the_department(
        built: pipeline.BuildResult, graph: rdflib.Graph) -> None:
    places: set[rdflib.term.Node] = set()
    for entry in publish.published(built.output):
        document = rdflib.URIRef(entry.graph.removesuffix("/graph"))
        data = rdflib.Graph().parse(built.output / f"{entry.stem}.nt")
        region = data.value(data.value(document, DCTERMS.publisher), BK.region)
        assert region is not None and "/place/" in str(region)
        assert region in set(graph.objects(document, DCTERMS.spatial))
        assert graph.value(region, SKOS.prefLabel) == data.value(region, SKOS.prefLabel)
        places.add(region)
    catalogue = graph.value(predicate=RDF.type, object=DCAT.Catalog)
    assert places <= set(graph.objects(catalogue, DCTERMS.spatial))
    assert str(BASE) + "place/310107" in {str(p) for p in places}  # 上海市普陀区 by its code
