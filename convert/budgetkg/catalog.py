"""The DCAT-AP 3 catalogue of a build folder (catalog.ttl, catalog.jsonld) and its release files
(all.trig, all.nq: every document graph in one file).

Every document of the folder's manifest is a dcat:Dataset under the IRI its own graph gives it, in
one dcat:DatasetSeries per department, with a dcat:Distribution per published file; a
dcat:DataService stands for the SPARQL endpoint and VoID gives the sizes. Everything is read from
the manifest, the document graphs and the files, so the catalogue holds no build date and is
byte-identical while the folder is unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

import pyoxigraph as ox

from budgetkg import iris, publish, report
from budgetkg.errors import OutputError
from budgetkg.iris import DCAT, DCT, DQV, FOAF, OA, ORG, PROV, RDF_TYPE, RDFS, SKOS, SPDX, VOID, XSD
from budgetkg.resources import ontology_dir

BK = iris.ONTOLOGY
PREFIXES = {
    "bk": BK, "dcat": DCAT, "dcterms": DCT, "dqv": DQV, "foaf": FOAF, "oa": OA, "org": ORG,
    "prov": PROV, "rdfs": RDFS, "skos": SKOS, "spdx": SPDX, "void": VOID, "xsd": XSD,
}

# Controlled vocabularies of the EU Publications Office and IANA, as DCAT-AP asks.
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
CC_BY_4_0 = EU + "licence/CC_BY_4_0"
LANGUAGE = EU + "language/ZHO"
CHINA = EU + "country/CHN"  # every document is a Chinese department's
THEME_SCHEME = EU + "data-theme"
THEMES = (THEME_SCHEME + "/GOVE", THEME_SCHEME + "/ECON")
SHA256 = SPDX + "checksumAlgorithm_sha256"

# What the data conforms to: the fiscal ontology and the consistency shapes (shapes/).
STANDARDS = {
    iris.VOCAB + "ontology": ("budgetkg 部门预算决算本体", "budgetkg fiscal ontology"),
    iris.VOCAB + "shapes": ("budgetkg 一致性检查规则（SHACL）",
                            "budgetkg consistency shapes (SHACL)"),
}
SPARQL_PROTOCOL = ("https://www.w3.org/TR/sparql11-protocol/",
                   ("SPARQL 1.1 协议", "SPARQL 1.1 Protocol"))
# The vocabularies every document graph uses (VoID).
VOCABULARIES = (BK, "http://purl.org/linked-data/cube#", SKOS, ORG, DCT, PROV)

CATALOG = "catalog"  # catalog.ttl, catalog.jsonld
TABLES = "tables"  # CSV tables of `budgetkg tables OUT -o OUT/tables`: tables/<stem>/NN-kind.csv
RELEASE = ("all.trig", "all.nq")

_SCOPE = {"department": ("部门", "department"), "unit": ("单位", "unit")}


@dataclass(frozen=True)
class Format:
    """A published file type: extension, name, IANA media type, EU file type, what it holds."""

    extension: str
    name: str
    media_type: str
    file_type: str
    holds_zh: str
    holds_en: str


DUMPS = (
    Format("ttl", "Turtle", "text/turtle", "RDF_TURTLE",
           "文件图（Turtle）", "The document graph in Turtle"),
    Format("jsonld", "JSON-LD", "application/ld+json", "JSON_LD",
           "文件图（紧凑 JSON-LD，上下文见 context.jsonld）",
           "The document graph as compact JSON-LD (its context is context.jsonld)"),
    Format("nt", "N-Triples", "application/n-triples", "RDF_N_TRIPLES",
           "文件图（N-Triples，每行一个三元组）",
           "The document graph as N-Triples, a triple a line"),
)
CSV = Format("csv", "CSV", "text/csv", "CSV",
             "仅由图重建的表格（CSV）", "A printed table rebuilt from the graph alone, as CSV")


@dataclass(frozen=True)
class Options:
    """Where the data is published and under which licence (None: derived from the base)."""

    downloads: str | None = None  # base URL of the files [default: BASE + "dumps/"]
    endpoint: str | None = None  # the SPARQL endpoint [default: BASE + "sparql"]
    licence: str = CC_BY_4_0
    publisher: str | None = None  # the catalogue's publisher [default: the host name of BASE]


@dataclass(frozen=True)
class _Site:
    """Options resolved against the base IRI."""

    base: str
    downloads: str
    endpoint: str
    licence: str
    publisher: str

    def url(self, name: str) -> str:
        return self.downloads + name


def _site(base: str, options: Options) -> _Site:
    downloads = options.downloads or base + "dumps/"
    return _Site(base, downloads if downloads.endswith("/") else downloads + "/",
                 options.endpoint or base + "sparql", options.licence,
                 options.publisher or urlsplit(base).hostname or base)


@dataclass(frozen=True)
class PublishedFile:
    """A file of the folder: its path below it, size, SHA-256 and type (CSV: the table title)."""

    name: str
    size: int
    sha256: str
    format: Format
    table: str = ""

    @property
    def key(self) -> str:
        """Its distribution's IRI segment: the format, or csv/<file> for a table."""
        return f"csv/{Path(self.name).stem}" if self.table else self.format.extension


@dataclass(frozen=True)
class Described:
    """One document as the catalogue describes it: its manifest entry and what its graph says."""

    published: publish.Published
    iri: str
    title: str  # as printed
    organisation: str
    organisation_name: str
    year: int
    phase: str
    scope: str
    issued: str  # ISO date printed in the document, "" when none is printed
    conversion: str
    converter_version: str
    source: str
    files: tuple[PublishedFile, ...]
    report: str  # the validation report's file, "" when there is none
    place: str = ""  # the department's region (bk:region) as its graph gives it, "" for none
    area: str = ""  # that region's name in full

    @property
    def series(self) -> str:
        return self.iri.rsplit("/", 2)[0]  # {base}doc/<department>: the parent of its documents

    @property
    def kind(self) -> tuple[str, str]:
        """(zh, en): 部门预算 / department budget, 单位决算 / unit final accounts …"""
        (scope_zh, scope_en), (phase_zh, phase_en) = _SCOPE[self.scope], phase_labels()[self.phase]
        return f"{scope_zh}{phase_zh}", f"{scope_en} {phase_en}"

    @property
    def titles(self) -> tuple[str, str]:
        """(zh, en) title naming the department, year and kind (printed titles often omit one)."""
        zh, en = self.kind
        name = self.organisation_name
        return f"{name}{self.year}年度{zh}", f"{name}: {en} {self.year}"


@dataclass(frozen=True)
class Catalogue:
    """What `write` produced."""

    files: tuple[Path, ...]
    datasets: int
    series: int
    distributions: int
    triples: int  # in the catalogue
    quads: int  # in each release file


@cache
def phase_labels() -> dict[str, tuple[str, str]]:
    """Budget phase id -> (zh, en) label, from the code list."""
    labels: dict[str, dict[str, str]] = {}
    prefix = iris.concept("budget-phase", "")
    path = ontology_dir() / "codelists" / "budget-phase.ttl"
    for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        if t.predicate.value == SKOS + "prefLabel" and t.subject.value.startswith(prefix):
            labels.setdefault(t.subject.value.removeprefix(prefix), {})[t.object.language] = (
                t.object.value)
    return {k: (v["zh"], v["en"]) for k, v in labels.items()}


# --- reading the folder --------------------------------------------------------------------

_DOCUMENT = """SELECT * WHERE {
  ?document a bk:BudgetDocument ; dcterms:title ?title ; dcterms:publisher ?organisation ;
    bk:fiscalYear ?year ; bk:budgetPhase ?phase ; bk:documentScope ?scope ;
    prov:wasDerivedFrom ?source ; prov:wasGeneratedBy ?conversion .
  ?organisation skos:prefLabel ?name .
  ?conversion bk:converterVersion ?version .
  OPTIONAL { ?document dcterms:issued ?issued }
  OPTIONAL { ?organisation bk:region ?place . ?place skos:prefLabel ?area }
}"""
# The predicates _DOCUMENT and _TABLES use; of the rdf:type statements only the document's.
_NEEDED = re.compile(
    rb"^<[^>]*> (?:<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    rb"<https://w3id.org/budgetkg/ontology#BudgetDocument>|<(?:"
    + b"|".join(re.escape(p.encode()) for p in (
        "http://purl.org/dc/terms/title", "http://purl.org/dc/terms/publisher",
        "http://purl.org/dc/terms/issued", "http://www.w3.org/ns/prov#wasDerivedFrom",
        "http://www.w3.org/ns/prov#wasGeneratedBy", "http://www.w3.org/2004/02/skos/core#prefLabel",
        *(iris.ONTOLOGY + p for p in ("fiscalYear", "budgetPhase", "documentScope",
                                       "converterVersion", "document", "tableNumber",
                                       "region"))))
    + rb")> .*) \.$", re.M)
_TABLES = """SELECT ?document ?number ?title WHERE {
  ?table bk:document ?document ; bk:tableNumber ?number ; dcterms:title ?title }"""


def _file(out: Path, path: Path, fmt: Format, table: str = "") -> PublishedFile:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return PublishedFile(path.relative_to(out).as_posix(), path.stat().st_size,
                         digest.hexdigest(), fmt, table)


def _files(out: Path, stem: str, tables: dict[int, str]) -> tuple[PublishedFile, ...]:
    """The document's dumps (each must be there) and its CSV tables (when they were made)."""
    files = []
    for fmt in DUMPS:
        path = out / f"{stem}.{fmt.extension}"
        if not path.is_file():
            raise OutputError(path, "listed in manifest.json but missing")
        files.append(_file(out, path, fmt))
    for path in sorted((out / TABLES / stem).glob("*.csv")):
        number = path.name.split("-", 1)[0]
        title = tables.get(int(number)) if number.isdigit() else None
        files.append(_file(out, path, CSV, title or path.stem))
    return tuple(files)


def _select(store: ox.Store, query: str, **bound: ox.NamedNode) -> ox.QuerySolutions:
    solutions = store.query(query, prefixes=PREFIXES,
                            substitutions={ox.Variable(k): v for k, v in bound.items()})
    assert isinstance(solutions, ox.QuerySolutions)  # a SELECT query
    return solutions


def _graph(path: Path) -> ox.Store:
    """The statements of a document's N-Triples dump that the catalogue reads (a few hundred of
    its thousands: picked from the text, one statement a line, before parsing)."""
    if not path.is_file():
        raise OutputError(path, "listed in manifest.json but missing")
    store = ox.Store()
    try:
        lines = _NEEDED.findall(path.read_bytes())
        store.load(b"\n".join(lines) + b"\n", format=ox.RdfFormat.N_TRIPLES)
    except (SyntaxError, ValueError, OSError) as exc:
        raise OutputError(path, f"cannot parse: {exc}".splitlines()[0]) from exc
    return store


def _document(path: Path, store: ox.Store, base: str) -> ox.QuerySolution:
    """The graph's one budget document, under the IRI `base` mints for it."""
    rows: list[ox.QuerySolution] = list(_select(store, _DOCUMENT))
    if len({r["document"].value for r in rows}) != 1:
        raise OutputError(path, f"describes {len(rows)} budget documents, expected one")
    row = min(rows, key=lambda r: r["source"].value)  # a document of several files: the first
    if not row["document"].value.startswith(f"{base}doc/"):
        raise OutputError(path, f"its document is {row['document'].value}, not under {base}doc/: "
                                "the folder was built with another --base (give publish the "
                                "same one)")
    return row


def _describe_document(out: Path, entry: publish.Published, base: str) -> Described:
    """The manifest entry with what the document's own graph says about it."""
    path = out / f"{entry.stem}.nt"
    store = _graph(path)
    row = _document(path, store, base)
    tables = {int(t["number"].value): t["title"].value
              for t in _select(store, _TABLES, document=row["document"])}
    report_file = f"{entry.stem}.report.ttl"
    return Described(
        published=entry, iri=row["document"].value, title=row["title"].value,
        organisation=row["organisation"].value, organisation_name=row["name"].value,
        year=int(row["year"].value),
        phase=row["phase"].value.removeprefix(iris.concept("budget-phase", "")),
        scope=row["scope"].value,
        issued=row["issued"].value if row["issued"] is not None else "",
        conversion=row["conversion"].value, converter_version=row["version"].value,
        source=row["source"].value, files=_files(out, entry.stem, tables),
        report=report_file if (out / report_file).is_file() else "",
        place=row["place"].value if row["place"] is not None else "",
        area=row["area"].value if row["area"] is not None else "",
    )


def read(out: Path, base: str) -> list[Described]:
    """Every document of the folder's manifest, in manifest (graph IRI) order."""
    entries = publish.published(out)
    if not entries:
        raise OutputError(out / publish.MANIFEST, "lists no document")
    return [_describe_document(out, entry, base) for entry in entries]


# --- describing ----------------------------------------------------------------------------


def _zh(text: str) -> ox.Literal:
    return ox.Literal(text, language="zh")


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def _typed(value: object, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype))


@dataclass
class _Graph:
    """Collects the catalogue's triples; objects given as str are IRIs."""

    triples: set[ox.Triple] = field(default_factory=set)

    def add(self, s: str, p: str, *objects: str | ox.Literal) -> None:
        for o in objects:
            obj = ox.NamedNode(o) if isinstance(o, str) else o
            self.triples.add(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), obj))

    def a(self, s: str, *classes: str) -> None:
        self.add(s, RDF_TYPE, *classes)

    def texts(self, s: str, p: str, zh: str, en: str) -> None:
        self.add(s, p, _zh(zh), _en(en))

    def sorted(self) -> list[ox.Triple]:
        return sorted(self.triples, key=lambda t: (str(t.subject), t.predicate.value,
                                                   str(t.object)))


def _place(g: _Graph, doc: Described) -> str:
    """The department's region, under the IRI its graph gives it (iris.place: one IRI per
    place in the data and the catalogue)."""
    g.a(doc.place, DCT + "Location")
    g.add(doc.place, SKOS + "prefLabel", _zh(doc.area))
    g.add(doc.place, RDFS + "label", _zh(doc.area))
    return doc.place


def _period(g: _Graph, site: _Site, year: int) -> str:
    """The fiscal year: a Chinese fiscal year is the calendar year (预算法 第十八条)."""
    period = f"{site.base}period/{year}"
    g.a(period, DCT + "PeriodOfTime")
    g.add(period, DCAT + "startDate", _typed(f"{year}-01-01", "date"))
    g.add(period, DCAT + "endDate", _typed(f"{year}-12-31", "date"))
    g.texts(period, RDFS + "label", f"{year}年度", f"fiscal year {year}")
    return period


def _checksum(g: _Graph, owner: str, sha256: str) -> None:
    checksum = f"{owner}/checksum"
    g.add(owner, SPDX + "checksum", checksum)
    g.a(checksum, SPDX + "Checksum")
    g.add(checksum, SPDX + "algorithm", SHA256)
    g.add(checksum, SPDX + "checksumValue", _typed(sha256, "hexBinary"))


def _distribution(g: _Graph, site: _Site, doc: Described, file: PublishedFile) -> str:
    d = f"{doc.iri}/distribution/{file.key}"
    fmt = file.format
    g.a(d, DCAT + "Distribution")
    zh, en = doc.titles
    if file.table:
        zh, en = f"{zh}：{file.table}", f"{en} — {file.table}"
    g.texts(d, DCT + "title", f"{zh}（{fmt.name}）", f"{en} ({fmt.name})")
    g.texts(d, DCT + "description", fmt.holds_zh, fmt.holds_en)
    g.add(d, DCAT + "accessURL", site.url(file.name))
    g.add(d, DCAT + "downloadURL", site.url(file.name))
    g.add(d, DCAT + "mediaType", IANA + fmt.media_type)
    g.add(d, DCT + "format", EU + "file-type/" + fmt.file_type)
    g.add(d, DCAT + "byteSize", _typed(file.size, "nonNegativeInteger"))
    g.add(d, DCT + "license", site.licence)
    _checksum(g, d, file.sha256)
    return d


def _provenance(g: _Graph, site: _Site, doc: Described) -> None:
    """Derived from the source file (with its checksum) by a run of the converter."""
    g.add(doc.iri, PROV + "wasDerivedFrom", doc.source)
    g.a(doc.source, PROV + "Entity")
    g.add(doc.source, DCT + "identifier", ox.Literal(doc.published.source))
    _checksum(g, doc.source, doc.published.sha256)
    g.add(doc.iri, PROV + "wasGeneratedBy", doc.conversion)
    g.a(doc.conversion, PROV + "Activity")
    g.add(doc.conversion, RDFS + "label", ox.Literal(f"budgetkg {doc.converter_version}"))
    g.add(doc.conversion, PROV + "used", doc.source)
    software = f"{site.base}software/budgetkg/{doc.converter_version}"
    g.add(doc.conversion, PROV + "wasAssociatedWith", software)
    g.a(software, PROV + "SoftwareAgent")
    g.add(software, FOAF + "name", ox.Literal("budgetkg"))
    g.add(software, DCAT + "version", ox.Literal(doc.converter_version))


def _quality(g: _Graph, site: _Site, doc: Described) -> None:
    """The validation report, a quality annotation whose body is the report file."""
    annotation = report.report_iri(doc.iri)
    g.add(doc.iri, DQV + "hasQualityAnnotation", annotation)
    g.a(annotation, DQV + "QualityAnnotation")
    g.add(annotation, OA + "hasTarget", doc.iri)
    g.add(annotation, OA + "motivatedBy", DQV + "qualityAssessment")
    if doc.report:
        g.add(annotation, OA + "hasBody", site.url(doc.report))
    quality = doc.published.quality
    if quality is not None:
        g.texts(annotation, RDFS + "comment",
                f"自洽性检查：{quality.inconsistencies} 处不一致，{quality.warnings} 条警告",
                f"consistency check: {quality.inconsistencies} inconsistency(ies), "
                f"{quality.warnings} warning(s)")


def _about(g: _Graph, s: str, places: list[str], keywords: list[str]) -> None:
    """What datasets and series share: themes, language, coverage and keywords."""
    g.add(s, DCAT + "theme", *THEMES)
    g.add(s, DCT + "spatial", CHINA, *places)
    g.add(s, DCAT + "keyword", *(_zh(k) for k in keywords if k))


def _dataset(g: _Graph, site: _Site, doc: Described) -> None:
    d, c = doc.iri, doc.published.counts
    g.a(d, DCAT + "Dataset", VOID + "Dataset")
    g.add(d, DCT + "identifier", ox.Literal(d))
    g.texts(d, DCT + "title", *doc.titles)
    g.add(d, DCT + "alternative", _zh(doc.title))
    (kind_zh, kind_en), name, source = doc.kind, doc.organisation_name, doc.published.source
    g.texts(d, DCT + "description",
            f"{name}{doc.year}年度{kind_zh}公开文件的关联数据，由 {source} 转换："
            f"{c.tables} 张表、{c.observations} 个金额、{c.projects} 个项目、"
            f"{c.statements} 个情况说明数字，共 {c.triples} 个三元组。",
            f"Linked data of the published {kind_en} of {name} for {doc.year}, converted "
            f"from {source}: {c.tables} tables, {c.observations} amounts, {c.projects} "
            f"projects, {c.statements} figures of the narrative; {c.triples} triples.")
    g.add(d, DCT + "publisher", doc.organisation)
    if doc.issued:
        g.add(d, DCT + "issued", _typed(doc.issued, "date"))
    g.add(d, DCT + "temporal", _period(g, site, doc.year))
    places = [_place(g, doc)] if doc.place else []
    _about(g, d, places, [kind_zh, f"{doc.year}年度", name, doc.area])
    g.add(d, DCT + "language", LANGUAGE)
    g.add(d, DCT + "license", site.licence)
    g.add(d, DCT + "conformsTo", *STANDARDS)
    g.add(d, DCAT + "inSeries", doc.series)
    g.add(d, DCAT + "distribution", *(_distribution(g, site, doc, f) for f in doc.files))
    g.add(d, VOID + "triples", _typed(c.triples, "integer"))
    g.add(d, VOID + "dataDump", *(site.url(f.name) for f in doc.files if f.format in DUMPS))
    g.add(d, VOID + "sparqlEndpoint", site.endpoint)
    g.add(d, VOID + "vocabulary", *VOCABULARIES)
    _provenance(g, site, doc)
    _quality(g, site, doc)


def _publisher(g: _Graph, doc: Described) -> None:
    """The department, already in its graph as an org: organisation, as a DCAT-AP agent."""
    g.a(doc.organisation, FOAF + "Agent", ORG + "Organization")
    g.add(doc.organisation, FOAF + "name", _zh(doc.organisation_name))


def _series(g: _Graph, site: _Site, members: list[Described]) -> str:
    """A department's documents across years and phases."""
    first = members[0]
    s, name = first.series, first.organisation_name
    g.a(s, DCAT + "DatasetSeries")
    g.texts(s, DCT + "title", f"{name}部门预算和决算", f"Budgets and final accounts of {name}")
    g.texts(s, DCT + "description",
            f"{name}各年度的预算和决算公开文件；本目录收录："
            + "、".join(m.titles[0] for m in members) + "。",
            f"The published budgets and final accounts of {name}, year by year; in this "
            "catalogue: " + "; ".join(m.titles[1] for m in members) + ".")
    g.add(s, DCT + "publisher", first.organisation)
    g.add(s, DCT + "temporal", *(_period(g, site, m.year) for m in members))
    places = [_place(g, first)] if first.place else []
    _about(g, s, places, [name, first.area])
    return s


def _service(g: _Graph, site: _Site, publisher: str, datasets: list[str]) -> str:
    service = f"{site.base}catalog/sparql"
    g.a(service, DCAT + "DataService")
    g.texts(service, DCT + "title", "部门预算和决算 SPARQL 查询服务",
            "SPARQL endpoint of the department budgets and final accounts")
    g.texts(service, DCT + "description",
            "SPARQL 1.1 查询所有文件图（默认图为各文件图的并集）。",
            "SPARQL 1.1 queries over every document graph (the default graph is their union).")
    g.add(service, DCAT + "endpointURL", site.endpoint)
    # A SPARQL endpoint answers a GET without a query with its service description.
    g.add(service, DCAT + "endpointDescription", site.endpoint)
    iri, (zh, en) = SPARQL_PROTOCOL
    g.add(service, DCT + "conformsTo", iri)
    g.a(iri, DCT + "Standard")
    g.texts(iri, DCT + "title", zh, en)
    g.add(service, DCAT + "servesDataset", *datasets)
    g.add(service, DCT + "publisher", publisher)
    g.add(service, DCT + "license", site.licence)
    g.add(service, DCAT + "theme", *THEMES)
    g.add(service, DCAT + "keyword", ox.Literal("SPARQL"), _zh("部门预算"), _zh("部门决算"))
    return service


def _void_all(g: _Graph, site: _Site, docs: list[Described]) -> None:
    """The union of every document graph (the release files), with its statistics."""
    everything = f"{site.base}catalog/all"
    g.a(everything, VOID + "Dataset")
    g.texts(everything, DCT + "title", "全部文件图", "All document graphs")
    g.add(everything, VOID + "triples",
          _typed(sum(d.published.counts.triples for d in docs), "integer"))
    g.add(everything, VOID + "dataDump", *(site.url(name) for name in RELEASE))
    g.add(everything, VOID + "sparqlEndpoint", site.endpoint)
    g.add(everything, VOID + "subset", *(d.iri for d in docs))
    g.add(everything, VOID + "vocabulary", *VOCABULARIES)


def _standards(g: _Graph) -> None:
    for iri, (zh, en) in STANDARDS.items():
        g.a(iri, DCT + "Standard")
        g.texts(iri, DCT + "title", zh, en)


def _catalog(g: _Graph, site: _Site, docs: list[Described], entries: list[str],
             places: list[str]) -> str:
    catalog = f"{site.base}catalog"
    publisher = f"{site.base}catalog/publisher"
    g.a(publisher, FOAF + "Agent")
    g.add(publisher, FOAF + "name", ox.Literal(site.publisher))
    g.add(publisher, FOAF + "homepage", site.base)
    g.a(site.base, FOAF + "Document")
    years = sorted({d.year for d in docs})
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    departments = len({d.organisation for d in docs})
    g.a(catalog, DCAT + "Catalog")
    g.texts(catalog, DCT + "title", "部门预算和决算关联数据目录",
            "Catalogue of department budgets and final accounts as linked data")
    g.texts(catalog, DCT + "description",
            f"中国政府部门预算和决算公开文件转换的关联数据：{departments} 个部门的 "
            f"{len(docs)} 份文件（{span} 年度），每份文件一个数据集，提供 Turtle、JSON-LD、"
            "N-Triples 下载和 SPARQL 查询服务。",
            f"Linked data converted from the published budgets and final accounts of Chinese "
            f"government departments: {len(docs)} documents of {departments} departments "
            f"({span}), one dataset each, as Turtle, JSON-LD and N-Triples downloads and "
            "through a SPARQL endpoint.")
    g.add(catalog, DCT + "publisher", publisher)
    g.add(catalog, FOAF + "homepage", site.base)
    g.add(catalog, DCT + "language", LANGUAGE)
    g.add(catalog, DCT + "license", site.licence)
    g.add(catalog, DCT + "spatial", CHINA, *places)
    g.add(catalog, DCAT + "themeTaxonomy", THEME_SCHEME)
    g.add(catalog, DCAT + "dataset", *entries)
    g.add(catalog, DCAT + "service", _service(g, site, publisher, [d.iri for d in docs]))
    issued = [d.issued for d in docs if d.issued]
    if issued:  # the newest printed date: deterministic, unlike the day of the build
        g.add(catalog, DCT + "modified", _typed(max(issued), "date"))
    return catalog


def describe(docs: list[Described], base: str, options: Options) -> list[ox.Triple]:
    """The catalogue's triples, sorted."""
    site = _site(base, options)
    g = _Graph()
    by_series: dict[str, list[Described]] = {}
    for doc in docs:
        _dataset(g, site, doc)
        _publisher(g, doc)
        by_series.setdefault(doc.series, []).append(doc)
    series = [_series(g, site, sorted(m, key=lambda d: (d.year, d.phase)))
              for _, m in sorted(by_series.items())]
    places = sorted({_place(g, d) for d in docs if d.place})
    _standards(g)
    _void_all(g, site, docs)
    _catalog(g, site, docs, [d.iri for d in docs] + series, places)
    return g.sorted()


# --- writing -------------------------------------------------------------------------------


def _jsonld(triples: list[ox.Triple]) -> bytes:
    """Expanded JSON-LD (self-contained: no remote context to fetch), one key a line."""
    data = ox.serialize(triples, format=ox.RdfFormat.JSON_LD)
    assert data is not None  # serialize returns bytes when given no output
    return (json.dumps(json.loads(data), ensure_ascii=False, indent=1) + "\n").encode()


def _release(out: Path, docs: list[Described]) -> list[Path]:
    """all.nq and all.trig: every document graph, in manifest order, made from the N-Triples
    dumps' bytes (a statement a line; a raw line break cannot occur inside one), so that a
    thousand documents take seconds. Their first line, a comment, names what they were made
    from: while the dumps are unchanged they are not written again."""
    stamp = hashlib.sha256("".join(
        f"{d.published.graph}\t{f.sha256}\n" for d in docs for f in d.files
        if f.format.extension == "nt").encode()).hexdigest()
    header = f"# budgetkg release of the document dumps {stamp}\n".encode()
    paths = [out / name for name in RELEASE]
    if all(_first_line(p) == header for p in paths):
        return paths

    def quads(handle: BinaryIO) -> None:
        handle.write(header)
        for doc in docs:
            graph = f" <{doc.published.graph}> .\n".encode()
            handle.write((out / f"{doc.published.stem}.nt").read_bytes().replace(b" .\n", graph))

    def trig(handle: BinaryIO) -> None:
        handle.write(header)
        for doc in docs:
            handle.write(f"<{doc.published.graph}> {{\n".encode())
            handle.write((out / f"{doc.published.stem}.nt").read_bytes())
            handle.write(b"}\n")

    publish.write_streamed(out / "all.trig", trig)
    publish.write_streamed(out / "all.nq", quads)
    return paths


def _first_line(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.readline()
    except OSError:
        return b""


def write(out: Path, base: str, options: Options) -> Catalogue:
    """Write OUT/catalog.ttl, catalog.jsonld, all.trig and all.nq for every document of OUT."""
    docs = read(out, base)
    triples = describe(docs, base, options)
    turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    assert turtle is not None
    files = {out / f"{CATALOG}.ttl": turtle, out / f"{CATALOG}.jsonld": _jsonld(triples)}
    publish.write_atomically(files)
    written = [*files, *_release(out, docs)]
    return Catalogue(
        files=tuple(written), datasets=len(docs), series=len({d.series for d in docs}),
        distributions=sum(len(d.files) for d in docs), triples=len(triples),
        quads=sum(d.published.counts.triples for d in docs),
    )
