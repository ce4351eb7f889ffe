"""SPARQL against any endpoint (our own server, Virtuoso, Fuseki …) through SPARQLWrapper, so the
named queries run the same way on every store."""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError, URLError

from SPARQLWrapper import BASIC, DIGEST, JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from budgetkg.errors import BudgetKGError


@dataclass(frozen=True)
class Solutions:
    variables: list[str]
    rows: list[dict[str, dict[str, str]]]  # SPARQL JSON bindings


Answer = Solutions | bool | bytes  # SELECT, ASK, CONSTRUCT/DESCRIBE (Turtle)


def challenge(url: str, timeout: float = 30) -> str:
    """The authentication scheme a store asks for at an address ("digest", "basic"), or "" when
    it asks for none: tried on an empty GET, before a query or a body is sent. `budgetkg query`
    and `budgetkg push` both answer whichever scheme the store asks for."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="GET"),
                                    timeout=timeout) as response:
            response.read()
            return ""
    except HTTPError as exc:
        scheme = exc.headers.get("WWW-Authenticate", "").partition(" ")[0].lower()
        return scheme if exc.code == 401 and scheme in ("digest", "basic") else ""
    except (URLError, OSError, ValueError) as exc:
        raise BudgetKGError(None, f"{url}: cannot reach the endpoint: {_reason(exc)}") from exc


def query(endpoint: str, sparql: str, user: str | None = None, password: str | None = None,
          timeout: int = 300) -> Answer:
    """Run one query on a remote endpoint (form POST, which every store accepts); with a user,
    the credentials go by HTTP Digest or Basic, whichever the endpoint asks for."""
    client = SPARQLWrapper(endpoint)
    client.setQuery(sparql)
    client.setMethod(POST)
    client.setRequestMethod(URLENCODED)
    client.setTimeout(timeout)
    if user is not None:
        client.setHTTPAuth(DIGEST if challenge(endpoint, timeout) == "digest" else BASIC)
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
