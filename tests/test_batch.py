"""Batch builds: a folder of documents in worker processes or on a Dask cluster, resumable after
a kill, one failure reported without stopping the others."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from budgetkg import batch, pipeline, publish
from tests.conftest import EXAMPLE, ROOT

# Files whose content depends on the run (timestamps, statuses), not on the documents.
RUN_RECORDS = {batch.LOG}


def make_corpus(count: int, folder: Path) -> Path:
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), str(count),
                    str(folder)], check=True, capture_output=True, timeout=300)
    return folder


def contents(folder: Path) -> dict[str, str]:
    """Every file of a build but its run records, by content digest (the corpus is large)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name not in RUN_RECORDS}


def build_command(source: Path, output: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "budgetkg", "build", str(source), "-o", str(output), "--json",
            *options]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_corpus(50, tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def uninterrupted(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("whole")
    subprocess.run(build_command(corpus, output, "--jobs", "2"), check=True,
                   capture_output=True, timeout=1800)
    return output


def _built_lines(log: Path) -> int:
    if not log.is_file():
        return 0
    return sum("\tbuilt\t" in line for line in log.read_text(encoding="utf-8").splitlines())


def test_a_killed_build_resumes_to_the_same_output(corpus: Path, uninterrupted: Path,
                                                   tmp_path: Path) -> None:
    output = tmp_path / "out"
    process = subprocess.Popen(build_command(corpus, output, "--jobs", "2"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 900
    while _built_lines(output / batch.LOG) < 15 and time.monotonic() < deadline:
        assert process.poll() is None, "the build ended before it could be interrupted"
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)  # the build and its worker processes
    process.wait()
    finished = _built_lines(output / batch.LOG)
    assert 15 <= finished < 50
    assert not (output / publish.MANIFEST).exists()  # killed before the end
    done = subprocess.run(build_command(corpus, output, "--jobs", "2"), capture_output=True,
                          text=True, timeout=1800)
    assert done.returncode == 0, done.stderr
    log = (output / batch.LOG).read_text(encoding="utf-8")
    assert log.count("\tunchanged\t") >= finished
    assert not (output / batch.JOURNAL).exists()
    assert contents(output) == contents(uninterrupted)


def test_staging_files_of_a_killed_build_are_removed(tmp_path: Path) -> None:
    output = tmp_path / "out"
    output.mkdir()
    stale = [output / ".济源-2026-budget.nt.r8dun25p", output / ".all.nq.abc_1234"]
    kept = [output / ".budgetkg-journal.jsonl", output / "notes.txt"]
    for path in stale + kept:
        path.write_text("x", encoding="utf-8")
    assert sorted(batch.clean_staging(output)) == sorted(stale)
    assert sorted(output.iterdir()) == sorted(kept)


def test_an_unchanged_folder_is_not_built_again(corpus: Path, uninterrupted: Path,
                                                tmp_path: Path) -> None:
    output = tmp_path / "copy"
    shutil.copytree(uninterrupted, output)
    before = len((output / batch.LOG).read_text(encoding="utf-8").splitlines())
    done = subprocess.run(build_command(corpus, output, "--jobs", "2"), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    lines = (output / batch.LOG).read_text(encoding="utf-8").splitlines()[before:]
    assert [line.split("\t")[1] for line in lines] == ["unchanged"] * 50
    assert contents(output) == contents(uninterrupted)


def test_a_new_converter_version_builds_again(tmp_path: Path) -> None:
    output = tmp_path / "out"
    first = pipeline.build([EXAMPLE], output)
    assert first.ok and first.documents[0].converter == batch.converter_version()
    entries = publish.published(output)
    stale = [publish.Published(**{**e.__dict__, "converter": "0.0.1+old"}) for e in entries]
    (output / publish.MANIFEST).unlink()
    publish.write_manifest(output, stale)
    pipeline.build([EXAMPLE], output)
    lines = (output / batch.LOG).read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[1] for line in lines] == ["built", "built"]


def test_one_failing_document_does_not_stop_the_others(tmp_path: Path) -> None:
    folder = make_corpus(3, tmp_path / "docs")
    (folder / "broken.txt").write_text("这不是预算文件\n", encoding="utf-8")
    output = tmp_path / "out"
    done = subprocess.run(build_command(folder, output, "--jobs", "2"), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith(f"error: {folder / 'broken.txt'}: ")
    assert len(publish.published(output)) == 3
    log = (output / batch.LOG).read_text(encoding="utf-8")
    assert log.count("\tbuilt\t") == 3 and log.count("\tfailed\t") == 1


def test_a_folder_of_csv_tables_is_one_document_and_other_folders_are_expanded(
        tmp_path: Path) -> None:
    tables = tmp_path / "tables"
    tables.mkdir()
    for name in ("01.csv", "02.csv", "README.txt"):
        (tables / name).write_text("a,b\n", encoding="utf-8")
    documents = tmp_path / "docs"
    (documents / "sub").mkdir(parents=True)
    for name in ("b.txt", "sub/a.pdf", ".hidden.txt", "notes.md", "errors.csv"):
        (documents / name).write_text("x", encoding="utf-8")
    shutil.copytree(tables, documents / "sub" / "tables")
    assert batch.expand([tables]) == [(tables,)]
    assert batch.expand([documents]) == [(documents / "b.txt",), (documents / "sub" / "a.pdf",),
                                         (documents / "sub" / "tables",)]


def test_the_text_and_the_tables_file_of_one_document_are_expanded_together(
        tmp_path: Path) -> None:
    for name in ("2024部门预算-text.pdf", "2024部门预算-tables.pdf", "other.pdf"):
        (tmp_path / name).write_bytes(b"%PDF-1.4")
    assert batch.expand([tmp_path]) == [
        (tmp_path / "2024部门预算-text.pdf", tmp_path / "2024部门预算-tables.pdf"),
        (tmp_path / "other.pdf",),
    ]


@pytest.fixture(scope="module")
def dask_scheduler() -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as cluster:
        yield cluster.scheduler_address


def test_a_dask_cluster_builds_the_same_output(corpus: Path, uninterrupted: Path,
                                               dask_scheduler: str, tmp_path: Path) -> None:
    subset = tmp_path / "docs"
    subset.mkdir()
    for path in sorted(corpus.glob("*.txt"))[:6]:
        shutil.copy(path, subset)
    local, cluster = tmp_path / "local", tmp_path / "cluster"
    assert pipeline.build([subset], local, jobs=1).ok
    result = pipeline.build([subset], cluster, scheduler=dask_scheduler)
    assert result.ok and len(result.documents) == 6
    assert contents(cluster) == contents(local)
