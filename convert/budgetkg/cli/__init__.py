"""Thin command-line shell over the pipeline verbs: parse options, call the verb, render.

The commands are here; their help is drawn by cli/help.py (usage, what the command does, each
argument and option with its default in words), which also makes the README's command table (a
test keeps the two in step); what they print is cli/output.py.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import typer

from budgetkg import (
    __version__,
    batch,
    catalog,
    cores,
    iris,
    pipeline,
    publish,
    remote,
    report,
    validate,
)
from budgetkg import push as push_store
from budgetkg.cli import help
from budgetkg.cli.help import PROGRAM
from budgetkg.cli.output import (
    FORMATS,
    Progress,
    either,
    err,
    fail,
    fits,
    graph_form,
    out,
    print_boolean,
    print_graph,
    print_named_queries,
    print_remote,
    print_table,
    term_cell,
)
from budgetkg.errors import BudgetKGError, InputError
from budgetkg.resources import named_query

DUMPS = pipeline.DUMPS  # what `GRAPH` may be besides a build folder
GRAPH_HELP = ("A build folder (made by `budgetkg build`) or one RDF dump file: "
              + ", ".join(DUMPS) + ".")


app = typer.Typer(
    cls=help.Group,
    help="budgetkg turns Chinese department budgets and final accounts (部门预算/部门决算) into "
         "a linked open-data knowledge graph: build it from the documents, check each "
         "document's consistency, rebuild its tables, query it, publish it and serve it.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def command_table() -> str:
    """The README's command table, from the commands' own help."""
    return help.table(app)


def _version(value: bool) -> None:
    if value:
        out.print(f"budgetkg {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Read budget documents, write linked data, rebuild tables, answer SPARQL."""


# --- shared options: one name per concept across commands ---------------------------------------

Base = Annotated[str, typer.Option(
    metavar="IRI", show_default=False,
    help=f"Base IRI of the data's IRIs; give the same to every command. Default: "
         f"{iris.DEFAULT_BASE}")]
Jobs = Annotated[int | None, typer.Option(
    "--jobs", "-j", metavar="N", min=1, show_default=False,
    help="Worker processes working at once. Default: one per core "
         f"({cores.default_jobs()} on this machine).")]
Downloads = Annotated[str | None, typer.Option(
    metavar="URL", show_default=False,
    help="Where the catalogue's download links point: URL + the file's path in the folder. "
         "Default: BASE/dumps/ (which `budgetkg serve` answers).")]
CatalogueEndpoint = Annotated[str | None, typer.Option(
    "--endpoint", metavar="URL", show_default=False,
    help="The SPARQL endpoint the catalogue names. Default: BASE/sparql.")]
Licence = Annotated[str, typer.Option(
    metavar="IRI", show_default=False,
    help="Licence of the published data. Default: CC BY 4.0 (the EU licence list's "
         "CC_BY_4_0).")]
Publisher = Annotated[str | None, typer.Option(
    metavar="NAME", show_default=False,
    help="Name of the catalogue's publisher. Default: the host name of BASE.")]
User = Annotated[str | None, typer.Option(
    metavar="NAME", show_default=False,
    help="User name for a store that asks for credentials (HTTP Digest or Basic, whichever "
         "it asks for). Default: none.")]
Password = Annotated[str | None, typer.Option(
    metavar="PASSWORD", envvar="BUDGETKG_PASSWORD", show_envvar=False, show_default=False,
    help="Password of --user. Default: the environment variable BUDGETKG_PASSWORD.")]
GraphArgument = Annotated[Path, typer.Argument(
    metavar="GRAPH", show_default=False, help=GRAPH_HELP)]


# --- build -------------------------------------------------------------------------------------


@app.command(cls=help.Help)
def build(
    documents: Annotated[list[Path], typer.Argument(
        metavar="DOCUMENT...", show_default=False,
        help="What to convert: a .pdf with a text layer, a .txt text extraction, an .xlsx "
             "workbook (one sheet a table), a folder of .csv tables, or a folder of such "
             "documents (searched recursively).")],
    output: Annotated[Path, typer.Option(
        "--output", "-o", metavar="OUT", show_default=False,
        help="Folder the graphs, reports, catalogue and release files are written to; "
             "documents already built there from the same content are not built again. "
             "Default: output/.")] = Path("output"),
    jobs: Jobs = None,
    scheduler: Annotated[str | None, typer.Option(
        metavar="tcp://HOST:PORT", show_default=False,
        help="Build on the Dask cluster of this scheduler instead of local worker processes "
             "(needs `pip install 'budgetkg[cluster]'`). Default: local processes.")] = None,
    base: Base = iris.DEFAULT_BASE,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print the result as JSON instead of one line per document.")] = False,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Exit 1 when a document is inconsistent (不一致); without it, "
                         "inconsistencies are reported and the exit is 0.")] = False,
    downloads: Downloads = None,
    endpoint: CatalogueEndpoint = None,
    licence: Licence = catalog.CC_BY_4_0,
    publisher: Publisher = None,
) -> None:
    """Convert documents into linked data, check each one's consistency, catalogue the folder.

    Each document becomes one named graph (OUT/<department>-<year>-<phase>.ttl, .jsonld and .nt,
    with context.jsonld and manifest.json); its consistency is checked
    (report in <stem>.report.ttl, a summary printed). Then the folder's DCAT-AP catalogue
    (catalog.ttl, catalog.jsonld) and release files (all.trig, all.nq) are re-written.

    Progress goes to stderr: a bar on a terminal, one line per finished document elsewhere
    (a pipe, a log file, CI).
    Exit 0 when every document was built, 2 when one could not be (the others are still
    built), 1 with --strict when a document is inconsistent."""
    options = catalog.Options(downloads, endpoint, licence, publisher)
    try:
        count = len(batch.expand(documents))
    except BudgetKGError as exc:
        fail(exc.message)
    progress = Progress("build", count)
    try:
        with progress.shown():
            result = pipeline.build(documents, output, base, options=options,
                                    jobs=jobs or cores.default_jobs(), scheduler=scheduler,
                                    progress=lambda path: progress.finished(str(path)))
    except BudgetKGError as exc:
        fail(exc.message)
    if as_json:
        out.print_json(json.dumps({
            "output": str(result.output),
            "documents": [asdict(d) for d in result.documents],
            "failures": [asdict(f) for f in result.failures],
            "catalogue": _catalogue_json(result.catalogue) if result.catalogue else None,
        }, ensure_ascii=False))
    else:
        _summary(result)
    for failure in result.failures:
        err.print(f"error: {failure.message}", markup=False, highlight=False)
    if not result.ok:
        raise typer.Exit(2)
    if strict and any(d.quality and not d.quality.conforms for d in result.documents):
        raise typer.Exit(1)


def _summary(result: pipeline.BuildResult) -> None:
    for doc in result.documents:
        c = doc.counts
        out.print(
            f"{doc.source} -> {result.output / doc.stem}.{{ttl,jsonld,nt}}: {c.tables} tables, "
            f"{c.rows} rows, {c.observations} observations, {c.projects} projects, "
            f"{c.statements} statements, {c.triples} triples",
            markup=False, highlight=False,
        )
        if doc.quality is not None:
            q = doc.quality
            plural = "y" if q.inconsistencies == 1 else "ies"
            out.print(f"  consistency: {q.inconsistencies} inconsistenc{plural} (不一致), "
                      f"{q.warnings} warning(s) "
                      f"(budgetkg validate {result.output} lists them)",
                      markup=False, highlight=False)
        for problem in doc.problems:
            err.print(f"warning: {doc.source}: {problem}", markup=False, highlight=False)
    if result.catalogue is not None:
        _catalogue_summary(result.catalogue)


def _catalogue_json(made: catalog.Catalogue) -> dict[str, object]:
    return {**asdict(made), "files": [str(p) for p in made.files]}


def _catalogue_summary(made: catalog.Catalogue) -> None:
    out.print(f"catalogue -> {', '.join(str(p) for p in made.files)}: {made.datasets} datasets, "
              f"{made.series} series, {made.distributions} distributions, {made.triples} "
              f"triples; {made.quads} quads in the release files", markup=False, highlight=False)


# --- validate, tables, publish -----------------------------------------------------------------


def _graph_source(source: Path) -> Path:
    """A GRAPH argument checked before any work: a build folder or a dump file."""
    if source.is_dir():
        publish.read_manifest(source)  # OutputError naming the folder when it is no build
    elif not source.exists():
        raise InputError(source, "no such file or folder")
    elif source.suffix.lower() not in DUMPS:
        raise InputError(source, f"not a build folder or an RDF dump ({', '.join(DUMPS)})")
    return source


@app.command(name="validate", cls=help.Help)
def validate_command(
    source: Annotated[Path, typer.Argument(
        metavar="DOCUMENT-or-GRAPH", show_default=False,
        help="A document (converted on the fly, nothing written), a build folder (each "
             "document checked with the other years of its department) or an RDF dump file "
             f"({', '.join(DUMPS)}).")],
    fmt: Annotated[str, typer.Option(
        "--format", "-f", metavar="FORMAT", show_default=False,
        help="text (one line a finding, in Chinese and English), json, or turtle (the SHACL "
             "validation report). Default: text.")] = "text",
    engine: Annotated[str, typer.Option(
        metavar="ENGINE", show_default=False,
        help="fast (SPARQL on pyoxigraph) or pyshacl (the reference engine, slower); both give "
             "the same findings. Default: fast.")] = "fast",
) -> None:
    """Check that documents agree with themselves; exit 1 on an inconsistency (不一致).

    The checks: totals, sub-totals, the same figure in two
    tables, the narrative against the tables, codes against the code lists, and a department's
    documents against each other. Each inconsistency is one finding, with the table and
    row as printed, the figures and the difference.

    Exit 0 when consistent, 1 when a document is inconsistent, 2 on an error."""
    if fmt not in report.FORMATS:
        fail(f"--format {fmt}: expected {either(report.FORMATS)}")
    if engine not in ("fast", "pyshacl"):
        fail(f"--engine {engine}: expected fast or pyshacl")
    if source.is_dir() and not (source / publish.MANIFEST).is_file() and not any(
            p.suffix.lower() == ".csv" for p in source.iterdir() if p.is_file()):
        fail(f"{source}: not a build folder (no {publish.MANIFEST}) nor a folder of .csv tables; "
             f"to check a folder of documents, build it (budgetkg build {source} -o OUT) and "
             "validate OUT")
    shapes = validate.shape_names()
    progress = Progress(f"validate ({engine})", len(shapes) if engine == "pyshacl" else 0)
    documents: list[str] = []

    def shape_done(document: str, shape: str) -> None:
        if document not in documents:
            if documents:
                progress.grow(len(shapes))
            documents.append(document)
        progress.finished(f"{document}: {shape.removeprefix(report.BKS)}")

    try:
        with progress.shown():  # the pyshacl engine takes minutes on a large document
            reports = pipeline.check(source, engine, progress=shape_done)
        if fmt == "turtle":
            graphs = {}
            if source.is_dir():
                graphs = {str(e["stem"]): str(e["graph"]).removesuffix("/graph")
                          for e in publish.read_manifest(source)}
            for name, checked in reports.items():
                document = graphs.get(name) or (
                    name if source.suffix.lower() in DUMPS else pipeline.document_iri(source))
                sys.stdout.buffer.write(report.turtle(checked, document))
        elif fmt == "json":
            sys.stdout.write(report.json_text(reports))
        else:
            for name, checked in reports.items():
                sys.stdout.write(report.text(checked, name))
    except BudgetKGError as exc:
        fail(exc.message)
    raise typer.Exit(0 if all(r.conforms for r in reports.values()) else 1)


@app.command(cls=help.Help)
def tables(
    graph: GraphArgument,
    output: Annotated[Path, typer.Option(
        "--output", "-o", metavar="DIR", show_default=False,
        help="Folder the CSV files are written to (required).")],
) -> None:
    """Rebuild every printed table as CSV from the graph alone.

    Each table goes to DIR/<document>/<NN>-<kind>.csv, made with the named queries
    table-columns, table-rows and table-cells; each file written is printed."""
    try:
        written = pipeline.tables(_graph_source(graph), output)
    except BudgetKGError as exc:
        fail(exc.message)
    for path in written:
        out.print(str(path), markup=False, highlight=False)


@app.command(name="publish", cls=help.Help)
def publish_command(
    folder: Annotated[Path, typer.Argument(
        metavar="OUT", show_default=False, help="A build folder.")],
    base: Base = iris.DEFAULT_BASE,
    downloads: Downloads = None,
    endpoint: CatalogueEndpoint = None,
    licence: Licence = catalog.CC_BY_4_0,
    publisher: Publisher = None,
) -> None:
    """Re-write a build folder's DCAT-AP catalogue and release files.

    The catalogue (catalog.ttl, catalog.jsonld) and the release files (all.trig, all.nq) list
    every document of the folder's manifest; build does this too, at its end. Files whose bytes
    would not change are left untouched."""
    try:
        made = pipeline.publish_catalogue(
            folder, base, catalog.Options(downloads, endpoint, licence, publisher))
    except BudgetKGError as exc:
        fail(exc.message)
    _catalogue_summary(made)


# --- query -------------------------------------------------------------------------------------


def _sparql(argument: str) -> str:
    """The query text: as given, or @FILE, or @NAME of a named query (budgetkg query --list);
    @queries/NAME.rq still names a named query from any folder."""
    if not argument.startswith("@"):
        return argument
    reference = argument[1:]
    path = Path(reference)
    if path.is_file():
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(path, f"cannot read the query: {exc}") from exc
    name = path.stem if path.suffix == ".rq" and path.parent.name in ("queries", "") else reference
    try:
        return named_query(name).text
    except InputError as exc:
        raise InputError(None, f"@{reference}: no such file, and {exc.problem} "
                               "(budgetkg query --list)") from exc


@app.command(cls=help.Help)
def query(
    arguments: Annotated[list[str] | None, typer.Argument(
        metavar="[GRAPH] SPARQL", show_default=False,
        help=f"{GRAPH_HELP} Then the query: its text, @FILE for a file, or @NAME for a named "
             "query shipped with budgetkg (--list shows them). With --endpoint, only the "
             "query.")] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", metavar="FORMAT", show_default=False,
        help="How to print the answer: table, csv or json for SELECT; table or json for ASK; "
             "turtle or ntriples for CONSTRUCT and DESCRIBE. Default: table, or turtle for "
             "CONSTRUCT and DESCRIBE.")] = None,
    endpoint: Annotated[str | None, typer.Option(
        metavar="URL", show_default=False,
        help="Ask this SPARQL endpoint (budgetkg serve, Virtuoso, Fuseki …) instead of a "
             "GRAPH. Default: none.")] = None,
    user: User = None,
    password: Password = None,
    list_queries: Annotated[bool, typer.Option(
        "--list", help="List the named queries and exit.")] = False,
    show: Annotated[str | None, typer.Option(
        metavar="NAME", show_default=False,
        help="Print the text of a named query and exit.")] = None,
) -> None:
    """Answer a SPARQL query over a build folder, a dump file or any SPARQL endpoint.

    Over a build folder or dump file, the default graph is the union of the document graphs.
    In a table, IRIs are shortened to prefixed names (listed under it) and long cells wrap
    to the terminal's width; a table too wide for it is printed one block per row."""
    if list_queries:
        print_named_queries()
        return
    arguments = arguments or []
    try:
        if show is not None:
            sys.stdout.write(named_query(show).text)
            return
        if fmt is not None and fmt not in FORMATS:
            fail(f"--format {fmt}: expected {either(FORMATS)}")
        if len(arguments) != (1 if endpoint else 2):
            fail("give GRAPH and SPARQL, or --endpoint URL and SPARQL (the named queries: "
                 f"{PROGRAM} query --list)")
        text = _sparql(arguments[-1])
        if endpoint:
            print_remote(remote.query(endpoint, text, user, password), fmt, text)
            return
        result = pipeline.query(_graph_source(Path(arguments[0])), text)
    except BudgetKGError as exc:
        fail(exc.message)
    if isinstance(result, ox.QueryBoolean):
        print_boolean(bool(result), fits(fmt, "ASK"))
    elif isinstance(result, ox.QueryTriples):
        print_graph(list(result), fits(fmt, graph_form(text)))
    else:
        chosen = fits(fmt, "SELECT")
        if chosen == "csv":
            sys.stdout.buffer.write(result.serialize(format=ox.QueryResultsFormat.CSV) or b"")
        elif chosen == "json":
            sys.stdout.buffer.write(result.serialize(format=ox.QueryResultsFormat.JSON) or b"")
        else:
            variables = [v.value for v in result.variables]
            print_table(variables, [[term_cell(s[v]) for v in variables] for s in result], text)


# --- push --------------------------------------------------------------------------------------


@app.command(cls=help.Help)
def push(
    graph: GraphArgument,
    endpoint: Annotated[str, typer.Option(
        metavar="URL", show_default=False,
        help="The store's SPARQL endpoint, used for SPARQL Update (required).")],
    graph_store: Annotated[str | None, typer.Option(
        metavar="URL", show_default=False,
        help="The store's Graph Store Protocol endpoint, preferred when given (a store that has "
             "none gets SPARQL Update). Default: SPARQL Update only.")] = None,
    user: User = None,
    password: Password = None,
) -> None:
    """Replace each document's named graph in a triple store (Virtuoso, Fuseki, GraphDB …).

    Each graph (the document's dump and its consistency report) goes one at a time, each
    replaced whole: pushing again gives the same store. Progress goes to stderr as for build.

    Exit 2 when some graph could not be written (the others are, and both are listed)."""
    target = push_store.Target(endpoint, graph_store, user, password)
    try:
        total = len(push_store.graphs(_graph_source(graph)))
        progress = Progress("push", total)
        with progress.shown():
            result = push_store.push(graph, target,
                                     progress=lambda name, _n: progress.finished(name))
    except BudgetKGError as exc:
        fail(exc.message)
    out.print(f"pushed {len(result.written)} of {total} graph(s), {result.triples} triples, "
              f"by {result.method}", markup=False)
    if result.failed:
        for name, reason in result.failed:
            err.print(f"not written: {name}: {reason}", markup=False, highlight=False)
        fail(f"{len(result.failed)} of {total} graph(s) not written (listed above); "
             f"written: {', '.join(result.written) or 'none'}")


# --- serve -------------------------------------------------------------------------------------


@app.command(cls=help.Help)
def serve(
    folder: Annotated[Path, typer.Argument(
        metavar="GRAPH", show_default=False,
        help="A build folder, any folder of RDF files (each file one named graph; N-Quads and "
             f"TriG keep theirs), or one RDF dump file ({', '.join(DUMPS)}, .rdf).")],
    host: Annotated[str, typer.Option(
        metavar="ADDRESS", show_default=False,
        help="Address to listen on. Default: 127.0.0.1 (this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(
        metavar="PORT", show_default=False, min=0, max=65535,
        help="Port to listen on; 0 takes any free one. Default: 8000.")] = 8000,
    base: Base = iris.DEFAULT_BASE,
    store: Annotated[Path | None, typer.Option(
        metavar="DIR", show_default=False,
        help="Folder of the on-disk store, reused while the files are unchanged. Default: "
             "GRAPH/.budgetkg-store.")] = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", metavar="N", min=1, show_default=False,
        help="Query worker processes, so that one slow query never holds up the others. "
             "Default: one per core, at least 2.")] = None,
    timeout: Annotated[float, typer.Option(
        metavar="SECONDS", show_default=False, min=0.1,
        help="A query still running after this long is stopped (answer 503). "
             "Default: 30.")] = 30.0,
    max_rows: Annotated[int, typer.Option(
        metavar="N", show_default=False, min=1,
        help="Rows (or triples) per answer at most; a cut answer says so in its headers. "
             "Default: 10000.")] = 10_000,
    max_body: Annotated[int, typer.Option(
        metavar="BYTES", show_default=False, min=1,
        help="Largest request body accepted (answer 413 beyond). Default: 10485760 "
             "(10 MiB).")] = 10 * 2**20,
    cache_mb: Annotated[int, typer.Option(
        metavar="MB", show_default=False, min=0,
        help="Megabytes of answers kept while the data is unchanged; 0 keeps none. "
             "Default: 64.")] = 64,
    update_token: Annotated[str | None, typer.Option(
        metavar="TOKEN", envvar="BUDGETKG_UPDATE_TOKEN", show_envvar=False, show_default=False,
        help="Accept SPARQL Update from requests carrying 'Authorization: Bearer TOKEN'. "
             "Default: the environment variable BUDGETKG_UPDATE_TOKEN; read-only without "
             "either.")] = None,
    allow_service: Annotated[list[str] | None, typer.Option(
        metavar="URL", show_default=False,
        help="An endpoint that SERVICE clauses may call; repeat for more. Default: none (SERVICE "
             "is refused).")] = None,
    lifetime: Annotated[float | None, typer.Option(
        metavar="SECONDS", show_default=False,
        help="Stop by itself after this long. Default: run until interrupted.")] = None,
) -> None:
    """Serve a graph: a SPARQL endpoint, linked-data pages and the query page.

    SPARQL 1.1 at /sparql, a page for every IRI (HTML, Turtle, JSON-LD, N-Triples), the query
    page at /query and the catalogue at /catalog. The port is
    taken first, then the files are loaded (progress on stderr)."""
    from budgetkg.serve import Options, listen
    from budgetkg.serve import serve as run

    options = Options(host=host, port=port, base=base, store=store, timeout=timeout,
                      max_rows=max_rows, max_body=max_body, cache_bytes=cache_mb * 2**20,
                      update_token=update_token,
                      allowed_services=frozenset(allow_service or ()), lifetime=lifetime,
                      **({"workers": jobs} if jobs else {}))
    try:
        if not folder.exists():
            raise InputError(folder, "no such file or folder")
        listening = listen(host, port)
        run(folder, options, progress=lambda line: err.print(line, markup=False),
            ready=lambda url: out.print(f"serving {folder} at {url} (SPARQL at {url}sparql, "
                                        f"queries at {url}query)", markup=False),
            sock=listening)
    except BudgetKGError as exc:
        fail(exc.message)
