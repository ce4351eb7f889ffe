"""`budgetkg push` into a real Virtuoso Open Source 7, and the same named queries answered alike
by Virtuoso and the embedded store (`budgetkg query --endpoint`)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from budgetkg import pipeline, push, remote
from budgetkg.resources import queries_dir
from tests.conftest import Server
from tests.virtuoso import Virtuoso, run

_NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in ("decimal", "integer", "double")}


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    yield from run(tmp_path_factory.mktemp("virtuoso"))


def _target(store: Virtuoso, graph_store: str | None = "default") -> push.Target:
    return push.Target(store.sparql_auth, store.graph_store if graph_store == "default"
                       else graph_store, store.user, store.password)


def _triples_in(store: Virtuoso, graph: str) -> int:
    answer = remote.query(store.sparql, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> "
                                        "{ ?s ?p ?o } }")
    assert isinstance(answer, remote.Solutions)
    return int(answer.rows[0]["n"]["value"])


def _expected_triples(graph: push.Graph) -> int:
    return sum(len(list(ox.parse(path=str(p)))) for p in graph.files)


def test_push_replaces_each_document_graph_through_the_graph_store(
        virtuoso: Virtuoso, built: pipeline.BuildResult) -> None:
    result = push.push(built.output, _target(virtuoso))
    graphs = push.graphs(built.output)
    assert result.method == "graph store" and not result.failed
    assert result.written == [g.name for g in graphs]
    for graph in graphs:
        assert _triples_in(virtuoso, graph.name) == _expected_triples(graph)


def test_pushing_twice_changes_nothing(virtuoso: Virtuoso, built: pipeline.BuildResult) -> None:
    push.push(built.output, _target(virtuoso))
    graph = push.graphs(built.output)[0]
    before = _triples_in(virtuoso, graph.name)
    push.push(built.output, _target(virtuoso))
    assert _triples_in(virtuoso, graph.name) == before == _expected_triples(graph)


@pytest.mark.parametrize("graph_store", [None, "missing"])
def test_push_falls_back_to_sparql_update(virtuoso: Virtuoso, built: pipeline.BuildResult,
                                          graph_store: str | None) -> None:
    store_url = None if graph_store is None else f"{virtuoso.url}/no-graph-store-here"
    result = push.push(built.output, _target(virtuoso, store_url))
    assert result.method == "SPARQL Update" and not result.failed
    for graph in push.graphs(built.output):
        assert _triples_in(virtuoso, graph.name) == _expected_triples(graph)


def test_refused_credentials_are_one_clear_error(virtuoso: Virtuoso,
                                                 built: pipeline.BuildResult) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "budgetkg", "push", str(built.output), "--endpoint",
         virtuoso.sparql_auth, "--graph-store", virtuoso.graph_store, "--user", "dba",
         "--password", "not-the-password"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: {virtuoso.graph_store}: credentials refused (401); give --user and "
        "--password of an account allowed to write"]


def test_an_unreachable_store_is_one_clear_error(built: pipeline.BuildResult) -> None:
    with pytest.raises(push.PushError, match=r"127\.0\.0\.1:9/sparql: cannot reach the store"):
        push.push(built.output, push.Target("http://127.0.0.1:9/sparql"))


def test_a_partial_failure_names_what_was_written(virtuoso: Virtuoso,
                                                  built: pipeline.BuildResult,
                                                  tmp_path: Path) -> None:
    good = built.documents[0]
    for name in (f"{good.stem}.nt", f"{good.stem}.report.ttl"):
        shutil.copy(built.output / name, tmp_path)
    (tmp_path / "broken.nt").write_text("<http://a> <http://b> .\n")  # no object
    manifest = {"documents": [{"stem": good.stem, "graph": good.graph},
                              {"stem": "broken", "graph": "https://example.org/broken"}]}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    result = push.push(tmp_path, _target(virtuoso))
    assert result.written == [good.graph]
    assert [g for g, _ in result.failed] == ["https://example.org/broken"]
    assert result.failed[0][1].startswith("the store answered 500: ")
    assert "rejected" in result.failed[0][1]  # the store's own explanation, as text


def _canonical(binding: dict[str, str] | None) -> str:
    if binding is None:
        return ""
    if binding.get("datatype") in _NUMERIC:
        return str(Decimal(binding["value"]).normalize())
    return binding["value"]


def _rows(answer: remote.Answer) -> list[tuple[str, ...]]:
    assert isinstance(answer, remote.Solutions)
    return sorted(tuple(_canonical(row.get(v)) for v in answer.variables) for row in answer.rows)


@pytest.fixture(scope="module")
def corpus_virtuoso(corpus: pipeline.BuildResult,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A Virtuoso of its own holding the corpus (the other tests replace the example's graphs)."""
    for store in run(tmp_path_factory.mktemp("corpus-virtuoso")):
        result = push.push(corpus.output, _target(store))
        assert not result.failed, result.failed
        yield store


@pytest.mark.parametrize("name", sorted(p.stem for p in queries_dir().glob("*.rq")))
def test_named_queries_answer_alike_on_virtuoso_and_the_embedded_store(
        corpus_virtuoso: Virtuoso, served_corpus: Server, name: str) -> None:
    text = (queries_dir() / f"{name}.rq").read_text(encoding="utf-8")
    # The embedded store through our own endpoint; both hold the corpus's document graphs.
    ours = _rows(remote.query(f"{served_corpus.url}/sparql", text))
    theirs = _rows(remote.query(corpus_virtuoso.sparql, text))
    # no department of the corpus has a budget and final accounts of one year
    assert ours or name == "budget-vs-final", f"{name} answers nothing on the corpus"
    assert theirs == ours


def test_query_command_asks_any_endpoint(virtuoso: Virtuoso, served: Server,
                                         built: pipeline.BuildResult) -> None:
    push.push(built.output, _target(virtuoso))
    graph = built.documents[0].graph
    sparql = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    answers = []
    for endpoint in (virtuoso.sparql, f"{served.url}/sparql"):
        done = subprocess.run([sys.executable, "-m", "budgetkg", "query", "--endpoint", endpoint,
                               sparql, "-f", "csv"], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        answers.append(done.stdout)
    assert answers[0] == answers[1] and answers[0].splitlines()[0] == "n"
