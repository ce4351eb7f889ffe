"""W3C SPARQL 1.1 Protocol conformance of `budgetkg serve` (harness: tests/protocol_suite.py).

One test per entry of ../shared/standards/sparql-protocol/protocol/manifest.ttl, in manifest
order, each against the ``/sparql`` endpoint of the server that the ``sparql_server`` fixture
(tests/conftest.py) starts with ``--update-token``; plus the three Service Description checks.
Every test loads the fixture graphs it declares itself, so a subset runs alone too; several
tests run ``CLEAR ALL``, so the server must serve a scratch store.
"""

from __future__ import annotations

from typing import Protocol

import pytest

from tests import protocol_suite as suite
from tests.conftest import shared_path

STANDARD = ("standards", "sparql-protocol")
ENDPOINT_PATH = "/sparql"
MANIFEST_TESTS = 34  # README: 20 positive, 14 negative
NEGATIVE_TESTS = 14

TESTS = suite.load_manifest(shared_path(*STANDARD, "protocol", "manifest.ttl"))


class SparqlServer(Protocol):
    """What the ``sparql_server`` fixture gives: base URL and update token."""

    @property
    def url(self) -> str: ...

    @property
    def token(self) -> str | None: ...


@pytest.fixture
def endpoint(sparql_server: SparqlServer) -> suite.Endpoint:
    """The server's SPARQL endpoint, with its token."""
    return suite.Endpoint(sparql_server.url.rstrip("/") + ENDPOINT_PATH, sparql_server.token)


def test_manifest_has_every_test() -> None:
    names = [test.name for test in TESTS]
    assert len(names) == MANIFEST_TESTS, names
    assert len(set(names)) == len(names), "duplicate test names"
    assert sum(test.negative for test in TESTS) == NEGATIVE_TESTS


@pytest.mark.parametrize("test", TESTS, ids=[test.name for test in TESTS])
def test_protocol(endpoint: suite.Endpoint, test: suite.ProtocolTest) -> None:
    result = suite.run_test(endpoint, test)
    assert result.passed, f"{test.title}: {result.reason}"


def test_service_description(endpoint: suite.Endpoint) -> None:
    manifest = shared_path(*STANDARD, "service-description", "manifest.ttl")
    results = suite.check_service_description(endpoint)
    assert sorted(r.name for r in results) == sorted(suite.load_entry_names(manifest))
    failures = [f"{r.name}: {r.reason}" for r in results if not r.passed]
    assert not failures, "\n".join(failures)
