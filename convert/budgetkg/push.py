"""`budgetkg push`: every document graph of a build folder into a production triple store,
replaced whole (idempotent) through the SPARQL 1.1 Graph Store HTTP Protocol, or through SPARQL
Update where the store has no graph store endpoint."""

from __future__ import annotations

import base64
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path

import pyoxigraph as ox

from budgetkg import store
from budgetkg.errors import BudgetKGError
from budgetkg.iris import ONTOLOGY, RDF_TYPE
from budgetkg.publish import read_manifest

# What a store answers when it has no graph store endpoint at that address.
_NO_GRAPH_STORE = {404, 405, 415, 501}
_UPDATE_CHUNK = 1_000  # triples per INSERT DATA (Virtuoso's parser gives up near 5,000)


@dataclass(frozen=True)
class Target:
    endpoint: str  # the SPARQL endpoint (queries, and updates for the fallback)
    graph_store: str | None = None  # the Graph Store Protocol endpoint
    user: str | None = None
    password: str | None = None
    timeout: float = 300.0


@dataclass(frozen=True)
class Graph:
    """One named graph to write: the document's dump and its validation report, or the graph of
    that name in a dump file loaded into `store`."""

    name: str
    files: tuple[Path, ...]
    store: ox.Store | None = field(default=None, compare=False)


@dataclass
class Pushed:
    written: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    triples: int = 0
    method: str = ""


class PushError(BudgetKGError):
    """The store refused or could not be reached."""


def _explanation(body: bytes) -> str:
    """A store's error page as one short line of text."""
    text = re.sub(r"<!DOCTYPE[^>]*>|<title>.*?</title>|<[^>]+>", " ",
                  body.decode("utf-8", "replace"), flags=re.S)
    return " ".join(text.split())[:300]


def _address(url: str) -> str:
    return url.split("?", 1)[0]


def _refused(url: str, status: int) -> PushError:
    return PushError(None, f"{_address(url)}: credentials refused ({status}); give --user and "
                     "--password of an account allowed to write")


def _unreachable(url: str, exc: Exception) -> PushError:
    return PushError(None, f"{_address(url)}: cannot reach the store: "
                     f"{getattr(exc, 'reason', exc)}")


def graphs(folder: Path) -> list[Graph]:
    """The document graphs of a build folder, or of a dump file: each named graph of an N-Quads
    or TriG file, or the one document of a triples file (in the graph a build gives it, the
    document's IRI + /graph)."""
    if folder.is_file():
        return _dump_graphs(folder)
    found = []
    for entry in read_manifest(folder):
        stem = str(entry["stem"])
        files = [folder / f"{stem}.nt", folder / f"{stem}.report.ttl"]
        found.append(Graph(str(entry["graph"]), tuple(p for p in files if p.is_file())))
    return found


def _dump_graphs(path: Path) -> list[Graph]:
    db = store.load(path)
    names = sorted(g.value for g in db.named_graphs() if isinstance(g, ox.NamedNode))
    if path.suffix.lower() in (".nq", ".trig"):
        return [Graph(name, (path,), db) for name in names]
    documents = sorted({q.subject.value for q in db.quads_for_pattern(
        None, ox.NamedNode(RDF_TYPE), ox.NamedNode(ONTOLOGY + "BudgetDocument"), None)
        if isinstance(q.subject, ox.NamedNode)})
    if len(documents) != 1:
        raise PushError(path, f"holds {len(documents)} budget documents, so no one graph to "
                        "replace: push a build folder or an N-Quads/TriG dump")
    # the graph name budgetkg build gives a document (iris.Minter.graph)
    (loaded,) = names
    return [Graph(f"{documents[0]}/graph", (path,), _renamed(db, loaded, documents[0]))]


def _renamed(db: ox.Store, graph: str, document: str) -> ox.Store:
    moved = ox.Store()
    target = ox.NamedNode(f"{document}/graph")
    moved.extend(ox.Quad(q.subject, q.predicate, q.object, target)
                 for q in db.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    return moved


def _ntriples(graph: Graph) -> bytes:
    if graph.store is not None:
        quads = graph.store.quads_for_pattern(None, None, None, ox.NamedNode(graph.name))
        return ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads),
                            format=ox.RdfFormat.N_TRIPLES) or b""
    parts = []
    for path in graph.files:
        if path.suffix == ".nt":
            parts.append(path.read_bytes())
        else:
            parts.append(ox.serialize(ox.parse(path=str(path)), format=ox.RdfFormat.N_TRIPLES)
                         or b"")
    return b"".join(p if p.endswith(b"\n") or not p else p + b"\n" for p in parts)


class _Client:
    """HTTP to the store. With credentials, each write first asks for the store's challenge with
    an empty request and then sends the body once, already authorised: a store that answers 401
    to a large body before reading it (Virtuoso does) would otherwise reset the connection."""

    def __init__(self, target: Target) -> None:
        self.target = target
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for url in (target.endpoint, target.graph_store):
            if url:
                passwords.add_password(None, url, target.user or "", target.password or "")
        self.digest = urllib.request.HTTPDigestAuthHandler(passwords)
        self.basic = urllib.request.HTTPBasicAuthHandler(passwords)

    def _authorisation(self, method: str, url: str) -> str | None:
        if self.target.user is None:
            return None
        probe = urllib.request.Request(url, method="GET")
        try:
            with urllib.request.urlopen(probe, timeout=self.target.timeout) as response:
                response.read()
                return None  # no challenge: the address is open
        except urllib.error.HTTPError as exc:
            challenge = exc.headers.get("WWW-Authenticate", "")
        except (urllib.error.URLError, HTTPException, OSError) as exc:
            raise _unreachable(url, exc) from exc
        scheme, _, rest = challenge.partition(" ")
        if scheme.lower() == "digest":
            chal = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
            for_get = urllib.request.Request(url, method="GET")
            self._check(url, f"Digest {self.digest.get_authorization(for_get, chal)}")
            request = urllib.request.Request(url, method=method)
            return f"Digest {self.digest.get_authorization(request, chal)}"
        if scheme.lower() == "basic":
            token = base64.b64encode(
                f"{self.target.user}:{self.target.password or ''}".encode()).decode()
            self._check(url, f"Basic {token}")
            return f"Basic {token}"
        return None

    def _check(self, url: str, authorisation: str) -> None:
        """Try the credentials on an empty request before sending a body with them."""
        probe = urllib.request.Request(url, method="GET", headers={"Authorization": authorisation})
        try:
            with urllib.request.urlopen(probe, timeout=self.target.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise _refused(url, exc.code) from exc
        except (urllib.error.URLError, HTTPException, OSError) as exc:
            raise _unreachable(url, exc) from exc

    def send(self, method: str, url: str, body: bytes, media: str) -> tuple[int, str]:
        """The store's status and, for a failure, the first line of its explanation."""
        headers = {"Content-Type": media}
        authorisation = self._authorisation(method, url)
        if authorisation:
            headers["Authorization"] = authorisation
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.target.timeout) as response:
                response.read()
                return int(response.status), ""
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise _refused(url, exc.code) from exc
            return exc.code, _explanation(exc.read())
        except (urllib.error.URLError, HTTPException, OSError) as exc:
            raise _unreachable(url, exc) from exc

    def put_graph(self, graph: str, data: bytes) -> tuple[int, str]:
        assert self.target.graph_store
        query = urllib.parse.urlencode({"graph": graph})
        return self.send("PUT", f"{self.target.graph_store}?{query}", data, "text/turtle")

    def update(self, graph: str, data: bytes) -> tuple[int, str]:
        lines = data.decode("utf-8").splitlines()
        operations = [f"DROP SILENT GRAPH <{graph}>"]
        for start in range(0, len(lines), _UPDATE_CHUNK):
            chunk = "\n".join(lines[start:start + _UPDATE_CHUNK])
            operations.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{chunk}\n}} }}")
        body = urllib.parse.urlencode({"update": " ;\n".join(operations)}).encode()
        return self.send("POST", self.target.endpoint, body, "application/x-www-form-urlencoded")


def push(folder: Path, target: Target,
         progress: Callable[[str, int], None] = lambda _g, _n: None) -> Pushed:
    """Replace each document graph in the store; a graph that fails is reported and the others
    still go (the result lists what was written and what failed)."""
    client = _Client(target)
    result = Pushed(method="graph store" if target.graph_store else "SPARQL Update")
    for graph in graphs(folder):
        data = _ntriples(graph)
        try:
            status, explanation = _send(client, result, graph, data)
        except PushError as exc:
            if not result.written and not result.failed:
                raise  # nothing could be written at all: one clear error
            status, explanation = 0, exc.problem
        if 200 <= status < 300:
            result.written.append(graph.name)
            result.triples += data.count(b"\n")
        else:
            result.failed.append((graph.name, f"the store answered {status}: {explanation}"
                                  if status else explanation))
        progress(graph.name, len(result.written) + len(result.failed))
    return result


def _send(client: _Client, result: Pushed, graph: Graph, data: bytes) -> tuple[int, str]:
    """PUT through the graph store; where the store turns out to have none, SPARQL Update from
    then on."""
    if client.target.graph_store and result.method == "graph store":
        status, explanation = client.put_graph(graph.name, data)
        if not (status in _NO_GRAPH_STORE and not result.written):
            return status, explanation
        result.method = "SPARQL Update"
    return client.update(graph.name, data)
