"""The served store's bulk load (budgetkg.serve.load): every file streamed into one bulk_load."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from budgetkg import pipeline
from budgetkg.errors import InputError
from budgetkg.iris import DEFAULT_BASE
from budgetkg.serve import load

BASE = "https://data.example/"
P = ox.NamedNode("http://ex/p")


def canonical(store: ox.Store) -> set[ox.Quad]:
    """A store's quads with canonical blank node labels (each load names them at random)."""
    dataset = ox.Dataset(store)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def folder_of(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_the_store_holds_the_quads_of_one_bulk_load_per_file(
    built: pipeline.BuildResult, tmp_path: Path
) -> None:
    all_sources = load.sources(built.output, BASE) + load._vocabulary()
    dumps = [s for s in all_sources if s.path.suffix == ".nt"]
    assert dumps and all(len(load._trig(s, DEFAULT_BASE)) == 3 for s in dumps)  # as they are
    assert any(s.path.name.endswith(".report.ttl") for s in all_sources)
    reference = ox.Store()
    for source in all_sources:  # what prepare did before it streamed everything into one call
        reference.bulk_load(path=source.path, format=load.FORMATS[source.path.suffix],
                            to_graph=ox.NamedNode(source.graph) if source.graph else None,
                            base_iri=source.path.resolve().as_uri())
    store = ox.Store.read_only(str(load.prepare(built.output, BASE, tmp_path / "s")))
    assert len(store) == len(reference)
    assert canonical(store) == canonical(reference)


def test_blank_nodes_of_files_with_the_same_labels_stay_distinct(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, {
        "a.nt": '_:b0 <http://ex/p> "1" .\n',
        "b.nt": '_:b0 <http://ex/p> "2" .\n',
        "c.ttl": "_:b0 <http://ex/p> 3 .\n",
        "d.nq": '_:b0 <http://ex/p> "4" <http://ex/g> .\n',
    })
    store = ox.Store.read_only(str(load.prepare(folder, BASE, tmp_path / "s")))
    subjects = {q.subject for q in store.quads_for_pattern(None, P, None)}
    assert len(subjects) == 4 and all(isinstance(s, ox.BlankNode) for s in subjects)


def test_a_blank_node_label_shared_within_a_file_stays_one_node(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, {"a.nt": '_:x <http://ex/p> "1" .\n_:x <http://ex/q> "2" .\n'})
    store = ox.Store.read_only(str(load.prepare(folder, BASE, tmp_path / "s")))
    graph = ox.NamedNode(BASE + "file/a.nt")
    assert len({q.subject for q in store.quads_for_pattern(None, None, None, graph)}) == 1


def test_a_foreign_ntriples_file_with_comments_and_blank_lines_loads_into_its_graph(
    tmp_path: Path
) -> None:
    folder = folder_of(tmp_path, {"foreign.nt": (
        "# a comment line .\n\n   \n"
        "<http://ex/a> <http://ex/p> <http://ex/b> . # a trailing comment .\r\n"
        "<http://ex/a>\t<http://ex/p>\t\"x # y .\"@en.\n"
        "<http://ex/a> <http://ex/p> \"no newline at the end\" .  # z")})
    store = ox.Store.read_only(str(load.prepare(folder, BASE, tmp_path / "s")))
    quads = list(store.quads_for_pattern(None, P, None))
    assert {q.graph_name for q in quads} == {ox.NamedNode(BASE + "file/foreign.nt")}
    assert {q.object for q in quads} == {ox.NamedNode("http://ex/b"),
                                         ox.Literal("x # y .", language="en"),
                                         ox.Literal("no newline at the end")}


@pytest.mark.parametrize(("name", "text", "line"), [
    ("b.nt", "<http://ex/a> <http://ex/p> <http://ex/b> .\n<http://ex/a> <http://ex/p> .\n", 2),
    ("b.nt", "<http://ex/a> <http://ex/p> <http://ex/b> .\n} <http://ex/g> {\n", 2),
    ("b.nt", "_:x <http://ex/p> <http://ex/b> .\n<http://ex/a> <http://ex/p> \"open .\n", 2),
    ("b.ttl", "@prefix ex: <http://ex/> .\nex:a ex:p ex:b .\nex:a ex:p .\n", 3),
])
def test_a_syntax_error_names_its_file_and_line_and_leaves_no_store(
    tmp_path: Path, name: str, text: str, line: int
) -> None:
    good = "<http://ex/a> <http://ex/p> <http://ex/c> .\n" * 2000  # read ahead past b's end
    folder = folder_of(tmp_path, {"a.nt": good, name: text, "c.nt": good})
    target = tmp_path / "s"
    with pytest.raises(InputError) as caught:
        load.prepare(folder, BASE, target)
    assert caught.value.path == folder / name
    assert caught.value.problem.startswith("cannot load: ")
    assert f"line {line} " in caught.value.problem and "\n" not in caught.value.message
    assert not target.exists() and not target.with_name("s.loading").exists()


def test_progress_names_each_file_as_it_starts_loading(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, {"a.nt": "<http://ex/a> <http://ex/p> \"1\" .\n",
                                  "b.ttl": "<http://ex/a> <http://ex/p> 2 .\n"})
    messages: list[str] = []
    load.prepare(folder, BASE, tmp_path / "s", messages.append)
    total = len(load._vocabulary()) + 2
    assert messages[:2] == [f"loading 1/{total} a.nt", f"loading 2/{total} b.ttl"]
    assert len(messages) == total
