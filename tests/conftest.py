"""Shared fixtures: the example document, ../shared, and one build of the example per test run."""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from budgetkg import pipeline

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "000_d2b944fced3ace59.txt"
SHARED = Path(os.environ.get("BUDGETKG_SHARED", ROOT.parent / "shared"))
CORPUS = ("000_d2b944fced3ace59.txt", "sh-putuo-caizhengju-2024-dept-final.pdf",
          "sh-putuo-shangwuwei-2025-dept-budget.pdf", "sh-putuo-wanli-jiedao-2024-dept-budget.pdf")


def shared_path(*parts: str) -> Path:
    """A file under ../shared (set BUDGETKG_SHARED to move it); a missing file fails the test."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"shared data missing: {path} (tests read ../shared beside the clone)")
    return path


@pytest.fixture(scope="session")
def example() -> Path:
    return EXAMPLE


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> pipeline.BuildResult:
    """The example document built once for the whole run (tests must not modify it)."""
    result = pipeline.build([EXAMPLE], tmp_path_factory.mktemp("built"))
    assert result.ok, result.failures
    return result


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> pipeline.BuildResult:
    """The four documents of ../shared/docs and the example a year later (tests/second_year.py),
    built into one folder once for the whole run (tests must not modify it)."""
    from tests.second_year import a_year_later

    folder = tmp_path_factory.mktemp("corpus-documents")
    for name in CORPUS:
        shutil.copy(shared_path("docs", name), folder / name)
    (folder / "a-year-later.txt").write_text(a_year_later(EXAMPLE.read_text(encoding="utf-8")),
                                             encoding="utf-8")
    result = pipeline.build([folder], tmp_path_factory.mktemp("corpus"), jobs=2)
    assert result.ok, result.failures
    return result


def real_pdfs() -> list[Path]:
    """The real PDFs of ../shared/docs and ../shared/corpus (its folders), in path order."""
    found = [*sorted(shared_path("docs").glob("*.pdf")),
             *sorted(shared_path("corpus").glob("*/*.pdf"))]
    if not found:
        pytest.fail(f"no PDF under {SHARED}/docs or {SHARED}/corpus")
    return found


@dataclass(frozen=True)
class RealDocuments:
    """Every real PDF built into one folder: the result, and each document's files by stem."""

    result: pipeline.BuildResult
    files: dict[str, tuple[Path, ...]]


@pytest.fixture(scope="session")
def real_documents(tmp_path_factory: pytest.TempPathFactory) -> RealDocuments:
    """Every PDF of ../shared/docs and ../shared/corpus built once for the whole run (a document
    published as two files built as one); tests must not modify it."""
    pdfs = real_pdfs()
    result = pipeline.build(pdfs, tmp_path_factory.mktemp("real-documents"), jobs=2)
    by_name = {p.name: p for p in pdfs}
    files = {d.stem: tuple(by_name[n] for n in d.source.split(" + ")) for d in result.documents}
    return RealDocuments(result, files)


@dataclass(frozen=True)
class Server:
    """A `budgetkg serve` process on 127.0.0.1: `url` ends without a slash."""

    url: str
    token: str | None
    folder: Path
    pid: int


def start_server(folder: Path, *options: str, token: str | None = None) -> Iterator[Server]:
    """Run `budgetkg serve` on a free port until the generator is closed (the server also stops
    by itself after an hour, so a crashed test run leaves nothing behind)."""
    command = [
        sys.executable,
        "-m",
        "budgetkg",
        "serve",
        str(folder),
        "--port",
        "0",
        "--lifetime",
        "3600",
        *options,
    ]
    if token:
        command += ["--update-token", token]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = _await_ready(process)
        yield Server(url.rstrip("/"), token, folder, process.pid)
    finally:
        stop(process, grace=20)
        for pipe in (process.stdout, process.stderr):
            if pipe:
                pipe.close()


def stop(process: subprocess.Popen[Any], grace: float) -> None:
    """Ask a server to stop, and kill it when it has not within `grace` seconds."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _await_ready(process: subprocess.Popen[str], limit: float = 120.0) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 1.0)
        if ready:
            line = process.stdout.readline()
            match = re.search(r" at (http://\S+/) ", line)
            if match:
                return match.group(1)
        if process.poll() is not None:
            stderr = process.stderr.read() if process.stderr else ""
            pytest.fail(f"budgetkg serve exited with {process.returncode}: {stderr[-2000:]}")
    pytest.fail("budgetkg serve did not become ready in time")


def _serve_build(result: pipeline.BuildResult, factory: pytest.TempPathFactory,
                 name: str) -> Iterator[Server]:
    """A build behind `budgetkg serve`, read-only (its store kept outside the build)."""
    yield from start_server(result.output, "--store", str(factory.mktemp(name) / "store"))


@pytest.fixture(scope="session")
def served(
    built: pipeline.BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The example build behind `budgetkg serve`."""
    yield from _serve_build(built, tmp_path_factory, "served")


@pytest.fixture(scope="session")
def served_corpus(
    corpus: pipeline.BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The corpus build behind `budgetkg serve`."""
    yield from _serve_build(corpus, tmp_path_factory, "served-corpus")


@pytest.fixture(scope="session")
def sparql_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A writable server (with an update token) over the W3C protocol fixtures."""
    folder = tmp_path_factory.mktemp("protocol")
    for name in ("data1.nt", "data2.nt", "data3.nt"):
        shutil.copy(shared_path("standards", "sparql-protocol", "protocol", name), folder)
    yield from start_server(folder, token="protocol-test-token")


def debian_programs(packages: dict[str, str]) -> dict[str, Path]:
    """The programs (name -> Debian package) the tests drive, installed with apt-get when missing
    (CI runs as root on a fresh machine); a program that cannot be installed fails the test."""
    missing = sorted(
        {package for program, package in packages.items() if shutil.which(program) is None}
    )
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", *missing],
        ):
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
            if done.returncode != 0:
                pytest.fail(f"{' '.join(command)} failed: {done.stderr.strip()[-500:]}")
    found = {program: shutil.which(program) for program in packages}
    absent = [
        f"{program} (Debian package {packages[program]})"
        for program, path in found.items()
        if path is None
    ]
    if absent:
        pytest.fail(f"not installed and cannot install: {', '.join(absent)}")
    return {program: Path(str(path)) for program, path in found.items()}
