"""SPARQL against any endpoint (our own server, Virtuoso, Fuseki …) through SPARQLWrapper, so the
named queries run the same way on every store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.error import URLError

from SPARQLWrapper import BASIC, DIGEST, JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from budgetkg.errors import BudgetKGError


@dataclass(frozen=True)
class Solutions:
    variables: list[str]
    rows: list[dict[str, dict[str, str]]]  # SPARQL JSON bindings


Answer = Solutions | bool | bytes  # SELECT, ASK, CONSTRUCT/DESCRIBE (Turtle)


def query(endpoint: str, sparql: str, user: str | None = None, password: str | None = None,
          digest: bool = False, timeout: int = 300) -> Answer:
    """Run one query on a remote endpoint (form POST, which every store accepts); credentials go
    by HTTP Basic, or Digest (Virtuoso's /sparql-auth)."""
    client = SPARQLWrapper(endpoint)
    client.setQuery(sparql)
    client.setMethod(POST)
    client.setRequestMethod(URLENCODED)
    client.setTimeout(timeout)
    if user is not None:
        client.setHTTPAuth(DIGEST if digest else BASIC)
        client.setCredentials(user, password or "")
    graph = client.queryType in ("CONSTRUCT", "DESCRIBE")
    client.setReturnFormat(TURTLE if graph else JSON)
    try:
        result = client.query()
        if graph:
            data: bytes = result.response.read()
            return data
        body: dict[str, Any] = result.convert()  # type: ignore[assignment]
    except (SPARQLWrapperException, URLError, OSError, ValueError) as exc:
        raise BudgetKGError(None, f"{endpoint}: {_reason(exc)}") from exc
    if "boolean" in body:
        return bool(body["boolean"])
    return Solutions(list(body["head"]["vars"]), list(body["results"]["bindings"]))


def _reason(exc: Exception) -> str:
    text = str(getattr(exc, "reason", None) or exc)
    return " ".join(text.split())[:300]
