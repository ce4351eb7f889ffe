"""Bounded fuzzing: damaged copies of the four documents never crash the CLI or leave a bad file.

Each case mutates one document with `random.Random(seed)`; the test id names the seed, the source
and the mutation (`seed1020-example-swap-lines`), so `pytest tests/test_fuzz.py -k seed1020`
replays it exactly. The mutated file is kept in the test's tmp_path.

Sources: the example text; the text form of each PDF (`budgetkg.read.pdf.to_text`, written as
.txt: cheap and it reaches recognition, where damage means something); and the PDF bytes
themselves (bytes flipped in the middle of the file, or the file cut short).

Every case runs `budgetkg build` in-process and checks the CLI contract: exit 0, 1 or 2, no
exception escapes (nor an "internal error" caught by the pipeline), exit 2 prints one `error:`
line and leaves no dump, exit 0 writes dumps that parse and no staging file; and it finishes
within LIMIT seconds.
"""

from __future__ import annotations

import contextlib
import ctypes
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner, Result  # noqa: TID251  (the CLI in-process)

from budgetkg.cli import app
from budgetkg.mapping import load as load_mappings
from budgetkg.read import pdf as pdf_reader
from tests.conftest import EXAMPLE, shared_path

# Seconds after which a case counts as hung: well above the converter's own time budget for
# reading the largest PDF (33 pages: 5 s + 0.4 s a page, then "the file looks damaged") and an
# intact build (~5 s), so that a machine loaded by other work does not pass for a hang (30 s
# was overrun beside a benchmark and helpers on both cores). Not a speed target: benchmarks/.
LIMIT = 120.0
DUMP_SUFFIXES = (".ttl", ".nt", ".jsonld")
PDFS = {
    "wanli": "sh-putuo-wanli-jiedao-2024-dept-budget.pdf",
    "shangwuwei": "sh-putuo-shangwuwei-2025-dept-budget.pdf",
    "final": "sh-putuo-caizhengju-2024-dept-final.pdf",
}

runner = CliRunner()

# ------------------------------------------------------------------------------------ mutations
# Each takes the document and a seeded Random and returns the damaged document.

Mutation = Callable[[bytes, random.Random], bytes]


def _lines(mutate: Callable[[list[str], random.Random], None]) -> Mutation:
    def apply(data: bytes, rng: random.Random) -> bytes:
        lines = data.decode("utf-8").split("\n")
        mutate(lines, rng)
        return "\n".join(lines).encode("utf-8")
    return apply


def _delete_lines(lines: list[str], rng: random.Random) -> None:
    for _ in range(rng.randint(1, 5)):
        del lines[rng.randrange(len(lines))]


def _duplicate_lines(lines: list[str], rng: random.Random) -> None:
    for _ in range(rng.randint(1, 5)):
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])


def _swap_lines(lines: list[str], rng: random.Random) -> None:
    for _ in range(rng.randint(1, 5)):
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]


def _flip_bytes(data: bytes, rng: random.Random, start: int = 0, end: int | None = None) -> bytes:
    out = bytearray(data)
    end = len(out) if end is None else end
    for _ in range(rng.randint(1, 16)):
        out[rng.randrange(start, end)] ^= 1 << rng.randrange(8)
    return bytes(out)


def _replace_digits(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8")
    digits = [m.start() for m in re.finditer(r"\d", text)]
    chars = list(text)
    for i in rng.sample(digits, min(len(digits), rng.randint(1, 20))):
        chars[i] = rng.choice("0123456789")
    return "".join(chars).encode("utf-8")


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, len(data))]


def _truncate_text(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8")  # cut between characters: a cut inside one is flip-bytes' job
    return text[: rng.randrange(1, len(text))].encode("utf-8")


def _insert_tabs(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8")
    for _ in range(rng.randint(1, 10)):
        i = rng.randrange(len(text) + 1)
        text = text[:i] + "\t" + text[i:]
    return text.encode("utf-8")


def _flip_middle(data: bytes, rng: random.Random) -> bytes:
    return _flip_bytes(data, rng, len(data) // 4, 3 * len(data) // 4)


TEXT_MUTATIONS: dict[str, Mutation] = {
    "delete-lines": _lines(_delete_lines),
    "duplicate-lines": _lines(_duplicate_lines),
    "swap-lines": _lines(_swap_lines),
    "flip-bytes": _flip_bytes,
    "replace-digits": _replace_digits,
    "truncate": _truncate_text,
    "insert-tabs": _insert_tabs,
}
PDF_MUTATIONS: dict[str, Mutation] = {"flip-middle-bytes": _flip_middle, "truncate": _truncate}


def _cases() -> list[object]:
    """60 cases, most of them on text (where damage reaches recognition).

    example x 7 mutations x 3 seeds (21); each PDF's text form x 7 mutations, plus a second seed
    of the three line and digit mutations (30); each PDF's bytes flipped (1 seed: a flip in the
    final accounts' compressed font stream costs the converter its whole time budget, 15 s) or
    cut short (2 seeds) (9).
    """
    again = ("delete-lines", "swap-lines", "replace-digits")
    plan: list[tuple[str, dict[str, Mutation], Callable[[str], int]]] = [
        ("example", TEXT_MUTATIONS, lambda _: 3)]
    plan += [(f"{name}-text", TEXT_MUTATIONS, lambda m: 2 if m in again else 1) for name in PDFS]
    plan += [(f"{name}-pdf", PDF_MUTATIONS, lambda m: 1 if m == "flip-middle-bytes" else 2)
             for name in PDFS]
    cases = []
    for source_no, (source, mutations, repeats) in enumerate(plan, start=1):
        for mutation_no, mutation in enumerate(mutations):
            for repeat in range(repeats(mutation)):
                seed = 1000 * source_no + 10 * mutation_no + repeat
                cases.append(pytest.param(seed, source, mutation,
                                          id=f"seed{seed}-{source}-{mutation}"))
    return cases


# -------------------------------------------------------------------------------------- sources


@pytest.fixture(scope="module")
def sources() -> dict[str, tuple[bytes, str]]:
    """Each source's bytes and suffix; the PDF text forms made once (about 4 s)."""
    furniture = load_mappings().document["page_furniture"]
    out = {"example": (EXAMPLE.read_bytes(), ".txt")}
    for name, file in PDFS.items():
        path = shared_path("docs", file)
        data = path.read_bytes()
        out[f"{name}-pdf"] = (data, ".pdf")
        out[f"{name}-text"] = (pdf_reader.to_text(path, data, furniture).text.encode(), ".txt")
    return out


# -------------------------------------------------------------------------------------- helpers


class _Overrun(BaseException):
    """Raised in a case's thread when it overruns LIMIT (no Exception: nothing catches it)."""


def invoke_bounded(args: list[str]) -> tuple[Result, float]:
    """Run the CLI in-process in a thread; fail if it is still running after LIMIT seconds."""
    box: dict[str, Result] = {}

    def run() -> None:
        with contextlib.suppress(_Overrun):
            box["result"] = runner.invoke(app, args)

    thread = threading.Thread(target=run, daemon=True)
    start = time.perf_counter()
    thread.start()
    thread.join(LIMIT)
    elapsed = time.perf_counter() - start
    if thread.is_alive():
        # Stop the overrun case at its next bytecode (CPython's async exception), so it neither
        # burns CPU under the following cases nor restores their swapped sys.stdout when it ends.
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident or 0),
                                                   ctypes.py_object(_Overrun))
        thread.join(LIMIT)
        pytest.fail(f"build still running after {LIMIT:.0f} s (stopped: {not thread.is_alive()})")
    return box["result"], elapsed


def leftovers(folder: Path) -> list[Path]:
    """Dumps and staging files (names starting with a dot) below folder."""
    if not folder.exists():
        return []
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and (p.suffix in DUMP_SUFFIXES or p.name.startswith(".")))


# ---------------------------------------------------------------------------------------- cases


@pytest.mark.parametrize(("seed", "source", "mutation"), _cases())
def test_mutated_document_keeps_the_cli_contract(
        seed: int, source: str, mutation: str, sources: dict[str, tuple[bytes, str]],
        tmp_path: Path) -> None:
    data, suffix = sources[source]
    mutate = (PDF_MUTATIONS if suffix == ".pdf" else TEXT_MUTATIONS)[mutation]
    damaged = mutate(data, random.Random(seed))
    doc = tmp_path / f"seed{seed}-{source}-{mutation}{suffix}"
    doc.write_bytes(damaged)
    out = tmp_path / "out"

    result, elapsed = invoke_bounded(["build", str(doc), "-o", str(out)])

    where = f"{doc} (exit {result.exit_code}, {elapsed:.1f} s)\nstderr: {result.stderr}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {result.exception!r} on {where}")
    assert result.exit_code in (0, 1, 2), where
    assert "Traceback" not in result.stderr, where
    # The pipeline turns a converter crash into a failure line; damaged input must not crash it.
    assert "internal error" not in result.stderr, where
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:"), where
        assert leftovers(out) == [], where
    if result.exit_code == 0:
        assert [p for p in out.rglob(".*")] == [], where
        (nt,) = out.glob("*.nt")
        assert list(ox.parse(path=nt, format=ox.RdfFormat.N_TRIPLES)), where
        for ttl in out.glob("*.ttl"):  # the document's Turtle, and any report beside it
            assert list(ox.parse(path=ttl, format=ox.RdfFormat.TURTLE)), f"{ttl.name}: {where}"


# ------------------------------------------------------------ outside pytest's logging capture


def _damage_every_stream(data: bytes) -> bytes:
    """Overwrite the middle of every stream's bytes: each still opens, none inflates whole."""
    out = bytearray(data)
    for match in re.finditer(rb"stream\r?\n", data):
        end = data.find(b"endstream", match.end())
        if end - match.end() > 64:
            middle = (match.end() + end) // 2
            out[middle : middle + 16] = b"\xff" * 16
    return bytes(out)


def test_pdf_with_damaged_streams_prints_one_error_line_from_the_console_script(
        tmp_path: Path) -> None:
    """The console script, as a user runs it: pdfminer's own log records must not reach stderr.

    Under pytest the root logger has pytest's handler, so in-process runs never show them; a real
    process has none, and Python's last-resort handler prints pdfminer's warnings raw to stderr.
    """
    data = shared_path("docs", PDFS["shangwuwei"]).read_bytes()
    doc = tmp_path / "damaged.pdf"
    doc.write_bytes(_damage_every_stream(data))
    out = tmp_path / "out"
    exe = shutil.which("budgetkg") or str(Path(sys.executable).parent / "budgetkg")
    proc = subprocess.run([exe, "build", str(doc), "-o", str(out)], capture_output=True,
                          text=True, encoding="utf-8", timeout=60, cwd=tmp_path, check=False)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()], proc.stderr
    assert proc.stderr.startswith("error:"), proc.stderr
    assert leftovers(out) == []
