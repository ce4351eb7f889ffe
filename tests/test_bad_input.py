"""Bad input never reaches the user as a traceback or a partial output file.

The contract: each bad input gives exit code 2 and ONE line on stderr, ``error: ...``, naming the
file and the problem; a document in a valid encoding (GB18030/GBK, UTF-8 with BOM) builds exactly
like its plain UTF-8 form.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import pytest
from typer.testing import CliRunner  # noqa: TID251  (tests drive the CLI in-process)

from budgetkg import pipeline
from budgetkg.cli import app

DUMP_SUFFIXES = (".ttl", ".nt", ".jsonld")
SHA256 = "#sha256>"
OBSERVATIONS = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?o a <http://purl.org/linked-data/cube#Observation> }"
)
PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06"
NARRATIVE_END = "附件：济源产城融合示范区工业信息和科技局2026年度部门预算表"

runner = CliRunner()


# --------------------------------------------------------------------------------------- helpers


def run(*args: str | Path) -> tuple[int, str, str]:
    """Invoke the CLI in-process: (exit code, stdout, stderr)."""
    result = runner.invoke(app, [str(a) for a in args])
    # Anything but a clean exit (typer.Exit / SystemExit) is an uncaught exception: a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {result.exception!r}\nstderr: {result.stderr}"
    )
    return result.exit_code, result.stdout, result.stderr


def refused(args: list[str | Path], *names: str | Path) -> str:
    """Run the CLI and check it refused with the error contract; the problem it reports."""
    code, _, stderr = run(*args)
    return error_line(code, stderr, *names)


def error_line(code: int, stderr: str, *names: str | Path) -> str:
    """Check the error contract (exit 2, one `error:` line naming each of `names`).

    Returns the line with the names cut out, so that a word asserted on comes from the problem,
    not from a path (tmp_path holds the test's name: `..._reported_as_empty0/...`).
    """
    assert "Traceback" not in stderr, stderr
    assert code == 2, f"exit {code}, stderr: {stderr!r}"
    # a build of several documents says as each finishes (outside a terminal): not an error
    lines = [line for line in stderr.strip().splitlines()
             if not re.match(r"build: \d+/\d+ finished ", line)]
    assert len(lines) == 1, f"expected one error line, got {lines!r}"
    line = lines[0]
    assert line.startswith("error:"), line
    for name in names:
        assert str(name) in line, f"{name} not named in {line!r}"
    problem = line.removeprefix("error:")
    for name in sorted(map(str, names), key=len, reverse=True):
        problem = problem.replace(name, "")
    return problem


def dump_files(folder: Path) -> list[Path]:
    """Every document dump, and every staging leftover, below folder (none if it is absent)."""
    if not folder.exists():
        return []
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and (p.suffix in DUMP_SUFFIXES or p.name.startswith(".")))


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def build_nt(source: Path, out: Path) -> tuple[set[str], set[str]]:
    """Build one document with the CLI; its N-Triples lines, split into (sha256 lines, the rest)."""
    code, _, stderr = run("build", source, "-o", out)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    (nt,) = out.glob("*.nt")
    lines = set(filter(None, nt.read_text(encoding="utf-8").splitlines()))
    sha = {line for line in lines if SHA256 in line}
    return sha, lines - sha


# -------------------------------------------------------------------- 1. missing, 7. unsupported


def test_missing_document_is_named_with_no_such_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    out = tmp_path / "out"
    problem = refused(["build", missing, "-o", out], missing)
    assert "no such file" in problem.lower()
    assert dump_files(out) == []


def test_unsupported_suffix_is_named_as_unsupported_format(
        tmp_path: Path, example: Path) -> None:
    doc = write(tmp_path / "doc.docx", example.read_bytes())
    out = tmp_path / "out"
    problem = refused(["build", doc, "-o", out], doc)
    assert "unsupported" in problem.lower()
    assert "format" in problem.lower()
    assert dump_files(out) == []


# ------------------------------------------------------------------------------------ 2. empty


@pytest.mark.parametrize("data", [
    pytest.param(b"", id="zero-bytes"),
    pytest.param(b"\n\n   \n\t\r\n  \n", id="whitespace-and-newlines"),
    pytest.param(b"\xef\xbb\xbf\n\n", id="utf8-bom-then-newlines"),
])
def test_empty_document_is_reported_as_empty(tmp_path: Path, data: bytes) -> None:
    doc = write(tmp_path / "empty.txt", data)
    out = tmp_path / "out"
    problem = refused(["build", doc, "-o", out], doc)
    assert "empty" in problem.lower()
    assert dump_files(out) == []


# ----------------------------------------------------------------------------------- 3. binary


@pytest.mark.parametrize("data", [
    pytest.param(PNG_HEADER + random.Random(0).randbytes(4096), id="png-header-random-bytes"),
    pytest.param("2026年部门收支总体情况表\n收入\t支出\n".encode() + b"\x00" * 16 + b"\n",
                 id="text-with-nul-bytes"),
])
def test_binary_document_is_reported_as_binary(tmp_path: Path, data: bytes) -> None:
    doc = write(tmp_path / "scan.txt", data)
    out = tmp_path / "out"
    problem = refused(["build", doc, "-o", out], doc)
    assert "binary" in problem.lower()
    assert dump_files(out) == []


# ------------------------------------------------ 4. truncated: what is there builds, with warnings


def built_with_warnings(args: list[str | Path]) -> list[str]:
    """Run the CLI and check it built (exit 0, no traceback); its warning lines."""
    code, _, stderr = run(*args)
    assert "Traceback" not in stderr, stderr
    assert code == 0, f"exit {code}, stderr: {stderr!r}"
    return [line for line in stderr.splitlines() if line.startswith("warning:")]


def test_truncated_document_builds_what_it_prints_and_warns_of_each_missing_table(
        tmp_path: Path, example: Path) -> None:
    lines = example.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = lines[: len(lines) * 6 // 10]
    doc = write(tmp_path / "truncated.txt", "".join(kept).encode())
    out = tmp_path / "out"

    warnings = built_with_warnings(["build", doc, "-o", out])
    assert {p.suffix for p in out.glob("*-budget.*")} >= set(DUMP_SUFFIXES)

    # The table of contents lists 13 tables; which of them still have their title in the cut text?
    contents = [ln.strip().split("、", 1)[1] for ln in lines
                if ln.startswith("- ") and ln.strip().endswith("表")]
    assert len(contents) == 13
    body = [ln.strip() for ln in kept if not ln.startswith("- ")]
    title_at = {t: next((i for i, ln in enumerate(body) if ln.endswith(t)), None)
                for t in contents}
    gone = [t for t, i in title_at.items() if i is None]
    present = [t for t, i in title_at.items() if i is not None]
    assert gone and present

    missing = [w for w in warnings if "but the document prints no such table" in w]
    assert all(w.startswith(f"warning: {doc.name}: contents: the contents list ") for w in missing)
    named = [w.split("the contents list ", 1)[1].split(" (", 1)[0] for w in missing]
    assert len(named) == len(gone)
    for title in gone:
        assert any(title.endswith(name) for name in named), f"{title} not named in {missing!r}"
    for title in present:
        assert not any(title.endswith(name) for name in named), f"{title} wrongly named missing"


# ---------------------------------------------------------------- 5. no table, or no budget at all


def test_narrative_without_tables_builds_its_narrative_with_a_warning(
        tmp_path: Path, example: Path) -> None:
    text = example.read_text(encoding="utf-8")
    narrative = text[: text.index(NARRATIVE_END)]
    assert "\t" not in narrative
    doc = write(tmp_path / "narrative.txt", narrative.encode())
    out = tmp_path / "out"
    warnings = built_with_warnings(["build", doc, "-o", out])
    assert f"warning: {doc.name}: it prints no table: the narrative is kept" in warnings
    assert len([w for w in warnings if "prints no such table" in w]) == 13
    nt = next(out.glob("*.nt")).read_text(encoding="utf-8")
    assert "qb:Observation" not in nt and "purl.org/linked-data/cube#Observation" not in nt
    assert "https://w3id.org/budgetkg/ontology#Statement" in nt


@pytest.mark.parametrize("text", [
    pytest.param("春天来了，河边的柳树发芽了。\n\n孩子们在公园里放风筝，老人们在树下下棋。\n",
                 id="plain-prose"),
    pytest.param("2025年春季学期课程表\n\n星期一\t星期二\t星期三\n语文\t数学\t英语\n",
                 id="unrelated-table"),
])
def test_unrelated_chinese_text_is_not_a_budget_document(tmp_path: Path, text: str) -> None:
    doc = write(tmp_path / "notes.txt", text.encode())
    out = tmp_path / "out"
    problem = refused(["build", doc, "-o", out], doc)
    assert "not a budget document: it names no " in problem
    assert dump_files(out) == []


# ---------------------------------------------------------------------------- 6. valid encodings


@pytest.mark.parametrize("encode", [
    pytest.param(lambda text: text.encode("gb18030"), id="gb18030"),
    pytest.param(lambda text: text.encode("gbk"), id="gbk"),
    pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), id="utf8-bom"),
])
def test_other_encodings_build_the_same_graph_as_utf8(
        tmp_path: Path, example: Path, encode: Callable[[str], bytes]) -> None:
    text = example.read_text(encoding="utf-8")
    copy = write(tmp_path / "copy" / example.name, encode(text))
    assert copy.read_bytes() != example.read_bytes()

    plain_sha, plain = build_nt(example, tmp_path / "plain")
    copy_sha, copied = build_nt(copy, tmp_path / "encoded")

    assert len(plain_sha) == len(copy_sha) == 1
    assert plain_sha != copy_sha  # the source bytes differ, so does their hash ...
    assert copied == plain  # ... and nothing else, the source identifier included
    assert any(f'"{example.name}"' in line for line in plain)
    assert sorted(p.name for p in (tmp_path / "encoded").iterdir()) == sorted(
        p.name for p in (tmp_path / "plain").iterdir())


# ------------------------------------------------------------------ 9. one bad among good ones


def test_failing_document_does_not_stop_the_good_one(tmp_path: Path, example: Path) -> None:
    missing = tmp_path / "missing.txt"
    out = tmp_path / "out"
    code, stdout, stderr = run("build", example, missing, "-o", out)

    problem = error_line(code, stderr, missing)
    assert str(example) not in problem
    written = {p.suffix for p in dump_files(out)}
    assert written == set(DUMP_SUFFIXES)
    assert (out / "manifest.json").is_file()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [d["source"] for d in manifest["documents"]] == [example.name]
    assert example.name in stdout


# ----------------------------------------------------------------------------- 10. --json


def test_build_json_equals_the_library_result(tmp_path: Path, example: Path) -> None:
    missing = tmp_path / "missing.txt"
    cli_out = tmp_path / "cli"
    code, stdout, stderr = run("build", example, missing, "-o", cli_out, "--json")
    assert code == 2
    error_line(code, stderr, missing)
    printed = json.loads(stdout)

    library = pipeline.build([example, missing], tmp_path / "library")
    expected = json.loads(json.dumps(
        [asdict(d) for d in library.documents], ensure_ascii=False))
    assert printed["output"] == str(cli_out)
    assert len(printed["documents"]) == 1
    assert printed["documents"] == expected
    for got, want in zip(printed["documents"], library.documents, strict=True):
        assert got["counts"] == asdict(want.counts)
        assert got["stem"] == want.stem
        assert got["graph"] == want.graph
        assert got["counts"]["observations"] > 0
    assert printed["failures"] == [asdict(f) for f in library.failures]
    assert [f["source"] for f in printed["failures"]] == [str(missing)]


# ---------------------------------------------------------------------------- 11. tables, query


def test_tables_on_a_folder_that_is_not_a_build_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-build"
    folder.mkdir()
    csvs = tmp_path / "csv"
    refused(["tables", folder, "-o", csvs], folder)
    assert not csvs.exists() or not any(csvs.rglob("*"))


def test_query_with_broken_sparql_reports_a_syntax_error(
        built: pipeline.BuildResult) -> None:
    code, stdout, stderr = run("query", built.output, "SELEC broken")
    problem = error_line(code, stderr)
    assert "SPARQL syntax" in problem
    assert stdout == ""


def test_query_csv_counts_the_observations(built: pipeline.BuildResult) -> None:
    code, stdout, stderr = run("query", built.output, OBSERVATIONS, "--format", "csv")
    assert code == 0, stderr
    assert "Traceback" not in stderr
    rows = list(csv.reader(io.StringIO(stdout)))
    assert rows[0] == ["n"]
    assert len(rows) == 2
    assert int(rows[1][0]) > 0
    assert int(rows[1][0]) == sum(d.counts.observations for d in built.documents)


# -------------------------------------------------------------------------- 12. output refused


def test_output_path_that_is_a_regular_file_is_refused_untouched(
        tmp_path: Path, example: Path) -> None:
    target = write(tmp_path / "out", b"not a folder\n")
    problem = refused(["build", example, "-o", target], target)
    assert "cannot write" in problem
    assert target.read_bytes() == b"not a folder\n"
    assert dump_files(tmp_path) == []


def test_output_path_below_a_regular_file_is_refused(tmp_path: Path, example: Path) -> None:
    target = write(tmp_path / "blocker", b"x") / "out"
    refused(["build", example, "-o", target], tmp_path / "blocker")
    assert dump_files(tmp_path) == []


def test_output_below_an_unwritable_folder_is_refused(example: Path) -> None:
    # /proc refuses new folders even to root, so this runs the same as any user
    target = Path("/proc/budgetkg-test-output")
    refused(["build", example, "-o", target], target)
    assert not target.exists()


# ------------------------------------------------- 8. the installed console script, end to end


def test_console_script_prints_one_error_line_and_no_traceback(tmp_path: Path) -> None:
    exe = shutil.which("budgetkg") or str(Path(sys.executable).parent / "budgetkg")
    doc = write(tmp_path / "scan.txt", PNG_HEADER + random.Random(1).randbytes(2048))
    out = tmp_path / "out"
    proc = subprocess.run([exe, "build", str(doc), "-o", str(out)], capture_output=True,
                          text=True, encoding="utf-8", timeout=60, cwd=tmp_path, check=False)
    assert proc.stdout == ""
    problem = error_line(proc.returncode, proc.stderr, doc)
    assert "binary" in problem.lower()
    assert dump_files(out) == []
