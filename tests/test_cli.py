"""The command line as a new user meets it: named queries from any folder, progress outside a
terminal, errors true to the mode they are in, tables readable at 80 columns, one name per
concept across commands, help written for people, and the README's table from that help."""

from __future__ import annotations

import http.server
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len  # noqa: TID251  (measuring what the CLI printed)

from budgetkg import cli, pipeline, remote
from budgetkg.resources import named_queries
from tests.conftest import EXAMPLE, ROOT
from tests.second_year import a_year_later

COMMANDS = ("build", "validate", "tables", "publish", "query", "push", "serve")


def budgetkg(*args: str | Path, cwd: Path | None = None, columns: int = 80,
             timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process, its output a pipe (as in CI or a log), COLUMNS wide."""
    env = {**os.environ, "COLUMNS": str(columns), "PYTHONPATH": str(ROOT / "convert")}
    return subprocess.run([sys.executable, "-m", "budgetkg", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout,
                          check=False)


def one_error(done: subprocess.CompletedProcess[str], *names: str | Path) -> str:
    """The one `error:` line of a refused command (exit 2, no traceback), naming `names`."""
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for name in names:
        assert str(name) in lines[0], (name, lines[0])
    return lines[0]


# --- named queries -----------------------------------------------------------------------------


def test_named_query_runs_by_name_from_any_folder(
        built: pipeline.BuildResult, tmp_path: Path) -> None:
    by_name = budgetkg("query", built.output, "@departments", "-f", "csv", cwd=tmp_path)
    assert by_name.returncode == 0, by_name.stderr
    assert by_name.stdout.splitlines()[0].startswith("department,name,region")
    assert "济源产城融合示范区工业信息和科技局" in by_name.stdout
    # the form the README used to give still works outside the clone
    legacy = budgetkg("query", built.output, "@queries/departments.rq", "-f", "csv",
                      cwd=tmp_path)
    assert legacy.stdout == by_name.stdout


def test_query_list_shows_every_named_query_with_its_titles() -> None:
    done = budgetkg("query", "--list", columns=120)
    assert done.returncode == 0, done.stderr
    for named in named_queries():
        line = next(line for line in done.stdout.splitlines() if line.startswith(named.name))
        assert named.zh in line and named.en in line
    shown = budgetkg("query", "--show", "three-public")
    assert shown.stdout == (cli.named_query("three-public").text)


def test_every_named_query_has_a_title_in_chinese_and_english() -> None:
    for named in named_queries():
        assert named.zh != named.name and re.search(r"[\u4e00-\u9fff]", named.zh), named.name
        assert named.en != named.name and re.search(r"[A-Za-z]{3}", named.en), named.name


def test_an_unknown_named_query_is_one_line_listing_the_known_ones(
        built: pipeline.BuildResult, tmp_path: Path) -> None:
    line = one_error(budgetkg("query", built.output, "@departmnts", cwd=tmp_path), "departmnts")
    assert "no such file" in line and "departments" in line and "--list" in line


# --- progress ----------------------------------------------------------------------------------


def test_build_outside_a_terminal_prints_one_line_per_finished_document(tmp_path: Path) -> None:
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "2026.txt").write_bytes(EXAMPLE.read_bytes())
    (documents / "2027.txt").write_text(a_year_later(EXAMPLE.read_text(encoding="utf-8")),
                                        encoding="utf-8")
    done = budgetkg("build", documents, "-o", tmp_path / "out", "-j", "1")
    assert done.returncode == 0, done.stderr
    progress = [line for line in done.stderr.splitlines() if line.startswith("build: ")]
    assert len(progress) == 2
    assert re.fullmatch(r"build: 1/2 finished .*2026\.txt \(\d+\.\d s\)", progress[0])
    assert re.fullmatch(r"build: 2/2 finished .*2027\.txt \(\d+\.\d s\)", progress[1])
    assert "\x1b[" not in done.stderr  # no bar, no terminal codes in a log


# --- errors true to their mode -----------------------------------------------------------------


def test_build_of_a_folder_without_documents_says_what_a_folder_may_hold(
        tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    line = one_error(budgetkg("build", empty, "-o", tmp_path / "out"), empty)
    assert "holds no document" in line
    assert ".pdf" in line and ".txt" in line and ".xlsx" in line and "subfolders" in line
    assert not (tmp_path / "out").exists()


def test_validate_of_a_folder_that_is_no_build_says_how_to_check_it(tmp_path: Path) -> None:
    line = one_error(budgetkg("validate", tmp_path), tmp_path)
    assert "not a build folder" in line and "budgetkg build" in line


def test_serve_with_its_port_taken_fails_before_loading(
        built: pipeline.BuildResult, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        done = budgetkg("serve", built.output, "--port", port, "--store", tmp_path / "store")
        seconds = time.monotonic() - started
    line = one_error(done, f"127.0.0.1:{port}")
    assert "cannot listen" in line and "--port 0" in line
    assert not (tmp_path / "store").exists()  # nothing was loaded
    assert seconds < 20


# --- query output ------------------------------------------------------------------------------


def test_query_table_fits_80_columns_with_prefixed_names(built: pipeline.BuildResult) -> None:
    done = budgetkg("query", built.output, "@three-public")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    assert "…" not in done.stdout and "https://" not in lines[2]
    assert lines[0].split() == ["department", "name", "year", "phase", "item", "itemName",
                                "amount"]
    assert "data:org/" in done.stdout
    assert lines[lines.index("2 rows; prefixes:") + 1:] == [
        "  bkc: <https://w3id.org/budgetkg/codelist/>",
        "  data: <https://data.budgetkg.org/>",
        "  de: <https://w3id.org/budgetkg/codelist/dept-economic/>"]
    # each amount whole on its line, right-aligned in its column
    assert re.search(r"\s25000$", lines[2]) and re.search(r"\s50000$", done.stdout, re.M)


def test_a_table_too_wide_for_80_columns_is_printed_one_block_per_row(
        built: pipeline.BuildResult) -> None:
    done = budgetkg("query", built.output, "@departments")
    assert done.returncode == 0, done.stderr
    assert max(cell_len(line) for line in done.stdout.splitlines()) <= 80
    assert re.search(r"^name\s+济源产城融合示范区工业信息和科技局\s*$", done.stdout, re.M)
    assert re.search(r"^finals\s+0\s*$", done.stdout, re.M)
    wide = budgetkg("query", built.output, "@departments", columns=200)
    assert wide.stdout.splitlines()[0].split()[-2:] == ["budgets", "finals"]


@pytest.mark.parametrize(("query", "fmt", "form"), [
    ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", "turtle", "a SELECT"),
    ("ASK { ?s ?p ?o }", "csv", "an ASK"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", "table", "a CONSTRUCT"),
])
def test_a_format_that_does_not_fit_the_query_form_is_refused(
        built: pipeline.BuildResult, query: str, fmt: str, form: str) -> None:
    line = one_error(budgetkg("query", built.output, query, "-f", fmt), f"--format {fmt}")
    assert f"does not fit {form} query" in line


def test_a_construct_prints_turtle_by_default(built: pipeline.BuildResult) -> None:
    done = budgetkg("query", built.output, "CONSTRUCT { ?d a ?t } WHERE { ?d a ?t . "
                    "FILTER(?t = <https://w3id.org/budgetkg/ontology#BudgetDocument>) }")
    assert done.returncode == 0, done.stderr
    assert "@prefix bk: <https://w3id.org/budgetkg/ontology#> ." in done.stdout
    assert "a bk:BudgetDocument" in done.stdout


# --- one name per concept ----------------------------------------------------------------------


def help_of(command: str) -> str:
    done = budgetkg(command, "--help", columns=100)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_worker_processes_are_jobs_in_every_command() -> None:
    for command in ("build", "serve"):
        assert re.search(r"^\s+-j, --jobs N\s", help_of(command), re.M), command
    assert "--workers" not in "".join(help_of(c) for c in COMMANDS)


def test_query_and_push_take_credentials_alike() -> None:
    def credentials(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines()
                if line.strip().startswith(("--user", "--password"))]

    assert credentials(help_of("query")) == credentials(help_of("push"))
    assert len(credentials(help_of("query"))) == 2
    assert "--digest" not in help_of("query")


def test_every_command_reading_a_graph_accepts_a_dump_file(
        built: pipeline.BuildResult, tmp_path: Path) -> None:
    dump = next(built.output.glob("*-budget.nt"))
    release = built.output / "all.nq"
    folder = budgetkg("validate", built.output)
    for source in (dump, release):
        checked = budgetkg("validate", source)
        assert checked.returncode == folder.returncode == 1, checked.stderr
        assert checked.stdout.count("\n") == folder.stdout.count("\n")  # the same findings
        assert "does not conform (4 inconsistencies, 5 warnings" in checked.stdout
    tables = budgetkg("tables", dump, "-o", tmp_path / "csv")
    assert tables.returncode == 0, tables.stderr
    assert len(tables.stdout.splitlines()) == 13
    counted = budgetkg("query", release, "ASK { ?d a <https://w3id.org/budgetkg/ontology#"
                                         "BudgetDocument> }")
    assert counted.stdout.strip() == "true"
    for command in ("validate", "tables", "query", "push", "serve"):
        assert ".nq" in help_of(command), command


# --- help --------------------------------------------------------------------------------------


def test_help_has_no_type_tags_and_says_every_default() -> None:
    for command in COMMANDS:
        text = help_of(command)
        assert not re.search(r"<(bool|str|int|float|path|list\[\w+\])>", text), command
        assert "{" not in text.split("\n\n")[0], command  # the usage line names its arguments
        assert "[default:" not in text and "[required]" not in text, command
        options = text.split("Options:\n", 1)[1]
        entries = re.split(r"\n(?=  -)", options.strip("\n"))
        for entry in entries:
            name = entry.split()[0]
            takes_value = re.match(r"\s*(-\w, )?--[\w-]+ [A-Z]", entry) is not None
            required = "(required)" in entry or "and exit." in entry  # an action, no setting
            if takes_value and not required:
                assert "Default:" in entry, (command, name, entry)


def test_readme_command_table_is_the_clis_own_help() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = cli.command_table()
    assert table in readme, "run: python scripts/readme_commands.py"
    for command in COMMANDS:
        assert f"| `budgetkg {command} " in table


def test_readme_first_command_names_commands_that_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = readme.split("```bash\n", 1)[1].split("\n")[0]
    assert "budgetkg build examples/000_d2b944fced3ace59.txt -o output/" in first
    assert (ROOT / "examples" / "000_d2b944fced3ace59.txt").is_file()


# --- credentials -------------------------------------------------------------------------------


@pytest.fixture()
def asks_for(request: pytest.FixtureRequest) -> Iterator[str]:
    """A loopback endpoint that answers 401 with the scheme given as the test's parameter."""
    scheme = str(request.param)

    class Challenge(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if scheme:
                self.send_response(401)
                self.send_header("WWW-Authenticate", f'{scheme} realm="budgetkg-test"'
                                 + (', nonce="1", qop="auth"' if scheme == "Digest" else ""))
            else:
                self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Challenge)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("asks_for", "scheme"), [("Digest", "digest"), ("Basic", "basic"),
                                                   ("", "")], indirect=["asks_for"])
def test_credentials_go_by_the_scheme_the_endpoint_asks_for(asks_for: str, scheme: str) -> None:
    assert remote.challenge(asks_for, timeout=10) == scheme


def test_push_finds_the_same_graphs_in_a_dump_as_in_the_build_folder(
        built: pipeline.BuildResult) -> None:
    from budgetkg import push

    folder = [g.name for g in push.graphs(built.output)]
    assert [g.name for g in push.graphs(built.output / "all.nq")] == folder
    (single,) = push.graphs(next(built.output.glob("*-budget.nt")))
    assert [single.name] == folder
    # the store keeps decimal values, not their lexical forms (74548000.00 comes out 74548000)
    written = push._ntriples(single).decode("utf-8").splitlines()
    dumped = next(built.output.glob("*-budget.nt")).read_text("utf-8").splitlines()
    assert len(written) == len([line for line in dumped if line])
    assert {tuple(line.split(" ", 2)[:2]) for line in written} == {
        tuple(line.split(" ", 2)[:2]) for line in dumped if line}


def test_serve_answers_over_a_dump_file(built: pipeline.BuildResult, tmp_path: Path) -> None:
    import json
    import urllib.parse
    import urllib.request

    from tests.conftest import start_server

    dump = tmp_path / "example.nt"
    dump.write_bytes(next(built.output.glob("*-budget.nt")).read_bytes())
    running = start_server(dump, "--store", str(tmp_path / "store"))
    server = next(running)
    try:
        ask = "ASK { ?d a <https://w3id.org/budgetkg/ontology#BudgetDocument> }"
        url = f"{server.url}/sparql?{urllib.parse.urlencode({'query': ask})}"
        with urllib.request.urlopen(url, timeout=30) as response:
            assert json.load(response)["boolean"] is True
    finally:
        running.close()
