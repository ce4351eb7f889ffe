"""A private Virtuoso Open Source 7 for the tests: installed from Debian when missing, configured
in a temporary folder on loopback ports, started and stopped by the test session."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import debian_programs, stop

_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CaseMode = 2
NumberOfBuffers = 20000
MaxDirtyBuffers = 12000
DirsAllowed = ., {dir}
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {dir}
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 300
"""


@dataclass(frozen=True)
class Virtuoso:
    url: str  # http://127.0.0.1:PORT
    user: str = "dba"
    password: str = "dba"  # the password of a new database

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    @property
    def sparql_auth(self) -> str:
        return f"{self.url}/sparql-auth"

    @property
    def graph_store(self) -> str:
        return f"{self.url}/sparql-graph-crud-auth"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"virtuoso-t exited with {process.returncode}: "
                        f"{log.read_text(errors='replace')[-1500:] if log.exists() else ''}")
        try:
            with urllib.request.urlopen(f"{url}/sparql?query=ASK%7B%7D", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"Virtuoso did not answer at {url} within {limit:g} s")


def run(folder: Path) -> Iterator[Virtuoso]:
    """Start Virtuoso on free loopback ports with its database in `folder`; stop it after."""
    programs = debian_programs({"virtuoso-t": "virtuoso-opensource"})
    ini = folder / "virtuoso.ini"
    http = _free_port()
    ini.write_text(_INI.format(dir=folder, sql=_free_port(), http=http))
    process = subprocess.Popen([str(programs["virtuoso-t"]), "+foreground", "+configfile",
                                str(ini)], cwd=folder, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{http}"
    try:
        _wait(url, process, folder / "virtuoso.log")
        yield Virtuoso(url)
    finally:
        stop(process, grace=60)
