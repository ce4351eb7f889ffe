"""The only place that chains the stages, each a function from one frozen value to the next:

    read       files -> Source                      read/
    recognise  Source -> Recognised                 recognise/
    normalise  Recognised -> Document               normalise.py
    link       Document -> Document (with Links)    link/
    map        Document -> (graph IRI, triples)     map/
    validate   triples -> ValidationReport          validate.py
    publish    triples + report -> files            publish.py, report.py, catalog.py

and back from the graph (tables). Each public verb here is one CLI command: build, check
(validate), tables, query, publish_catalogue (publish).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox

from budgetkg import batch, catalog, iris, map, publish, report, store, validate
from budgetkg.errors import BudgetKGError, InputError, OutputError
from budgetkg.iris import DQV, QB, RDF_TYPE, SH
from budgetkg.link import link
from budgetkg.mapping import load as load_mappings
from budgetkg.normalise import normalise
from budgetkg.read import read
from budgetkg.recognise import recognise
from budgetkg.resources import queries_dir
from budgetkg.tables import Document

QB_OBSERVATION = QB + "Observation"
DQV_QUALITY = DQV + "hasQualityAnnotation"  # document -> its report
SH_SOURCE_SHAPE = SH + "sourceShape"
DUMPS = (".nt", ".ttl", ".jsonld", ".nq", ".trig")  # the dump files a graph may be read from


@dataclass(frozen=True)
class Failure:
    source: str
    message: str  # one line naming the file and the problem


@dataclass
class BuildResult:
    """What a build wrote and what it could not do."""

    output: Path
    documents: list[publish.Published] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    catalogue: catalog.Catalogue | None = None  # of every document in the folder

    @property
    def ok(self) -> bool:
        return not self.failures


def _counts(doc: Document, triples: list[ox.Triple]) -> publish.Counts:
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    observations = sum(
        1 for t in triples
        if t.predicate.value == rdf_type and isinstance(t.object, ox.NamedNode)
        and t.object.value == QB_OBSERVATION
    )
    return publish.Counts(
        tables=len(doc.tables),
        rows=sum(len(t.rows) for t in doc.tables),
        observations=observations,
        projects=sum(len(t.projects) for t in doc.tables),
        statements=len(doc.statements),
        triples=len(triples),
    )


def normalised(paths: Sequence[Path]) -> Document:
    """The files of one document read, recognised and normalised: the document as printed,
    before it is linked (what mutation tests change, one printed figure at a time)."""
    mappings = load_mappings()
    return normalise(recognise(read(paths, mappings), mappings), mappings)


def document(paths: Sequence[Path]) -> Document:
    """The files of one document read, recognised, normalised and linked (no file written)."""
    return link(normalised(paths), load_mappings())


def convert(paths: Sequence[Path], base: str) -> tuple[Document, str, list[ox.Triple]]:
    """One document to its named graph (no file written)."""
    return convert_document(normalised(paths), base)


def convert_document(printed: Document, base: str) -> tuple[Document, str, list[ox.Triple]]:
    """A normalised document linked and mapped to its named graph (no file written)."""
    mappings = load_mappings()
    doc = link(printed, mappings)
    graph, triples = map.to_graph(doc, mappings, base)
    return doc, graph, triples


@dataclass(frozen=True)
class Task:
    """One document (its files) for a worker to build into `output`."""

    sources: tuple[Path, ...]
    output: Path
    base: str
    engine: str

    @property
    def source(self) -> Path:
        return self.sources[0]


def build_one(task: Task) -> publish.Published | Failure:
    """Convert, validate and write one document (its own files only); runs in a worker."""
    path, output, base = task.source, task.output, task.base
    try:
        doc, graph, triples = convert(task.sources, base)
        stem = publish.stem(doc.links.organisation or doc.organisation.name, doc.year,
                            doc.phase, doc.scope)
        document_iri = map.minter(doc, base).document
        checked = validate.validate(triples, task.engine)
        triples = sorted([*triples, report.link(document_iri)], key=_triple_key)
        files = publish.dumps(triples, graph, base + publish.CONTEXT)
        files["report.ttl"] = report.turtle(checked, document_iri)
        publish.write_atomically({output / f"{stem}.{e}": data for e, data in files.items()})
        problems = tuple(str(n) for n in doc.notices)
        problems += tuple(f"table {t.title}, {p}" for t in doc.tables for p in t.problems)
        return publish.Published(
            source=" + ".join(p.name for p in task.sources), sha256=doc.sha256, graph=graph,
            stem=stem,
            files=tuple(sorted(f"{stem}.{ext}" for ext in files)),
            counts=_counts(doc, triples), problems=problems,
            quality=publish.Quality(checked.count("Violation"), checked.count("Warning"),
                                    checked.conforms),
            converter=batch.converter_version(),
        )
    except BudgetKGError as exc:
        return Failure(str(path), exc.message)
    except Exception as exc:  # a converter bug must not stop the other documents
        return Failure(str(path), f"{path}: internal error, please report it "
                                  f"({type(exc).__name__}: {exc})")


def build(
    sources: Iterable[Path],
    output: Path,
    base: str = iris.DEFAULT_BASE,
    progress: Callable[[Path], None] | None = None,
    engine: str = "fast",
    options: catalog.Options | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
) -> BuildResult:
    """Convert each document and write its dumps, in `jobs` worker processes or on a Dask
    cluster; a failing document does not stop the others, and a document built before from the
    same content by the same converter is not built again (an interrupted build resumes). Then
    the manifest, the folder's catalogue and its release files are written for all documents."""
    base = _base(base)
    result = BuildResult(output)
    documents = batch.expand(sources)
    batch.clean_staging(output)
    log, journal = batch.Log(output), batch.Journal(output)
    known = journal.entries() + (publish.published(output)
                                 if (output / publish.MANIFEST).is_file() else [])
    skipped = batch.unchanged(documents, known, output)
    try:
        for paths, entry in skipped.items():
            result.documents.append(entry)
            log.line("unchanged", paths[0], entry.stem)
            if progress is not None:
                progress(paths[0])
        tasks = [Task(p, output, base, engine) for p in documents if p not in skipped]
        for task, outcome in batch.run(build_one, tasks, jobs, scheduler):
            _record(result, task.source, outcome, log, journal)
            if progress is not None:
                progress(task.source)
    finally:
        log.close()
    refreshed: list[publish.Published] = []
    if result.documents:
        try:
            refreshed = _compare_years(result, engine, jobs, scheduler)
        except BudgetKGError as exc:
            result.failures.append(Failure(str(output), exc.message))
        publish.write_manifest(output, [*result.documents, *refreshed])
        journal.remove()
        try:
            result.catalogue = catalog.write(output, base, options or catalog.Options())
        except BudgetKGError as exc:
            result.failures.append(Failure(str(output), exc.message))
    return result


def _organisations(stems: Iterable[str]) -> list[list[str]]:
    """The stems of each organisation's documents of one scope (years, phases)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for name in stems:
        groups[publish.series_of(name)].append(name)
    return [sorted(g) for _, g in sorted(groups.items())]


def _graph(output: Path, name: str) -> list[ox.Triple]:
    path = output / f"{name}.nt"
    if not path.is_file():
        raise OutputError(path, "listed in manifest.json but missing")
    return list(ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))


def _compared(report_file: Path) -> bool:
    """The report holds findings of the shapes that compare documents."""
    if not report_file.is_file():
        return False
    across = validate.across_shapes()
    return any(t.predicate.value == SH_SOURCE_SHAPE and t.object.value in across
               for t in ox.parse(path=str(report_file), format=ox.RdfFormat.TURTLE))


@dataclass(frozen=True)
class Comparison:
    """The documents of one organisation in `output` to compare with each other."""

    output: Path
    stems: tuple[str, ...]
    engine: str


def compare_one(task: Comparison) -> dict[str, publish.Quality]:
    """Compare each document of an organisation with the others (validate.compare) and put
    the findings into its report in place of those of an earlier comparison (the others may have
    changed or be gone); the new counts of the reports that changed, by stem. Runs in a worker,
    like build_one."""
    graphs = [_graph(task.output, name) for name in task.stems]
    compared = validate.compare(graphs, task.engine) if len(graphs) > 1 else [[]]
    across = validate.across_shapes()
    counts = {}
    for name, triples, found in zip(task.stems, graphs, compared, strict=True):
        path = task.output / f"{name}.report.ttl"
        before = report.read(path, task.engine)
        kept = [f for f in before.findings if f.shape not in across]
        if set(kept) | set(found) == set(before.findings):
            continue
        checked = validate.ValidationReport(task.engine, sorted(
            set(kept) | set(found), key=lambda f: f.key))
        document = next(t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)
                        and t.predicate.value == DQV_QUALITY)
        publish.write_atomically({path: report.turtle(checked, document)})
        counts[name] = publish.Quality(checked.count("Violation"), checked.count("Warning"),
                                       checked.conforms)
    return counts


def _compare_years(result: BuildResult, engine: str, jobs: int,
                   scheduler: str | None) -> list[publish.Published]:
    """Each organisation with several documents in the folder (this build's and those built
    into it before), or whose report compared documents before, compared in workers
    (compare_one). This build's documents get their new counts; the earlier documents whose
    counts changed are returned, for the manifest."""
    earlier = {d.stem: d for d in publish.published(result.output)} if (
        result.output / publish.MANIFEST).is_file() else {}
    index = {d.stem: i for i, d in enumerate(result.documents)}
    stems = sorted(set(earlier) | set(index))
    tasks = [Comparison(result.output, tuple(group), engine) for group in _organisations(stems)
             if len(group) > 1 or _compared(result.output / f"{group[0]}.report.ttl")]
    refreshed = []
    for _, counts in batch.run(compare_one, tasks, jobs, scheduler):
        for name, quality in counts.items():
            if name in index:
                document = result.documents[index[name]]
                result.documents[index[name]] = replace(document, quality=quality)
            else:
                refreshed.append(replace(earlier[name], quality=quality))
    return refreshed


def _record(result: BuildResult, source: Path, outcome: publish.Published | Failure,
            log: batch.Log, journal: batch.Journal) -> None:
    if isinstance(outcome, Failure):
        result.failures.append(outcome)
        log.line("failed", source, outcome.message)
        return
    result.documents.append(outcome)
    journal.record(outcome)
    quality = outcome.quality
    log.line("built", source, f"{outcome.stem}: {outcome.counts.triples} triples"
             + (f", {quality.inconsistencies} inconsistencies, {quality.warnings} warnings"
                if quality else ""))


def _base(base: str) -> str:
    return base if base.endswith(("/", "#")) else base + "/"


def publish_catalogue(output: Path, base: str = iris.DEFAULT_BASE,
                      options: catalog.Options | None = None) -> catalog.Catalogue:
    """Re-write the catalogue and release files of an existing build folder."""
    return catalog.write(output, _base(base), options or catalog.Options())


def _triple_key(t: ox.Triple) -> tuple[str, str, str]:
    return (str(t.subject), t.predicate.value, str(t.object))


ShapeProgress = Callable[[str, str], None]  # told (document, shape) as each shape is run


def check(source: Path, engine: str = "fast", base: str = iris.DEFAULT_BASE,
          progress: ShapeProgress | None = None) -> dict[str, validate.ValidationReport]:
    """Validate a document (converted on the fly), every document of a build folder, or every
    document of an RDF dump file (by document IRI). The pyshacl engine tells `progress` of
    each shape it has run on each document."""
    def told(name: str) -> Callable[[str], None] | None:
        return None if progress is None else lambda shape: progress(name, shape)

    if source.is_file() and source.suffix.lower() in DUMPS:
        return _check_dump(source, engine, told)
    if source.is_dir() and (source / publish.MANIFEST).is_file():
        stems = [str(entry["stem"]) for entry in publish.read_manifest(source)]
        reports = {}
        for group in _organisations(stems):  # each with the other years of its organisation
            graphs = {name: _graph(source, name) for name in group}
            compared = (validate.compare(list(graphs.values()), engine) if len(group) > 1
                        else [[]])
            for name, found in zip(group, compared, strict=True):
                reports[name] = validate.validate(graphs[name], engine, found, told(name))
        return {name: reports[name] for name in stems}
    _, _, triples = convert((source,), base)
    return {source.name: validate.validate(triples, engine, progress=told(source.name))}


def _check_dump(source: Path, engine: str,
                told: Callable[[str], Callable[[str], None] | None],
                ) -> dict[str, validate.ValidationReport]:
    """Each document graph of a dump, validated with the others of its organisation, as a build
    folder's are (reports held in the graphs are left out)."""
    db = store.load(source)
    document_type = ox.NamedNode(iris.ONTOLOGY + "BudgetDocument")
    organisation = ox.NamedNode(iris.ONTOLOGY + "organisation")
    groups: dict[str, dict[str, list[ox.Triple]]] = defaultdict(dict)
    for typed in db.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), document_type, None):
        if not isinstance(typed.subject, ox.NamedNode):
            continue
        document, graph = typed.subject.value, typed.graph_name
        owner = next((q.object.value for q in db.quads_for_pattern(
            typed.subject, organisation, None, graph) if isinstance(q.object, ox.NamedNode)),
            document)
        reported = {q.subject for q in db.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None,
                                                            graph)
                    if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(SH)}
        groups[owner][document] = [ox.Triple(q.subject, q.predicate, q.object)
                                   for q in db.quads_for_pattern(None, None, None, graph)
                                   if q.subject not in reported]
    if not groups:
        raise InputError(source, "holds no budget document (no bk:BudgetDocument)")
    reports = {}
    for _, graphs in sorted(groups.items()):
        names = sorted(graphs)
        compared = (validate.compare([graphs[n] for n in names], engine) if len(names) > 1
                    else [[]])
        for name, found in zip(names, compared, strict=True):
            reports[name] = validate.validate(graphs[name], engine, found, told(name))
    return dict(sorted(reports.items()))


def document_iri(source: Path, base: str = iris.DEFAULT_BASE) -> str:
    """The IRI of the document read from `source`."""
    return map.minter(document((source,)), base).document


def _query_file(name: str) -> str:
    return (queries_dir() / name).read_text(encoding="utf-8")


def _solutions(db: ox.Store, name: str) -> list[dict[str, str]]:
    solutions = store.query(db, _query_file(name))
    assert isinstance(solutions, ox.QuerySolutions)
    variables = [v.value for v in solutions.variables]
    return [
        {v: (s[v].value if s[v] is not None else "") for v in variables} for s in solutions
    ]


@dataclass(frozen=True)
class RebuiltTable:
    graph: str
    number: int
    kind: str
    title: str
    header: list[str]
    rows: list[list[str]]

    def csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return buffer.getvalue()


def rebuild_tables(source: Path) -> list[RebuiltTable]:
    """Every printed table rebuilt from the graph alone, with the SPARQL queries in queries/."""
    db = store.load(source)
    columns: dict[str, dict[int, str]] = defaultdict(dict)
    info: dict[str, tuple[str, int, str, str]] = {}
    for s in _solutions(db, "table-columns.rq"):
        columns[s["table"]][int(s["columnNumber"])] = s["header"]
        kind = s["kind"].rsplit("/", 1)[-1]
        info[s["table"]] = (s["graph"], int(s["number"]), kind, s["title"])
    rows: dict[str, list[int]] = defaultdict(list)
    for s in _solutions(db, "table-rows.rq"):
        rows[s["table"]].append(int(s["rowNumber"]))
    cells: dict[tuple[str, int, int], str] = {}
    for s in _solutions(db, "table-cells.rq"):
        cells[(s["table"], int(s["rowNumber"]), int(s["columnNumber"]))] = s["text"]
    out = []
    for table, (graph, number, kind, title) in info.items():
        width = max(columns[table])
        header = [columns[table].get(c, "") for c in range(1, width + 1)]
        body = [[cells.get((table, r, c), "") for c in range(1, width + 1)]
                for r in sorted(rows[table])]
        out.append(RebuiltTable(graph, number, kind, title, header, body))
    return sorted(out, key=lambda t: (t.graph, t.number))


def tables(source: Path, output: Path) -> list[Path]:
    """Write each rebuilt table as CSV: OUTPUT/<document>/<NN>-<kind>.csv."""
    stems = {}
    if source.is_dir():
        stems = {str(e["graph"]): str(e["stem"]) for e in publish.read_manifest(source)}
    files: dict[Path, bytes] = {}
    for table in rebuild_tables(source):
        folder = stems.get(table.graph, source.stem)
        path = output / folder / f"{table.number:02d}-{table.kind}.csv"
        files[path] = table.csv().encode("utf-8")
    if not files:
        raise InputError(source, "holds no budget table")
    publish.write_atomically(files)
    return sorted(files)


def query(source: Path, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Answer a SPARQL query over a build folder or a dump file."""
    return store.query(store.load(source), sparql)
