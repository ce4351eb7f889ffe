"""What the commands print: the two consoles, the one-line error, progress, and the answers of
`budgetkg query` (a table that fits the terminal, CSV, JSON, Turtle, N-Triples)."""

from __future__ import annotations

import csv
import json
import re
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

import pyoxigraph as ox
import typer
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bar
from rich.table import Table

from budgetkg import iris, jsonld, remote
from budgetkg.resources import named_queries

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def fail(message: str) -> NoReturn:
    """The one error line (exit 2)."""
    err.print(f"error: {message}", markup=False, highlight=False)
    raise typer.Exit(2)


class Progress:
    """Progress on stderr: a bar on a terminal; elsewhere (a pipe, a log, CI) one line per
    finished item, so a long run shows its pace as it goes. A run of one item shows none: its
    result follows at once."""

    def __init__(self, verb: str, total: int) -> None:
        self.verb, self.total, self.done = verb, total, 0
        self.started = time.monotonic()
        self.quiet = total < 2
        self.bar: Bar | None = None

    @contextmanager
    def shown(self) -> Iterator[Progress]:
        if self.quiet or not err.is_terminal:
            yield self
            return
        with Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err, transient=True) as bar:
            self.bar = bar
            self._task = bar.add_task(self.verb, total=self.total)
            yield self

    def grow(self, more: int) -> None:
        """More items to do than first counted (the shapes of one more document)."""
        self.total += more
        if self.bar is not None:
            self.bar.update(self._task, total=self.total)

    def finished(self, name: str) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(self._task, completed=self.done, description=f"{self.verb} {name}")
        elif not self.quiet:
            seconds = time.monotonic() - self.started
            err.print(f"{self.verb}: {self.done}/{self.total} finished {name} "
                      f"({seconds:.1f} s)", markup=False, highlight=False)


def print_named_queries() -> None:
    """The named queries: name, question in Chinese and in English."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for heading in ("name", "问题", "question"):
        table.add_column(heading, overflow="fold")
    for named in named_queries():
        table.add_row(named.name, named.zh, named.en)
    Console(soft_wrap=False).print(table)
    out.print("Run one with: budgetkg query GRAPH @NAME (the text: budgetkg query --show "
              "NAME)", markup=False, highlight=False)


# --- query answers -----------------------------------------------------------------------------

# The --format values that fit each form of query; the first is the default.
FITS = {"SELECT": ("table", "csv", "json"), "ASK": ("table", "json"),
        "CONSTRUCT": ("turtle", "ntriples"), "DESCRIBE": ("turtle", "ntriples")}
FORMATS = ("table", "csv", "json", "turtle", "ntriples")


def either(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def fits(fmt: str | None, form: str) -> str:
    """The format to print an answer of this form in; an error when the one asked for does not
    fit it."""
    fitting = FITS[form]
    if fmt is None:
        return fitting[0]
    if fmt not in fitting:
        article = "an" if form == "ASK" else "a"
        fail(f"--format {fmt} does not fit {article} {form} query: {article} {form} answers as "
             f"{either(fitting)}")
    return fmt


def graph_form(text: str) -> str:
    return "DESCRIBE" if re.search(r"\bDESCRIBE\b", text, re.I) and not re.search(
        r"\bCONSTRUCT\b", text, re.I) else "CONSTRUCT"


def print_boolean(answer: bool, fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps({"head": {}, "boolean": answer}) + "\n")
    else:
        out.print("true" if answer else "false")


def print_graph(triples: list[ox.Triple], fmt: str) -> None:
    syntax = ox.RdfFormat.N_TRIPLES if fmt == "ntriples" else ox.RdfFormat.TURTLE
    prefixes = {} if fmt == "ntriples" else dict(jsonld.PREFIXES)
    data = ox.serialize(triples, format=syntax, prefixes=prefixes) if prefixes else ox.serialize(
        triples, format=syntax)
    data = data or b""
    sys.stdout.buffer.write(data if data.endswith(b"\n") or not data else data + b"\n")


# A cell of the table: (kind, text, datatype) with kind "iri", "literal", "bnode" or "".
Cell = tuple[str, str, str]


def term_cell(term: Any) -> Cell:
    if term is None:
        return ("", "", "")
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value, "")
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value, "")
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.datatype.value)
    return ("literal", str(term), "")


def binding_cell(binding: dict[str, str] | None) -> Cell:
    if not binding:
        return ("", "", "")
    kind = {"uri": "iri", "bnode": "bnode"}.get(binding.get("type", ""), "literal")
    return (kind, binding.get("value", ""), binding.get("datatype", ""))


NUMERIC = {"http://www.w3.org/2001/XMLSchema#" + t for t in (
    "decimal", "integer", "double", "float", "long", "int", "nonNegativeInteger")}


def known_prefixes(text: str) -> dict[str, str]:
    """The query's own PREFIX declarations, then the graph's usual ones and `data:` for data
    IRIs under the default base."""
    declared = dict(re.findall(r"PREFIX\s+([\w.-]*):\s*<([^>\s]*)>", text, re.I))
    return {**{"data": iris.DEFAULT_BASE}, **jsonld.PREFIXES, **declared}


def print_table(variables: list[str], rows: list[list[Cell]], text: str) -> None:
    """The answer as a table that fits the terminal (80 columns outside one): IRIs as prefixed
    names, numbers right-aligned, long cells wrapped; the prefixes used are listed below."""
    prefixes = sorted(known_prefixes(text).items(), key=lambda p: -len(p[1]))
    used: dict[str, str] = {}

    def shown(cell: Cell) -> str:
        kind, value, _ = cell
        if kind == "iri":
            for name, namespace in prefixes:
                if value.startswith(namespace) and len(value) > len(namespace):
                    used[name] = namespace
                    return f"{name}:{value[len(namespace):]}"
            return f"<{value}>"
        return f"_:{value}" if kind == "bnode" else value

    cells = [[shown(cell) for cell in row] for row in rows]
    needed = 0
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    for number, variable in enumerate(variables):
        numeric = bool(rows) and all(r[number][2] in NUMERIC for r in rows if r[number][0])
        longest = max((cell_len(row[number]) for row in cells), default=0)
        # A header is never broken; a number is never wrapped; a text column keeps at least a
        # few characters a line, so the long IRIs and names wrap rather than the short cells.
        narrowest = max(cell_len(variable), longest if numeric else min(longest, 8))
        needed += narrowest + (3 if number else 0)  # a column and the gap before it
        table.add_column(variable, overflow="fold", min_width=narrowest, no_wrap=numeric,
                         justify="right" if numeric else "left")
    for row in cells:
        table.add_row(*row)
    console = Console(soft_wrap=False, highlight=False)
    if needed <= console.width:
        console.print(table)
    else:  # too many columns for the width: one block per row, a line per variable
        for number, row in enumerate(cells, 1):
            record = Table.grid(padding=(0, 2))
            record.add_column(no_wrap=True, style="bold")
            record.add_column(overflow="fold")
            for variable, value in zip(variables, row, strict=True):
                record.add_row(variable, value)
            console.rule(f"{number}", align="left", characters="─")
            console.print(record)
    count = f"{len(rows)} row{'' if len(rows) == 1 else 's'}"
    console.print(count + ("; prefixes:" if used else ""), markup=False)
    for name, namespace in sorted(used.items()):
        console.print(f"  {name}: <{namespace}>", markup=False, overflow="fold")


def print_remote(answer: remote.Answer, fmt: str | None, text: str) -> None:
    if isinstance(answer, bool):
        print_boolean(answer, fits(fmt, "ASK"))
    elif isinstance(answer, bytes):
        chosen = fits(fmt, graph_form(text))
        try:
            triples = list(ox.parse(answer, format=ox.RdfFormat.TURTLE))
        except SyntaxError:
            sys.stdout.buffer.write(answer)
            return
        print_graph(triples, chosen)
    else:
        chosen = fits(fmt, "SELECT")
        if chosen == "json":
            sys.stdout.write(json.dumps({"head": {"vars": answer.variables},
                                         "results": {"bindings": answer.rows}},
                                        ensure_ascii=False))
        elif chosen == "csv":
            writer = csv.writer(sys.stdout, lineterminator="\r\n")
            writer.writerows([answer.variables, *(
                [row.get(v, {}).get("value", "") for v in answer.variables]
                for row in answer.rows)])
        else:
            print_table(answer.variables, [[binding_cell(row.get(v)) for v in answer.variables]
                                            for row in answer.rows], text)
