"""Thin command-line shell over the pipeline verbs: parse options, call the verb, render."""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, NoReturn

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from budgetkg import __version__, batch, catalog, cores, iris, pipeline, publish, remote, report
from budgetkg import push as push_store
from budgetkg.errors import BudgetKGError

app = typer.Typer(
    help="budgetkg: Chinese department budgets and final accounts as a knowledge graph.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def fail(message: str) -> NoReturn:
    err.print(f"error: {message}", markup=False, highlight=False)
    raise typer.Exit(2)


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


# The catalogue's options, shared by build and publish.
Downloads = Annotated[str | None, typer.Option(
    help="Base URL of the download links in the catalogue (default: BASE/dumps/).")]
Endpoint = Annotated[str | None, typer.Option(
    help="SPARQL endpoint named in the catalogue (default: BASE/sparql).")]
Licence = Annotated[str, typer.Option(help="Licence IRI of the published data.")]
Publisher = Annotated[str | None, typer.Option(
    help="Name of the catalogue's publisher (default: the host name of BASE).")]


@app.command()
def build(
    documents: Annotated[list[Path], typer.Argument(
        help="Budget documents: .pdf, .txt text form, .xlsx, a folder of .csv tables, or a "
             "folder of documents.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the dumps.")] = Path(
        "output"),
    base: Annotated[str, typer.Option(help="Base IRI of the data.")] = iris.DEFAULT_BASE,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Exit 1 when validation finds a contradiction.")] = False,
    downloads: Downloads = None,
    endpoint: Endpoint = None,
    licence: Licence = catalog.CC_BY_4_0,
    publisher: Publisher = None,
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", help="Worker processes [default: the number of cores].")] = 0,
    scheduler: Annotated[str | None, typer.Option(
        help="Build on a Dask cluster: its scheduler, tcp://HOST:PORT.")] = None,
) -> None:
    """Convert documents into one named graph each (Turtle, JSON-LD, N-Triples) and validate
    them (report in <stem>.report.ttl); then re-write the folder's catalogue (catalog.ttl,
    catalog.jsonld) and release files (all.trig, all.nq)."""
    options = catalog.Options(downloads, endpoint, licence, publisher)
    workers = jobs if jobs > 0 else cores.default_jobs()
    try:
        total = len(batch.expand(documents))
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=err, transient=True,
                      disable=as_json or total < 2 or not err.is_terminal) as bar:
            task = bar.add_task("building", total=total)
            result = pipeline.build(documents, output, base, options=options, jobs=workers,
                                    scheduler=scheduler, progress=lambda _: bar.advance(task))
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
            out.print(f"  validation: {q.violations} violation(s), {q.warnings} warning(s) "
                      f"(budgetkg validate {result.output} for the list)",
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


@app.command(name="validate")
def validate_command(
    source: Annotated[Path, typer.Argument(help="A document, or a build folder.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or turtle.")] = "text",
    engine: Annotated[str, typer.Option(help="fast, or pyshacl (the reference).")] = "fast",
) -> None:
    """Check that a document agrees with itself. Exit 0 conforms, 1 contradictions, 2 error."""
    if fmt not in report.FORMATS:
        fail(f"--format {fmt}: expected {', '.join(report.FORMATS)}")
    try:
        reports = pipeline.check(source, engine)
        if fmt == "turtle":
            graphs = {}
            if source.is_dir():
                graphs = {str(e["stem"]): str(e["graph"]).removesuffix("/graph")
                          for e in publish.read_manifest(source)}
            for name, checked in reports.items():
                document = graphs.get(name) or pipeline.document_iri(source)
                sys.stdout.buffer.write(report.turtle(checked, document))
        elif fmt == "json":
            sys.stdout.write(report.json_text(reports))
        else:
            for name, checked in reports.items():
                sys.stdout.write(report.text(checked, name))
    except BudgetKGError as exc:
        fail(exc.message)
    raise typer.Exit(0 if all(r.conforms for r in reports.values()) else 1)


@app.command()
def tables(
    graph: Annotated[Path, typer.Argument(help="A build folder or one dump file.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the CSV files.")],
) -> None:
    """Rebuild every printed table as CSV from the graph alone (queries/table-*.rq)."""
    try:
        written = pipeline.tables(graph, output)
    except BudgetKGError as exc:
        fail(exc.message)
    for path in written:
        out.print(str(path), markup=False, highlight=False)


@app.command(name="publish")
def publish_command(
    folder: Annotated[Path, typer.Argument(help="A build folder.")],
    base: Annotated[str, typer.Option(help="Base IRI of the data (as given to build).")
                    ] = iris.DEFAULT_BASE,
    downloads: Downloads = None,
    endpoint: Endpoint = None,
    licence: Licence = catalog.CC_BY_4_0,
    publisher: Publisher = None,
) -> None:
    """Re-write the DCAT-AP catalogue (catalog.ttl, catalog.jsonld) and the release files
    (all.trig, all.nq) of a build folder, for every document in its manifest."""
    try:
        made = pipeline.publish_catalogue(
            folder, base, catalog.Options(downloads, endpoint, licence, publisher))
    except BudgetKGError as exc:
        fail(exc.message)
    _catalogue_summary(made)


def _text(term: object) -> str:
    return "" if term is None else str(getattr(term, "value", term))


@app.command()
def query(
    arguments: Annotated[list[str], typer.Argument(
        help="GRAPH SPARQL: a build folder or dump file, then the query (@FILE reads it from "
             "FILE); with --endpoint only the query.", metavar="[GRAPH] SPARQL")],
    fmt: Annotated[str, typer.Option(
        "--format", "-f", help="csv, json or table (SELECT); turtle for graphs.")] = "table",
    endpoint: Annotated[str | None, typer.Option(
        help="Ask this SPARQL endpoint (Virtuoso, Fuseki, budgetkg serve …) instead.")] = None,
    user: Annotated[str | None, typer.Option(help="User for the endpoint.")] = None,
    password: Annotated[str | None, typer.Option(
        help="Password for the endpoint.", envvar="BUDGETKG_PASSWORD")] = None,
    digest: Annotated[bool, typer.Option(
        help="HTTP Digest instead of Basic authentication (Virtuoso's /sparql-auth).")] = False,
) -> None:
    """Answer a SPARQL query over the built graph (the union of every document graph), or over
    any SPARQL endpoint with --endpoint."""
    if fmt not in ("csv", "json", "table", "turtle"):
        fail(f"--format {fmt}: expected csv, json, table or turtle")
    if len(arguments) != (1 if endpoint else 2):
        fail("give GRAPH and SPARQL, or --endpoint URL and SPARQL")
    sparql = arguments[-1]
    try:
        text = Path(sparql[1:]).read_text(encoding="utf-8") if sparql.startswith("@") else sparql
        if endpoint:
            _print_remote(remote.query(endpoint, text, user, password, digest), fmt)
            return
        result = pipeline.query(Path(arguments[0]), text)
    except OSError as exc:
        fail(f"{sparql[1:]}: cannot read query: {exc.strerror}")
    except BudgetKGError as exc:
        fail(exc.message)
    if isinstance(result, ox.QueryBoolean):
        out.print("true" if bool(result) else "false")
        return
    if isinstance(result, ox.QueryTriples):
        sys.stdout.buffer.write(result.serialize(format=ox.RdfFormat.TURTLE) or b"")
        return
    if fmt == "csv":
        sys.stdout.buffer.write(result.serialize(format=ox.QueryResultsFormat.CSV) or b"")
    elif fmt == "json":
        sys.stdout.buffer.write(result.serialize(format=ox.QueryResultsFormat.JSON) or b"")
    else:
        variables = [v.value for v in result.variables]
        _print_rows(variables, [[_text(solution[v]) for v in variables] for solution in result])


def _print_rows(variables: list[str], rows: list[list[str]]) -> None:
    table = Table(*variables)
    for row in rows:
        table.add_row(*row)
    out.print(table)


def _print_remote(answer: remote.Answer, fmt: str) -> None:
    if isinstance(answer, bool):
        out.print("true" if answer else "false")
    elif isinstance(answer, bytes):
        sys.stdout.buffer.write(answer)
    elif fmt == "json":
        sys.stdout.write(json.dumps({"head": {"vars": answer.variables},
                                     "results": {"bindings": answer.rows}}, ensure_ascii=False))
    else:
        rows = [[row.get(v, {}).get("value", "") for v in answer.variables] for row in answer.rows]
        if fmt == "csv":
            writer = csv.writer(sys.stdout, lineterminator="\r\n")
            writer.writerows([answer.variables, *rows])
        else:
            _print_rows(answer.variables, rows)


@app.command()
def push(
    folder: Annotated[Path, typer.Argument(help="A build folder.")],
    endpoint: Annotated[str, typer.Option(help="The store's SPARQL (update) endpoint.")],
    graph_store: Annotated[str | None, typer.Option(
        help="The store's Graph Store Protocol endpoint (preferred when given).")] = None,
    user: Annotated[str | None, typer.Option(help="User allowed to write.")] = None,
    password: Annotated[str | None, typer.Option(
        help="Its password.", envvar="BUDGETKG_PASSWORD")] = None,
) -> None:
    """Replace each document's named graph in a triple store (Virtuoso, Fuseki, GraphDB …):
    idempotent, one graph at a time, each replaced whole."""
    target = push_store.Target(endpoint, graph_store, user, password)
    try:
        total = len(push_store.graphs(folder))
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=err, transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("pushing", total=total)
            result = push_store.push(folder, target,
                                     progress=lambda _g, n: bar.update(task, completed=n))
    except BudgetKGError as exc:
        fail(exc.message)
    out.print(f"pushed {len(result.written)} of {total} graph(s), {result.triples} triples, "
              f"by {result.method}", markup=False)
    if result.failed:
        for graph, reason in result.failed:
            err.print(f"not written: {graph}: {reason}", markup=False, highlight=False)
        fail(f"{len(result.failed)} of {total} graph(s) not written (listed above); "
             f"written: {', '.join(result.written) or 'none'}")


@app.command()
def serve(
    folder: Annotated[Path, typer.Argument(help="A build folder, or any folder of RDF files.")],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8000,
    base: Annotated[str, typer.Option(
        help="Base IRI of the data (as given to build); IRIs under it answer here.")
    ] = iris.DEFAULT_BASE,
    store: Annotated[Path | None, typer.Option(
        help="Folder of the on-disk store [default: FOLDER/.budgetkg-store].")] = None,
    workers: Annotated[int, typer.Option(help="Query worker processes.")] = 0,
    timeout: Annotated[float, typer.Option(help="Seconds a query may run.")] = 30.0,
    max_rows: Annotated[int, typer.Option(help="Result rows (or triples) per answer.")] = 10_000,
    max_body: Annotated[int, typer.Option(help="Request body limit in bytes.")] = 10 * 2**20,
    cache_mb: Annotated[int, typer.Option(
        help="Megabytes of answers kept while the data is unchanged (0: none).")] = 64,
    update_token: Annotated[str | None, typer.Option(
        help="Accept SPARQL Update with 'Authorization: Bearer TOKEN' (read-only without).",
        envvar="BUDGETKG_UPDATE_TOKEN")] = None,
    allow_service: Annotated[list[str] | None, typer.Option(
        help="An endpoint SERVICE clauses may call (repeatable).")] = None,
    lifetime: Annotated[float | None, typer.Option(
        help="Stop by itself after this many seconds.")] = None,
) -> None:
    """Serve the folder: SPARQL 1.1 at /sparql, pages for every IRI, a query page at /query."""
    from budgetkg.serve import Options
    from budgetkg.serve import serve as run

    options = Options(host=host, port=port, base=base, store=store, timeout=timeout,
                      max_rows=max_rows, max_body=max_body, cache_bytes=cache_mb * 2**20,
                      update_token=update_token,
                      allowed_services=frozenset(allow_service or ()), lifetime=lifetime,
                      **({"workers": workers} if workers > 0 else {}))
    try:
        run(folder, options, progress=lambda line: err.print(line, markup=False),
            ready=lambda url: out.print(f"serving {folder} at {url} (SPARQL at {url}sparql, "
                                        f"queries at {url}query)", markup=False))
    except BudgetKGError as exc:
        fail(exc.message)
